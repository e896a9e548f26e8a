#include <doctest/doctest.h>

#include <cmath>

#include "tests/sim/fixtures.hpp"

using namespace slotsim;
using slotsim::testing::scene_particles;

TEST_CASE("cold cube fills the cube -1 <= x, y, z < 1 evenly and is at rest") {
  const std::size_t n = 8000;
  const auto ps = scene_particles("cold-cube", n, 4);
  int octant[8] = {};
  bool inside = true, at_rest = true, equal_mass = true;
  for (const ParticleRecord& p : ps) {
    for (int a : {X, Y, Z}) inside = inside && p.get(a) >= -1 && p.get(a) < 1;
    at_rest = at_rest && p.vx == 0 && p.vy == 0 && p.vz == 0;
    equal_mass = equal_mass && p.mass == 1.0 / static_cast<double>(n);
    ++octant[(p.x >= 0) + 2 * (p.y >= 0) + 4 * (p.z >= 0)];
  }
  CHECK(inside);
  CHECK(at_rest);
  CHECK(equal_mass);
  // Each octant count is binomial(n, 1/8): mean 1000, sd ~ 30; allow 5 sd.
  const double sd = std::sqrt(n * (1.0 / 8) * (7.0 / 8));
  for (int count : octant) CHECK(std::abs(count - n / 8.0) < 5 * sd);
}
