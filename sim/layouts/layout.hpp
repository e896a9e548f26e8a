#pragma once
// Layout names and the byte accounts every store reports. The names, keys
// and capabilities come from the layout table (traits.hpp).
#include <array>
#include <string_view>

#include "sim/layouts/layout_bytes.hpp"
#include "sim/layouts/traits.hpp"

namespace slotsim {

// The categories of LayoutBytes, in display order, for reports that list
// them all (the GUI's Memory and Compare panels). A new category is one
// line here; the static_assert catches a field added without it.
struct ByteCategory {
  std::string_view name;
  long long LayoutBytes::*field;
};
inline constexpr std::array<ByteCategory, 7> kByteCategories = {{
    {"objects", &LayoutBytes::objects},
    {"tables", &LayoutBytes::tables},
    {"index", &LayoutBytes::index},
    {"columns", &LayoutBytes::columns},
    {"shared keys", &LayoutBytes::shared_keys},
    {"py headers", &LayoutBytes::py_headers},
    {"floats", &LayoutBytes::floats},
}};
static_assert(sizeof(LayoutBytes) == (kByteCategories.size() + 2) * sizeof(long long),
              "a LayoutBytes category was added: list it in kByteCategories");

}  // namespace slotsim
