// The `disk` scene: particle 0 is a central mass of 1 at rest at the origin;
// the other n - 1 particles share a disk mass of 0.05 in a thin exponential
// disk in the x-y plane rotating counter-clockwise about +z. Total mass 1.05
// (1 when n == 1).
//
// Surface density ~ exp(-R / Rd) with Rd = 1, truncated to 0.2 <= R <= 5.
// The inner cut keeps orbital periods >= 0.56, i.e. >= 560 steps at the
// default dt = 1e-3; without it a few particles would pass arbitrarily close
// to the point mass and their energy error would dominate the diagnostics.
//
// Speeds are circular for the mass enclosed within R -- the central mass
// plus the disk inside R as if it were spherically distributed. (The exact
// potential of a thin exponential disk needs Bessel functions, and at 5% of
// the mass its correction to the speed is under 1%.) On top of that, a
// Gaussian in-plane dispersion of 5% of the circular speed and a vertical
// one of h * Omega, which is what keeps a Gaussian layer of scale height h
// in vertical equilibrium when the central mass dominates the potential.
#include <cmath>
#include <numbers>

#include "sim/scenes/builtin.hpp"
#include "sim/scenes/rng.hpp"

namespace slotsim::detail {
namespace {

constexpr double kCentralMass = 1.0;
constexpr double kDiskMass = 0.05;
constexpr double kScaleLength = 1.0;
constexpr double kInnerRadius = 0.2;
constexpr double kOuterRadius = 5.0;
constexpr double kScaleHeight = 0.02;
constexpr double kDispersion = 0.05;  // in-plane, as a fraction of circular speed

// Fraction of an untruncated exponential disk's mass inside radius R.
double exponential_mass_fraction(double r) {
  const double x = r / kScaleLength;
  return 1.0 - (1.0 + x) * std::exp(-x);
}

}  // namespace

void generate_disk(const SceneParams& p, ParticleSink& sink) {
  ParticleRecord centre;
  centre.mass = kCentralMass;
  sink.push(centre);
  if (p.n == 1) return;

  Rng rng(p.seed);
  const double m = kDiskMass / static_cast<double>(p.n - 1);
  const double f_in = exponential_mass_fraction(kInnerRadius);
  const double f_range = exponential_mass_fraction(kOuterRadius) - f_in;
  for (std::size_t i = 1; i < p.n; ++i) {
    // The radius of an exponential disk particle, R e^(-R/Rd) dR, is a
    // Gamma(2, Rd) variate: the sum of two exponential ones. Exact and
    // loop-free, unlike inverting the mass profile (which needs Lambert W or
    // Newton steps); redrawing outside the cuts accepts 94% of the time.
    // 1 - uniform() is in (0, 1], so the logs are finite.
    double r;
    do {
      r = -kScaleLength * (std::log(1.0 - rng.uniform()) + std::log(1.0 - rng.uniform()));
    } while (r < kInnerRadius || r > kOuterRadius);
    const double phi = rng.uniform(0.0, 2.0 * std::numbers::pi);
    const double c = std::cos(phi), s = std::sin(phi);

    const double enclosed =
        kCentralMass + kDiskMass * (exponential_mass_fraction(r) - f_in) / f_range;
    const double v_circ = std::sqrt(enclosed / r);
    const double omega = v_circ / r;
    const double v_r = kDispersion * v_circ * rng.normal();
    const double v_phi = v_circ + kDispersion * v_circ * rng.normal();

    ParticleRecord q;
    q.x = r * c;
    q.y = r * s;
    q.z = kScaleHeight * rng.normal();
    q.vx = v_r * c - v_phi * s;
    q.vy = v_r * s + v_phi * c;
    q.vz = kScaleHeight * omega * rng.normal();
    q.mass = m;
    sink.push(q);
  }
}

}  // namespace slotsim::detail
