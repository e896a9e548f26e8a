#include "sim/layouts/attr_table.hpp"

#include <bit>
#include <cstring>

namespace slotsim {
namespace {

constexpr std::int64_t kEmpty = -1;  // CPython's DKIX_EMPTY
constexpr std::int64_t kDummy = -2;  // DKIX_DUMMY: a deleted entry's slot

unsigned width_for(unsigned log2_slots) {
  if (log2_slots <= 7) return 1;   // indices < 128 fit in int8 with -1 as empty
  if (log2_slots <= 15) return 2;
  return 4;
}

std::int64_t get_index(const AttrTable* t, std::size_t i) {
  const unsigned char* b = t->index_base();
  switch (t->index_width) {
    case 1: return static_cast<std::int8_t>(b[i]);
    case 2: { std::int16_t v; std::memcpy(&v, b + 2 * i, 2); return v; }
    default: { std::int32_t v; std::memcpy(&v, b + 4 * i, 4); return v; }
  }
}

void put_index(AttrTable* t, std::size_t i, std::int64_t ix) {
  unsigned char* b = t->index_base();
  switch (t->index_width) {
    case 1: b[i] = static_cast<unsigned char>(static_cast<std::int8_t>(ix)); break;
    case 2: { auto v = static_cast<std::int16_t>(ix); std::memcpy(b + 2 * i, &v, 2); break; }
    default: { auto v = static_cast<std::int32_t>(ix); std::memcpy(b + 4 * i, &v, 4); break; }
  }
}

// First empty slot on the probe sequence of `hash` (for insertion of a key
// known to be absent). CPython's recurrence: perturbation feeds the high bits
// of the hash into the index so keys sharing low bits still spread out.
std::size_t free_slot(const AttrTable* t, std::uint64_t hash) {
  const std::size_t mask = t->slots() - 1;
  std::size_t i = hash & mask;
  std::uint64_t perturb = hash;
  while (get_index(t, i) >= 0) {
    perturb >>= 5;
    i = (i * 5 + perturb + 1) & mask;
  }
  return i;
}

}  // namespace

std::size_t attr_table_bytes(unsigned log2_slots) {
  const std::size_t s = std::size_t(1) << log2_slots;
  return sizeof(AttrTable) + s * width_for(log2_slots) + (2 * s / 3) * sizeof(AttrEntry);
}

AttrTable* attr_table_new(std::pmr::memory_resource* mr, unsigned log2_slots, std::uint16_t py_pad) {
  auto* base = static_cast<unsigned char*>(mr->allocate(py_pad + attr_table_bytes(log2_slots), alignof(AttrEntry)));
  std::memset(base, 0, py_pad);
  auto* t = reinterpret_cast<AttrTable*>(base + py_pad);
  t->log2_slots = static_cast<std::uint8_t>(log2_slots);
  t->index_width = static_cast<std::uint8_t>(width_for(log2_slots));
  t->py_pad = py_pad;
  t->usable = static_cast<std::uint32_t>(2 * t->slots() / 3);
  t->used = 0;
  t->live = 0;
  std::memset(t->index_base(), 0xff, std::size_t(t->slots()) * t->index_width);
  return t;
}

void attr_table_free(std::pmr::memory_resource* mr, AttrTable* t) {
  if (t)
    mr->deallocate(reinterpret_cast<unsigned char*>(t) - t->py_pad, t->py_pad + attr_table_bytes(t->log2_slots),
                   alignof(AttrEntry));
}

const double* attr_table_find(const AttrTable* t, const Name* key) {
  if (!t) return nullptr;
  const std::uint64_t hash = key->hash;
  const std::size_t mask = t->slots() - 1;
  std::size_t i = hash & mask;
  std::uint64_t perturb = hash;
  const AttrEntry* e = t->entries();
  for (;;) {
    const std::int64_t ix = get_index(t, i);
    if (ix == kEmpty) return nullptr;
    // Interned keys: equal names are the same pointer, so no string compare.
    // A dummy (deleted) slot is probed through.
    if (ix >= 0 && e[ix].hash == hash && e[ix].key == key) return &e[ix].value;
    perturb >>= 5;
    i = (i * 5 + perturb + 1) & mask;
  }
}

void attr_table_set(std::pmr::memory_resource* mr, AttrTable** tp, const Name* key, double v) {
  AttrTable* t = *tp;
  if (double* cell = attr_table_find(t, key)) {
    *cell = v;
    return;
  }
  if (t->used == t->usable) {
    const std::uint32_t want = 3 * t->live;
    unsigned log2 = kMinLog2Slots;
    while ((1u << log2) < want) ++log2;
    AttrTable* bigger = attr_table_new(mr, log2, t->py_pad);
    for (std::uint32_t k = 0; k < t->used; ++k) {
      const AttrEntry& old = t->entries()[k];
      if (!old.key) continue;  // deleted: dropped by the compaction
      put_index(bigger, free_slot(bigger, old.hash), bigger->used);
      bigger->entries()[bigger->used++] = old;
      ++bigger->live;
    }
    attr_table_free(mr, t);
    *tp = t = bigger;
  }
  put_index(t, free_slot(t, key->hash), t->used);
  t->entries()[t->used++] = AttrEntry{key, key->hash, v};
  ++t->live;
}

bool attr_table_del(AttrTable* t, const Name* key) {
  if (!t) return false;
  const std::uint64_t hash = key->hash;
  const std::size_t mask = t->slots() - 1;
  std::size_t i = hash & mask;
  std::uint64_t perturb = hash;
  AttrEntry* e = t->entries();
  for (;;) {
    const std::int64_t ix = get_index(t, i);
    if (ix == kEmpty) return false;
    if (ix >= 0 && e[ix].key == key) {
      put_index(t, i, kDummy);
      e[ix].key = nullptr;
      --t->live;
      return true;
    }
    perturb >>= 5;
    i = (i * 5 + perturb + 1) & mask;
  }
}

}  // namespace slotsim
