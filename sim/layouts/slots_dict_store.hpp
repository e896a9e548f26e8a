#pragma once
// `slots+dict`: `__slots__ = (..., '__dict__')`. Fixed cells for the
// declared attributes plus one pointer to a per-instance table that is only
// created when the first undeclared attribute is set, or when `__dict__` is
// read (CPython creates an empty dict on that first access). Until then each
// particle pays 8 bytes for the escape hatch; after, a whole table.
//
//   index     8 B / particle
//   object   64 B   7 doubles + AttrTable* (null until needed)
//   table    144 B  only for particles with a dynamic attribute (8 slots)
// --python-objects (CPython 3.11): + 40 B in front (GC pre-header 16, the
// managed-dict pre-header's values word 8 -- its dict word is `dict` below --
// and the object header 16) and a 24-B float per value: 40 + 64 + 168 = 272 B.
#include "sim/layouts/attr_table.hpp"
#include "sim/layouts/errors.hpp"
#include "sim/layouts/cell_objects.hpp"
#include "sim/layouts/names.hpp"
#include "sim/layouts/store_concept.hpp"
#include "sim/particle.hpp"

namespace slotsim {

struct SlotsDictObject {
  double cells[kNumAttrs];
  AttrTable* dict;  // last: the declared cells keep the same offsets as `slots`
};
static_assert(sizeof(SlotsDictObject) == 64);

class SlotsDictStore : public CellObjects<SlotsDictStore, SlotsDictObject> {
 public:
  SlotsDictStore() = default;
  SlotsDictStore(SlotsDictStore&&) noexcept = default;
  static constexpr std::size_t kPyPrefix = 16 + 8 + 16;
  static void init_rest(SlotsDictObject& o) { o.dict = nullptr; }  // no table until one is needed

  void set_attr(std::size_t i, const Name* n, double v) {
    SlotsDictObject* o = at(i);
    const int a = declared_attr(n->text);
    if (a >= 0) {
      store(o->cells[a], v);
      return;
    }
    if (!o->dict) o->dict = attr_table_new(&mem().tables);
    attr_table_set(&mem().tables, &o->dict, n, v);
  }
  const double* find_attr(std::size_t i, const Name* n) const {
    const int a = declared_attr(n->text);
    return a >= 0 ? value_ptr(&at(i)->cells[a]) : attr_table_find(at(i)->dict, n);
  }
  // The table stays once created, emptied or not, as a Python dict does.
  void del_attr(std::size_t i, const Name* n) {
    if (!attr_table_del(at(i)->dict, n)) throw AttributeError(attribute_error_text("Particle", n->text));
  }
  template <class F>
  void for_each_dynamic(std::size_t i, F&& f) const {
    attr_table_for_each(at(i)->dict, f);
  }
  bool read_dict(std::size_t i) {
    SlotsDictObject* o = at(i);
    if (o->dict) return false;
    o->dict = attr_table_new(&mem().tables);
    return true;
  }
  bool has_own_dict(std::size_t i) const { return at(i)->dict != nullptr; }
  // Particles whose table exists (the escape hatch has been used).
  std::size_t own_dicts() const {
    std::size_t k = 0;
    for (const SlotsDictObject* o : objects()) k += o->dict != nullptr;
    return k;
  }
  // An entry per value, plus, in the worst case, a new table per carrier.
  static long long dynamic_bytes_estimate(std::size_t carriers) {
    return static_cast<long long>(carriers) * (48 + static_cast<long long>(attr_table_bytes(kMinLog2Slots)));
  }

  static void release(StoreMemory& m, SlotsDictObject* o) {
    attr_table_free(&m.tables, o->dict);
    release_cells(m, o);
  }
  // Where particle i's table (null until used) lives (read-only; the GUI's heap map).
  const void* table_address(std::size_t i) const { return at(i)->dict; }
};
static_assert(ParticleStoreType<SlotsDictStore>);

}  // namespace slotsim
