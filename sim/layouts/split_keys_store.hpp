#pragma once
// `split-keys`: a CPython 3.3-3.10 instance (PEP 412 key-sharing
// dictionaries). Every particle owns a dict object; while that dict is
// "split" it points at the keys its class shares and holds only a values
// array of its own, so the names are stored once per class and each
// instance pays for values. The instance converts to an ordinary
// ("combined") table of its own exactly where CPython 3.10 converts one.
// Sources, all CPython 3.10.7 (line numbers of that release's files):
//   Objects/dictobject.c
//     _PyDict_NewKeysForClass (l. 4975)  the class's keys: 8 slots, 5 usable
//     new_dict_with_shared_keys (l. 682) a values array of USABLE_FRACTION(keys size)
//     insertdict (l. 1087-1094)          converts when the insertion order
//         differs from the keys' (an existing key at another position, or a
//         new key while this dict lacks some of the class's keys)
//     insertdict (l. 1098-1102)          converts when the keys are full
//     insertion_resize (l. 1058)         to calculate_keysize(3 x used) (l. 417, 460)
//     dictresize (l. 1215-1278)          split -> combined (values are dense)
//     make_keys_shared (l. 1319)         combined -> split again
//     PyDict_DelItem (l. 1710)           "Split table doesn't allow
//         deletion. Combine it." (dictresize to the same size)
//     _PyObjectDict_SetItem (l. 5013-5075) setattr: after a conversion the
//         class re-shares the new keys if this was the only instance sharing
//         them (the first instance growing them in __init__), else stops
//         sharing (CACHED_KEYS = NULL: every later instance gets a combined
//         dict from the start); any `del p.name` makes the class stop sharing
//   Objects/dict-common.h l. 22 (PyDictKeysObject), Include/cpython/
//   dictobject.h l. 10 (PyDictObject: 48 B).
// (3.3-3.5 differed in ways this layout does not model: their tables were
// not compact, so values arrays had the keys' full size, and a split dict
// could delete without converting; docs/LAYOUTS.md.)
//
//   index        8 B / particle   pointer to the object
//   object       8 B              {SplitDict* dict} (the instance's dict slot)
//   dict        32 B              {used, version, keys, values}: PyDictObject minus its head
//   values      80 B              USABLE_FRACTION(16) = 10 doubles, once the
//                                 first instance has grown the keys to 16 slots
//   keys       208 B per class    32-B header, 16 index bytes, 10 x {name, hash}
// = 128 B per particle, as long as the class shares.
//
// Kernels: the position of each declared name in the class's keys is looked
// up once (slot_), and an access is object -> dict -> values[slot] after
// checking that the dict still shares those keys, as 3.10's LOAD_ATTR
// cache does for split dicts (older versions probed the keys every time).
// A combined particle takes a well-predicted branch to a hash probe.
//
// --python-objects=VERSION: the object gets GC + head + weakref in front
// (the dict pointer is its own 8 B): 40 B on 3.8-3.10, 56 on 3.6/3.7; the
// dict gets GC + head (48 + GC = PyDictObject); each declared value is a
// 24-B float. 7 fields on 3.10: 48 + 64 + 80 + 168 = 360 B, as tracemalloc
// measures (docs/LAYOUTS.md).
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

// calculate_keysize (Objects/dictobject.c l. 417-421): the table size
// insertion_resize asks for, given GROWTH_RATE = 3 x used (l. 460). Note
// the quirk kept here: (minsize | 8) - 1 makes 16 give 32, not 16.
inline constexpr std::size_t split_calculate_keysize(std::size_t minsize) {
  std::size_t m = (minsize | 8) - 1;
  m |= 7;
  std::size_t size = 1;
  while (m) {
    m >>= 1;
    size <<= 1;
  }
  return size;
}
static_assert(split_calculate_keysize(0) == 8 && split_calculate_keysize(15) == 16 &&
              split_calculate_keysize(16) == 32 && split_calculate_keysize(21) == 32);

