#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>

#include "tests/sim/fixtures.hpp"

using namespace slotsim;
using slotsim::testing::scene_particles;
using slotsim::testing::VectorSink;

namespace {

struct Body {
  double m = 0, x = 0, y = 0, z = 0, vx = 0, vy = 0, vz = 0;
};

Body centre_of_mass(const std::vector<ParticleRecord>& ps, std::size_t begin, std::size_t end) {
  Body b;
  for (std::size_t i = begin; i < end; ++i) {
    const ParticleRecord& p = ps[i];
    b.m += p.mass;
    b.x += p.mass * p.x;
    b.y += p.mass * p.y;
    b.z += p.mass * p.z;
    b.vx += p.mass * p.vx;
    b.vy += p.mass * p.vy;
    b.vz += p.mass * p.vz;
  }
  for (double* v : {&b.x, &b.y, &b.z, &b.vx, &b.vy, &b.vz}) *v /= b.m;
  return b;
}

}  // namespace

TEST_CASE("collision: two half-mass spheres on a bound, approaching orbit") {
  const std::size_t n = 4001;
  const auto ps = scene_particles("collision", n, 9);
  const std::size_t split = n - n / 2;
  const Body a = centre_of_mass(ps, 0, split);
  const Body b = centre_of_mass(ps, split, n);
  CHECK(std::abs(a.m - 0.5) < 1e-12);
  CHECK(std::abs(b.m - 0.5) < 1e-12);

  const double dx = b.x - a.x, dy = b.y - a.y, dz = b.z - a.z;
  const double dvx = b.vx - a.vx, dvy = b.vy - a.vy, dvz = b.vz - a.vz;
  const double d = std::sqrt(dx * dx + dy * dy + dz * dz);
  const double v2 = dvx * dvx + dvy * dvy + dvz * dvz;
  // Each sphere's centre of mass scatters about its nominal position by
  // ~ rms radius / sqrt(n/2) ~ 2 / sqrt(2000); the separation by ~ 0.06, so
  // 0.3 is five times that.
  CHECK(std::abs(d - 8.0) < 0.3);
  CHECK(0.5 * v2 - (a.m + b.m) / d < 0);      // bound
  CHECK(dx * dvx + dy * dvy + dz * dvz < 0);  // approaching
  // Not head-on: the relative orbit carries angular momentum.
  const double lz = dx * dvy - dy * dvx;
  CHECK(std::abs(lz) > 0.5);
}

TEST_CASE("collision needs a particle per sphere") {
  VectorSink sink;
  CHECK_THROWS_AS(generate_scene("collision", SceneParams{1, 1}, sink), std::invalid_argument);
}
