#pragma once
// `shared-keys`: a CPython 3.11+ instance (PEP 412 key sharing, 3.11's
// per-object values, 3.13's inline values). The class owns one keys object:
// the attribute names in insertion order with their hashes, allocated once
// (the `shared keys` account). Each particle is a heap object with a
// pointer to those keys and its values inline; the attribute's position in
// the keys is looked up once per class (slot_ below), after which the
// kernels read `values[slot]` at a fixed offset, as CPython's specialised
// LOAD_ATTR_INSTANCE_VALUE does. No hash is computed on a kernel access.
//
// A particle gets its own dict exactly where CPython 3.11-3.13 makes one
// (docs/LAYOUTS.md has the sources and the measurements):
//   * `p.__dict__` is read: a dict object that shares the keys and points at
//     the particle's values (a "split" dict); the values stay where they are.
//   * a name is added that the shared keys cannot take: they hold at most 30
//     names (SHARED_KEYS_MAX_SIZE), and their spare room also shrinks with
//     every object created (below). The particle's attributes then move into
//     a combined table of its own, and its inline values are no longer used.
//     A name the keys can still take goes into them, dict or no dict: the
//     split dict shares those keys.
// Deleting an attribute, or adding attributes in another order than the
// class's, does NOT create a dict on 3.11+: each object keeps its own
// insertion order next to its values, and a deletion just drops the index
// from it. (On 3.10 and earlier both did; see docs/LAYOUTS.md.)
//
//   index       8 B / particle   pointer to the object
//   object     96 B  (capacity 8) keys 8 + dict 8 + values header 8
//                                 + 8 x 8 values + 8 insertion-order bytes
//   shared keys 768 B per class   header 32 + 64 index bytes + 42 x 16 entries
// The capacity of an object's values is the keys' entries plus their spare
// room when the object is created, and the spare room shrinks by one per new
// object down to 1 (CPython's shared_keys_usable_size and the dk_usable
// decrement in _PyObject_InitInlineValues / init_inline_values): the first
// objects of a class get up to 29 values, every object after the 21st gets
// 7 + 1 = 8. The shrinking is what lets every existing object hold any key
// added to the class later, without a resize.
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "sim/layouts/attr_table.hpp"
#include "sim/layouts/errors.hpp"
#include "sim/layouts/heap_objects.hpp"
#include "sim/layouts/names.hpp"
#include "sim/layouts/python_era.hpp"
#include "sim/layouts/store_concept.hpp"
#include "sim/particle.hpp"

namespace slotsim {

// The class's keys, laid out like CPython's PyDictKeysObject for a split
// table of 64 slots (NEXT_LOG2_SHARED_KEYS_MAX_SIZE = 6): a 32-byte header,
// one index byte per slot, and USABLE_FRACTION(64) = 42 entries, of which
// SHARED_KEYS_MAX_SIZE = 30 may be used. An entry is {key, hash}: CPython's
// split entries are {key, value (unused)} and the hash lives in the str; the
// interned Name has its hash too, but keeping it here makes a probe touch
// only this block.
struct SharedKeyEntry {
  const Name* key;
  std::uint64_t hash;
};
struct SharedKeys {
  static constexpr int kSlots = 64, kEntries = 42, kMaxKeys = 30;
  std::int64_t instances;   // objects of the class (CPython: dk_refcnt)
  std::uint8_t log2_size;   // 6
  std::uint8_t reserved[3];
  std::uint32_t version;    // dk_version: kept for the size; unused
  std::int64_t usable;      // dk_usable: spare room, shrinks per new object
  std::int64_t nentries;    // dk_nentries: names so far, in insertion order
  std::int8_t indices[kSlots];  // -1 empty, else an entry index
  SharedKeyEntry entries[kEntries];

