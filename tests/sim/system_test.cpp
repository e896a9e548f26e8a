// System: construction, layouts, attributes, and the cross-layout hash.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include "fixtures.hpp"
#include "sim/layouts/errors.hpp"
#include "sim/system.hpp"

using namespace slotsim;
using slotsim::testing::small_config;
using slotsim::testing::run_with_switches;

TEST_CASE("state hash is identical for every layout, every solver") {
  for (const std::string& solver : solver_names()) {
    CAPTURE(solver);
    const std::uint64_t ref = run_with_switches(small_config(Layout::Soa, solver), 8);
    for (Layout l : kAllLayouts) {
      CAPTURE(layout_name(l));
      CHECK(run_with_switches(small_config(l, solver), 8) == ref);
    }
  }
}

TEST_CASE("state hash does not depend on the switch schedule") {
  for (const std::string& solver : {std::string("direct"), std::string("none")}) {
    CAPTURE(solver);
    const std::uint64_t ref = run_with_switches(small_config(Layout::Dict, solver), 9);
    CHECK(run_with_switches(small_config(Layout::Dict, solver), 9, {{3, Layout::Slots}, {6, Layout::Soa}}) == ref);
    CHECK(run_with_switches(small_config(Layout::Aos, solver), 9,
                            {{0, Layout::SlotsDict}, {1, Layout::Dict}, {8, Layout::Aos}}) == ref);
    CHECK(run_with_switches(small_config(Layout::Soa, solver), 9, {{4, Layout::Soa}, {5, Layout::Slots}}) == ref);
    // Every layout visited in one run, each from the one before.
    std::vector<std::pair<int, Layout>> tour;
    for (int k = 0; k < kNumLayouts; ++k) tour.push_back({k + 1, kAllLayouts[(k + 1) % kNumLayouts]});
    CHECK(run_with_switches(small_config(kAllLayouts[0], solver), 9, tour) == ref);
  }
}

TEST_CASE("system-level attribute rules and conversion refusal") {
  System s(small_config(Layout::Slots, "none"));
  CHECK_THROWS_WITH_AS(s.set_attr(0, "charge", 1), "AttributeError: 'Particle' object has no attribute 'charge'",
                       AttributeError);
  s.switch_layout(Layout::Dict);
  s.set_attr(5, "charge", 1);
  const auto h = s.state_hash();
  CHECK_THROWS_AS(s.switch_layout(Layout::Slots), ConvertError);
  CHECK(s.layout() == Layout::Dict);
  CHECK(s.state_hash() == h);
  CHECK(s.get_attr(5, "charge") == 1);
  REQUIRE(s.switches().size() == 1);
  CHECK(s.switches()[0].from == Layout::Slots);
  CHECK(s.switches()[0].bytes_after > s.switches()[0].bytes_before);
}

TEST_CASE("bad configuration is rejected with a clear message") {
  SimConfig c = small_config(Layout::Soa, "direct");
  c.dt = -1;
  CHECK_THROWS_WITH_AS(System{c}, doctest::Contains("--dt"), std::invalid_argument);
  c = small_config(Layout::Soa, "warp");
  CHECK_THROWS_WITH_AS(System{c}, doctest::Contains("unknown solver 'warp'"), std::invalid_argument);
  c = small_config(Layout::Soa, "none");
  c.scene = "nebula";
  CHECK_THROWS_WITH_AS(System{c}, doctest::Contains("unknown scene 'nebula'"), std::invalid_argument);
  // The constructor checks the same memory plan batch and bench do
  // (sim/memory_plan.hpp), solver buffers included: a PM mesh of 1024^3
  // cells (~56 GB) is refused before the first step, not in it.
  c = small_config(Layout::Dict, "none");
  c.particles = std::size_t(4000000000);
  CHECK_THROWS_WITH_AS(System{c}, doctest::Contains("spawning needs"), MemoryRefused);
  c = small_config(Layout::Soa, "pm");
  c.force.grid = 1024;
  CHECK_THROWS_WITH_AS(System{c}, doctest::Contains("solver 'pm' buffers"), MemoryRefused);
  CHECK_THROWS_WITH_AS((System{c, testing::plummer_sample(400, 7)}), doctest::Contains("initial particles needs"),
                       MemoryRefused);
}

