#pragma once
// Factories of the distributed solvers, one per file (solvers.cpp picks),
// and pm's per-rank buffers for the plan.
#include <memory>
#include <vector>

#include "dist/comm.hpp"
#include "dist/pm_plan.hpp"
#include "dist/segments.hpp"
#include "sim/memory_plan.hpp"
#include "sim/solvers/solver.hpp"

namespace slotsim::dist {

std::unique_ptr<Solver> make_dist_direct(const ForceParams& p, Comm& comm, const Segments& seg);
std::unique_ptr<Solver> make_dist_bh(const ForceParams& p, Comm& comm, const Segments& seg);
std::unique_ptr<Solver> make_dist_pm(const ForceParams& p, Comm& comm, const Segments& seg);

// pm's mesh slabs, transposes and ghost planes on one rank (pm_solver.cpp).
std::vector<PlanItem> pm_slab_items(const ForceParams& p, const Segments& seg, int rank);

}  // namespace slotsim::dist
