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
// --python-objects=VERSION, in front of the object: GC header and object
// header (<= 3.10: 32 B; 48 on 3.6/3.7), plus from 3.11 the managed-dict
// pre-header's second word (its dict word is `dict` below) and, on 3.11 and
// 3.12, the empty values array every such instance gets (16 B): 56 + 64 +
// 7 x 24 = 288 B on 3.11/3.12, 272 on 3.13, 264 on 3.8-3.10. The dict
// `__dict__` or the first extra attribute creates is CPython's dict of that
// version (pad_for_dict below) in front of an empty table; the table then
// grows as slotsim's (CPython puts the values in the array it has).
#include "sim/layouts/attr_table.hpp"
#include "sim/layouts/errors.hpp"
#include "sim/layouts/cell_objects.hpp"
#include "sim/layouts/names.hpp"
#include "sim/layouts/python_era.hpp"
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
  static constexpr std::size_t py_prefix(const PyEra& e) {
    if (!e.managed_dict) return e.gc + e.head;
    return e.gc + e.head + 8 + (e.inline_values ? 0 : values_array_bytes(e, 1));
  }
  // What CPython allocates when such an instance's dict is made, minus the
  // empty table (17 B) slotsim puts behind it, rounded to a word:
  //   <= 3.10  a dict over the class's (empty) shared keys with its own
  //            values array of USABLE_FRACTION(8) = 5 (GC + 48 + 40 B);
  //   3.11/12  a dict over the values array the instance already has (GC + 48);
  //   3.13     a dict with a new values array of the keys' 30 (GC + 48 + 280).
  // (new_dict_with_shared_keys, make_dict_from_instance_attributes and
  // _PyObject_MaterializeManagedDict in each version's dictobject.c.)
  static constexpr std::size_t cpython_dict_bytes(const PyEra& e) {
    if (!e.managed_dict) return e.gc + e.dict_object + 8 * usable_fraction(8);
    if (!e.inline_values) return e.gc + e.dict_object;
    return e.gc + e.dict_object + values_array_bytes(e, 30);
  }
  static constexpr std::uint16_t pad_for_dict(const PyEra& e) {
    return static_cast<std::uint16_t>((cpython_dict_bytes(e) - 17 + 4) / 8 * 8);
  }
  static void init_rest(SlotsDictObject& o) { o.dict = nullptr; }  // no table until one is needed

  void set_attr(std::size_t i, const Name* n, double v) {
    SlotsDictObject* o = at(i);
    const int a = declared_attr(n->text);
    if (a >= 0) {
      store(o->cells[a], v);
      return;
    }
    if (!o->dict) o->dict = new_dict();
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
    o->dict = new_dict();
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
    if (o->dict) m.py.table_header_bytes -= o->dict->py_pad;
    attr_table_free(&m.tables, o->dict);
    release_cells(m, o);
  }
  // Particle i's table, once it has one (heap_block.hpp).
  template <class F>
  void for_each_owned_block(std::size_t i, F&& f) const {
    if (const AttrTable* t = at(i)->dict) f(attr_table_block(t));
  }

 private:
  // Default: an 8-slot table (144 B). --python-objects: CPython's dict of
  // that version in front of an empty table.
  AttrTable* new_dict() {
    if (!python_objects()) return attr_table_new(&mem().tables);
    const std::uint16_t pad = pad_for_dict(py_state().era);
    AttrTable* t = attr_table_new(&mem().tables, 0, pad);
    mem().py.table_header_bytes += pad;
    return t;
  }
};
static_assert(ParticleStoreType<SlotsDictStore>);

}  // namespace slotsim
