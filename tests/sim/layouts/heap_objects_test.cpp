// --python-objects (sim/layouts/heap_objects.hpp, store_memory.hpp): the
// CPython headers in front of each object, one 24-B float per declared
// value, the box replaced on every write, the float free list, the same
// physics bits as the default mode, and the refusals for column layouts.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <memory_resource>
#include <stdexcept>
#include <vector>

#include "sim/fixtures.hpp"
#include "sim/layouts/particle_store.hpp"
#include "sim/system.hpp"

using namespace slotsim;
using slotsim::testing::same_records;

namespace {

// Every layout with one heap object per particle, from the layout table.
const std::vector<Layout> kHeapLayouts = [] {
  std::vector<Layout> v;
  for (const LayoutTraits& t : kLayoutTraits)
    if (t.heap_objects) v.push_back(t.id);
  return v;
}();

ParticleRecord rec(int i) { return {i * 0.5, i * 0.25, -i * 1.0, 1e-3 * i, 2.0, -3.0, 1.0 / (i + 1)}; }

ParticleStore filled(Layout l, int n, bool py, PyVersion v = kDefaultPyVersion) {
  ParticleStore s(l, py, v);
  s.reserve(static_cast<std::size_t>(n) + 1);
  for (int i = 0; i < n; ++i) s.push(rec(i));
  return s;
}

// Bytes one more particle adds, once the store is past shared-keys' first
// 21 larger objects (the index is reserved, so it does not grow).
LayoutBytes one_more(Layout l, bool py, PyVersion v = kDefaultPyVersion) {
  ParticleStore s = filled(l, 64, py, v);
  const LayoutBytes a = s.bytes();
  s.push(rec(64));
  const LayoutBytes b = s.bytes();
  LayoutBytes d;
  for (const ByteCategory& c : kByteCategories) d.*c.field = b.*c.field - a.*c.field;
  return d;
}

PyObjects py_state(const ParticleStore& st) {
  return st.visit([](const auto& s) {
    if constexpr (requires { s.py_state(); })
      return s.py_state();
    else
      return PyObjects{};
  });
}

SimConfig run_config(Layout l, bool py) {
  SimConfig c;
  c.scene = "plummer";
  c.particles = 400;
  c.seed = 5;
  c.layout = l;
  c.solver = "direct";
  c.dt = 2e-3;
  c.force.softening = 0.05;
  c.python_objects = py;
  return c;
}

}  // namespace

TEST_CASE("python-objects: exact bytes per instance, headers and boxes, for each heap-object layout") {
  // Default mode: no headers, no boxes (the figures of the store headers).
  for (Layout l : kHeapLayouts) {
    CAPTURE(layout_name(l));
    const LayoutBytes off = one_more(l, false);
    CHECK(off.py_headers == 0);
    CHECK(off.floats == 0);
  }
  // slots: GC 16 + header 16, 7 cells, 7 floats: 256 B, CPython 3.11's figure.
  const LayoutBytes s = one_more(Layout::Slots, true);
  CHECK(s.py_headers == 32);
  CHECK(s.objects == 56);
  CHECK(s.floats == 7 * 24);
  CHECK(s.total() == 256);
  // slots+dict: + 8 B pre-header word (values; the dict word is the
  // object's) and 3.11's empty values array (8 + 8 B) every such instance gets.
  const LayoutBytes sd = one_more(Layout::SlotsDict, true);
  CHECK(sd.py_headers == 56);
  CHECK(sd.objects == 64);
  CHECK(sd.floats == 7 * 24);
  CHECK(sd.tables == 0);
  CHECK(sd.total() == 288);
  // shared-keys: 3.11's 56-B object + 80-B values array = 136 B, of which
  // the store's own object is 96 (capacity 8).
  const LayoutBytes sk = one_more(Layout::SharedKeys, true);
  CHECK(sk.py_headers == 40);
  CHECK(sk.objects == 96);
  CHECK(sk.floats == 7 * 24);
  CHECK(sk.total() == 304);
  // dict: 3.11's plain-instance words (GC 16, pre-header 16, head 16,
  // weakref 8) minus the dict word the 8-B object is, its 272-B table.
  const LayoutBytes d = one_more(Layout::Dict, true);
  CHECK(d.py_headers == 48);
  CHECK(d.objects == 8);
  CHECK(d.tables == 272);
  CHECK(d.floats == 7 * 24);
  CHECK(d.total() == 496);
  // split-keys (with 3.11's headers here; its own versions below): the
  // 8-B object, the 32-B dict with GC + head, its 80-B values array.
  const LayoutBytes sp = one_more(Layout::SplitKeys, true);
  CHECK(sp.py_headers == 48 + 32);
  CHECK(sp.objects == 8);
  CHECK(sp.tables == 32 + 80);
  CHECK(sp.total() == 368);
}

