// The `plummer` scene: one unit-mass Plummer sphere in Henon units.
#include "sim/scenes/builtin.hpp"
#include "sim/scenes/plummer_sampler.hpp"

namespace slotsim::detail {

void generate_plummer(const SceneParams& p, ParticleSink& sink) {
  Rng rng(p.seed);
  const PlummerSphere sphere;
  const double m = 1.0 / static_cast<double>(p.n);
  for (std::size_t i = 0; i < p.n; ++i) sink.push(sample_plummer(rng, sphere, m));
}

}  // namespace slotsim::detail