struct SplitKeyEntry {
  const Name* key;
  std::uint64_t hash;
};

// A class's shared keys, CPython's PyDictKeysObject of a split table: a
// header, dk_size index slots (1 byte each up to 128 slots, then 2, then
// 4), and USABLE_FRACTION(dk_size) entries. CPython's split entries are 24
// B {hash, key, unused value}; these are 16 B, as in shared-keys.
struct SplitKeys {
  std::int64_t refcnt;   // dk_refcnt: the class's reference + one per split dict
  std::int32_t pins;     // references that are not CPython's (the kernels' hint)
  std::uint8_t log2_size;
  std::uint8_t index_width;
  std::uint16_t reserved;
  std::int64_t usable;    // dk_usable
  std::int64_t nentries;  // dk_nentries

  std::size_t size() const { return std::size_t(1) << log2_size; }
  std::size_t entry_capacity() const { return usable_fraction(size()); }
  unsigned char* index_base() { return reinterpret_cast<unsigned char*>(this + 1); }
  const unsigned char* index_base() const { return reinterpret_cast<const unsigned char*>(this + 1); }
  SplitKeyEntry* entries() { return reinterpret_cast<SplitKeyEntry*>(index_base() + size() * index_width); }
  const SplitKeyEntry* entries() const {
    return reinterpret_cast<const SplitKeyEntry*>(index_base() + size() * index_width);
  }
  static unsigned width_for(unsigned log2) { return log2 <= 7 ? 1 : log2 <= 15 ? 2 : 4; }
  static std::size_t bytes_for(unsigned log2) {
    const std::size_t s = std::size_t(1) << log2;
    return sizeof(SplitKeys) + s * width_for(log2) + usable_fraction(s) * sizeof(SplitKeyEntry);
  }
  std::int64_t index_at(std::size_t i) const {
    const unsigned char* b = index_base();
    switch (index_width) {
      case 1: return static_cast<std::int8_t>(b[i]);
      case 2: { std::int16_t v; std::memcpy(&v, b + 2 * i, 2); return v; }
      default: { std::int32_t v; std::memcpy(&v, b + 4 * i, 4); return v; }
    }
  }
  void set_index(std::size_t i, std::int64_t ix) {
    unsigned char* b = index_base();
    switch (index_width) {
      case 1: b[i] = static_cast<unsigned char>(static_cast<std::int8_t>(ix)); break;
      case 2: { auto v = static_cast<std::int16_t>(ix); std::memcpy(b + 2 * i, &v, 2); break; }
      default: { auto v = static_cast<std::int32_t>(ix); std::memcpy(b + 4 * i, &v, 4); break; }
    }
  }
  // The entry index of `n`, or -1 (the same probe recurrence as attr_table).
  int find(const Name* n) const {
    const std::size_t mask = size() - 1;
    std::size_t i = n->hash & mask;
    std::uint64_t perturb = n->hash;
    for (;;) {
      const std::int64_t ix = index_at(i);
      if (ix < 0) return -1;
      if (entries()[ix].key == n) return static_cast<int>(ix);
      perturb >>= 5;
      i = (i * 5 + perturb + 1) & mask;
    }
  }
  // Appends `n` (known absent; the caller checked usable > 0).
  int insert(const Name* n) {
    const std::size_t mask = size() - 1;
    std::size_t i = n->hash & mask;
    std::uint64_t perturb = n->hash;
    while (index_at(i) >= 0) {
      perturb >>= 5;
      i = (i * 5 + perturb + 1) & mask;
    }
    const auto ix = static_cast<int>(nentries);
    set_index(i, ix);
    entries()[ix] = SplitKeyEntry{n, n->hash};
    ++nentries;
    --usable;
    return ix;
  }
};
static_assert(sizeof(SplitKeys) == 32);

