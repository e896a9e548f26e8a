#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "sim/scenes/plummer_sampler.hpp"
#include "tests/sim/fixtures.hpp"

using namespace slotsim;
using slotsim::testing::scene_particles;

namespace {

struct Energies {
  double kinetic = 0, potential = 0;
};

// Kinetic energy in the centre-of-mass frame and potential energy by direct
// pair sum (G = 1, no softening): independent of every solver.
Energies energies(const std::vector<ParticleRecord>& ps) {
  double m = 0, vx = 0, vy = 0, vz = 0;
  for (const ParticleRecord& p : ps) {
    m += p.mass;
    vx += p.mass * p.vx;
    vy += p.mass * p.vy;
    vz += p.mass * p.vz;
  }
  vx /= m;
  vy /= m;
  vz /= m;
  Energies e;
  for (std::size_t i = 0; i < ps.size(); ++i) {
    const ParticleRecord& p = ps[i];
    const double dx = p.vx - vx, dy = p.vy - vy, dz = p.vz - vz;
    e.kinetic += 0.5 * p.mass * (dx * dx + dy * dy + dz * dz);
    for (std::size_t j = i + 1; j < ps.size(); ++j) {
      const ParticleRecord& q = ps[j];
      const double rx = p.x - q.x, ry = p.y - q.y, rz = p.z - q.z;
      e.potential -= p.mass * q.mass / std::sqrt(rx * rx + ry * ry + rz * rz);
    }
  }
  return e;
}

}  // namespace

TEST_CASE("plummer constants are Henon units") {
  // E = -(3 pi / 64) M^2 / a must be -1/4, and the half-mass radius
  // a / sqrt(2^(2/3) - 1) the textbook 0.769 of that normalisation.
  CHECK(std::abs(-3.0 * M_PI / 64.0 / kHenonPlummerScale + 0.25) < 1e-15);
  CHECK(std::abs(kHenonPlummerScale / std::sqrt(std::cbrt(4.0) - 1.0) - 0.769) < 5e-4);
}

TEST_CASE("plummer scene is in virial equilibrium with E = -1/4") {
  const auto ps = scene_particles("plummer", 5000, 3);
  const Energies e = energies(ps);
  // Tolerances are five times the seed-to-seed standard deviation at this n
  // (0.9% for the virial ratio, 1.4% for E, over 40 seeds): finite-n
  // fluctuations of the pair sum, not a systematic allowance.
  // Plain comparisons, not doctest::Approx, whose epsilon is scaled by
  // 1 + |value| and so would double (or, for E, quintuple) the tolerance.
  CHECK(std::abs(2 * e.kinetic / -e.potential - 1.0) < 0.045);
  CHECK(std::abs((e.kinetic + e.potential) / -0.25 - 1.0) < 0.07);
}

TEST_CASE("plummer scene has the half-mass radius of its mass profile") {
  const std::size_t n = 5000;
  const auto ps = scene_particles("plummer", n, 11);
  double cx = 0, cy = 0, cz = 0;
  for (const ParticleRecord& p : ps) {
    cx += p.mass * p.x;
    cy += p.mass * p.y;
    cz += p.mass * p.z;
  }
  std::vector<double> r;
  for (const ParticleRecord& p : ps) r.push_back(std::hypot(p.x - cx, p.y - cy, p.z - cz));
  std::nth_element(r.begin(), r.begin() + n / 2, r.end());
  const double median = r[n / 2];

  // The radius enclosing half of the *kept* mass (the sampler drops the
  // outer 0.1%), and the standard deviation of a sample median,
  // 1 / (2 f(r_h) sqrt(n)) with f = dm/dr = 3 a^2 r^2 / (r^2 + a^2)^(5/2).
  const double a = kHenonPlummerScale;
  const double c = std::cbrt(0.5 * kPlummerMassCut);
  const double r_half = a * c / std::sqrt(1 - c * c);
  const double f =
      3 * a * a * r_half * r_half / std::pow(r_half * r_half + a * a, 2.5) / kPlummerMassCut;
  const double sigma = 1 / (2 * f * std::sqrt(static_cast<double>(n)));
  CHECK(std::abs(r_half - 0.769) < 2e-3);
  CHECK(std::abs(median - r_half) < 5 * sigma);
}

TEST_CASE("plummer sampler keeps radii inside the mass cut and speeds below escape") {
  Rng rng(5);
  const PlummerSphere sphere{0.5, 2.0};
  const double c = std::cbrt(kPlummerMassCut);
  const double r_max = sphere.scale * c / std::sqrt(1 - c * c);
  for (int i = 0; i < 20000; ++i) {
    const ParticleRecord p = sample_plummer(rng, sphere, 0.25);
    const double r2 = p.x * p.x + p.y * p.y + p.z * p.z;
    const double v2 = p.vx * p.vx + p.vy * p.vy + p.vz * p.vz;
    REQUIRE(std::sqrt(r2) <= r_max);
    REQUIRE(v2 < 2 * sphere.mass / std::sqrt(r2 + sphere.scale * sphere.scale));
    REQUIRE(p.mass == 0.25);
  }
}