TEST_CASE("a solver change is checked against the memory plan before the old solver goes") {
  System s{small_config(Layout::Soa, "pm")};
  s.step();
  const std::uint64_t before = s.state_hash();
  ForceParams big = s.config().force;
  big.grid = 1024;  // ~56 GB isolated: refused on any machine this suite runs on
  CHECK_THROWS_WITH_AS(s.set_solver("pm", big), doctest::Contains("solver pm needs"), MemoryRefused);
  CHECK(s.config().force.grid == 32);
  CHECK(s.config().solver == "pm");
  CHECK(s.state_hash() == before);
  // The running solver still steps, and a change that fits goes through.
  s.step();
  ForceParams small = s.config().force;
  small.grid = 16;
  s.set_solver("pm", small);
  CHECK(s.config().force.grid == 16);
  s.step();
  CHECK(s.steps_done() == 3);
}

TEST_CASE("declared attributes refuse non-finite values and set_dt checks its value") {
  System s(small_config(Layout::Dict, "none"));
  const auto h = s.state_hash();
  CHECK_THROWS_AS(s.set_attr(3, "x", std::numeric_limits<double>::quiet_NaN()), std::invalid_argument);
  CHECK_THROWS_AS(s.set_attr_all("vz", std::numeric_limits<double>::infinity()), std::invalid_argument);
  CHECK_THROWS_AS(s.set_attr(3, "mass", 0.0), std::invalid_argument);
  CHECK(s.state_hash() == h);
  s.set_attr(3, "charge", std::numeric_limits<double>::quiet_NaN());  // dynamic: not physics, allowed
  CHECK_THROWS_AS(s.set_dt(0), std::invalid_argument);
  CHECK_THROWS_AS(s.set_dt(std::numeric_limits<double>::infinity()), std::invalid_argument);
  s.set_dt(0.5);
  CHECK(s.config().dt == 0.5);
}


TEST_CASE("a scene slice holds the whole scene's particles at those ids, bit for bit") {
  // The distributed run's spawn: each rank keeps its ids of the scene, moved
  // to the centre-of-mass frame of the whole scene.
  for (const char* scene : {"plummer", "disk", "collision", "cold-cube"}) {
    CAPTURE(scene);
    SimConfig c;
    c.scene = scene;
    c.particles = 1003;
    c.seed = 4;
    c.layout = Layout::Dict;
    const System whole(c);
    for (const auto& [first, count] : std::vector<std::pair<std::size_t, std::size_t>>{{0, 1003}, {0, 1}, {500, 503}, {1002, 1}, {7, 0}}) {
      CAPTURE(first);
      const System part(c, SceneSlice{first, count});
      REQUIRE(part.size() == count);
      bool same = true;
      for (std::size_t k = 0; k < count; ++k) {
        const ParticleRecord a = whole.particle(first + k), b = part.particle(k);
        same = same && std::memcmp(&a, &b, sizeof a) == 0;
      }
      CHECK(same);
    }
  }
  SimConfig c;
  c.particles = 10;
  CHECK_THROWS_AS(System(c, SceneSlice{8, 3}), std::invalid_argument);
}

TEST_CASE("a System may hold no particles (a rank's empty share) and still step") {
  SimConfig c;
  c.solver = "none";
  RestoredRun r;
  System s(c, r);
  CHECK(s.size() == 0);
  s.step();
  CHECK(s.steps_done() == 1);
  s.switch_layout(Layout::Dict);
  CHECK(s.layout() == Layout::Dict);
}

TEST_CASE("set_agreement makes every divergence check ask the others, set_id_names names the particle") {
  SimConfig c;
  c.solver = "none";
  c.particles = 8;
  System s(c);
  // Another "rank" saw a non-finite value: this one stops too, unlocated.
  s.set_agreement([](bool) { return false; });
  try {
    s.step();
    FAIL("expected Diverged");
  } catch (const Diverged& e) {
    CHECK_FALSE(e.located());
  }
  System t(c);
  t.set_attr(3, "vx", 1e308);
  t.set_dt(10);
  t.set_id_names([](std::size_t id) { return id + 1000; });
  try {
    t.step();
    FAIL("expected Diverged");
  } catch (const Diverged& e) {
    CHECK(e.located());
    CHECK(e.id() == 1003);
    CHECK(std::string(e.what()).find("particle 1003 ") != std::string::npos);
  }
}
