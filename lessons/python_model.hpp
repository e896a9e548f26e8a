#pragma once
// Bytes per instance of the class shapes the lessons use (no attributes,
// 3 and 7 float fields; plain, __slots__, __slots__ with '__dict__'; before
// and after reading __dict__), by the stores' own rules: the same constants
// and formulas as sim/layouts/*_store.hpp, applied to an instance with
// `fields` attributes, which a ParticleStore (always 7) cannot build. For 7
// fields tests/lessons/python_model_test.cpp checks every figure against a
// real store, so the rules cannot drift apart.
//
// With a version (--python-objects=VERSION), that CPython's headers and a
// 24-B float per field are included: the figure to hold against
// tracemalloc on that interpreter (docs/LAYOUTS.md has the table). Without
// one, the default mode's bytes (unboxed doubles, no headers).
#include <cstddef>
#include <optional>
#include <string_view>

#include <string>
#include <vector>

#include "lessons/cpython.hpp"
#include "sim/layouts/layout.hpp"
#include "sim/layouts/python_era.hpp"

namespace slotsim {

enum class ShapeKind { Plain, Slots, SlotsDict };
std::string_view shape_kind_name(ShapeKind k);  // "plain", "slots", "slots_dict" (measure_objects.py's names)

// The slotsim layout that stands for a plain class on CPython `v`:
// split-keys up to 3.10, shared-keys from 3.11.
Layout plain_layout_for(PyVersion v);
// The layout of a shape: a plain class takes `plain` (dict, split-keys or
// shared-keys); the others are slots and slots+dict.
Layout layout_of(ShapeKind k, Layout plain);

struct ModelShape {
  int fields = 7;       // 0, 3 or 7 (any 0..7)
  ShapeKind kind = ShapeKind::Plain;
  bool touched = false;  // after reading __dict__ (a kind without one: the same figure)
};

// Mean bytes per instance over `n` instances of `layout` (what tracemalloc
// divides by N), without the list's pointer unless `with_index`; the class's
// own keys are not included (tracemalloc sees them allocated before, with
// the class). `version`: --python-objects with that CPython's sizes.
double model_bytes(Layout layout, const ModelShape& s, std::optional<PyVersion> version, std::size_t n = 20000,
                   bool with_index = false);

// Every shape measure_objects.py measures on an interpreter (no attributes
// plain and slotted; 3 and 7 fields plain, slotted and with '__dict__' in
// __slots__; before and after reading __dict__), beside the model of that
// version: tracemalloc with distinct floats against model_bytes with
// --python-objects=<its minor version>, over the same number of instances.
// Empty for a version the models do not cover (not 3.6-3.13).
struct ShapeComparison {
  std::string shape;  // "7 fields, slots_dict, __dict__ read"
  int fields = 0;
  ShapeKind kind = ShapeKind::Plain;
  bool touched = false;
  Layout layout = Layout::Slots;
  double model = 0, measured = 0;
  double diff() const { return (model - measured) / measured; }  // relative
};
std::vector<ShapeComparison> compare_shapes(const CPythonFigures& f);

}  // namespace slotsim