// A particle's dict: PyDictObject without its 16-B head. Split while `keys`
// is set (values: entry_capacity() doubles, of which the first `used` are
// this instance's, in the keys' order: a split table is always dense);
// combined once `keys` is null (`table`: the particle's own table, null
// until the first insert, as PyDict_New starts from Py_EMPTY_KEYS).
struct SplitDict {
  std::uint64_t used;     // ma_used
  std::uint64_t version;  // ma_version_tag: kept for the size; unused
  SplitKeys* keys;        // ma_keys while split
  union {
    double* values;       // ma_values
    AttrTable* table;     // the combined table
  };
};
static_assert(sizeof(SplitDict) == 32);

struct SplitKeysObject {
  SplitDict* dict;  // null until the first attribute (never, after push)
};
static_assert(sizeof(SplitKeysObject) == 8);

class SplitKeysStore : public HeapObjects<SplitKeysStore, SplitKeysObject> {
 public:
  // The class is created with its keys (_PyDict_NewKeysForClass: 8 slots).
  SplitKeysStore() { cached_ = new_keys(mem(), 3); }
  SplitKeysStore(SplitKeysStore&& o) noexcept
      : HeapObjects(std::move(o)),
        cached_(std::exchange(o.cached_, nullptr)),
        hint_(std::exchange(o.hint_, no_hint())),
        dicts_(o.dicts_) {
    std::memcpy(slot_, o.slot_, sizeof slot_);
  }
  ~SplitKeysStore() {
    // The class's references; the dicts' go when the base frees the objects.
    if (hint_ != no_hint()) unpin(mem(), hint_);
    if (cached_) keys_decref(mem(), cached_);
  }

  static constexpr std::size_t py_prefix(const PyEra& e) { return plain_instance_bytes(e) - sizeof(SplitKeysObject); }

  void push(const ParticleRecord& r) {
    double cells[kNumAttrs];
    init_cells(r, cells);
    int done = 0;
    try {
      SplitKeysObject* o = allocate();
      o->dict = nullptr;
      adopt(o);
      // __init__: one setattr per declared name, in declaration order; the
      // first instance grows the class's keys from 8 to 16 slots on its
      // sixth name, and the class re-shares them (it is the only sharer).
      for (; done < kNumAttrs; ++done) setattr(o, declared_name(done), cells[done]);
    } catch (...) {
      if (python_objects())
        for (int k = done; k < kNumAttrs; ++k) free_cell(mem(), cells[k]);
      throw;
    }
  }

  template <int A>
  double get(std::size_t i) const {
    const SplitDict* d = at(i)->dict;
    if (d->keys == hint_) [[likely]]
      return load(d->values[slot_[A]]);
    return load(*slow_find(d, declared_name_of<A>()));
  }
  template <int A>
  void set(std::size_t i, double v) {
    SplitDict* d = at(i)->dict;
    if (d->keys == hint_) [[likely]]
      store(d->values[slot_[A]], v);
    else
      store(*const_cast<double*>(slow_find(d, declared_name_of<A>())), v);
  }
  ParticleRecord record(std::size_t i) const {
    ParticleRecord r;
    for (int a = 0; a < kNumAttrs; ++a) r.set(a, load(*slow_find(at(i)->dict, declared_name(a))));
    return r;
  }

