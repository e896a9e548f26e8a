#include "dist/solvers.hpp"

#include "dist/block_sweep.hpp"
#include "dist/solvers_internal.hpp"
#include "sim/memory_plan.hpp"
#include "sim/solvers/solver_memory.hpp"

namespace slotsim::dist {

std::unique_ptr<Solver> make_dist_solver(const std::string& name, const ForceParams& p, Comm& comm,
                                         const Segments& seg) {
  if (name == "direct") return make_dist_direct(p, comm, seg);
  if (name == "bh") return make_dist_bh(p, comm, seg);
  if (name == "pm") return make_dist_pm(p, comm, seg);
  return make_solver(name, p);  // none: no forces, nothing to exchange
}

std::vector<PlanItem> dist_solver_items(const std::string& name, const ForceParams& p, const Segments& seg, int rank) {
  const double n = double(seg.n);
  // The energy diagnostic's exact sums and the snapshot's potential sweep
  // the source blocks too (dist/exact_potential.cpp).
  const PlanItem blocks{"source blocks in flight (2 of the largest segment, 32 B/particle each)", BlockSweep::bytes(seg)};
  if (name == "direct") return {blocks};
  if (name == "bh")
    return {{"bh: every rank's sources, gathered (2 x 32 B x " + std::to_string(seg.n) + ")", 2 * 32 * n},
            {"bh: the tree of all particles (estimate)", solver_bytes_estimate("bh", p, seg.n) + 4 * (n + 1)},
            blocks};
  if (name == "pm") {
    std::vector<PlanItem> v = pm_slab_items(p, seg, rank);
    v.push_back(blocks);
    return v;
  }
  return {blocks};
}

void check_decomposition(const std::string& name, const ForceParams& p, int ranks) {
  if (name == "pm" && ranks > p.grid / 2)
    throw std::invalid_argument("pm --grid " + std::to_string(p.grid) + " gives each rank at least 2 of its " +
                                std::to_string(p.grid) + " x-planes, so it runs on at most " +
                                std::to_string(p.grid / 2) + " ranks, not " + std::to_string(ranks) +
                                " (use fewer ranks or a larger --grid)");
}

}  // namespace slotsim::dist
