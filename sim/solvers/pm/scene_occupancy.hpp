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

PmOccupancy pm_occupancy_of_scene(std::string_view scene, std::size_t particles, std::uint64_t seed, int grid);

}  // namespace slotsim
