#pragma once
// pm_occupancy (occupancy.hpp) of a scene's starting positions, streamed
// from the scene twice (its extent, then its cells) without holding them:
// what a fresh run's isolated pm mesh touches on its first step, known
// before the System spawns anything. Costs two generations of the scene
// and 10 grid^2 bytes. Its own header: occupancy.hpp is included by every
// user of the memory plan, this only by the command that plans a scene.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sim/solvers/pm/occupancy.hpp"

namespace slotsim {

// A scene's starting frame, from one generation of it: its mass, the shift
// to its centre of mass that System::spawn_scene applies (d), and the extent
// of the shifted positions (x + d is monotonic in x, so the raw extent
// shifted). The first pass of pm_occupancy_of_scene and of
// dist/pm_plan.cpp's count of a scene's imports.
struct SceneFrame {
  double mass = 0;
  double d[3] = {0, 0, 0};
  double lo[3] = {0, 0, 0}, hi[3] = {0, 0, 0};
};
SceneFrame scene_frame(std::string_view scene, std::size_t particles, std::uint64_t seed);

PmOccupancy pm_occupancy_of_scene(std::string_view scene, std::size_t particles, std::uint64_t seed, int grid);

}  // namespace slotsim
