// The `collision` scene: two Plummer spheres of mass 1/2 each (scale length
// kHenonPlummerScale, half-mass radius ~ 0.77) falling together on a bound
// orbit. Particles [0, n - n/2) form sphere A, the rest sphere B; each
// sphere's particles share its mass equally, so for odd n the two particle
// masses differ slightly but each sphere still weighs exactly 1/2.
//
// Orbit of the two centres, treated as point masses (M = 1): separation 8
// along x, relative speed 0.8 x the escape speed sqrt(2 M / 8) = 0.4, with the
// angular momentum of a Kepler orbit whose pericentre is 1 -- close enough
// (about 1.3 half-mass radii) that the spheres interpenetrate and merge
// rather than fly through each other. Orbital energy -0.045 per unit reduced
// mass, so semi-major axis ~ 11.1, eccentricity 0.91, and the first
// pericentre passage comes at t ~ 14.5.
#include <cmath>
#include <stdexcept>

#include "sim/scenes/builtin.hpp"
#include "sim/scenes/plummer_sampler.hpp"

namespace slotsim::detail {
namespace {

constexpr double kSphereMass = 0.5;
constexpr double kSeparation = 8.0;
constexpr double kEscapeFraction = 0.8;
constexpr double kPericentre = 1.0;

}  // namespace

void generate_collision(const SceneParams& p, ParticleSink& sink) {
  if (p.n < 2)
    throw std::invalid_argument("scene 'collision' needs at least 2 particles (one per sphere)");
  const double total = 2.0 * kSphereMass;
  const double speed = kEscapeFraction * std::sqrt(2.0 * total / kSeparation);
  // Conservation of energy and angular momentum between here and pericentre.
  const double v_peri =
      std::sqrt(speed * speed + 2.0 * total * (1.0 / kPericentre - 1.0 / kSeparation));
  const double v_tangential = kPericentre * v_peri / kSeparation;
  const double v_radial = -std::sqrt(speed * speed - v_tangential * v_tangential);

  // B relative to A is (kSeparation, 0, 0) moving at (v_radial, v_tangential,
  // 0); with equal masses each centre sits half of that from the origin.
  struct Centre {
    double x, vx, vy;
  };
  const Centre centres[2] = {{-0.5 * kSeparation, -0.5 * v_radial, -0.5 * v_tangential},
                             {0.5 * kSeparation, 0.5 * v_radial, 0.5 * v_tangential}};
  const std::size_t counts[2] = {p.n - p.n / 2, p.n / 2};

  Rng rng(p.seed);
  const PlummerSphere sphere{kSphereMass, kHenonPlummerScale};
  for (int s = 0; s < 2; ++s) {
    const double m = kSphereMass / static_cast<double>(counts[s]);
    for (std::size_t i = 0; i < counts[s]; ++i) {
      ParticleRecord r = sample_plummer(rng, sphere, m);
      r.x += centres[s].x;
      r.vx += centres[s].vx;
      r.vy += centres[s].vy;
      sink.push(r);
    }
  }
}

}  // namespace slotsim::detail
