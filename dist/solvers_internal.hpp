#pragma once
// Factories of the distributed solvers, one per file (solvers.cpp picks).
#include <memory>

#include "dist/comm.hpp"
#include "dist/segments.hpp"
#include <vector>

#include "sim/memory_plan.hpp"
#include "sim/solvers/solver.hpp"

namespace slotsim::dist {

std::unique_ptr<Solver> make_dist_direct(const ForceParams& p, Comm& comm, const Segments& seg);
std::unique_ptr<Solver> make_dist_bh(const ForceParams& p, Comm& comm, const Segments& seg);
std::unique_ptr<Solver> make_dist_pm(const ForceParams& p, Comm& comm, const Segments& seg);

}  // namespace slotsim::dist

namespace slotsim::dist {
// pm's split of its n x-planes over the ranks: rank r owns planes
// pm_plane(n, P, r) .. pm_plane(n, P, r + 1) - 1 (the same even split is
// used for its kz blocks).
inline int pm_plane(int n, int ranks, int r) { return static_cast<int>(static_cast<long long>(n) * r / ranks); }
// pm's mesh slabs, transposes and ghost planes on one rank (pm_solver.cpp).
std::vector<PlanItem> pm_slab_items(const ForceParams& p, const Segments& seg, int rank);
}  // namespace slotsim::dist
