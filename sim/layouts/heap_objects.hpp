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
//
// --python-objects (python_objects_on(era), on an empty store): every object
// gets D::py_prefix(era) bytes in front of it in the same block (CPython's
// GC pre-header, managed-dict/weakref words and object header of that
// version: python_era.hpp), and every
// declared attribute's cell holds a pointer to a FloatBox instead of the
// double (the 8 bytes reinterpreted with std::bit_cast; the cell is never
// used as a number while it holds a pointer). load/store/init_cells are the
// only ways the stores touch a declared cell, so both modes share one store
// type. Separate boxed store types were rejected: they would double the
// variant (and every kernel instantiation) and make layout() more than the
// variant's index, for a branch that in the default mode is one test of a
// byte this store already has in cache, always taken the same way (the
// before/after bench is in docs/LAYOUTS.md). Dynamic (undeclared)
// attributes stay unboxed: the kernels never read them (docs/LAYOUTS.md).
#include <bit>
#include <cstddef>
#include <cstring>
#include <memory>
#include <memory_resource>
#include <stdexcept>
#include <vector>

#include "sim/layouts/heap_block.hpp"
#include "sim/layouts/names.hpp"
#include "sim/layouts/permute.hpp"
#include "sim/layouts/store_memory.hpp"
#include "sim/particle.hpp"

namespace slotsim {

template <class D, class Obj>
class HeapObjects {
 public:
  std::size_t size() const { return index_.size(); }
  // Particle i's object as the heap block it is (the GUI's heap map;
  // heap_block.hpp): its --python-objects prefix in front, then the object,
  // sizeof(Obj) unless the store's objects differ in size, in which case
  // D::object_extent(m, o) says {bytes, prefix}, as its release() frees it.
  HeapBlock object_block(std::size_t i) const {
    const Obj* o = index_[i];
    std::size_t bytes = sizeof(Obj), pre = mem_->py.prefix;
    if constexpr (requires { D::object_extent(*mem_, o); }) {
      const auto e = D::object_extent(*mem_, o);
      bytes = e.first;
      pre = e.second;
    }
    return {reinterpret_cast<const unsigned char*>(o) - pre, bytes + pre};
  }
  // Under --python-objects, the float objects holding particle i's declared
  // values, each the 24-B block new_box() allocated (find_attr() points at
  // its value field; declared attributes cannot be deleted): what the `floats`
  // account counts, less the boxes waiting on the free list. Without it,
  // none: the values sit in cells inside the blocks listed above.
  template <class F>
  void for_each_value_block(std::size_t i, F&& f) const {
    if (!boxed_) return;
    for (int a = 0; a < kNumAttrs; ++a)
      if (const double* v = static_cast<const D&>(*this).find_attr(i, declared_name(a)))
        f(HeapBlock{reinterpret_cast<const unsigned char*>(v) - offsetof(FloatBox, value), sizeof(FloatBox)});
  }
  void reserve(std::size_t n) { index_.reserve(n); }
  LayoutBytes bytes() const { return mem_->bytes(); }
  bool python_objects() const { return boxed_; }
  const PyObjects& py_state() const { return mem_->py; }
  // --python-objects=VERSION: the sizes of that CPython (python_era.hpp).
  void python_objects_on(const PyEra& era = py_era(kDefaultPyVersion)) {
    if (size() != 0) throw std::logic_error("python_objects_on: the store is not empty");
    boxed_ = true;
    mem_->py.on = true;
    mem_->py.era = era;
    mem_->py.prefix = D::py_prefix(era);
  }

  // `set`/`del` on every particle: one object at a time, as a Python loop
  // over the list would. The stores whose objects each hold their own
  // attributes (dict, slots+dict, shared-keys) take these; slots, which can
  // answer for all particles at once, hides them with its own.
  void set_attr_all(const Name* n, double v) {
    for (std::size_t i = 0; i < size(); ++i) self().set_attr(i, n, v);
  }
  void del_attr_all(const Name* n) {
    for (std::size_t i = 0; i < size(); ++i) self().del_attr(i, n);
  }

