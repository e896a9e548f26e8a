#pragma once
// What each solver allocates for N particles, as an upper estimate, so a run
// can be refused before the first step instead of dying in it (a 1024^3 mesh
// is ~60 GB). Formulas follow the buffers in each solver's source; keep them
// in step when a solver's buffers change (tests/sim/solvers/solver_memory_test
// checks each against the Solver category of the tracker on a real run).
#include <cstddef>
#include <string_view>

#include "sim/solvers/pm/occupancy.hpp"
#include "sim/solvers/solver.hpp"

namespace slotsim {

// With `occ` (the positions known before the run: a restart's or an --ic
// file's), an isolated pm mesh is priced by what those positions touch
// (sim/solvers/pm/occupancy.hpp) instead of every row: a Plummer sphere on
// the 256 mesh peaked at 0.42 of the bound.
double solver_bytes_estimate(std::string_view solver, const ForceParams& p, std::size_t n,
                             const PmOccupancy* occ = nullptr);
// The occupancy-priced pm buffers are planned at this multiple of what the
// positions at plan time touch. The mesh is refitted to the particles every
// step; a system in equilibrium keeps its occupancy within a few percent
// (the table in docs/RELIABILITY.md), and one that spreads out far past
// that is what the plan's own margin (its limit is 90% of what is
// available) is left to absorb.
inline constexpr double kPmOccupancyHeadroom = 1.10;

// Whether that solver computes potentials (Solver::has_potentials), asked
// of the solver itself rather than listed again here; building one
// allocates nothing that scales (pm makes its mesh on first use). False
// for parameters make_solver refuses: the run reports those itself.
bool solver_has_potentials(std::string_view solver, const ForceParams& p);

}  // namespace slotsim
