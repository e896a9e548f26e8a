#include <doctest/doctest.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "sim/solvers/solver.hpp"
#include "tests/sim/fixtures.hpp"

using namespace slotsim;

TEST_CASE("registry: lists the solvers and builds each by its name") {
  const std::vector<std::string> names = solver_names();
  CHECK(names == std::vector<std::string>{"direct", "none", "bh", "pm"});
  for (const std::string& n : names) {
    auto s = make_solver(n, ForceParams{});
    REQUIRE(s);
    CHECK(s->name() == n);
  }
}

TEST_CASE("registry: which solvers read a parameter, as a list and as a question") {
  CHECK(solvers_using(SolverParam::Theta) == std::vector<std::string>{"bh"});
  CHECK(solvers_using(SolverParam::Periodic) == std::vector<std::string>{"pm"});
  CHECK(solver_uses("bh", SolverParam::Theta));
  CHECK_FALSE(solver_uses("direct", SolverParam::Theta));
  CHECK(solver_uses("pm", SolverParam::Periodic));
  CHECK_FALSE(solver_uses("bh", SolverParam::Periodic));
  CHECK_FALSE(solver_uses("no-such-solver", SolverParam::Softening));
  // The question agrees with the list for every pair.
  for (const SolverParam p : {SolverParam::Softening, SolverParam::Theta, SolverParam::Grid, SolverParam::Periodic,
                              SolverParam::Box}) {
    const auto users = solvers_using(p);
    for (const std::string& n : solver_names())
      CHECK(solver_uses(n, p) == (std::find(users.begin(), users.end(), n) != users.end()));
  }
}

TEST_CASE("registry: an unknown name throws, naming the choices") {
  try {
    make_solver("foo", ForceParams{});
    FAIL("no exception");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()) == "unknown solver 'foo' (choose: direct, none, bh, pm)");
  }
}

TEST_CASE("none: free streaming writes zeros and says it has no forces") {
  auto s = make_solver("none", ForceParams{});
  CHECK_FALSE(s->has_forces());
  const auto ps = slotsim::testing::plummer_sample(10, 1);
  slotsim::testing::SourceArrays src(ps);
  slotsim::testing::AccelArrays a(ps.size());
  Accels acc = a.accels();
  SolverPhases ph;
  ph.solve_ms = 5;
  s->accelerations(src.sources(), acc, ph);
  for (std::size_t i = 0; i < ps.size(); ++i) {
    CHECK(a.ax[i] == 0);
    CHECK(a.ay[i] == 0);
    CHECK(a.az[i] == 0);
  }
  CHECK(ph.solve_ms == 0);
}
