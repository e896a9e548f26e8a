#pragma once
// `dict`: Python's default instance. Every particle is its own heap object
// holding only a pointer to its own attribute table; every attribute, the
// declared ones included, lives in that table and is found by a hash probe.
//
//   index      8 B / particle   pointer to the object (the "list" holding them)
//   object     8 B              {AttrTable* dict}: a separate block, as in CPython
//   table    272 B              see attr_table.hpp (7 attributes -> 16 slots)
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

struct DictObject {
  AttrTable* dict;
};
static_assert(sizeof(DictObject) == 8);

class DictStore {
 public:
  static constexpr Layout kLayout = Layout::Dict;

  DictStore() : mem_(std::make_unique<StoreMemory>()), index_(&mem_->index) {}
  DictStore(DictStore&&) noexcept = default;
  DictStore& operator=(DictStore&&) = delete;
  ~DictStore() {
    for (DictObject* o : index_) free_object(o);
  }

  std::size_t size() const { return index_.size(); }
  void reserve(std::size_t n) { index_.reserve(n); }

  void push(const ParticleRecord& r) {
    auto* o = static_cast<DictObject*>(mem_->objects.allocate(sizeof(DictObject), alignof(DictObject)));
    o->dict = nullptr;
    adopt(o);
    // One insert per attribute, in declaration order, as __init__ would do.
    // The object is already in the index, so if a table allocation throws
    // the destructor still frees it: a failed conversion leaks nothing.
    o->dict = attr_table_new(&mem_->tables);
    for (int a = 0; a < kNumAttrs; ++a) attr_table_set(&mem_->tables, &o->dict, declared_name(a), r.get(a));
  }

  // The declared-attribute accessors the kernels use: a real hash probe
  // every time, as `p.x` costs in CPython.
  template <int A>
  double get(std::size_t i) const {
    return *attr_table_find(index_[i]->dict, name_of<A>());
  }
  template <int A>
  void set(std::size_t i, double v) {
    *attr_table_find(index_[i]->dict, name_of<A>()) = v;
  }
  ParticleRecord record(std::size_t i) const {
    ParticleRecord r;
    for (int a = 0; a < kNumAttrs; ++a) r.set(a, *attr_table_find(index_[i]->dict, declared_name(a)));
    return r;
  }

  void set_attr(std::size_t i, const Name* n, double v) { attr_table_set(&mem_->tables, &index_[i]->dict, n, v); }
  const double* find_attr(std::size_t i, const Name* n) const { return attr_table_find(index_[i]->dict, n); }
  void set_attr_all(const Name* n, double v) {
    for (std::size_t i = 0; i < size(); ++i) set_attr(i, n, v);
  }
  template <class F>
  void for_each_dynamic(std::size_t i, F&& f) const {
    const AttrTable* t = index_[i]->dict;
    for (std::uint32_t k = 0; k < t->used; ++k)
      if (!is_declared(t->entries()[k].key)) f(t->entries()[k].key, t->entries()[k].value);
  }

  // Reorders particles (the pointer index only: objects stay where the heap
  // put them).
  template <class Perm>
  void permute(const Perm& order) {
    index_ = permuted(index_, order);
  }

  LayoutBytes bytes() const { return mem_->bytes(); }
  // Where particle i's object and table live (read-only; the GUI's heap map).
  const void* object_address(std::size_t i) const { return index_[i]; }
  const void* table_address(std::size_t i) const { return index_[i]->dict; }

 private:
  template <int A>
  static const Name* name_of() {
    static const Name* const n = declared_name(A);
    return n;
  }
  void adopt(DictObject* o) {
    try {
      index_.push_back(o);
    } catch (...) {
      free_object(o);
      throw;
    }
  }
  void free_object(DictObject* o) {
    attr_table_free(&mem_->tables, o->dict);
    mem_->objects.deallocate(o, sizeof(DictObject), alignof(DictObject));
  }
  std::unique_ptr<StoreMemory> mem_;
  std::pmr::vector<DictObject*> index_;
};

}  // namespace slotsim
