#include <doctest/doctest.h>

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
