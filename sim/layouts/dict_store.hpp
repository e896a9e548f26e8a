#pragma once
// `dict`: Python's default instance. Every particle is its own heap object
// holding only a pointer to its own attribute table; every attribute, the
// declared ones included, lives in that table and is found by a hash probe.
//
//   index      8 B / particle   pointer to the object (the "list" holding them)
//   object     8 B              {AttrTable* dict}: a separate block, as in CPython
//   table    272 B              see attr_table.hpp (7 attributes -> 16 slots)
#include "sim/layouts/attr_table.hpp"
#include "sim/layouts/errors.hpp"
#include "sim/layouts/heap_objects.hpp"
#include "sim/layouts/names.hpp"
#include "sim/layouts/store_concept.hpp"
#include "sim/particle.hpp"

namespace slotsim {

struct DictObject {
  AttrTable* dict;
};
static_assert(sizeof(DictObject) == 8);

class DictStore : public HeapObjects<DictStore, DictObject> {
 public:
  DictStore() = default;
  DictStore(DictStore&&) noexcept = default;

  void push(const ParticleRecord& r) {
    DictObject* o = allocate();
    o->dict = nullptr;
    adopt(o);
    // One insert per attribute, in declaration order, as __init__ would do.
    // The object is already in the index, so if a table allocation throws
    // the destructor still frees it: a failed conversion leaks nothing.
    o->dict = attr_table_new(&mem().tables);
    for (int a = 0; a < kNumAttrs; ++a) attr_table_set(&mem().tables, &o->dict, declared_name(a), r.get(a));
  }

  // The declared-attribute accessors the kernels use: a real hash probe
  // every time, as `p.x` costs in CPython <= 3.10.
  template <int A>
  double get(std::size_t i) const {
    return *attr_table_find(at(i)->dict, declared_name_of<A>());
  }
  template <int A>
  void set(std::size_t i, double v) {
    *attr_table_find(at(i)->dict, declared_name_of<A>()) = v;
  }
  ParticleRecord record(std::size_t i) const {
    ParticleRecord r;
    for (int a = 0; a < kNumAttrs; ++a) r.set(a, *attr_table_find(at(i)->dict, declared_name(a)));
    return r;
  }

  void set_attr(std::size_t i, const Name* n, double v) { attr_table_set(&mem().tables, &at(i)->dict, n, v); }
  const double* find_attr(std::size_t i, const Name* n) const { return attr_table_find(at(i)->dict, n); }
  void set_attr_all(const Name* n, double v) {
    for (std::size_t i = 0; i < size(); ++i) set_attr(i, n, v);
  }
  void del_attr(std::size_t i, const Name* n) {
    if (!attr_table_del(at(i)->dict, n)) throw AttributeError(attribute_error_text("Particle", n->text));
  }
  void del_attr_all(const Name* n) {
    for (std::size_t i = 0; i < size(); ++i) del_attr(i, n);
  }
  template <class F>
  void for_each_dynamic(std::size_t i, F&& f) const {
    attr_table_for_each(at(i)->dict, [&](const Name* k, double v) {
      if (!is_declared(k)) f(k, v);
    });
  }
  // Every instance has had its dict since __init__.
  bool read_dict(std::size_t) { return false; }
  std::size_t own_dicts() const { return size(); }
  // One 24-B entry per value, and growth keeps about a third free.
  static long long dynamic_bytes_estimate(std::size_t carriers) { return 48LL * static_cast<long long>(carriers); }

  static void release(StoreMemory& m, DictObject* o) {
    attr_table_free(&m.tables, o->dict);
    m.objects.deallocate(o, sizeof(DictObject), alignof(DictObject));
  }
  // Where particle i's table lives (read-only; the GUI's heap map).
  const void* table_address(std::size_t i) const { return at(i)->dict; }
};
static_assert(ParticleStoreType<DictStore>);

}  // namespace slotsim