// Each version's 7-field instance, from the sizes in its sources
// (sim/layouts/python_era.hpp cites them): the figures tracemalloc gives on
// the real interpreters (docs/LAYOUTS.md), asserted exactly.
TEST_CASE("python-objects=VERSION: 7-field bytes per instance of each CPython version") {
  const long long floats = 7 * 24;
  struct Want {
    PyVersion v;
    Layout plain;
    long long plain_bytes, slots_bytes, slots_dict_bytes;
  };
  // 3.6/3.7: a 32-B GC header (3 words padded to long double alignment).
  // <= 3.10: instance = GC + head + dict + weakref words; its dict = GC +
  // 48; values = USABLE_FRACTION(16) = 10 pointers.
  // 3.11: + a values word in the pre-header; values array 16 + 64.
  // 3.12: weakref moves into the pre-header (-8). 3.13: values inline,
  // same size for 7 fields; no empty values array for '__dict__' in __slots__.
  const Want wants[] = {
      {{3, 6}, Layout::SplitKeys, (32 + 16 + 16) + (32 + 48) + 80 + floats, 32 + 16 + 56 + floats, 32 + 16 + 64 + floats},
      {{3, 7}, Layout::SplitKeys, (32 + 16 + 16) + (32 + 48) + 80 + floats, 32 + 16 + 56 + floats, 32 + 16 + 64 + floats},
      {{3, 8}, Layout::SplitKeys, 48 + 64 + 80 + floats, 32 + 56 + floats, 32 + 64 + floats},
      {{3, 9}, Layout::SplitKeys, 48 + 64 + 80 + floats, 32 + 56 + floats, 32 + 64 + floats},
      {{3, 10}, Layout::SplitKeys, 48 + 64 + 80 + floats, 32 + 56 + floats, 32 + 64 + floats},
      {{3, 11}, Layout::SharedKeys, 56 + 80 + floats, 32 + 56 + floats, 16 + 16 + 16 + 56 + 16 + floats},
      {{3, 12}, Layout::SharedKeys, 48 + 80 + floats, 32 + 56 + floats, 16 + 16 + 16 + 56 + 16 + floats},
      {{3, 13}, Layout::SharedKeys, 48 + 80 + floats, 32 + 56 + floats, 16 + 16 + 16 + 56 + floats},
  };
  for (const Want& w : wants) {
    CAPTURE(py_version_text(w.v));
    CHECK(one_more(w.plain, true, w.v).total() == w.plain_bytes);
    CHECK(one_more(Layout::Slots, true, w.v).total() == w.slots_bytes);
    CHECK(one_more(Layout::SlotsDict, true, w.v).total() == w.slots_dict_bytes);
  }
  CHECK(wants[4].plain_bytes == 360);  // 3.10: tracemalloc 360.0
  CHECK(wants[5].plain_bytes == 304);  // 3.11: 304.0
  CHECK(wants[7].slots_dict_bytes == 272);
}