  // The entry index of `n`, or -1. Same probe recurrence as attr_table.
  int find(const Name* n) const {
    std::size_t i = n->hash & (kSlots - 1);
    std::uint64_t perturb = n->hash;
    for (;;) {
      const int ix = indices[i];
      if (ix < 0) return -1;
      if (entries[ix].key == n) return ix;
      perturb >>= 5;
      i = (i * 5 + perturb + 1) & (kSlots - 1);
    }
  }
  // Appends `n` if there is room; returns its index or -1 (full).
  int insert(const Name* n) {
    if (usable <= 0 || nentries >= kMaxKeys) return -1;
    std::size_t i = n->hash & (kSlots - 1);
    std::uint64_t perturb = n->hash;
    while (indices[i] >= 0) {
      perturb >>= 5;
      i = (i * 5 + perturb + 1) & (kSlots - 1);
    }
    const int ix = static_cast<int>(nentries);
    indices[i] = static_cast<std::int8_t>(ix);
    entries[ix] = SharedKeyEntry{n, n->hash};
    ++nentries;
    --usable;
    return ix;
  }
};
static_assert(sizeof(SharedKeys) == 32 + 64 + 42 * 16);

// A particle's own dict: CPython's PyDictObject without its 16-byte object
// header (no layout here counts object headers; --python-objects does).
// Split while `combined` is null: it shares the class's keys and the
// particle's inline values, as the dict from make_dict_from_instance_attributes
// does. Combined once `combined` is set: every attribute is in that table.
struct SharedKeysDict {
  std::uint64_t used;       // ma_used: attributes present
  std::uint64_t version;    // ma_version_tag: kept for the size; unused
  const SharedKeys* keys;   // ma_keys while split
  AttrTable* combined;      // the particle's own table, once it has one
};
static_assert(sizeof(SharedKeysDict) == 32);

// Fields, then `capacity` doubles, then `capacity` insertion-order bytes
// rounded up to 8 (3.13's PyDictValues puts the order array after the
// values the same way). Values before the order bytes keeps every value
// 8-aligned; the header is 24 bytes so the values start 8-aligned too.
struct SharedKeysObject {
  const SharedKeys* keys;  // the class (CPython reaches it through ob_type)
  SharedKeysDict* dict;    // the managed-dict pointer; null until needed
  std::uint8_t capacity;   // values this object can hold
  std::uint8_t size;       // values present = length of the order array
  std::uint8_t valid;      // 0 once the attributes moved to a combined dict
  std::uint8_t reserved[5];

  double* values() { return reinterpret_cast<double*>(this + 1); }
  const double* values() const { return reinterpret_cast<const double*>(this + 1); }
  std::uint8_t* order() { return reinterpret_cast<std::uint8_t*>(values() + capacity); }
  const std::uint8_t* order() const { return reinterpret_cast<const std::uint8_t*>(values() + capacity); }
  bool has(int ix) const { return std::memchr(order(), ix, size) != nullptr; }

  static constexpr std::size_t bytes(std::size_t capacity) {
    return sizeof(SharedKeysObject) + 8 * capacity + (capacity + 7) / 8 * 8;
  }
};
static_assert(sizeof(SharedKeysObject) == 24);
static_assert(SharedKeysObject::bytes(8) == 96);

class SharedKeysStore : public HeapObjects<SharedKeysStore, SharedKeysObject> {
 public:
  // The class is created with its keys; its __init__ sets the seven
  // declared names first, so they are entries 0..6 of every instance (3.13
  // even inserts them at class creation, from __static_attributes__). Their
  // indices are looked up here, once, for the kernels.
  SharedKeysStore() {
    keys_ = static_cast<SharedKeys*>(mem().shared_keys.allocate(sizeof(SharedKeys), alignof(SharedKeys)));
    std::memset(static_cast<void*>(keys_), 0, sizeof(SharedKeys));
    std::memset(keys_->indices, -1, sizeof keys_->indices);
    keys_->log2_size = 6;
    keys_->usable = SharedKeys::kMaxKeys;
    for (int a = 0; a < kNumAttrs; ++a) slot_[a] = keys_->insert(declared_name(a));
    // release() relies on this (declared name a is entry a).
    for (int a = 0; a < kNumAttrs; ++a)
      if (slot_[a] != a) throw std::logic_error("shared keys: declared names are not entries 0..6");
  }
  SharedKeysStore(SharedKeysStore&& o) noexcept
      : HeapObjects(std::move(o)), keys_(std::exchange(o.keys_, nullptr)), dicts_(o.dicts_) {
    std::memcpy(slot_, o.slot_, sizeof slot_);
  }
  ~SharedKeysStore() {
    if (keys_) mem().shared_keys.deallocate(keys_, sizeof(SharedKeys), alignof(SharedKeys));
  }

  // --python-objects=VERSION: in front of each object, what CPython
  // allocates for a plain instance with `capacity` values beyond this
  // object's bytes: the object (plain_instance_bytes: GC, head, pre-header,
  // 3.11's weakref word) plus its values array (values_array_bytes: a
  // separate block on 3.11/3.12, inside the object on 3.13), minus
  // SharedKeysObject::bytes(capacity). The object's 24-B head stands for
  // the managed-dict words and the values' own header. For 7 fields
  // (capacity 8): 40 + 96 = 136 B on 3.11 (its 56-B object + 80-B values
  // array), 32 + 96 = 128 on 3.12 and 3.13. Versions before 3.11 had no
  // such instance; they get 3.11's arrangement with their own headers.
  static constexpr std::size_t py_prefix(const PyEra& e, std::size_t capacity) {
    return plain_instance_bytes(e) + values_array_bytes(e, capacity) - SharedKeysObject::bytes(capacity);
  }
  static constexpr std::size_t py_prefix(const PyEra& e) { return py_prefix(e, kNumAttrs + 1); }

