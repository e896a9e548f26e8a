// The heap map (host/heap_map.hpp): Morton ranks, sampling real stores, and
// the raster's layout of addresses (gaps squeezed, spans in order).
#include "host/heap_map.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <numeric>
#include <string>

#include "sim/layouts/particle_store.hpp"

using namespace slotsim;
using namespace slotsim::host;

namespace {

ParticleStore store_of(Layout l, std::size_t n) {
  ParticleStore s(l);
  s.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    ParticleRecord r;
    // Along a line: Morton order = index order.
    r.x = double(i);
    r.mass = 1;
    s.push(r);
  }
  return s;
}

}  // namespace

TEST_CASE("heap map: Morton ranks follow the Z curve and span [0, 1]") {
  // Four corners of a square in Z order: (0,0), (1,0), (0,1), (1,1).
  const std::vector<double> xyz = {1, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0};
  const std::vector<float> r = morton_ranks(xyz);
  REQUIRE(r.size() == 4);
  CHECK(r[1] == 0.0f);                         // (0,0)
  CHECK(r[3] == doctest::Approx(1.0 / 3));     // (1,0)
  CHECK(r[2] == doctest::Approx(2.0 / 3));     // (0,1)
  CHECK(r[0] == 1.0f);                         // (1,1)
  CHECK(morton_ranks({5, 5, 5}) == std::vector<float>{0.0f});
}

TEST_CASE("heap map: every heap-object layout gives its objects, dict its tables, soa its cells") {
  constexpr std::size_t n = 1000;
  for (Layout l : kAllLayouts) {
    CAPTURE(layout_name(l));
    const ParticleStore s = store_of(l, n);
    const HeapSample h = sample_heap(s, 100);
    CHECK(h.layout == l);
    CHECK(h.n == n);
    CHECK(h.stride == 10);
    CHECK(h.sampled == 100);
    REQUIRE(h.index_rank.size() == 100);
    // Particles on a line in index order: the ranks rise with the index.
    CHECK(std::is_sorted(h.index_rank.begin(), h.index_rank.end()));
    std::size_t objects = 0, tables = 0, cells = 0;
    for (const HeapSpan& x : h.spans) {
      objects += x.kind == SpanKind::Object;
      tables += x.kind == SpanKind::Table;
      cells += x.kind == SpanKind::Cell;
      CHECK(x.addr != 0);
      CHECK(x.bytes > 0);
    }
    if (traits(l).columns) {
      CHECK(cells == 100 * kNumAttrs);
      CHECK(objects == 0);
      CHECK(span_legend(h) == "each run: the particle's cells in the arrays");
    } else {
      CHECK(objects == 100);
      // dict: its table; split-keys: its dict object and its values array
      // (__init__ made them); slots+dict and shared-keys: none until used.
      const std::size_t per = l == Layout::Dict ? 1 : l == Layout::SplitKeys ? 2 : 0;
      CHECK(tables == 100 * per);
      // The legend follows what was drawn: every heap-object layout's
      // blocks are objects (split-keys' were called cells by a list of
      // layouts), with its __dict__'s blocks only where the sample has some.
      CHECK(span_legend(h) ==
            (per ? "bright: the object, dim: what its __dict__ holds" : "each block: one object"));
    }
  }
}

