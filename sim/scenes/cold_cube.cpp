// The `cold-cube` scene: unit mass spread uniformly over the cube [-1, 1)^3,
// at rest, so it collapses. Side 2 gives a free-fall time sqrt(3 pi / 32 rho)
// ~ 1.5 at rho = 1/8, the same order as the Plummer sphere's crossing time
// (2 sqrt 2), so one dt suits both scenes.
#include "sim/scenes/builtin.hpp"
#include "sim/scenes/rng.hpp"

namespace slotsim::detail {

void generate_cold_cube(const SceneParams& p, ParticleSink& sink) {
  Rng rng(p.seed);
  const double m = 1.0 / static_cast<double>(p.n);
  for (std::size_t i = 0; i < p.n; ++i) {
    ParticleRecord r;
    r.x = rng.uniform(-1.0, 1.0);
    r.y = rng.uniform(-1.0, 1.0);
    r.z = rng.uniform(-1.0, 1.0);
    r.mass = m;
    sink.push(r);
  }
}

}  // namespace slotsim::detail