  void push(const ParticleRecord& r) {
    double cells[kNumAttrs];
    init_cells(r, cells);
    const std::int64_t usable_before = keys_->usable;
    if (keys_->usable > 1) --keys_->usable;
    const auto cap = static_cast<std::size_t>(keys_->nentries + keys_->usable);
    SharedKeysObject* o = nullptr;
    try {
      o = allocate(SharedKeysObject::bytes(cap), prefix_for(mem(), cap));
    } catch (...) {
      keys_->usable = usable_before;
      if (python_objects())
        for (double c : cells) free_cell(mem(), c);
      throw;
    }
    o->keys = keys_;
    o->dict = nullptr;
    o->capacity = static_cast<std::uint8_t>(cap);
    o->size = 0;
    o->valid = 1;
    std::memset(o->reserved, 0, sizeof o->reserved);
    for (int a = 0; a < kNumAttrs; ++a) {
      o->values()[slot_[a]] = cells[a];
      o->order()[o->size++] = static_cast<std::uint8_t>(slot_[a]);
    }
    adopt(o);
    ++keys_->instances;
  }

  // The kernels' accessors: a fixed offset while the values are valid (the
  // branch is taken the same way for every particle without its own
  // combined table, so it predicts perfectly).
  template <int A>
  double get(std::size_t i) const {
    const SharedKeysObject* o = at(i);
    if (o->valid) [[likely]]
      return load(o->values()[slot_[A]]);
    return load(*attr_table_find(o->dict->combined, declared_name_of<A>()));
  }
  template <int A>
  void set(std::size_t i, double v) {
    SharedKeysObject* o = at(i);
    if (o->valid) [[likely]]
      store(o->values()[slot_[A]], v);
    else
      store(*attr_table_find(o->dict->combined, declared_name_of<A>()), v);
  }
  ParticleRecord record(std::size_t i) const {
    ParticleRecord r;
    for (int a = 0; a < kNumAttrs; ++a) r.set(a, *find_attr(i, declared_name(a)));
    return r;
  }

  void set_attr(std::size_t i, const Name* n, double v) {
    SharedKeysObject* o = at(i);
    const bool boxed_declared = python_objects() && is_declared(n);  // always present: replace its box
    if (!o->valid) {
      if (boxed_declared) return store(*attr_table_find(o->dict->combined, n), v);
      return attr_table_set(&mem().tables, &o->dict->combined, n, v);
    }
    int ix = keys_->find(n);
    if (boxed_declared) return store(o->values()[ix], v);
    // A name new to the class goes into the shared keys (for every instance)
    // unless they have no room left; only then does this particle need a
    // table of its own.
    if (ix < 0) ix = keys_->insert(n);
    if (ix < 0 || ix >= o->capacity) {  // (the second cannot happen: see the header comment)
      combine(o);
      return attr_table_set(&mem().tables, &o->dict->combined, n, v);
    }
    o->values()[ix] = v;
    if (!o->has(ix)) {
      o->order()[o->size++] = static_cast<std::uint8_t>(ix);
      if (o->dict) ++o->dict->used;
    }
  }
  const double* find_attr(std::size_t i, const Name* n) const {
    const SharedKeysObject* o = at(i);
    const double* p = nullptr;
    if (!o->valid) {
      p = attr_table_find(o->dict->combined, n);
    } else {
      const int ix = keys_->find(n);
      p = ix >= 0 && o->has(ix) ? &o->values()[ix] : nullptr;
    }
    return python_objects() && is_declared(n) ? value_ptr(p) : p;
  }
  // Drops the index from the object's insertion order: no dict (3.11+).
  void del_attr(std::size_t i, const Name* n) {
    SharedKeysObject* o = at(i);
    if (!o->valid) {
      if (!attr_table_del(o->dict->combined, n)) throw AttributeError(attribute_error_text("Particle", n->text));
      --o->dict->used;
      return;
    }
    const int ix = keys_->find(n);
    std::uint8_t* ord = o->order();
    auto* p = ix < 0 ? nullptr : static_cast<std::uint8_t*>(std::memchr(ord, ix, o->size));
    if (!p) throw AttributeError(attribute_error_text("Particle", n->text));
    std::memmove(p, p + 1, static_cast<std::size_t>(ord + o->size - (p + 1)));
    --o->size;
    if (o->dict) --o->dict->used;
  }
  template <class F>
  void for_each_dynamic(std::size_t i, F&& f) const {
    const SharedKeysObject* o = at(i);
    if (!o->valid) {
      attr_table_for_each(o->dict->combined, [&](const Name* k, double v) {
        if (!is_declared(k)) f(k, v);
      });
      return;
    }
    for (std::uint8_t k = 0; k < o->size; ++k) {
      const int ix = o->order()[k];
      if (!is_declared(keys_->entries[ix].key)) f(keys_->entries[ix].key, o->values()[ix]);
    }
  }
  // `p.__dict__`: a split dict over the shared keys and the inline values.
  bool read_dict(std::size_t i) {
    SharedKeysObject* o = at(i);
    if (o->dict) return false;
    o->dict = new_dict(o);
    return true;
  }
  std::size_t own_dicts() const { return dicts_; }
  bool has_own_dict(std::size_t i) const { return at(i)->dict != nullptr; }
  // Particles whose attributes live in a combined table of their own.
  std::size_t combined_dicts() const {
    std::size_t k = 0;
    for (const SharedKeysObject* o : objects()) k += !o->valid;
    return k;
  }
  const SharedKeys& shared_keys() const { return *keys_; }
  // A value fits the object's spare capacity; beyond it, a table.
  static long long dynamic_bytes_estimate(std::size_t carriers) { return 8LL * static_cast<long long>(carriers); }

