#pragma once
// What the heap-object stores (dict, slots, slots+dict, shared-keys) have in
// common: one heap block per particle, allocated from the store's `objects`
// account and reached through a pointer index (the "list" that holds the
// Python objects). Each store adds what is inside its object.
//
// CRTP over the store type D, which provides
//   static void release(StoreMemory&, Obj*)   frees the object and whatever it owns
// as a static member, so the destructor here can call it without touching
// a derived object that is already destroyed. A virtual release was rejected:
// it would put a vtable pointer in every store and an indirect call per
// particle in the destructor, for a choice known at compile time.
#include <cstddef>
#include <memory>
#include <memory_resource>
#include <vector>

#include "sim/layouts/permute.hpp"
#include "sim/layouts/store_memory.hpp"

namespace slotsim {

template <class D, class Obj>
class HeapObjects {
 public:
  std::size_t size() const { return index_.size(); }
  // Where particle i's object lives (read-only; the GUI's heap map).
  const void* object_address(std::size_t i) const { return index_[i]; }
  void reserve(std::size_t n) { index_.reserve(n); }
  LayoutBytes bytes() const { return mem_->bytes(); }

  // Reorders particles: the pointer index only; the objects stay where the
  // heap put them, as a sorted Python list leaves its objects in place.
  template <class Perm>
  void permute(const Perm& order) {
    index_ = permuted(index_, order);
  }

 protected:
  HeapObjects() : mem_(std::make_unique<StoreMemory>()), index_(&mem_->index) {}
  HeapObjects(HeapObjects&&) noexcept = default;
  HeapObjects& operator=(HeapObjects&&) = delete;
  ~HeapObjects() {
    if (mem_)  // null in a moved-from store
      for (Obj* o : index_) D::release(*mem_, o);
  }

  // A new, uninitialised object of `bytes` bytes (sizeof(Obj) unless the
  // object carries a variable-length tail).
  Obj* allocate(std::size_t bytes = sizeof(Obj)) {
    return static_cast<Obj*>(mem_->objects.allocate(bytes, alignof(Obj)));
  }
  void deallocate(Obj* o, std::size_t bytes = sizeof(Obj)) { mem_->objects.deallocate(o, bytes, alignof(Obj)); }
  // Appends o (fully initialised, so release() can free it) to the index; if
  // the index cannot grow, frees o and rethrows, so a failed push leaks nothing.
  void adopt(Obj* o) {
    try {
      index_.push_back(o);
    } catch (...) {
      D::release(*mem_, o);
      throw;
    }
  }

  Obj* at(std::size_t i) const { return index_[i]; }
  const std::pmr::vector<Obj*>& objects() const { return index_; }
  StoreMemory& mem() const { return *mem_; }

 private:
  std::unique_ptr<StoreMemory> mem_;
  std::pmr::vector<Obj*> index_;
};

}  // namespace slotsim