  // `p.name = v` (PyObject_GenericSetAttr -> _PyObjectDict_SetItem).
  void set_attr(std::size_t i, const Name* n, double v) {
    SplitKeysObject* o = at(i);
    if (python_objects() && is_declared(n)) return store(*const_cast<double*>(slow_find(o->dict, n)), v);
    setattr(o, n, v);
  }
  // `p.__dict__[name] = v` or `p.__dict__.setdefault(name, v)`: the dict's
  // own insert (PyDict_SetItem / PyDict_SetDefault, the same split-table
  // rules) without setattr's bookkeeping of the class's keys: a conversion
  // here leaves the class sharing its keys. Dynamic names only.
  void set_via_dict(std::size_t i, const Name* n, double v) {
    if (is_declared(n)) throw std::invalid_argument("set_via_dict: dynamic names only");
    SplitKeysObject* o = at(i);
    if (!o->dict) o->dict = new_instance_dict();
    dict_insert(o->dict, n, v);
  }
  const double* find_attr(std::size_t i, const Name* n) const {
    const double* p = slow_find(at(i)->dict, n);
    return python_objects() && is_declared(n) ? value_ptr(p) : p;
  }
  // `del p.name`: a split dict is combined first (PyDict_DelItem), and the
  // class stops sharing its keys, whether the name was there or not
  // (_PyObjectDict_SetItem with a NULL value).
  void del_attr(std::size_t i, const Name* n) {
    SplitKeysObject* o = at(i);
    if (!o->dict) o->dict = new_instance_dict();
    SplitDict* d = o->dict;
    bool found = false;
    if (d->keys) {
      const int ix = d->keys->find(n);
      if (ix >= 0 && std::uint64_t(ix) < d->used) {
        combine(d, d->keys->size());
        found = attr_table_del(d->table, n);
      }
    } else {
      found = attr_table_del(d->table, n);
    }
    if (found) --d->used;
    stop_sharing();
    if (!found) throw AttributeError(attribute_error_text("Particle", n->text));
  }
  template <class F>
  void for_each_dynamic(std::size_t i, F&& f) const {
    const SplitDict* d = at(i)->dict;
    if (!d) return;
    if (d->keys) {
      for (std::uint64_t ix = 0; ix < d->used; ++ix) {
        const Name* k = d->keys->entries()[ix].key;
        if (!is_declared(k)) f(k, d->values[ix]);
      }
      return;
    }
    attr_table_for_each(d->table, [&](const Name* k, double v) {
      if (!is_declared(k)) f(k, v);
    });
  }
  // Every instance has had its dict since __init__ (PyObject_GenericGetDict
  // would make one for an instance without attributes).
  bool read_dict(std::size_t i) {
    SplitKeysObject* o = at(i);
    if (o->dict) return false;
    o->dict = new_instance_dict();
    return true;
  }
  std::size_t own_dicts() const { return dicts_; }
  // Particles whose dict no longer shares keys (combined).
  std::size_t combined_dicts() const {
    std::size_t k = 0;
    for (const SplitKeysObject* o : objects()) k += o->dict && !o->dict->keys;
    return k;
  }
  // Whether new instances still get a split dict (CACHED_KEYS(tp) != NULL),
  // and the keys they would share.
  bool class_shares() const { return cached_ != nullptr; }
  const SplitKeys* class_keys() const { return cached_; }
  // A value in a split dict's spare values slot costs nothing more.
  static long long dynamic_bytes_estimate(std::size_t carriers) { return 8LL * static_cast<long long>(carriers); }

  // Particle i's dict (its pad in front) and, while split, its values array
  // (entry_capacity() doubles of the keys it shares), or its combined table
  // (heap_block.hpp): the blocks release() frees.
  template <class F>
  void for_each_owned_block(std::size_t i, F&& f) const {
    const SplitDict* d = at(i)->dict;
    if (!d) return;
    f(dict_block(d));
    if (d->keys)
      f(HeapBlock{d->values, 8 * d->keys->entry_capacity()});
    else if (d->table)
      f(attr_table_block(d->table));
  }

  static void release(StoreMemory& m, SplitKeysObject* o) {
    if (SplitDict* d = o->dict) {
      if (m.py.on)
        for (int a = 0; a < kNumAttrs; ++a)
          if (const double* c = slow_find(d, declared_name(a))) free_cell(m, *c);
      if (d->keys) {
        free_values(m, d->values, d->keys->entry_capacity());
        keys_decref(m, d->keys);
      } else {
        attr_table_free(&m.tables, d->table);
      }
      free_dict(m, d, dict_pad(m.py));
    }
    free_object(m, o);
  }