  // Reorders particles: the pointer index only; the objects stay where the
  // heap put them, as a sorted Python list leaves its objects in place.
  template <class Perm>
  void permute(const Perm& order) {
    index_ = permuted(index_, order);
  }
  static constexpr std::size_t kReorderScratchBytes = sizeof(Obj*);  // the new index

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
  // With --python-objects the block starts D::kPyPrefix bytes earlier
  // (zeroed: the header's contents are never read here).
  // A store whose prefix varies per object (shared-keys: with the object's
  // capacity) passes it; the same value must come back to free_object.
  Obj* allocate(std::size_t bytes = sizeof(Obj)) { return allocate(bytes, mem_->py.prefix); }
  Obj* allocate(std::size_t bytes, std::size_t pre) {
    auto* base = static_cast<unsigned char*>(mem_->objects.allocate(bytes + pre, alignof(Obj)));
    if (pre) {
      std::memset(base, 0, pre);
      mem_->py.header_bytes += static_cast<long long>(pre);
    }
    return reinterpret_cast<Obj*>(base + pre);
  }
  void deallocate(Obj* o, std::size_t bytes = sizeof(Obj)) { free_object(*mem_, o, bytes); }
  static void free_object(StoreMemory& m, Obj* o, std::size_t bytes = sizeof(Obj)) {
    free_object(m, o, bytes, m.py.prefix);
  }
  static void free_object(StoreMemory& m, Obj* o, std::size_t bytes, std::size_t pre) {
    m.py.header_bytes -= static_cast<long long>(pre);
    m.objects.deallocate(reinterpret_cast<unsigned char*>(o) - pre, bytes + pre, alignof(Obj));
  }
  // A dict block of the store's own (a split or shared-keys dict object)
  // from the `tables` account, with `pad` CPython bytes in front of it
  // under --python-objects (its object and GC headers, counted as py
  // headers); free it with the same pad.
  template <class T>
  T* allocate_dict(std::size_t pad) {
    auto* base = static_cast<unsigned char*>(mem_->tables.allocate(sizeof(T) + pad, alignof(T)));
    if (pad) {
      std::memset(base, 0, pad);
      mem_->py.table_header_bytes += static_cast<long long>(pad);
    }
    return reinterpret_cast<T*>(base + pad);
  }
  template <class T>
  static void free_dict(StoreMemory& m, T* d, std::size_t pad) {
    m.py.table_header_bytes -= static_cast<long long>(pad);
    m.tables.deallocate(reinterpret_cast<unsigned char*>(d) - pad, sizeof(T) + pad, alignof(T));
  }
  // The pad of a dict object: its GC and object headers (PyDictObject is
  // 48 B with its 16-B head; the stores' dict structs stand for the rest).
  static std::size_t dict_pad(const PyObjects& py) { return py.on ? py.era.gc + py.era.head : 0; }
  // The whole block allocate_dict() made for d, pad included (heap_block.hpp).
  template <class T>
  HeapBlock dict_block(const T* d) const {
    const std::size_t pad = dict_pad(mem_->py);
    return {reinterpret_cast<const unsigned char*>(d) - pad, sizeof(T) + pad};
  }

  // A declared attribute's cell: the double itself, or (--python-objects)
  // a pointer to its FloatBox.
  double load(double cell) const {
    if (!boxed_) [[likely]]
      return cell;
    return std::bit_cast<const FloatBox*>(cell)->value;
  }
  const double* value_ptr(const double* cell) const {
    if (!boxed_ || !cell) return cell;
    return &std::bit_cast<const FloatBox*>(*cell)->value;
  }
  // `p.x = v` on a live cell: CPython makes the new float, stores it, then
  // drops the old one (the free list hands the old box to the next write).
  void store(double& cell, double v) {
    if (!boxed_) [[likely]] {
      cell = v;
      return;
    }
    FloatBox* old = std::bit_cast<FloatBox*>(cell);
    cell = std::bit_cast<double>(mem_->new_box(v));
    mem_->free_box(old);
  }
  static void free_cell(StoreMemory& m, double cell) { m.free_box(std::bit_cast<FloatBox*>(cell)); }
  // The cell contents for a new particle's declared values: the doubles,
  // or a new box per value. All or nothing: if a box cannot be had, the
  // ones already made are freed before the exception leaves.
  void init_cells(const ParticleRecord& r, double (&out)[kNumAttrs]) {
    if (!boxed_) {
      for (int a = 0; a < kNumAttrs; ++a) out[a] = r.get(a);
      return;
    }
    int a = 0;
    try {
      for (; a < kNumAttrs; ++a) out[a] = std::bit_cast<double>(mem_->new_box(r.get(a)));
    } catch (...) {
      for (int k = 0; k < a; ++k) free_cell(*mem_, out[k]);
      throw;
    }
  }
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

  D& self() { return static_cast<D&>(*this); }
  Obj* at(std::size_t i) const { return index_[i]; }
  const std::pmr::vector<Obj*>& objects() const { return index_; }
  StoreMemory& mem() const { return *mem_; }

 private:
  std::unique_ptr<StoreMemory> mem_;
  std::pmr::vector<Obj*> index_;
  bool boxed_ = false;
};

}  // namespace slotsim
