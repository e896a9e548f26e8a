#pragma once
// What each solver allocates for N particles, as an upper estimate, so a run
// can be refused before the first step instead of dying in it (a 1024^3 mesh
// is ~60 GB). Formulas follow the buffers in each solver's source; keep them
// in step when a solver's buffers change (tests/sim/solvers/solver_memory_test
// checks each against the Solver category of the tracker on a real run).
#include <cstddef>
#include <string_view>

#include "sim/solvers/solver.hpp"

namespace slotsim {

double solver_bytes_estimate(std::string_view solver, const ForceParams& p, std::size_t n);

// Whether that solver computes potentials (Solver::has_potentials), asked
// of the solver itself rather than listed again here; building one
// allocates nothing that scales (pm makes its mesh on first use). False
// for parameters make_solver refuses: the run reports those itself.
bool solver_has_potentials(std::string_view solver, const ForceParams& p);

}  // namespace slotsim
