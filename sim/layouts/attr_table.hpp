#pragma once
// The per-instance attribute table of the `dict` and `slots+dict` layouts,
// built the way CPython's compact dict is: one block holding a small header,
// a sparse index array (1-byte entries while the table has <= 128 slots) and
// a dense entries array kept in insertion order. Values are stored unboxed
// (a double), so the figure measured here is a lower bound on what CPython
// pays: it also allocates a float object per value. CPython 3.3+ can share
// the keys between instances of a class (and 3.11+ keeps values inline);
// this table models the classic per-instance dict, the one `__slots__` was
// invented to remove.
//
// Block layout (bytes, for a table of S slots and U = 2S/3 usable entries):
//   Header        16   log2 slots, index width, usable, used
//   indices  S * w      w = 1, 2 or 4 bytes; -1 = empty
//   entries  U * 24     {key, hash, value}
// With the 7 declared attributes inserted one by one the table grows
// 8 -> 16 slots: 16 + 16 + 10 * 24 = 272 bytes.
#include <cstdint>
#include <memory_resource>

#include "sim/layouts/heap_block.hpp"
#include "sim/layouts/names.hpp"

namespace slotsim {

struct AttrEntry {
  const Name* key;
  std::uint64_t hash;
  double value;
};
static_assert(sizeof(AttrEntry) == 24);

struct AttrTable {
  std::uint8_t log2_slots;
  std::uint8_t index_width;  // bytes per index entry
  // --python-objects: CPython bytes allocated in front of the table in the
  // same block (the dict object it stands beside; 0 otherwise). Kept when
  // the table grows, as the dict object outlives its resizes.
  std::uint16_t py_pad;
  std::uint32_t usable;      // capacity of the entries array
  std::uint32_t used;        // entries filled, deleted ones included (CPython's dk_nentries)
  std::uint32_t live;        // entries not deleted (CPython's ma_used)

  std::uint32_t slots() const { return 1u << log2_slots; }
  unsigned char* index_base() { return reinterpret_cast<unsigned char*>(this + 1); }
  const unsigned char* index_base() const { return reinterpret_cast<const unsigned char*>(this + 1); }
  AttrEntry* entries() {
    return reinterpret_cast<AttrEntry*>(index_base() + std::size_t(slots()) * index_width);
  }
  const AttrEntry* entries() const {
    return reinterpret_cast<const AttrEntry*>(index_base() + std::size_t(slots()) * index_width);
  }
};
static_assert(sizeof(AttrTable) == 16);

// Smallest table (8 slots), as CPython creates for a new instance dict.
inline constexpr unsigned kMinLog2Slots = 3;

std::size_t attr_table_bytes(unsigned log2_slots);
// The heap block t lives in: its py_pad in front, then the table.
inline HeapBlock attr_table_block(const AttrTable* t) {
  return {reinterpret_cast<const unsigned char*>(t) - t->py_pad, t->py_pad + attr_table_bytes(t->log2_slots)};
}
// log2_slots 0 makes an empty table with no room (17 B: a dict that exists
// but holds nothing yet); the first insert grows it to 8 slots.
AttrTable* attr_table_new(std::pmr::memory_resource* mr, unsigned log2_slots = kMinLog2Slots, std::uint16_t py_pad = 0);
void attr_table_free(std::pmr::memory_resource* mr, AttrTable* t);

// The hash probe: returns the value cell for `key`, or nullptr.
const double* attr_table_find(const AttrTable* t, const Name* key);
inline double* attr_table_find(AttrTable* t, const Name* key) {
  return const_cast<double*>(attr_table_find(static_cast<const AttrTable*>(t), key));
}

// Deleted entries keep their place in the entries array with key == nullptr
// (and a "dummy" index slot, so probe chains through them stay intact), as in
// CPython: the table is compacted only when it next grows.
// Returns false if `key` is absent.
bool attr_table_del(AttrTable* t, const Name* key);

// Calls f(key, value) for every live entry, in insertion order.
template <class F>
void attr_table_for_each(const AttrTable* t, F&& f) {
  if (!t) return;
  for (std::uint32_t k = 0; k < t->used; ++k)
    if (t->entries()[k].key) f(t->entries()[k].key, t->entries()[k].value);
}

// Inserts or overwrites. May replace *t with a larger block (growth to the
// next power of two >= 3 * live, as CPython does), freeing the old one.
void attr_table_set(std::pmr::memory_resource* mr, AttrTable** t, const Name* key, double v);

}  // namespace slotsim