// Every particle sampled (stride 1): the blocks drawn are exactly what the
// store allocated, byte for byte, whatever state the dicts are in (none,
// split, combined), with --python-objects' headers in front of objects and
// dicts or without, so the map leaves none of them out and draws none of
// them short.
TEST_CASE("heap map: every particle's blocks add up to the store's accounts") {
  constexpr std::size_t n = 64;
  auto check = [](const ParticleStore& s) {
    const HeapSample h = sample_heap(s, s.size());
    REQUIRE(h.stride == 1);
    long long objects = 0, tables = 0, values = 0;
    for (const HeapSpan& x : h.spans) {
      REQUIRE(x.kind != SpanKind::Cell);
      (x.kind == SpanKind::Table ? tables : x.kind == SpanKind::Value ? values : objects) += x.bytes;
    }
    const LayoutBytes b = s.bytes();
    // The headers (py_headers) are those of objects and of dicts alike.
    CHECK(objects + tables == b.objects + b.tables + b.py_headers);
    // The float objects: every live one, i.e. the account less the boxes
    // that wait on the free list (CPython's float free list keeps them).
    const long long free_boxes = s.visit([](const auto& st) -> long long {
      if constexpr (requires { st.py_state(); })
        return st.py_state().free_count;
      else
        return 0;
    });
    CHECK(values == b.floats - free_boxes * static_cast<long long>(sizeof(FloatBox)));
    if (!s.python_objects()) {
      CHECK(objects == b.objects);
      CHECK(tables == b.tables);
      CHECK(values == 0);
    } else {
      CHECK(objects > b.objects);  // each object drawn from its header's first byte
      CHECK(values > 0);
    }
  };
  auto combined = [](const ParticleStore& s) {
    return s.visit([](const auto& st) -> std::size_t {
      if constexpr (requires { st.combined_dicts(); })
        return st.combined_dicts();
      else
        return 0;
    });
  };
  for (Layout l : kAllLayouts) {
    if (!traits(l).heap_objects) continue;
    for (bool py : {false, true}) {
      CAPTURE(layout_name(l));
      CAPTURE(py);
      ParticleStore s(l, py);
      for (std::size_t i = 0; i < n; ++i) {
        ParticleRecord r;
        r.x = double(i);
        r.mass = 1;
        s.push(r);
      }
      check(s);
      if (!traits(l).has_dict) continue;
      s.read_dict_all();  // shared-keys, slots+dict: a dict each now
      CHECK(s.bytes().tables > 0);
      check(s);
      s.set_attr(3, "charge", 1.0);
      s.del_attr(3, "charge");  // split-keys: particle 3 combines (a table replaces its values)
      // shared-keys: past the 30 names its keys can hold, particle 5 combines.
      for (int k = 0; k < 24; ++k) s.set_attr(5, "extra" + std::to_string(k), double(k));
      if (l == Layout::SplitKeys || l == Layout::SharedKeys) CHECK(combined(s) >= 1);
      check(s);
      // Declared values rewritten (`p.x = v`: a new float each, the old one
      // onto the free list, which holds at most 100 before the allocator
      // gets them back).
      for (std::size_t i = 0; i < n; i += 3) s.set_attr(i, "x", -double(i));
      check(s);
      for (int k = 0; k < 4; ++k) s.set_attr_all("vx", double(k));
      check(s);
    }
  }
}

TEST_CASE("heap map: split-keys draws each particle's dict object and values array where they are") {
  const ParticleStore s = store_of(Layout::SplitKeys, 16);
  const HeapSample h = sample_heap(s, 16);
  REQUIRE(h.spans.size() == 16 * 3);
  s.visit([&](const auto& st) {
    if constexpr (requires { st.class_keys(); }) {
      for (std::size_t i = 0; i < 16; ++i) {
        // The object, then what its dict owns, in that order.
        CHECK(h.spans[3 * i].kind == SpanKind::Object);
        CHECK(h.spans[3 * i].addr == reinterpret_cast<std::uintptr_t>(st.object_block(i).addr));
        CHECK(h.spans[3 * i + 1].kind == SpanKind::Table);
        CHECK(h.spans[3 * i + 1].bytes == 32);  // the dict object (PyDictObject without its head)
        const HeapSpan& values = h.spans[3 * i + 2];
        CHECK(values.kind == SpanKind::Table);
        CHECK(values.bytes == 8 * st.class_keys()->entry_capacity());  // the values array
        // Every declared attribute's value lies inside that block.
        for (int a = 0; a < kNumAttrs; ++a) {
          const auto cell = reinterpret_cast<std::uintptr_t>(st.find_attr(i, declared_name(a)));
          CHECK(cell >= values.addr);
          CHECK(cell + sizeof(double) <= values.addr + values.bytes);
        }
      }
    } else {
      FAIL("not a split-keys store");
    }
  });
}

