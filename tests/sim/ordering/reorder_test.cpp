// sim/ordering/reorder.cpp: Morton reordering keeps ids and bits.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include "sim/fixtures.hpp"
#include "sim/layouts/errors.hpp"
#include "sim/system.hpp"

using namespace slotsim;
using slotsim::testing::small_config;
using slotsim::testing::run_with_switches;

TEST_CASE("spatial reordering keeps ids: free streaming is bit-identical with and without it") {
  for (Layout l : kAllLayouts) {
    CAPTURE(layout_name(l));
    SimConfig c = small_config(l, "none");
    const std::uint64_t plain = run_with_switches(c, 6);
    c.sort_every = 2;
    System s(c);
    const ParticleRecord p5 = s.particle(5);
    for (int k = 0; k < 6; ++k) s.step();
    CHECK(s.state_hash() == plain);
    // Particle 5 has moved in memory but is still particle 5.
    CHECK(s.particle(5).mass == p5.mass);
    CHECK(s.particle(5).vx == p5.vx);
  }
}

TEST_CASE("spatial reordering with forces: same hash for every layout and switch schedule") {
  SimConfig c = small_config(Layout::Soa, "direct");
  c.sort_every = 3;
  const std::uint64_t ref = run_with_switches(c, 7);
  for (Layout l : kAllLayouts) {
    CAPTURE(layout_name(l));
    c.layout = l;
    CHECK(run_with_switches(c, 7) == ref);
  }
  c.layout = Layout::Dict;
  CHECK(run_with_switches(c, 7, {{2, Layout::Slots}, {4, Layout::Aos}}) == ref);
}


TEST_CASE("spatial reordering of a store large enough for the threaded gathers: the same bits at 1 and 2 threads") {
  // 40,000 particles: past the size (2^15) from which permute.hpp's gathers
  // and the id maps run on every thread.
  for (Layout l : {Layout::Soa, Layout::Aos, Layout::Slots, Layout::Dict}) {
    CAPTURE(layout_name(l));
    SimConfig c = small_config(l, "pm");
    c.particles = 40000;
    c.sort_every = 2;
    // One System at a time: the thread count is the process's (limits.cpp).
    auto run = [&](int threads, ParticleRecord& p) {
      c.threads = threads;
      System s(c);
      for (int k = 0; k < 5; ++k) s.step();
      p = s.particle(123);
      return s.state_hash();
    };
    ParticleRecord a, b;
    const std::uint64_t h1 = run(1, a), h2 = run(2, b);
    CHECK(h1 == h2);
    CHECK(a.x == b.x);
    CHECK(a.vx == b.vx);
  }
  SimConfig c = small_config(Layout::Soa, "none");
  c.particles = 40000;
  const std::uint64_t plain = run_with_switches(c, 4);
  c.sort_every = 1;
  c.threads = 2;
  CHECK(run_with_switches(c, 4) == plain);
}
