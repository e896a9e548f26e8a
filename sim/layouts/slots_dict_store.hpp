#pragma once
// `slots+dict`: `__slots__ = (..., '__dict__')`. Fixed cells for the
// declared attributes plus one pointer to a per-instance table that is only
// created when the first undeclared attribute is set. Until then each
// particle pays 8 bytes for the escape hatch; after, a whole table.
//
//   index     8 B / particle
//   object   64 B   7 doubles + AttrTable* (null until needed)
//   table    144 B  only for particles with a dynamic attribute (8 slots)
#include <memory>
#include <memory_resource>
#include <vector>

#include "sim/layouts/attr_table.hpp"
#include "sim/layouts/errors.hpp"
#include "sim/layouts/names.hpp"
#include "sim/layouts/permute.hpp"
#include "sim/layouts/store_memory.hpp"
#include "sim/particle.hpp"

namespace slotsim {

struct SlotsDictObject {
  double cells[kNumAttrs];
  AttrTable* dict;  // last: the declared cells keep the same offsets as `slots`
};
static_assert(sizeof(SlotsDictObject) == 64);

class SlotsDictStore {
 public:
  static constexpr Layout kLayout = Layout::SlotsDict;

  SlotsDictStore() : mem_(std::make_unique<StoreMemory>()), index_(&mem_->index) {}
  SlotsDictStore(SlotsDictStore&&) noexcept = default;
  SlotsDictStore& operator=(SlotsDictStore&&) = delete;
  ~SlotsDictStore() {
    for (SlotsDictObject* o : index_) {
      attr_table_free(&mem_->tables, o->dict);
      mem_->objects.deallocate(o, sizeof(SlotsDictObject), alignof(SlotsDictObject));
    }
  }

  std::size_t size() const { return index_.size(); }
  void reserve(std::size_t n) { index_.reserve(n); }
  void push(const ParticleRecord& r) {
    auto* o = static_cast<SlotsDictObject*>(
        mem_->objects.allocate(sizeof(SlotsDictObject), alignof(SlotsDictObject)));
    for (int a = 0; a < kNumAttrs; ++a) o->cells[a] = r.get(a);
    o->dict = nullptr;
    try {
      index_.push_back(o);
    } catch (...) {
      mem_->objects.deallocate(o, sizeof(SlotsDictObject), alignof(SlotsDictObject));
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
    SlotsDictObject* o = index_[i];
    const int a = declared_attr(n->text);
    if (a >= 0) {
      o->cells[a] = v;
      return;
    }
    if (!o->dict) o->dict = attr_table_new(&mem_->tables);
    attr_table_set(&mem_->tables, &o->dict, n, v);
  }
  const double* find_attr(std::size_t i, const Name* n) const {
    const int a = declared_attr(n->text);
    return a >= 0 ? &index_[i]->cells[a] : attr_table_find(index_[i]->dict, n);
  }
  void set_attr_all(const Name* n, double v) {
    for (std::size_t i = 0; i < size(); ++i) set_attr(i, n, v);
  }
  template <class F>
  void for_each_dynamic(std::size_t i, F&& f) const {
    const AttrTable* t = index_[i]->dict;
    if (!t) return;
    for (std::uint32_t k = 0; k < t->used; ++k) f(t->entries()[k].key, t->entries()[k].value);
  }
  // Particles whose table exists (the escape hatch has been used).
  std::size_t tables_in_use() const {
    std::size_t k = 0;
    for (const SlotsDictObject* o : index_) k += o->dict != nullptr;
    return k;
  }

  template <class Perm>
  void permute(const Perm& order) {
    index_ = permuted(index_, order);
  }

  LayoutBytes bytes() const { return mem_->bytes(); }
  // Where particle i's object and table (null until used) live (read-only;
  // the GUI's heap map).
  const void* object_address(std::size_t i) const { return index_[i]; }
  const void* table_address(std::size_t i) const { return index_[i]->dict; }

 private:
  std::unique_ptr<StoreMemory> mem_;
  std::pmr::vector<SlotsDictObject*> index_;
};

}  // namespace slotsim