// --python-objects: each declared value is a float object of its own, drawn
// as the 24-B block it is, outside the object that points at it; a write
// (`p.x = v`) makes a new one, which the map then finds where the new one is.
TEST_CASE("heap map: --python-objects draws each declared value's float object") {
  for (Layout l : kAllLayouts) {
    if (!traits(l).heap_objects) continue;
    CAPTURE(layout_name(l));
    ParticleStore s(l, true);
    for (std::size_t i = 0; i < 8; ++i) {
      ParticleRecord r;
      r.x = double(i);
      r.mass = 1;
      s.push(r);
    }
    const HeapSample h = sample_heap(s, 8);
    REQUIRE(h.spans.size() >= 8 * (1 + kNumAttrs));
    std::size_t values = 0;
    std::uintptr_t obj_lo = 0, obj_hi = 0;
    for (const HeapSpan& x : h.spans) {
      if (x.kind == SpanKind::Object) {
        obj_lo = x.addr;
        obj_hi = x.addr + x.bytes;
      }
      if (x.kind != SpanKind::Value) continue;
      ++values;
      CHECK(x.bytes == sizeof(FloatBox));
      CHECK((x.addr + x.bytes <= obj_lo || x.addr >= obj_hi));  // a block of its own, not inside its object
    }
    CHECK(values == 8 * kNumAttrs);
    // Particle 2's x: the box the map draws holds the value, before and
    // after a write moves it to a new float object.
    auto x_box = [](const HeapSample& hs) {
      for (const HeapSpan& x : hs.spans)
        if (x.kind == SpanKind::Value && reinterpret_cast<const FloatBox*>(x.addr)->value == 2.0) return x.addr;
      return std::uintptr_t{0};
    };
    const std::uintptr_t before = x_box(h);
    REQUIRE(before != 0);
    CHECK(reinterpret_cast<const FloatBox*>(before)->type != nullptr);
    s.set_attr(2, "x", 2.0);
    const std::uintptr_t after = x_box(sample_heap(s, 8));
    CHECK(after != 0);
    CHECK(after != before);  // `p.x = 2.0` made a new float; the old one is on the free list
    const bool tables =
        std::any_of(h.spans.begin(), h.spans.end(), [](const HeapSpan& x) { return x.kind == SpanKind::Table; });
    CHECK(span_legend(h) == (tables ? "bright: the object, dim: what its __dict__ holds, dark: its float objects"
                                    : "bright: the object, dark: its float objects"));
  }
}

TEST_CASE("heap map: aos cells are the records, contiguous and in index order") {
  const ParticleStore s = store_of(Layout::Aos, 64);
  const HeapSample h = sample_heap(s, 64);
  REQUIRE(h.spans.size() == 64 * kNumAttrs);
  for (std::size_t k = 1; k < h.spans.size(); ++k) CHECK(h.spans[k].addr == h.spans[k - 1].addr + sizeof(double));
}

TEST_CASE("heap map: the raster keeps address order and squeezes far gaps") {
  HeapSample s;
  // Two regions 1 GiB apart, four spans of 100 bytes each.
  const std::uintptr_t a = 0x100000, b = a + (std::uintptr_t{1} << 30);
  s.spans = {{b + 100, 100, SpanKind::Object, 1.0f},
             {a, 100, SpanKind::Object, 0.0f},
             {a + 100, 100, SpanKind::Table, 0.0f},
             {b, 100, SpanKind::Object, 0.5f}};
  const HeapRaster r = rasterise(s, 41, 1);
  CHECK(r.regions == 2);
  CHECK(r.span_bytes == 400);
  CHECK(r.lo == a);
  CHECK(r.hi == b + 200);
  REQUIRE(r.rgba.size() == 41);
  // 40 pixels for 400 bytes (10 B each) plus one for the gap.
  CHECK(r.rgba[0] == rank_colour(0.0f));
  CHECK(r.rgba[9] == rank_colour(0.0f));
  CHECK(r.rgba[10] != rank_colour(0.0f));  // the table: dimmed
  CHECK(r.rgba[20] == kGapPixel);
  CHECK(r.rgba[21] == rank_colour(0.5f));
  CHECK(r.rgba[40] == rank_colour(1.0f));
  CHECK(std::count(r.rgba.begin(), r.rgba.end(), kEmptyPixel) == 0);
}

TEST_CASE("heap map: an empty sample draws an empty picture and strip") {
  const HeapSample s;
  const HeapRaster r = rasterise(s, 8, 4);
  CHECK(r.rgba.size() == 32);
  CHECK(std::all_of(r.rgba.begin(), r.rgba.end(), [](std::uint32_t c) { return c == kEmptyPixel; }));
  CHECK(index_strip(s, 5) == std::vector<std::uint32_t>(5, kEmptyPixel));
  CHECK(rank_colour(0.0f) != rank_colour(1.0f));
}
