#pragma once
// The distributed solvers: each implements sim's Solver contract for one
// rank's System (its sources are that rank's segment of the global order),
// with forces from every rank's particles, bit for bit the serial solver's
// on the same global array. None holds all N except bh's first step (below).
//   direct  source blocks travel (BlockSweep); each rank sums its targets.
//   bh      every rank gathers all sources (Allgatherv, 32 B per particle),
//           builds the same tree and walks its own targets only. Per-rank
//           memory: N x 32 B plus a tree of N (the plan counts both).
//   pm      slabs of the mesh (pm_solver.cpp).
//   none    no forces, nothing to exchange: sim's own.
#include <memory>
#include <string>
#include <vector>

#include "dist/comm.hpp"
#include "dist/segments.hpp"
#include "sim/memory_plan.hpp"
#include "sim/solvers/solver.hpp"

namespace slotsim::dist {

// `seg` is the decomposition of the run's particles; the solver's sources
// in every call are this rank's segment of it.
std::unique_ptr<Solver> make_dist_solver(const std::string& name, const ForceParams& p, Comm& comm,
                                         const Segments& seg);

// What the solver holds on this rank beyond the System's arrays, as items
// of the memory plan (RunShape::solver_items): upper estimates from the
// decomposition alone. pm's imports depend on where the particles are and
// are planned from them (pm_plan.hpp).
std::vector<PlanItem> dist_solver_items(const std::string& name, const ForceParams& p, const Segments& seg, int rank);

// Refuses (std::invalid_argument, one line) a rank count the solver's
// decomposition cannot serve: pm gives every rank at least two x-planes of
// its mesh, so at most grid / 2 ranks.
void check_decomposition(const std::string& name, const ForceParams& p, int ranks);

}  // namespace slotsim::dist
