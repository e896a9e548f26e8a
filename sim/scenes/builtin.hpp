#pragma once
// Generators of the built-in scenes, one per translation unit, called only by
// the table in registry.cpp. An explicit table instead of self-registering
// statics because a static library drops object files nothing references, and
// with them their registrations. The registry has already checked p.n >= 1.
#include "sim/scenes/scene.hpp"

namespace slotsim::detail {

void generate_plummer(const SceneParams& p, ParticleSink& sink);
void generate_cold_cube(const SceneParams& p, ParticleSink& sink);
void generate_collision(const SceneParams& p, ParticleSink& sink);
void generate_disk(const SceneParams& p, ParticleSink& sink);

}  // namespace slotsim::detail
