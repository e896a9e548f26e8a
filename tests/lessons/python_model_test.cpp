// lessons/python_model: the per-shape bytes the lessons and docs/LAYOUTS.md
// use. For 7 fields every figure equals a real store's (so the rules cannot
// drift from the stores); against the documents captured on every
// installed CPython, every shape is within 5% of tracemalloc.
#include "lessons/python_model.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "lessons/cpython.hpp"
#include "lessons/cpython_fixture.hpp"
#include "sim/layouts/particle_store.hpp"

using namespace slotsim;

namespace {

std::vector<std::optional<PyVersion>> all_modes() {
  std::vector<std::optional<PyVersion>> v = {std::nullopt};
  for (int m = kOldestPyVersion.minor; m <= kNewestPyVersion.minor; ++m) v.push_back(PyVersion{3, m});
  return v;
}

// Mean bytes per particle of a real store, as tracemalloc would see them:
// no list pointer, no class keys.
double store_bytes(Layout l, std::optional<PyVersion> v, std::size_t n, bool touched) {
  ParticleStore s(l, v.has_value(), v.value_or(kDefaultPyVersion));
  s.reserve(n);
  for (std::size_t i = 0; i < n; ++i) s.push(ParticleRecord{double(i), 1, 2, 3, 4, 5, 1});
  if (touched) s.read_dict_all();
  const LayoutBytes b = s.bytes();
  return double(b.total() - b.index - b.shared_keys) / double(n);
}

}  // namespace

TEST_CASE("python model: for 7 fields every figure is the real store's, in every mode and version") {
  for (const LayoutTraits& t : kLayoutTraits) {
    if (!t.heap_objects) continue;
    for (const auto& v : all_modes())
      for (bool touched : {false, true}) {
        if (touched && !t.has_dict) continue;  // no __dict__ to read
        CAPTURE(t.name);
        CAPTURE(v ? py_version_text(*v) : std::string("default"));
        CAPTURE(touched);
        const std::size_t n = 300;
        CHECK(model_bytes(t.id, {7, ShapeKind::Plain, touched}, v, n) == doctest::Approx(store_bytes(t.id, v, n, touched)));
      }
  }
}

TEST_CASE("python model: split-keys for 3 and 0 fields, from CPython 3.10's sources") {
  // 3 names fit the class's first 8-slot keys (USABLE_FRACTION(8) = 5,
  // Objects/dictobject.c l. 413): a 5-slot values array; an instance without
  // attributes has no dict until __dict__ is read (PyObject_GenericGetDict,
  // l. 4990-5010).
  CHECK(model_bytes(Layout::SplitKeys, {3}, std::nullopt) == 8 + 32 + 40);
  CHECK(model_bytes(Layout::SplitKeys, {3}, PyVersion{3, 10}) == 48 + 64 + 40 + 3 * 24);
  CHECK(model_bytes(Layout::SplitKeys, {0}, PyVersion{3, 10}) == 48);
  CHECK(model_bytes(Layout::SplitKeys, {0, ShapeKind::Plain, true}, PyVersion{3, 10}) == 48 + 64 + 40);
  CHECK(model_bytes(Layout::Slots, {0}, PyVersion{3, 7}) == 16);  // not GC tracked before 3.8
  CHECK(model_bytes(Layout::Slots, {0}, PyVersion{3, 8}) == 32);
  CHECK(plain_layout_for({3, 10}) == Layout::SplitKeys);
  CHECK(plain_layout_for({3, 11}) == Layout::SharedKeys);
}

// The table of docs/LAYOUTS.md: every shape the report uses, model against
// the interpreter's tracemalloc (distinct floats), within 5%. Prints the
// table when SLOTSIM_PRINT_PYOBJ_TABLE is set (docs/LAYOUTS.md names it).
TEST_CASE("python model: every shape within 5% of tracemalloc on every CPython the fixtures come from") {
  const bool print = std::getenv("SLOTSIM_PRINT_PYOBJ_TABLE") != nullptr;
  int checked = 0;
  for (const auto& [version, text] : testing::real_fixtures()) {
    const CPythonFigures f = parse_cpython_figures(text);
    const std::vector<ShapeComparison> cmp = compare_shapes(f);
    CHECK(cmp.size() == 13);
    for (const ShapeComparison& c : cmp) {
      CAPTURE(version);
      CAPTURE(c.shape);
      CAPTURE(std::string(layout_name(c.layout)));
      CHECK(std::fabs(c.diff()) <= 0.05);
      ++checked;
      if (print)
        std::printf("%s | %s | %s | %.1f | %.1f | %+.1f%%\n", version.c_str(), c.shape.c_str(),
                    std::string(layout_name(c.layout)).c_str(), c.model, c.measured, 100 * c.diff());
    }
  }
  CHECK(checked >= 9 * 13);
}