 private:
  static SplitKeys* new_keys(StoreMemory& m, unsigned log2) {
    const std::size_t bytes = SplitKeys::bytes_for(log2);
    auto* k = static_cast<SplitKeys*>(m.shared_keys.allocate(bytes, alignof(SplitKeys)));
    std::memset(static_cast<void*>(k), 0, bytes);
    k->refcnt = 1;
    k->log2_size = static_cast<std::uint8_t>(log2);
    k->index_width = static_cast<std::uint8_t>(SplitKeys::width_for(log2));
    k->usable = static_cast<std::int64_t>(usable_fraction(std::size_t(1) << log2));
    std::memset(k->index_base(), 0xff, k->size() * k->index_width);
    return k;
  }
  static void free_keys_if_unused(StoreMemory& m, SplitKeys* k) {
    if (k->refcnt == 0 && k->pins == 0) m.shared_keys.deallocate(k, SplitKeys::bytes_for(k->log2_size), alignof(SplitKeys));
  }
  static void keys_decref(StoreMemory& m, SplitKeys* k) {
    --k->refcnt;
    free_keys_if_unused(m, k);
  }
  static void unpin(StoreMemory& m, SplitKeys* k) {
    --k->pins;
    free_keys_if_unused(m, k);
  }
  static double* new_values(StoreMemory& m, std::size_t n) {
    return static_cast<double*>(m.tables.allocate(8 * n, alignof(double)));
  }
  static void free_values(StoreMemory& m, double* v, std::size_t n) { m.tables.deallocate(v, 8 * n, alignof(double)); }

  // The value cell of `n` in d, or null: a probe of the shared keys (a
  // present value is one of the first `used`) or of the combined table.
  static const double* slow_find(const SplitDict* d, const Name* n) {
    if (!d) return nullptr;
    if (d->keys) {
      const int ix = d->keys->find(n);
      return ix >= 0 && std::uint64_t(ix) < d->used ? &d->values[ix] : nullptr;
    }
    return attr_table_find(d->table, n);
  }

  // A new instance's dict: split over the class's keys while it shares
  // them (new_dict_with_shared_keys), else an empty combined one.
  SplitDict* new_instance_dict() {
    auto* d = allocate_dict<SplitDict>(dict_pad(py_state()));
    d->used = 0;
    d->version = 0;
    d->keys = nullptr;
    d->table = nullptr;
    if (cached_) {
      try {
        d->values = new_values(mem(), cached_->entry_capacity());
      } catch (...) {
        free_dict(mem(), d, dict_pad(py_state()));
        throw;
      }
      d->keys = cached_;
      ++cached_->refcnt;
    }
    ++dicts_;
    return d;
  }

  // dictresize from split (l. 1215-1278): the instance's values, which are
  // dense, move into a combined table of `size` slots in the keys' order;
  // the dict drops its reference to the keys and frees its values array.
  void combine(SplitDict* d, std::size_t size) {
    unsigned log2 = 0;
    while ((std::size_t(1) << log2) < size) ++log2;
    SplitKeys* k = d->keys;
    AttrTable* t = attr_table_new(&mem().tables, log2);
    try {
      for (std::uint64_t ix = 0; ix < d->used; ++ix)
        attr_table_set(&mem().tables, &t, k->entries()[ix].key, d->values[ix]);
    } catch (...) {
      attr_table_free(&mem().tables, t);
      throw;
    }
    free_values(mem(), d->values, k->entry_capacity());
    d->keys = nullptr;
    d->table = t;
    keys_decref(mem(), k);
  }

