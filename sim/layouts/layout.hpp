#pragma once
// Layout names, exactly as on the command line and in every report.
#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace slotsim {

enum class Layout : int { Dict = 0, Slots, SlotsDict, Aos, Soa };
inline constexpr int kNumLayouts = 5;
inline constexpr std::array<Layout, kNumLayouts> kAllLayouts = {
    Layout::Dict, Layout::Slots, Layout::SlotsDict, Layout::Aos, Layout::Soa};

inline constexpr std::string_view layout_name(Layout l) {
  constexpr std::array<std::string_view, kNumLayouts> n = {"dict", "slots", "slots+dict",
                                                           "aos", "soa"};
  return n[static_cast<int>(l)];
}

inline std::optional<Layout> parse_layout(std::string_view s) {
  for (Layout l : kAllLayouts)
    if (layout_name(l) == s) return l;
  return std::nullopt;
}

// Bytes a store holds, by what they are for. requested = bytes asked of the
// allocator; usable = what malloc actually set aside (malloc_usable_size).
struct LayoutBytes {
  long long objects = 0;  // per-particle heap objects (dict, slots, slots+dict)
  long long tables = 0;   // per-instance attribute hash tables
  long long index = 0;    // arrays of pointers to the objects
  long long columns = 0;  // contiguous arrays (aos records, soa columns, extra columns)
  long long total() const { return objects + tables + index + columns; }
  long long usable_total = 0;
  long long blocks = 0;   // live allocations
};

// The categories of LayoutBytes, in display order, for reports that list
// them all (the GUI's Memory and Compare panels). A new category is one
// line here; the static_assert catches a field added without it.
struct ByteCategory {
  std::string_view name;
  long long LayoutBytes::*field;
};
inline constexpr std::array<ByteCategory, 4> kByteCategories = {{
    {"objects", &LayoutBytes::objects},
    {"tables", &LayoutBytes::tables},
    {"index", &LayoutBytes::index},
    {"columns", &LayoutBytes::columns},
}};
static_assert(sizeof(LayoutBytes) == (kByteCategories.size() + 2) * sizeof(long long),
              "a LayoutBytes category was added: list it in kByteCategories");

}  // namespace slotsim
