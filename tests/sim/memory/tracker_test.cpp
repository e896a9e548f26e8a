#include <doctest/doctest.h>

#include <memory>
#include <vector>

#include "sim/layouts/names.hpp"
#include "sim/layouts/particle_store.hpp"
#include "sim/memory/tracker.hpp"

using namespace slotsim;

// Allocations are stored here, through a volatile pointer, so the compiler
// cannot elide a new/delete pair (allowed since C++14) and leave nothing to
// count.
char* volatile g_sink = nullptr;

TEST_CASE("tracker counts new and delete, requested and usable, without headers") {
  const mem::HeapStats a = mem::heap_stats();
  char* p = new char[1000];
  g_sink = p;
  const mem::HeapStats b = mem::heap_stats();
  CHECK(b.current_requested - a.current_requested == 1000);
  CHECK(b.current_usable - a.current_usable >= 1000);
  CHECK(b.live_blocks - a.live_blocks == 1);
  CHECK(b.peak_requested >= b.current_requested);
  const mem::HeapStats b2 = mem::heap_stats();
  delete[] p;
  const mem::HeapStats c = mem::heap_stats();
  // delete[] on char is unsized: the usable size stands in for the request.
  CHECK(b2.current_usable - c.current_usable == b.current_usable - a.current_usable);
  CHECK(b2.live_blocks - c.live_blocks == 1);
  CHECK(c.unsized_frees == b2.unsized_frees + 1);
}

TEST_CASE("tracker counts aligned and sized forms exactly") {
  const mem::HeapStats a = mem::heap_stats();
  void* p = ::operator new(4096, std::align_val_t(256));
  CHECK(reinterpret_cast<std::uintptr_t>(p) % 256 == 0);
  CHECK(mem::heap_stats().current_requested - a.current_requested == 4096);
  ::operator delete(p, 4096, std::align_val_t(256));
  auto v = std::make_unique<std::vector<double>>(100);
  CHECK(mem::heap_stats().current_requested - a.current_requested ==
        static_cast<std::int64_t>(sizeof(std::vector<double>) + 800));
  v.reset();
  const mem::HeapStats b = mem::heap_stats();
  CHECK(b.current_requested == a.current_requested);
  CHECK(b.current_usable == a.current_usable);
}

TEST_CASE("peak follows the high-water mark and reset_peak lowers it") {
  mem::reset_peak();
  const auto base = mem::heap_stats();
  { std::vector<char> big(10'000'000); big[0] = 1; }
  const auto after = mem::heap_stats();
  CHECK(after.peak_requested - base.current_requested >= 10'000'000);
  CHECK(after.current_requested == base.current_requested);
  mem::reset_peak();
  CHECK(mem::heap_stats().peak_requested == mem::heap_stats().current_requested);
}

TEST_CASE("a store's memory returns to the baseline when it is freed (no leak)") {
  for (Layout l : kAllLayouts) {
    CAPTURE(layout_name(l));
    // Names are interned for the life of the process: create them first.
    intern("charge");
    for (int a = 0; a < kNumAttrs; ++a) declared_name(a);
    const mem::Snapshot before = mem::take_snapshot();
    {
      ParticleStore s(l);
      for (int i = 0; i < 5000; ++i) s.push(ParticleRecord{double(i), 0, 0, 0, 0, 0, 1});
      if (l != Layout::Slots) s.set_attr_all("charge", 2.0);
      CHECK(mem::category_stats(mem::Category::Particles).requested > 0);
    }
    const mem::SnapshotDiff d = mem::compare(before, mem::take_snapshot());
    CHECK(d.requested == 0);
    CHECK(d.usable == 0);
    CHECK(d.blocks == 0);
    CHECK(d.categories[static_cast<int>(mem::Category::Particles)].requested == 0);
  }
}

TEST_CASE("counting resource attributes bytes to its category") {
  const auto before = mem::category_stats(mem::Category::Solver);
  {
    mem::CountingResource r(mem::Category::Solver);
    std::pmr::vector<double> v(&r);
    v.reserve(1000);
    CHECK(r.requested() == 8000);
    CHECK(r.blocks() == 1);
    CHECK(mem::category_stats(mem::Category::Solver).requested - before.requested == 8000);
  }
  CHECK(mem::category_stats(mem::Category::Solver).requested == before.requested);
}

TEST_CASE("snapshot diff sees an allocation between snapshots, RSS is read") {
  const mem::Snapshot a = mem::take_snapshot();
  auto keep = std::make_unique<char[]>(1 << 20);
  const mem::Snapshot b = mem::take_snapshot();
  CHECK(mem::compare(a, b).requested == (1 << 20));
  CHECK(mem::compare(a, b).blocks == 1);
  CHECK(b.rss > 0);
  CHECK(mem::available_bytes() > 0);
}
