// sim/integrator.cpp: the leapfrog against analytic orbits and conservation, and the divergence guard.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "fixtures.hpp"
#include "sim/layouts/errors.hpp"
#include "sim/system.hpp"

using namespace slotsim;
using slotsim::testing::small_config;

TEST_CASE("Kepler orbit: two bodies return to their start after one period") {
  // e = 0.5, a = 1, masses 1 and 1e-3, started at apoapsis in the COM frame.
  const double m1 = 1.0, m2 = 1e-3, M = m1 + m2, a = 1.0, e = 0.5;
  const double r = a * (1 + e), v = std::sqrt(M * (1 - e) / (a * (1 + e)));
  const std::vector<ParticleRecord> bodies = {
      {-m2 / M * r, 0, 0, 0, -m2 / M * v, 0, m1},
      {m1 / M * r, 0, 0, 0, m1 / M * v, 0, m2},
  };
  const double period = 2 * M_PI * std::sqrt(a * a * a / M);
  const int steps = 20000;
  for (Layout l : {Layout::Dict, Layout::Soa}) {
    CAPTURE(layout_name(l));
    SimConfig c;
    c.layout = l;
    c.solver = "direct";
    c.force.softening = 0;
    c.dt = period / steps;
    System s(c, bodies);
    const double e0 = s.diagnostics().total();
    double worst = 0;
    for (int k = 0; k < steps; ++k) {
      s.step();
      if (k % 100 == 0) worst = std::max(worst, std::abs(s.diagnostics().total() / e0 - 1));
    }
    const ParticleRecord p = s.particle(1);
    const double dist = std::hypot(p.x - bodies[1].x, p.y - bodies[1].y, p.z - bodies[1].z);
    MESSAGE("position error after one period: ", dist / r, " of r; max |dE/E| ", worst);
    CHECK(dist / r < 1e-5);
    CHECK(worst < 1e-6);
    CHECK(worst > 0);  // a real integrator, not a frozen state
  }
}

TEST_CASE("direct summation conserves momentum and bounds the energy error") {
  SimConfig c = small_config(Layout::Slots, "direct");
  c.particles = 500;
  c.dt = 2e-3;
  System s(c);
  const Diagnostics d0 = s.diagnostics();
  CHECK(d0.potential_method == "exact");
  CHECK(d0.potential < 0);
  const double virial = 2 * d0.kinetic / -d0.potential;
  CHECK(std::abs(virial - 1.0) < 0.2);
  for (int k = 0; k < 200; ++k) s.step();
  const Diagnostics d1 = s.diagnostics();
  const double p = std::sqrt(d1.px * d1.px + d1.py * d1.py + d1.pz * d1.pz);
  CHECK(p < 1e-13);
  CHECK(std::abs(d1.total() / d0.total() - 1) < 1e-3);
}

TEST_CASE("a step that produces a non-finite value throws Diverged naming the step and particle, in every layout") {
  for (Layout l : kAllLayouts) {
    CAPTURE(layout_name(l));
    SimConfig c = small_config(l, "none");
    System s(c);
    s.step();
    s.set_attr(11, "vx", std::numeric_limits<double>::max());
    s.set_dt(1e300);
    try {
      s.step();
      FAIL("no divergence");
    } catch (const Diverged& e) {
      CHECK(e.step() == 2);
      CHECK(e.id() == 11);
      CHECK(std::string(e.what()).find("particle 11 has a non-finite position") != std::string::npos);
    }
    CHECK(s.steps_done() == 1);
  }
}

TEST_CASE("coincident particles at softening 0: Diverged names the lowest partner id, whatever the storage order") {
  // Stored as ids 5, 0, 4, 1, 2, 3: particles 0, 4 and 2 share a point, and
  // storage order meets 4 before 2. The partner named is 2, the lowest id,
  // which is also what a distributed run's search of every rank names.
  RestoredRun r;
  const std::uint32_t ids[] = {5, 0, 4, 1, 2, 3};
  for (const std::uint32_t id : ids) {
    const bool same = id == 0 || id == 4 || id == 2;
    r.particles.push_back(same ? ParticleRecord{0.5, 0.25, -1, 0, 0, 0, 1}
                               : ParticleRecord{double(id), 2.0 * id, 1, 0, 0, 0, 1});
    r.ids.push_back(id);
  }
  for (Layout l : {Layout::Soa, Layout::Dict}) {
    CAPTURE(layout_name(l));
    SimConfig c = small_config(l, "direct");
    c.particles = r.particles.size();
    c.force.softening = 0;
    System s(c, r);
    try {
      s.step();
      FAIL("no divergence");
    } catch (const Diverged& e) {
      CHECK(e.id() == 0);
      CHECK(std::string(e.what()).find("step 1: particles 0 and 2 coincide at (0.5, 0.25, -1) with softening 0") !=
            std::string::npos);
      REQUIRE(e.unsoftened_at());
      CHECK(*e.unsoftened_at() == std::array<double, 3>{0.5, 0.25, -1});
    }
    CHECK(s.coincident_with({0.5, 0.25, -1}, 0) == std::optional<std::size_t>(2));
    CHECK(s.coincident_with({0.5, 0.25, -1}, 2) == std::optional<std::size_t>(0));
    CHECK_FALSE(s.coincident_with({5, 10, 1}, 5));  // alone there
  }
}
