#pragma once
// What `slots` and `slots+dict` share: the declared attributes are seven
// cells at the front of the object, in ParticleRecord order (slots+dict adds
// its table pointer after them, so the offsets are the same). Adding a
// particle, the kernels' accessors and freeing the cells are therefore one
// implementation here, on top of HeapObjects.
//
// The store type D provides, besides what HeapObjects asks for,
//   static void init_rest(Obj&)   sets what follows the cells (slots: nothing)
// so a new object is fully initialised before the index (and so release())
// can see it.
#include "sim/layouts/heap_objects.hpp"
#include "sim/particle.hpp"

namespace slotsim {

template <class D, class Obj>
class CellObjects : public HeapObjects<D, Obj> {
  using Base = HeapObjects<D, Obj>;

 public:
  void push(const ParticleRecord& r) {
    Obj* o = this->allocate();
    try {
      this->init_cells(r, o->cells);
    } catch (...) {
      this->deallocate(o);
      throw;
    }
    D::init_rest(*o);
    this->adopt(o);
  }

  template <int A>
  double get(std::size_t i) const { return this->load(this->at(i)->cells[A]); }
  template <int A>
  void set(std::size_t i, double v) { this->store(this->at(i)->cells[A], v); }
  ParticleRecord record(std::size_t i) const {
    ParticleRecord r;
    for (int a = 0; a < kNumAttrs; ++a) r.set(a, this->load(this->at(i)->cells[a]));
    return r;
  }

 protected:
  CellObjects() = default;
  CellObjects(CellObjects&&) noexcept = default;

  // Frees the boxes the cells point to (--python-objects), then the object.
  static void release_cells(StoreMemory& m, Obj* o) {
    if (m.py.on)
      for (double c : o->cells) Base::free_cell(m, c);
    Base::free_object(m, o);
  }
};

}  // namespace slotsim
