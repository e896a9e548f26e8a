#pragma once
// `slots`: Python's `__slots__`. Every particle is its own heap object with
// one fixed-offset cell per declared attribute and nothing else: reading
// `x` is a load at offset 0, and there is nowhere to put an undeclared name.
//
//   index     8 B / particle   pointer to the object
//   object   56 B              7 doubles, in ParticleRecord order
// --python-objects=VERSION: + GC header and object header in front (32 B
// from 3.8, 48 B on 3.6/3.7) and a 24-B float per value: 32 + 56 + 7 x 24
// = 256 B on 3.8-3.13.
#include "sim/layouts/errors.hpp"
#include "sim/layouts/cell_objects.hpp"
#include "sim/layouts/names.hpp"
#include "sim/layouts/python_era.hpp"
#include "sim/layouts/store_concept.hpp"
#include "sim/particle.hpp"

namespace slotsim {

struct SlotsObject {
  double cells[kNumAttrs];
};
static_assert(sizeof(SlotsObject) == 56);

class SlotsStore : public CellObjects<SlotsStore, SlotsObject> {
 public:
  SlotsStore() = default;
  SlotsStore(SlotsStore&&) noexcept = default;
  // GC pre-header + object header; no weakref or dict slot with __slots__.
  static constexpr std::size_t py_prefix(const PyEra& e) { return e.gc + e.head; }
  static void init_rest(SlotsObject&) {}  // nothing after the cells

  void set_attr(std::size_t i, const Name* n, double v) { store(at(i)->cells[declared_or_throw(n)], v); }
  const double* find_attr(std::size_t i, const Name* n) const {
    const int a = declared_attr(n->text);
    return a < 0 ? nullptr : value_ptr(&at(i)->cells[a]);
  }
  void set_attr_all(const Name* n, double v) {
    const int a = declared_or_throw(n);
    for (SlotsObject* o : objects()) store(o->cells[a], v);
  }
  // Only declared attributes exist, and those are not deletable here.
  void del_attr(std::size_t, const Name* n) { throw AttributeError(attribute_error_text("Particle", n->text)); }
  void del_attr_all(const Name* n) { del_attr(0, n); }
  template <class F>
  void for_each_dynamic(std::size_t, F&&) const {}
  bool read_dict(std::size_t) { throw AttributeError(attribute_error_text("Particle", "__dict__")); }
  std::size_t own_dicts() const { return 0; }
  static long long dynamic_bytes_estimate(std::size_t) { return 0; }  // refused before it matters

  static void release(StoreMemory& m, SlotsObject* o) { release_cells(m, o); }

 private:
  static int declared_or_throw(const Name* n) {
    const int a = declared_attr(n->text);
    if (a < 0) throw AttributeError(attribute_error_text("Particle", n->text));
    return a;
  }
};
static_assert(ParticleStoreType<SlotsStore>);

}  // namespace slotsim
