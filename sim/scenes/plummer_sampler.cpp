#include "sim/scenes/plummer_sampler.hpp"

#include <cmath>

namespace slotsim {
namespace {

struct Vec3 {
  double x, y, z;
};

// Uniform on the unit sphere: z uniform in [-1, 1] (Archimedes) and an
// independent azimuth. Cheaper than normalising three normals (three logs).
Vec3 random_direction(Rng& rng) {
  const double z = rng.uniform(-1.0, 1.0);
  const double phi = rng.uniform(0.0, 2.0 * std::numbers::pi);
  const double s = std::sqrt(1.0 - z * z);
  return {s * std::cos(phi), s * std::sin(phi), z};
}

}  // namespace

ParticleRecord sample_plummer(Rng& rng, const PlummerSphere& sphere, double particle_mass) {
  const double a = sphere.scale;
  // Inverting m(r) = r^3 / (r^2 + a^2)^(3/2) gives r = a c / sqrt(1 - c^2)
  // with c = m^(1/3); written this way m = 0 yields r = 0 instead of the
  // 1/0 of the textbook form a / sqrt(m^(-2/3) - 1). Drawing m uniformly in
  // [0, cut) is the truncated distribution exactly, with no redraw loop.
  const double c = std::cbrt(kPlummerMassCut * rng.uniform());
  const double r = a * c / std::sqrt(1.0 - c * c);

  // q = v / v_escape has density proportional to g(q) = q^2 (1 - q^2)^(7/2)
  // on [0, 1]; max g = 0.0922 at q^2 = 2/9, so a 0.1-high box rejects about
  // 57% of tries. (1 - q^2)^(7/2) as a cube times a root, not std::pow.
  double q;
  for (;;) {
    q = rng.uniform();
    const double s = 1.0 - q * q;
    const double g = q * q * s * s * s * std::sqrt(s);
    if (0.1 * rng.uniform() < g) break;
  }
  const double v_escape = std::sqrt(2.0 * sphere.mass / std::sqrt(r * r + a * a));
  const double v = q * v_escape;

  const Vec3 pd = random_direction(rng);
  const Vec3 vd = random_direction(rng);
  ParticleRecord p;
  p.x = r * pd.x;
  p.y = r * pd.y;
  p.z = r * pd.z;
  p.vx = v * vd.x;
  p.vy = v * vd.y;
  p.vz = v * vd.z;
  p.mass = particle_mass;
  return p;
}

}  // namespace slotsim
