#pragma once
// The layout table: one entry per layout, and everything that lists layouts
// (the Layout enum, the store variant, --layout's help and error text, the
// bench default, the script verb, the GUI's keys and radio buttons, the
// test lists) is derived from it. Adding a layout is its store header
// (sim/layouts/<name>_store.hpp, found by sim/CMakeLists.txt) plus one
// entry here; docs/LAYOUTS.md "Adding a layout" walks through it.
//
// An X-macro rather than a constexpr array of structs alone: the enum and
// the std::variant need the entries as tokens (an enumerator, a type), which
// no constexpr value can produce in C++20. Everything that needs only values
// reads kLayoutTraits below instead of the macro.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace slotsim {

// What a layout can do with an attribute that is not one of the seven
// declared ones.
enum class DynamicAttrs : std::uint8_t {
  None,          // AttributeError (slots)
  AnyParticle,   // any name on any particle (a per-instance dict or shared keys)
  WholeColumns,  // only on all particles at once, as a column (aos, soa)
};

// X(Id, StoreType, "name", 'key', DynamicAttrs, has_dict, heap_objects,
//   columns, "capabilities (one line)", "what it models (help text)")
//   has_dict      a particle can have its own attribute table
//   heap_objects  one heap object per particle, reached through a pointer
//   columns       contiguous arrays indexed by particle
// The order is the enum order, the variant order, the GUI key order and the
// order of every list shown to the user.
#define SLOTSIM_LAYOUT_TABLE(X)                                                                              \
  X(Dict, DictStore, "dict", '1', DynamicAttrs::AnyParticle, true, true, false,                              \
    "any attribute on any particle; per-instance tables grow as needed",                                    \
    "a Python instance with its own __dict__ (CPython <= 3.10 classic table)")                              \
  X(Slots, SlotsStore, "slots", '2', DynamicAttrs::None, false, true, false,                                 \
    "declared attributes only; anything else is an AttributeError", "__slots__ = ('x', 'y', ...)")          \
  X(SlotsDict, SlotsDictStore, "slots+dict", '3', DynamicAttrs::AnyParticle, true, true, false,              \
    "declared attributes in fixed cells; others in a table created on first use",                           \
    "__slots__ = (..., '__dict__'): fixed cells plus a lazily created table")                               \
  X(Aos, AosStore, "aos", '4', DynamicAttrs::WholeColumns, false, false, true,                               \
    "declared attributes in fixed records; others only as whole columns (all particles)",                   \
    "an array of C structs / NumPy structured array")                                                       \
  X(Soa, SoaStore, "soa", '5', DynamicAttrs::WholeColumns, false, false, true,                               \
    "one array per attribute; others only as whole columns (all particles)",                                \
    "one array per attribute (NumPy columns, Eigen arrays)")                                                \
  X(SharedKeys, SharedKeysStore, "shared-keys", '6', DynamicAttrs::AnyParticle, true, true, false,           \
    "values inline behind one shared keys object per class; a particle's own dict only where CPython makes one", \
    "a CPython 3.11+ instance: shared keys (PEP 412) and inline values")

#define SLOTSIM_LAYOUT_ENUMERATOR(Id, ...) Id,
enum class Layout : int { SLOTSIM_LAYOUT_TABLE(SLOTSIM_LAYOUT_ENUMERATOR) };
#undef SLOTSIM_LAYOUT_ENUMERATOR

struct LayoutTraits {
  Layout id;
  std::string_view name;  // on the command line and in every report
  char key;               // GUI key ('1'..'9')
  DynamicAttrs dynamic;
  bool has_dict, heap_objects, columns;
  std::string_view capabilities;  // one line: what it does with attributes
  std::string_view models;        // one line: what Python/C construct it models
};

#define SLOTSIM_LAYOUT_TRAITS(Id, Type, name, key, dyn, dict, heap, cols, caps, models) \
  LayoutTraits{Layout::Id, name, key, dyn, dict, heap, cols, caps, models},
inline constexpr LayoutTraits kLayoutTraits[] = {SLOTSIM_LAYOUT_TABLE(SLOTSIM_LAYOUT_TRAITS)};
#undef SLOTSIM_LAYOUT_TRAITS

inline constexpr int kNumLayouts = static_cast<int>(std::size(kLayoutTraits));

inline constexpr std::array<Layout, kNumLayouts> kAllLayouts = [] {
  std::array<Layout, kNumLayouts> a{};
  for (int i = 0; i < kNumLayouts; ++i) a[i] = kLayoutTraits[i].id;
  return a;
}();

// The table is indexed by enum value everywhere; these checks make a
// reordered or mistyped entry a compile error rather than a wrong lookup.
inline constexpr bool layout_table_is_consistent() {
  for (int i = 0; i < kNumLayouts; ++i) {
    const LayoutTraits& t = kLayoutTraits[i];
    if (static_cast<int>(t.id) != i) return false;
    if (t.key < '1' || t.key > '9' || t.key != '1' + i) return false;  // keys 1..N, in order
    if (t.name.empty() || t.capabilities.empty() || t.models.empty()) return false;
    if (t.heap_objects == t.columns) return false;  // a store is one or the other
    if (t.has_dict && t.dynamic != DynamicAttrs::AnyParticle) return false;
    for (int j = 0; j < i; ++j)
      if (kLayoutTraits[j].name == t.name) return false;
  }
  return true;
}
static_assert(layout_table_is_consistent(), "sim/layouts/traits.hpp: fix the layout table");

inline constexpr const LayoutTraits& traits(Layout l) { return kLayoutTraits[static_cast<int>(l)]; }
inline constexpr std::string_view layout_name(Layout l) { return traits(l).name; }

inline constexpr std::optional<Layout> parse_layout(std::string_view s) {
  for (const LayoutTraits& t : kLayoutTraits)
    if (t.name == s) return t.id;
  return std::nullopt;
}

// "dict, slots, slots+dict, aos, soa, shared-keys" (or with another separator).
inline std::string layout_names(std::string_view sep = ", ") {
  std::string out;
  for (const LayoutTraits& t : kLayoutTraits) {
    if (!out.empty()) out += sep;
    out += t.name;
  }
  return out;
}

// The names of the layouts `keep` accepts, in table order:
// heap_object_layout_names() = "dict, slots, slots+dict, shared-keys".
template <class Pred>
std::string layout_names_if(Pred keep, std::string_view sep = ", ") {
  std::string out;
  for (const LayoutTraits& t : kLayoutTraits) {
    if (!keep(t)) continue;
    if (!out.empty()) out += sep;
    out += t.name;
  }
  return out;
}
inline std::string heap_object_layout_names() {
  return layout_names_if([](const LayoutTraits& t) { return t.heap_objects; });
}

// The error every entry point gives for an unknown name.
inline std::string unknown_layout_text(std::string_view name) {
  return "unknown layout '" + std::string(name) + "' (choose: " + layout_names() + ")";
}

// "keys 1-6"
inline std::string layout_key_range() {
  return std::string("keys ") + kLayoutTraits[0].key + "-" + kLayoutTraits[kNumLayouts - 1].key;
}

}  // namespace slotsim
