#pragma once
// Factories of the built-in solvers, one per translation unit, called only by
// the table in registry.cpp. An explicit table instead of self-registering
// statics because a static library drops object files nothing references, and
// with them their registrations.
#include <memory>

#include "sim/solvers/solver.hpp"

namespace slotsim::detail {

std::unique_ptr<Solver> make_direct_solver(const ForceParams& p);
std::unique_ptr<Solver> make_none_solver(const ForceParams& p);
std::unique_ptr<Solver> make_barnes_hut_solver(const ForceParams& p);
std::unique_ptr<Solver> make_particle_mesh_solver(const ForceParams& p);

}  // namespace slotsim::detail
