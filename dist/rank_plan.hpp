#pragma once
// One memory plan per rank, checked per node. Each rank plans its own share
// (sim's plan_run over its segment, with the distributed solver's buffers:
// dist_solver_bytes, and pm's imports counted from the particles), and the
// ranks that share a node share its memory: their peaks together must fit
// the node's limit (90% of MemAvailable), since each rank alone would see
// the whole node as its own. A refusal is agreed: every rank throws the same
// MemoryRefused, naming the node and the rank with the largest peak.
#include <string>
#include <vector>

#include "dist/comm.hpp"
#include "sim/memory_plan.hpp"

namespace slotsim::dist {

struct RankPeak {
  int rank = 0;
  std::string host;
  std::size_t particles = 0;
  double peak = 0;         // bytes of this rank's largest phase
  std::string phase;       // its name
  double node_total = 0;   // the peaks of every rank on its node
  double node_limit = 0;   // 90% of the node's MemAvailable (0: unknown)
};

// Collective. Gathers every rank's plan peak; with dry_run rank 0 prints its
// own plan and a table of every rank's peak and node totals. Throws an
// agreed MemoryRefused (dry run too, so the exit status says so) when a
// node's ranks together exceed its limit. Returns the table on every rank.
std::vector<RankPeak> check_rank_plans(Comm& comm, const MemoryPlan& mine, std::size_t particles,
                                       const std::string& what, bool dry_run);

}  // namespace slotsim::dist
