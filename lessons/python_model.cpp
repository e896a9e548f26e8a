#include "lessons/python_model.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "sim/layouts/particle_store.hpp"
#include "sim/memory/tracker.hpp"

namespace slotsim {

std::string_view shape_kind_name(ShapeKind k) {
  switch (k) {
    case ShapeKind::Plain: return "plain";
    case ShapeKind::Slots: return "slots";
    default: return "slots_dict";
  }
}

Layout plain_layout_for(PyVersion v) { return v < PyVersion{3, 11} ? Layout::SplitKeys : Layout::SharedKeys; }

Layout layout_of(ShapeKind k, Layout plain) {
  switch (k) {
    case ShapeKind::Slots: return Layout::Slots;
    case ShapeKind::SlotsDict: return Layout::SlotsDict;
    default: return plain;
  }
}

double model_bytes(Layout l, const ModelShape& s, std::optional<PyVersion> version, std::size_t n, bool with_index) {
  if (s.fields < 0 || s.fields > kNumAttrs) throw std::invalid_argument("model_bytes: 0 to 7 fields");
  if (n == 0) throw std::invalid_argument("model_bytes: no instances");
  const bool py = version.has_value();
  const PyEra e = py_era(version.value_or(kDefaultPyVersion));
  const auto k = static_cast<std::size_t>(s.fields);
  const double floats = py ? double(e.float_object * k) : 0;
  const double index = with_index ? double(sizeof(void*)) : 0;
  switch (l) {
    case Layout::Slots: {
      double obj = 8.0 * double(k) + (py ? double(SlotsStore::py_prefix(e)) : 0);
      // Up to 3.7 an instance holding no references is not GC tracked.
      if (py && k == 0 && !e.empty_objects_tracked) obj -= double(e.gc);
      return obj + floats + index;
    }
    case Layout::SlotsDict: {
      double obj = 8.0 * double(k) + 8 + (py ? double(SlotsDictStore::py_prefix(e)) : 0);
      if (s.touched)
        obj += py ? double(SlotsDictStore::pad_for_dict(e) + attr_table_bytes(0)) : double(attr_table_bytes(kMinLog2Slots));
      return obj + floats + index;
    }
    case Layout::Dict: {
      // The classic table, built for real with k names (an empty instance
      // has its 8-slot table from the start).
      mem::CountingResource r{mem::Category::Particles};
      AttrTable* t = attr_table_new(&r);
      for (std::size_t a = 0; a < k; ++a) {
        char name[32];  // room for any size_t: GCC checks the format against the type's range
        std::snprintf(name, sizeof name, "field%zu", a);
        attr_table_set(&r, &t, intern(name), 0.0);
      }
      const double table = double(r.requested());
      attr_table_free(&r, t);
      return double(sizeof(DictObject)) + (py ? double(DictStore::py_prefix(e)) : 0) + table + floats + index;
    }
    case Layout::SplitKeys: {
      const double obj = double(sizeof(SplitKeysObject)) + (py ? double(SplitKeysStore::py_prefix(e)) : 0);
      const double dict = double(sizeof(SplitDict)) + (py ? double(e.gc + e.head) : 0);
      // No attribute: no dict until __dict__ is read (then one over the
      // class's 8-slot keys).
      if (k == 0) return obj + (s.touched ? dict + 8.0 * double(usable_fraction(8)) : 0) + index;
      // The keys the first instance grows, as insertion_resize does.
      std::size_t size = 8;
      while (usable_fraction(size) < k) size = split_calculate_keysize(3 * usable_fraction(size));
      return obj + dict + 8.0 * double(usable_fraction(size)) + floats + index;
    }
    case Layout::SharedKeys: {
      // The keys start with the k names and room for 30; each new object
      // takes one of the spare room down to 1 and gets entries + spare room.
      long long usable = SharedKeys::kMaxKeys - static_cast<long long>(k);
      double sum = 0;
      for (std::size_t i = 0; i < n; ++i) {
        if (usable > 1) --usable;
        const auto cap = static_cast<std::size_t>(static_cast<long long>(k) + usable);
        sum += double(SharedKeysObject::bytes(cap)) + (py ? double(SharedKeysStore::py_prefix(e, cap)) : 0);
      }
      double per = sum / double(n);
      if (s.touched) per += double(sizeof(SharedKeysDict)) + (py ? double(e.gc + e.head) : 0);
      return per + floats + index;
    }
    default:
      throw std::invalid_argument("model_bytes: not a heap-object layout");
  }
}

std::vector<ShapeComparison> compare_shapes(const CPythonFigures& f) {
  std::vector<ShapeComparison> out;
  const auto v = f.major == 3 ? parse_py_version(f.minor_version()) : std::nullopt;
  if (!v) return out;
  const Layout plain = plain_layout_for(*v);
  auto add = [&](int fields, ShapeKind k, bool touched, double measured) {
    ShapeComparison c;
    c.fields = fields;
    c.kind = k;
    c.touched = touched;
    c.layout = layout_of(k, plain);
    c.measured = measured;
    c.model = model_bytes(c.layout, {fields, k, touched}, v, std::size_t(std::max(1LL, f.instances)));
    c.shape = (fields == 0 ? std::string("no attributes") : std::to_string(fields) + " fields") + ", " +
              std::string(shape_kind_name(k)) + (touched ? ", __dict__ read" : "");
    out.push_back(c);
  };
  add(0, ShapeKind::Plain, false, f.empty_plain_untouched);
  if (f.empty_plain_touched) add(0, ShapeKind::Plain, true, *f.empty_plain_touched);
  add(0, ShapeKind::Slots, false, f.empty_slots);
  for (int nf : {3, 7})
    for (ShapeKind k : {ShapeKind::Plain, ShapeKind::Slots, ShapeKind::SlotsDict}) {
      const CPythonShape* s = f.shape(nf, shape_kind_name(k));
      if (!s) continue;
      add(nf, k, false, s->distinct_untouched);
      if (s->distinct_touched) add(nf, k, true, *s->distinct_touched);
    }
  return out;
}

}  // namespace slotsim