TEST_CASE("python-objects=VERSION: reading __dict__ on '__dict__' in __slots__ makes that version's dict") {
  // <= 3.10: a split dict over the class's empty keys (48 + GC) with a
  // 5-slot values array; 3.11/3.12: a dict over the values array the
  // instance has; 3.13: a dict with a new 30-value array (8 + 240 + 32).
  // slotsim puts a 17-B empty table behind it; the pad rounds to a word.
  const struct {
    PyVersion v;
    long long cpython;
  } cases[] = {{{3, 7}, 32 + 48 + 40}, {{3, 10}, 16 + 48 + 40}, {{3, 11}, 16 + 48}, {{3, 13}, 16 + 48 + 280}};
  for (const auto& c : cases) {
    CAPTURE(py_version_text(c.v));
    ParticleStore s = filled(Layout::SlotsDict, 10, true, c.v);
    const long long before = s.bytes().total();
    CHECK(s.read_dict(3));
    const long long added = s.bytes().total() - before;
    CHECK(added >= c.cpython - 4);
    CHECK(added <= c.cpython + 4);
    s.set_attr(3, "charge", 1.0);  // the empty table grows; the pad stays
    CHECK(s.get_attr(3, "charge") == 1.0);
    CHECK(s.bytes().py_headers - filled(Layout::SlotsDict, 10, true, c.v).bytes().py_headers ==
          SlotsDictStore::pad_for_dict(py_era(c.v)));
  }
}

TEST_CASE("python-objects: an update replaces the box, and the free list recycles it") {
  for (Layout l : kHeapLayouts) {
    CAPTURE(layout_name(l));
    ParticleStore st = filled(l, 10, true);
    const double* before = st.visit([](auto& s) { return s.find_attr(3, declared_name(0)); });
    const LayoutBytes b0 = st.bytes();
    auto py = [&] { return py_state(st); };
    const PyObjects p0 = py();
    CHECK(p0.box_mallocs == 70);
    CHECK(p0.free_count == 0);
    st.visit([](auto& s) { s.template set<0>(3, 42.0); });
    const PyObjects p1 = py();
    CHECK(p1.box_mallocs == 71);  // a new float (the list was empty) ...
    CHECK(p1.box_frees == 1);     // ... and the old one freed onto the list
    CHECK(p1.free_count == 1);
    const double* after = st.visit([](auto& s) { return s.find_attr(3, declared_name(0)); });
    CHECK(after != before);  // a different float object
    CHECK(*after == 42.0);
    CHECK(st.record(3).x == 42.0);
    CHECK(st.bytes().floats == b0.floats + 24);  // the free-listed float is still allocated
    st.visit([](auto& s) { s.template set<1>(4, -1.0); });
    const PyObjects p2 = py();
    CHECK(p2.box_mallocs == 71);  // from the free list this time
    CHECK(p2.box_reuses == 1);
    CHECK(p2.free_count == 1);
    CHECK(st.bytes().floats == b0.floats + 24);
    st.set_attr(5, "mass", 9.0);  // by name: the same replacement
    CHECK(py().box_reuses == 2);
    CHECK(st.get_attr(5, "mass") == 9.0);
  }
  // Default mode: a write is a store into the cell; no float objects at all.
  ParticleStore off = filled(Layout::Slots, 10, false);
  off.visit([](auto& s) { s.template set<0>(3, 42.0); });
  CHECK(py_state(off).box_mallocs == 0);
  CHECK(off.bytes().floats == 0);
}

TEST_CASE("python-objects: the float free list holds at most 100, as CPython 3.11-3.13's") {
  StoreMemory m;
  std::vector<FloatBox*> boxes;
  for (int i = 0; i < 150; ++i) boxes.push_back(m.new_box(i));
  CHECK(m.floats.blocks() == 150);
  for (FloatBox* b : boxes) m.free_box(b);
  CHECK(m.py.free_count == PyObjects::kMaxFree);
  CHECK(m.floats.blocks() == PyObjects::kMaxFree);  // 50 went back to the allocator
  boxes.clear();
  for (int i = 0; i < PyObjects::kMaxFree; ++i) boxes.push_back(m.new_box(i));
  CHECK(m.py.box_reuses == PyObjects::kMaxFree);
  CHECK(m.py.free_count == 0);
  FloatBox* fresh = m.new_box(1.5);
  CHECK(m.py.box_mallocs == 151);
  CHECK(fresh->value == 1.5);
  CHECK(fresh->refcnt == 1);
  boxes.push_back(fresh);
  // 101 back: 100 onto the list, 1 to the allocator; ~StoreMemory frees the
  // list (leak-checked under ASan).
  for (FloatBox* b : boxes) m.free_box(b);
  CHECK(m.py.free_count == PyObjects::kMaxFree);
  CHECK(m.floats.blocks() == PyObjects::kMaxFree);
}

