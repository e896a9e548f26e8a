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
//   columns, "capabilities (one line)", "what it models (help text)",
//   "the CPython versions it stands for")
//   has_dict      a particle can have its own attribute table
//   heap_objects  one heap object per particle, reached through a pointer
//   columns       contiguous arrays indexed by particle
// The order is the enum order, the variant order, the GUI key order and the
// order of every list shown to the user. The CPython eras of a plain
// instance are dict (<= 3.2), split-keys (3.3-3.10) and shared-keys
// (3.11-3.13); split-keys came last, so it is key 7 rather than between them.
#define SLOTSIM_LAYOUT_TABLE(X)                                                                              \
  X(Dict, DictStore, "dict", '1', DynamicAttrs::AnyParticle, true, true, false,                              \
    "any attribute on any particle; per-instance tables grow as needed",                                    \
    "a Python instance with its own classic __dict__ table (CPython <= 3.2, before PEP 412 key sharing)",   \
    "CPython <= 3.2")                                                                                       \
  X(Slots, SlotsStore, "slots", '2', DynamicAttrs::None, false, true, false,                                 \
    "declared attributes only; anything else is an AttributeError", "__slots__ = ('x', 'y', ...)",         \
    "every CPython")                                                                                        \
  X(SlotsDict, SlotsDictStore, "slots+dict", '3', DynamicAttrs::AnyParticle, true, true, false,              \
    "declared attributes in fixed cells; others in a table created on first use",                           \
    "__slots__ = (..., '__dict__'): fixed cells plus a lazily created table", "every CPython")             \
  X(Aos, AosStore, "aos", '4', DynamicAttrs::WholeColumns, false, false, true,                               \
    "declared attributes in fixed records; others only as whole columns (all particles)",                   \
    "an array of C structs / NumPy structured array", "not Python objects")                                \
  X(Soa, SoaStore, "soa", '5', DynamicAttrs::WholeColumns, false, false, true,                               \
    "one array per attribute; others only as whole columns (all particles)",                                \
    "one array per attribute (NumPy columns, Eigen arrays)", "not Python objects")                         \
  X(SharedKeys, SharedKeysStore, "shared-keys", '6', DynamicAttrs::AnyParticle, true, true, false,           \
    "values inline behind one shared keys object per class; a particle's own dict only where CPython makes one", \
    "a CPython 3.11-3.13 instance: shared keys (PEP 412) and per-object values, inline as in 3.13",        \
    "CPython 3.11-3.13")                                                                                    \
  X(SplitKeys, SplitKeysStore, "split-keys", '7', DynamicAttrs::AnyParticle, true, true, false,              \
    "a dict per particle sharing its class's keys; converts to its own table where CPython 3.10 does",     \
    "a CPython 3.3-3.10 instance: a __dict__ per instance holding values, keys shared by the class (PEP 412 split table)", \
    "CPython 3.3-3.10")

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
  std::string_view cpython;       // the CPython versions it stands for ("CPython 3.3-3.10")
};

#define SLOTSIM_LAYOUT_TRAITS(Id, Type, name, key, dyn, dict, heap, cols, caps, models, cpython) \
  LayoutTraits{Layout::Id, name, key, dyn, dict, heap, cols, caps, models, cpython},
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
    if (t.name.empty() || t.capabilities.empty() || t.models.empty() || t.cpython.empty()) return false;
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

// What particles carry that layout l cannot hold: their own __dict__ (l has
// none), or attributes beyond the declared seven (l takes none); the first
// that applies. The one rule behind both refusals of a restart that would
// drop them: sim/io/hdf5_read.cpp against the file's own layout, and the
// batch's prepare_restart against the layout --python-objects restores
// into. Each words it for its own input.
enum class Unholdable { Nothing, OwnDicts, DynamicAttrs };
inline constexpr Unholdable cannot_hold(Layout l, bool own_dicts, bool dynamic_attrs) {
  if (own_dicts && !traits(l).has_dict) return Unholdable::OwnDicts;
  if (dynamic_attrs && traits(l).dynamic == DynamicAttrs::None) return Unholdable::DynamicAttrs;
  return Unholdable::Nothing;
}

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

// "name (versions), ..." for --layout's help: each layout with the CPython
// versions it stands for.
inline std::string layout_names_with_versions() {
  std::string out;
  for (const LayoutTraits& t : kLayoutTraits) {
    if (!out.empty()) out += ", ";
    out += std::string(t.name) + " (" + std::string(t.cpython) + ")";
  }
  return out;
}

// "keys 1-6"
inline std::string layout_key_range() {
  return std::string("keys ") + kLayoutTraits[0].key + "-" + kLayoutTraits[kNumLayouts - 1].key;
}

}  // namespace slotsim
