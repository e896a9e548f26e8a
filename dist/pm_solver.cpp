// Particle-mesh gravity across ranks: not yet in this build.
#include <stdexcept>

#include "dist/solvers_internal.hpp"

namespace slotsim::dist {

std::unique_ptr<Solver> make_dist_pm(const ForceParams&, Comm&, const Segments&) {
  throw std::invalid_argument("--solver pm: not yet available in slotsim-mpi");
}

std::vector<PlanItem> pm_slab_items(const ForceParams&, const Segments&, int) { return {}; }

}  // namespace slotsim::dist
