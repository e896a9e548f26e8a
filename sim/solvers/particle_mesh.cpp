// Placeholder until the mesh code lands; keeps the registry table linkable.
#include <stdexcept>

#include "sim/solvers/builtin.hpp"

namespace slotsim::detail {

std::unique_ptr<Solver> make_particle_mesh_solver(const ForceParams&) {
  throw std::invalid_argument("solver 'pm' is not implemented yet");
}

}  // namespace slotsim::detail
