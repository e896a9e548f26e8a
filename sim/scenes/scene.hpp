#pragma once
// Initial conditions. A scene streams particles, in id order, into a sink;
// it never holds the whole set, so a 10M-particle scene costs only what the
// destination store costs. (Returning a std::vector<ParticleRecord> was
// rejected: a transient 560 MB copy at 10M would dominate the peak heap
// figure this tool reports.) Every scene is a pure function of (n, seed).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/particle.hpp"

namespace slotsim {

class ParticleSink {
 public:
  virtual ~ParticleSink() = default;
  virtual void push(const ParticleRecord& p) = 0;
};

struct SceneParams {
  std::size_t n = 0;
  std::uint64_t seed = 1;
};

struct SceneInfo {
  std::string name;
  std::string description;
  // The time step the GUI starts this scene with (when --dt is not given):
  // chosen so that at 200,000 particles with the pm solver on two cores the
  // scene visibly does what it claims within a minute (see the registry).
  double default_dt = 1e-3;
};

// Names and one-line descriptions of every scene, in registry order.
const std::vector<SceneInfo>& scene_list();
// "plummer, cold-cube, ...": the registry's names, in its order.
std::string scene_names_text();
// The error every entry point gives for an unknown scene name.
std::string unknown_scene_text(std::string_view name);
// Streams exactly p.n particles; throws std::invalid_argument for an unknown
// name (listing the valid ones) or n == 0.
void generate_scene(std::string_view name, const SceneParams& p, ParticleSink& sink);

}  // namespace slotsim
