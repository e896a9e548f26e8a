// sim/solvers/solver_memory.cpp: which solvers compute potentials.
#include "sim/solvers/solver_memory.hpp"

#include <doctest/doctest.h>

using namespace slotsim;

TEST_CASE("solver_has_potentials asks the solver, and is false for what make_solver refuses") {
  ForceParams p;
  CHECK(solver_has_potentials("bh", p));
  CHECK(solver_has_potentials("pm", p));
  CHECK_FALSE(solver_has_potentials("direct", p));
  CHECK_FALSE(solver_has_potentials("none", p));
  CHECK_FALSE(solver_has_potentials("fmm", p));
  p.periodic = true;
  CHECK_FALSE(solver_has_potentials("pm", p));
  p.periodic = false;
  p.grid = 3;  // below kPmMinGrid: refused
  CHECK_FALSE(solver_has_potentials("pm", p));
}