TEST_CASE("python-objects: dynamic attributes and conversions keep every value, bit for bit") {
  const ParticleStore ref = filled(Layout::Soa, 120, false);
  for (Layout from : kHeapLayouts)
    for (Layout to : kHeapLayouts) {
      CAPTURE(layout_name(from));
      CAPTURE(layout_name(to));
      ParticleStore s = filled(from, 120, true);
      if (traits(from).dynamic == DynamicAttrs::AnyParticle && traits(to).dynamic == DynamicAttrs::AnyParticle)
        s.set_attr(7, "charge", -1.5);
      s.convert_to(to);
      CHECK(s.python_objects());
      CHECK(same_records(s, ref));
      CHECK(s.bytes().floats == 120 * 7 * 24);  // a box per declared value, none lost or doubled
      if (traits(to).dynamic == DynamicAttrs::AnyParticle && traits(from).dynamic == DynamicAttrs::AnyParticle)
        CHECK(s.get_attr(7, "charge") == -1.5);
    }
  // shared-keys' combined-table path: beyond the keys' room a particle's
  // declared boxes move into its own table and are still read and replaced.
  ParticleStore sk = filled(Layout::SharedKeys, 40, true);
  for (int k = 0; k < 30; ++k) sk.set_attr(39, "extra" + std::to_string(k), k);
  REQUIRE(sk.visit([](auto& s) {
    if constexpr (requires { s.combined_dicts(); }) return s.combined_dicts();
    return std::size_t{0};
  }) == 1);
  sk.set_attr(39, "x", 3.25);
  CHECK(sk.record(39).x == 3.25);
  CHECK(sk.record(38).x == rec(38).x);
}

TEST_CASE("python-objects: aos and soa are refused, and a refused conversion changes nothing") {
  CHECK_THROWS_AS(ParticleStore(Layout::Aos, true), std::invalid_argument);
  CHECK_THROWS_AS(ParticleStore(Layout::Soa, true), std::invalid_argument);
  CHECK_THROWS_AS(System(run_config(Layout::Soa, true)), std::invalid_argument);
  try {
    ParticleStore(Layout::Aos, true);
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()).find("--python-objects applies to the heap-object layouts") == 0);
  }
  ParticleStore s = filled(Layout::Slots, 50, true);
  const ParticleStore copy_of = filled(Layout::Slots, 50, true);
  const LayoutBytes b = s.bytes();
  for (Layout to : {Layout::Aos, Layout::Soa}) {
    CHECK_THROWS_AS(s.convert_to(to), ConvertError);
    CHECK(s.layout() == Layout::Slots);
    CHECK(s.python_objects());
    CHECK(s.bytes().total() == b.total());
    CHECK(same_records(s, copy_of));
  }
}

TEST_CASE("python-objects: the memory estimate sees the headers and boxes") {
  for (Layout l : kHeapLayouts) {
    CAPTURE(layout_name(l));
    const double off = measured_bytes_per_particle(l, false), on = measured_bytes_per_particle(l, true);
    CHECK(on >= off + 7 * 24 + 32);
  }
}

TEST_CASE("python-objects: the same state hash with and without it, across layouts and switches") {
  System ref(run_config(Layout::Soa, false));
  for (int k = 0; k < 4; ++k) ref.step();
  const std::uint64_t want = ref.state_hash();
  for (Layout l : kHeapLayouts) {
    CAPTURE(layout_name(l));
    System s(run_config(l, true));
    for (int k = 0; k < 4; ++k) s.step();
    CHECK(s.state_hash() == want);
    CHECK(s.bytes().floats > 0);
  }
  System sw(run_config(Layout::Dict, true));
  sw.step();
  sw.switch_layout(Layout::Slots);
  sw.step();
  sw.switch_layout(Layout::SharedKeys);
  sw.step();
  CHECK_THROWS_AS(sw.switch_layout(Layout::Soa), ConvertError);
  sw.switch_layout(Layout::SlotsDict);
  sw.step();
  CHECK(sw.state_hash() == want);
  CHECK(sw.layout() == Layout::SlotsDict);
}

