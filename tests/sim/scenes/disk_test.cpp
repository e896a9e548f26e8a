#include <doctest/doctest.h>

#include <cmath>

#include "tests/sim/fixtures.hpp"

using namespace slotsim;
using slotsim::testing::scene_particles;

TEST_CASE("disk: central mass at rest, then a thin disk on near-circular orbits") {
  const std::size_t n = 5001;
  const auto ps = scene_particles("disk", n, 2);
  const ParticleRecord& c = ps[0];
  CHECK(c.mass == 1.0);
  CHECK(c.x == 0);
  CHECK(c.y == 0);
  CHECK(c.z == 0);
  CHECK(c.vx == 0);
  CHECK(c.vy == 0);
  CHECK(c.vz == 0);

  // ratio = v_phi / v_kepler(R) with v_kepler = sqrt(M_central / R). The
  // disk's own mass (5%) can raise the circular speed by at most
  // sqrt(1.05) ~ 2.5%; the 5% dispersion averages out over the sample.
  double sum = 0, sum2 = 0, vr_sum = 0, z2_sum = 0;
  bool bound = true;
  for (std::size_t i = 1; i < n; ++i) {
    const ParticleRecord& p = ps[i];
    const double r = std::hypot(p.x, p.y);
    const double v_kepler = std::sqrt(c.mass / r);
    const double ratio = (p.x * p.vy - p.y * p.vx) / r / v_kepler;
    sum += ratio;
    sum2 += ratio * ratio;
    vr_sum += (p.x * p.vx + p.y * p.vy) / r / v_kepler;
    z2_sum += p.z * p.z;
    const double v2 = p.vx * p.vx + p.vy * p.vy + p.vz * p.vz;
    bound = bound && 0.5 * v2 < 1.05 / std::hypot(r, p.z);
  }
  const double m = static_cast<double>(n - 1);
  const double mean = sum / m;
  const double sd = std::sqrt(sum2 / m - mean * mean);
  CHECK(mean > 0.99);
  CHECK(mean < std::sqrt(1.05) + 0.01);
  CHECK(sd < 0.1);                      // near-circular
  CHECK(std::abs(vr_sum / m) < 0.01);   // no net radial flow
  CHECK(std::sqrt(z2_sum / m) < 0.05);  // thin
  CHECK(bound);
}
