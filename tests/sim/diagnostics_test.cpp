// sim/diagnostics.cpp: the state hash and the energy diagnostic.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include "fixtures.hpp"
#include "sim/layouts/errors.hpp"
#include "sim/system.hpp"

using namespace slotsim;
using slotsim::testing::small_config;

TEST_CASE("the state hash sees a one-bit change") {
  System a(small_config(Layout::Soa, "none"));
  const auto h = a.state_hash();
  ParticleRecord p = a.particle(17);
  a.set_attr(17, "vz", std::nextafter(p.vz, 1.0));
  CHECK(a.state_hash() != h);
}

TEST_CASE("above 20,000 particles the potential is sampled, labelled, and close to exact") {
  SimConfig c = small_config(Layout::Soa, "none");
  c.particles = 25000;
  c.diagnostic_budget_s = 1e9;  // the sample size is timed; here, take the largest
  System s(c);
  const Diagnostics d = s.diagnostics();
  CHECK(d.potential_method == "sampled(1000 of 25000)");
  // Fixed at the first call: the same particles every time.
  CHECK(s.diagnostics().potential == d.potential);
  SimConfig quick = c;
  quick.diagnostic_budget_s = 0;
  CHECK(System(quick).diagnostics().potential_method == "sampled(64 of 25000)");
  double w = 0;
  const double eps2 = c.force.softening * c.force.softening;
  std::vector<ParticleRecord> p(s.size());
  for (std::size_t i = 0; i < p.size(); ++i) p[i] = s.particle(i);
  for (std::size_t i = 0; i < p.size(); ++i)
    for (std::size_t j = i + 1; j < p.size(); ++j) {
      const double dx = p[i].x - p[j].x, dy = p[i].y - p[j].y, dz = p[i].z - p[j].z;
      w -= p[i].mass * p[j].mass / std::sqrt(dx * dx + dy * dy + dz * dz + eps2);
    }
  MESSAGE("sampled ", d.potential, " exact ", w);
  CHECK(std::abs(d.potential / w - 1) < 0.05);
}

