#pragma once
// `slots`: Python's `__slots__`. Every particle is its own heap object with
// one fixed-offset cell per declared attribute and nothing else: reading
// `x` is a load at offset 0, and there is nowhere to put an undeclared name.
//
//   index     8 B / particle   pointer to the object
//   object   56 B              7 doubles, in ParticleRecord order
#include <memory>
#include <memory_resource>
#include <vector>

#include "sim/layouts/errors.hpp"
#include "sim/layouts/names.hpp"
#include "sim/layouts/permute.hpp"
#include "sim/layouts/store_memory.hpp"
#include "sim/particle.hpp"

namespace slotsim {

struct SlotsObject {
  double cells[kNumAttrs];
};
static_assert(sizeof(SlotsObject) == 56);

class SlotsStore {
 public:
  static constexpr Layout kLayout = Layout::Slots;

  SlotsStore() : mem_(std::make_unique<StoreMemory>()), index_(&mem_->index) {}
  SlotsStore(SlotsStore&&) noexcept = default;
  SlotsStore& operator=(SlotsStore&&) = delete;
  ~SlotsStore() {
    for (SlotsObject* o : index_) mem_->objects.deallocate(o, sizeof(SlotsObject), alignof(SlotsObject));
  }

  std::size_t size() const { return index_.size(); }
  void reserve(std::size_t n) { index_.reserve(n); }
  void push(const ParticleRecord& r) {
    auto* o = static_cast<SlotsObject*>(mem_->objects.allocate(sizeof(SlotsObject), alignof(SlotsObject)));
    for (int a = 0; a < kNumAttrs; ++a) o->cells[a] = r.get(a);
    try {
      index_.push_back(o);
    } catch (...) {
      mem_->objects.deallocate(o, sizeof(SlotsObject), alignof(SlotsObject));
      throw;
    }
  }

  template <int A>
  double get(std::size_t i) const { return index_[i]->cells[A]; }
  template <int A>
  void set(std::size_t i, double v) { index_[i]->cells[A] = v; }
  ParticleRecord record(std::size_t i) const {
    ParticleRecord r;
    for (int a = 0; a < kNumAttrs; ++a) r.set(a, index_[i]->cells[a]);
    return r;
  }

  void set_attr(std::size_t i, const Name* n, double v) {
    const int a = declared_attr(n->text);
    if (a < 0) throw AttributeError(attribute_error_text("Particle", n->text));
    index_[i]->cells[a] = v;
  }
  const double* find_attr(std::size_t i, const Name* n) const {
    const int a = declared_attr(n->text);
    return a < 0 ? nullptr : &index_[i]->cells[a];
  }
  void set_attr_all(const Name* n, double v) {
    const int a = declared_attr(n->text);
    if (a < 0) throw AttributeError(attribute_error_text("Particle", n->text));
    for (SlotsObject* o : index_) o->cells[a] = v;
  }
  template <class F>
  void for_each_dynamic(std::size_t, F&&) const {}

  template <class Perm>
  void permute(const Perm& order) {
    index_ = permuted(index_, order);
  }

  LayoutBytes bytes() const { return mem_->bytes(); }
  // Where particle i's object lives (read-only; the GUI's heap map).
  const void* object_address(std::size_t i) const { return index_[i]; }

 private:
  std::unique_ptr<StoreMemory> mem_;
  std::pmr::vector<SlotsObject*> index_;
};

}  // namespace slotsim
