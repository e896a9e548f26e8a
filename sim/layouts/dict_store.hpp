#pragma once
// `dict`: Python's default instance. Every particle is its own heap object
// holding only a pointer to its own attribute table; every attribute, the
// declared ones included, lives in that table and is found by a hash probe.
//
//   index      8 B / particle   pointer to the object (the "list" holding them)
//   object     8 B              {AttrTable* dict}: a separate block, as in CPython
//   table    272 B              see attr_table.hpp (7 attributes -> 16 slots)
// --python-objects=VERSION: a plain instance's headers of that version in
// front (GC, object header, and the weakref and managed-dict words; the
// dict slot is `dict`): 40 B on 3.8-3.10, 48 on 3.11, 40 on 3.12/3.13; and
// a 24-B float per declared value. The dict object's own 48-B header
// (PyDictObject) is not modelled: the table stands for keys and values.
// No CPython since 3.2 allocates this layout; the headers are there so that
// its bytes compare with the other layouts' under the same option.
#include "sim/layouts/attr_table.hpp"
#include "sim/layouts/errors.hpp"
#include "sim/layouts/heap_objects.hpp"
#include "sim/layouts/names.hpp"
#include "sim/layouts/python_era.hpp"
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
  static constexpr std::size_t py_prefix(const PyEra& e) { return plain_instance_bytes(e) - sizeof(DictObject); }

  void push(const ParticleRecord& r) {
    double cells[kNumAttrs];
    init_cells(r, cells);
    int done = 0;
    try {
      DictObject* o = allocate();
      o->dict = nullptr;
      adopt(o);
      // One insert per attribute, in declaration order, as __init__ would do.
      // The object is already in the index, so if a table allocation throws
      // the destructor still frees it (and the boxes already inserted): a
      // failed conversion leaks nothing.
      o->dict = attr_table_new(&mem().tables);
      for (; done < kNumAttrs; ++done) attr_table_set(&mem().tables, &o->dict, declared_name(done), cells[done]);
    } catch (...) {
      if (python_objects())
        for (int k = done; k < kNumAttrs; ++k) free_cell(mem(), cells[k]);
      throw;
    }
  }

  // The declared-attribute accessors the kernels use: a real hash probe
  // every time, as `p.x` costs in CPython <= 3.10.
  template <int A>
  double get(std::size_t i) const {
    return load(*attr_table_find(at(i)->dict, declared_name_of<A>()));
  }
  template <int A>
  void set(std::size_t i, double v) {
    store(*attr_table_find(at(i)->dict, declared_name_of<A>()), v);
  }
  ParticleRecord record(std::size_t i) const {
    ParticleRecord r;
    for (int a = 0; a < kNumAttrs; ++a) r.set(a, load(*attr_table_find(at(i)->dict, declared_name(a))));
    return r;
  }

  void set_attr(std::size_t i, const Name* n, double v) {
    if (python_objects() && is_declared(n)) return store(*attr_table_find(at(i)->dict, n), v);
    attr_table_set(&mem().tables, &at(i)->dict, n, v);
  }
  const double* find_attr(std::size_t i, const Name* n) const {
    const double* p = attr_table_find(at(i)->dict, n);
    return python_objects() && is_declared(n) ? value_ptr(p) : p;
  }
  void del_attr(std::size_t i, const Name* n) {
    if (!attr_table_del(at(i)->dict, n)) throw AttributeError(attribute_error_text("Particle", n->text));
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
    if (m.py.on)
      for (int a = 0; a < kNumAttrs; ++a)
        if (const double* c = attr_table_find(o->dict, declared_name(a))) free_cell(m, *c);
    attr_table_free(&m.tables, o->dict);
    free_object(m, o);
  }
  // Particle i's table (heap_block.hpp).
  template <class F>
  void for_each_owned_block(std::size_t i, F&& f) const {
    f(attr_table_block(at(i)->dict));
  }
};
static_assert(ParticleStoreType<DictStore>);

}  // namespace slotsim
