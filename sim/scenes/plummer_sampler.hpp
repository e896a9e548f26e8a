#pragma once
// One particle of a Plummer sphere, sampled as in Aarseth, Henon & Wielen
// (1974). Shared by the `plummer` and `collision` scenes.
#include <numbers>

#include "sim/particle.hpp"
#include "sim/scenes/rng.hpp"

namespace slotsim {

// The scale length that makes a unit-mass Plummer sphere have total energy
// E = -(3 pi / 64) G M^2 / a = -1/4 with G = 1 (Henon's N-body units), so the
// virial radius is 1 and the half-mass radius a / sqrt(2^(2/3) - 1) ~ 0.769.
inline constexpr double kHenonPlummerScale = 3.0 * std::numbers::pi / 16.0;

// Radii are drawn from the mass profile truncated at this enclosed-mass
// fraction (r ~ 38.7 a). The untruncated profile falls off only as r^-5, so
// at 10M particles the outermost one would sit near r ~ 4000 a and stretch
// every tree's root cell and the PM mesh over empty space. A cut in mass
// rather than in radius (the other common choice, r < 10 a) keeps all but
// 0.1% of the model instead of dropping 1.5% of it.
inline constexpr double kPlummerMassCut = 0.999;

struct PlummerSphere {
  double mass = 1.0;
  double scale = kHenonPlummerScale;
};

// Position and velocity relative to the sphere's centre (G = 1), isotropic
// velocities from the equilibrium distribution function; the record's mass
// is set to `particle_mass`.
ParticleRecord sample_plummer(Rng& rng, const PlummerSphere& sphere, double particle_mass);

}  // namespace slotsim