  // Particle i's dict, once `__dict__` was read or it combined (its pad in
  // front), and its combined table (heap_block.hpp); its values are inline,
  // in the object.
  template <class F>
  void for_each_owned_block(std::size_t i, F&& f) const {
    const SharedKeysDict* d = at(i)->dict;
    if (!d) return;
    f(dict_block(d));
    if (d->combined) f(attr_table_block(d->combined));
  }

  // An object's {bytes, --python-objects prefix}: both grow with its
  // capacity (HeapObjects::object_block, and release() below).
  static std::pair<std::size_t, std::size_t> object_extent(const StoreMemory& m, const SharedKeysObject* o) {
    return {SharedKeysObject::bytes(o->capacity), prefix_for(m, o->capacity)};
  }

  static void release(StoreMemory& m, SharedKeysObject* o) {
    // The declared names are the keys' entries 0..6 (the constructor puts
    // them there), so their boxes are found without the keys, which the
    // store's destructor has already freed when the base frees the objects.
    if (m.py.on) {
      if (o->valid) {
        for (std::uint8_t k = 0; k < o->size; ++k)
          if (o->order()[k] < kNumAttrs) free_cell(m, o->values()[o->order()[k]]);
      } else {
        for (int a = 0; a < kNumAttrs; ++a)
          if (const double* c = attr_table_find(o->dict->combined, declared_name(a))) free_cell(m, *c);
      }
    }
    if (o->dict) {
      attr_table_free(&m.tables, o->dict->combined);
      free_dict(m, o->dict, dict_pad(m.py));
    }
    const auto e = object_extent(m, o);
    free_object(m, o, e.first, e.second);
  }

 private:
  static std::size_t prefix_for(const StoreMemory& m, std::size_t capacity) {
    return m.py.on ? py_prefix(m.py.era, capacity) : 0;
  }
  SharedKeysDict* new_dict(const SharedKeysObject* o) {
    auto* d = allocate_dict<SharedKeysDict>(dict_pad(py_state()));
    *d = SharedKeysDict{o->size, 0, keys_, nullptr};
    ++dicts_;
    return d;
  }
  // The split values become a combined table sized as CPython's
  // insertion_resize sizes it (the next power of two >= 3 x used, at least
  // 8 slots), filled in the object's insertion order. The values block
  // stays allocated: in 3.13 it is part of the object (in 3.11/3.12 it is a
  // separate block that CPython frees; see docs/LAYOUTS.md).
  void combine(SharedKeysObject* o) {
    unsigned log2 = kMinLog2Slots;
    while ((1u << log2) < 3u * o->size) ++log2;
    AttrTable* t = attr_table_new(&mem().tables, log2);
    try {
      for (std::uint8_t k = 0; k < o->size; ++k) {
        const int ix = o->order()[k];
        attr_table_set(&mem().tables, &t, keys_->entries[ix].key, o->values()[ix]);
      }
      if (!o->dict) o->dict = new_dict(o);
    } catch (...) {
      attr_table_free(&mem().tables, t);
      throw;
    }
    o->dict->combined = t;
    o->dict->keys = nullptr;
    o->valid = 0;
  }

  SharedKeys* keys_ = nullptr;
  int slot_[kNumAttrs] = {};
  std::size_t dicts_ = 0;
};
static_assert(ParticleStoreType<SharedKeysStore>);

}  // namespace slotsim