  // make_keys_shared (l. 1319): a combined dict becomes split again over
  // keys made from its table (deleted entries dropped), which the class
  // then shares.
  SplitKeys* make_keys_shared(SplitDict* d) {
    AttrTable* t = d->table;
    SplitKeys* k = new_keys(mem(), t->log2_slots);
    double* v = nullptr;
    try {
      v = new_values(mem(), k->entry_capacity());
    } catch (...) {
      keys_decref(mem(), k);
      throw;
    }
    std::uint64_t used = 0;
    attr_table_for_each(t, [&](const Name* key, double value) {
      v[k->insert(key)] = value;
      ++used;
    });
    attr_table_free(&mem().tables, t);
    d->keys = k;
    d->values = v;
    d->used = used;
    ++k->refcnt;  // the dict's; the 1 from new_keys becomes the class's
    return k;
  }

  // insertdict (l. 1071-1140) for one name.
  void dict_insert(SplitDict* d, const Name* n, double v) {
    if (d->keys) {
      SplitKeys* k = d->keys;
      const int ix = k->find(n);
      if (ix >= 0 && std::uint64_t(ix) < d->used) {
        d->values[ix] = v;
        return;
      }
      const bool order_differs = ix >= 0 ? std::uint64_t(ix) != d->used : d->used != std::uint64_t(k->nentries);
      if (!order_differs && ix >= 0) {  // the class's next name, in order: a pending slot
        d->values[ix] = v;
        ++d->used;
        return;
      }
      if (!order_differs && k->usable > 0) {  // a new name joins the shared keys
        d->values[k->insert(n)] = v;
        ++d->used;
        return;
      }
      // Order differs, or the keys are full: insertion_resize.
      combine(d, split_calculate_keysize(3 * d->used));
    }
    if (!d->table) d->table = attr_table_new(&mem().tables);
    const std::uint32_t live = d->table->live;
    attr_table_set(&mem().tables, &d->table, n, v);
    d->used += d->table->live - live;
  }

  // _PyObjectDict_SetItem with a value (l. 5041-5070).
  void setattr(SplitKeysObject* o, const Name* n, double v) {
    if (!o->dict) o->dict = new_instance_dict();
    SplitDict* d = o->dict;
    SplitKeys* const cached = cached_;
    const bool was_shared = cached && d->keys == cached;
    dict_insert(d, n, v);
    if (was_shared && d->keys != cached) {
      // The dict converted. Only sharer (the class's reference is the
      // last): the class shares the dict's new keys; else it stops sharing.
      if (cached->refcnt == 1)
        cached_ = make_keys_shared(d);
      else
        cached_ = nullptr;
      keys_decref(mem(), cached);
    }
    refresh_hint();
  }

  void stop_sharing() {
    if (!cached_) return;
    SplitKeys* k = std::exchange(cached_, nullptr);
    keys_decref(mem(), k);
  }

  // The kernels' fast path follows the class's keys once they hold every
  // declared name (after the first instance's __init__). The hint keeps
  // the keys alive (a pin, not a CPython reference) so that a freed keys
  // object's address can never match a newer one.
  void refresh_hint() {
    if (!cached_ || cached_ == hint_) return;
    int slot[kNumAttrs];
    for (int a = 0; a < kNumAttrs; ++a)
      if ((slot[a] = cached_->find(declared_name(a))) < 0) return;
    if (hint_ != no_hint()) unpin(mem(), hint_);
    hint_ = cached_;
    ++hint_->pins;
    std::memcpy(slot_, slot, sizeof slot_);
  }

  SplitKeys* cached_ = nullptr;  // CACHED_KEYS(tp); null once the class stops sharing
  // Never null: a combined dict's keys are null, and must not match.
  static SplitKeys* no_hint() {
    static SplitKeys none{};
    return &none;
  }
  SplitKeys* hint_ = no_hint();
  int slot_[kNumAttrs] = {};
  std::size_t dicts_ = 0;
};
static_assert(ParticleStoreType<SplitKeysStore>);

}  // namespace slotsim
