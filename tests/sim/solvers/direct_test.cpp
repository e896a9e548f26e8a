#include <doctest/doctest.h>
#include <omp.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "sim/solvers/solver.hpp"
#include "tests/sim/fixtures.hpp"

using namespace slotsim;
using slotsim::testing::AccelArrays;
using slotsim::testing::SourceArrays;

TEST_CASE("direct: two bodies get the analytic softened force") {
  ForceParams fp;
  fp.softening = 0.1;
  auto s = make_solver("direct", fp);
  SourceArrays src;
  src.push(0.5, -1.0, 2.0, 3.0);
  src.push(0.5 + 1.2, -1.0 - 0.4, 2.0 + 0.3, 0.25);
  AccelArrays a(2);
  Accels acc = a.accels();
  SolverPhases ph;
  s->accelerations(src.sources(), acc, ph);

  const double dx = 1.2, dy = -0.4, dz = 0.3;
  const double r2 = dx * dx + dy * dy + dz * dz + 0.01;
  const double f = 1.0 / (r2 * std::sqrt(r2));
  CHECK(a.ax[0] == doctest::Approx(0.25 * f * dx).epsilon(1e-14));
  CHECK(a.ay[0] == doctest::Approx(0.25 * f * dy).epsilon(1e-14));
  CHECK(a.az[0] == doctest::Approx(0.25 * f * dz).epsilon(1e-14));
  CHECK(a.ax[1] == doctest::Approx(-3.0 * f * dx).epsilon(1e-14));
  CHECK(a.ay[1] == doctest::Approx(-3.0 * f * dy).epsilon(1e-14));
  CHECK(a.az[1] == doctest::Approx(-3.0 * f * dz).epsilon(1e-14));
  CHECK(ph.solve_ms > 0);  // the pair sum is reported as the solve phase (the clock has ns resolution)
  CHECK(ph.build_ms == 0);
  CHECK(ph.interpolate_ms == 0);
}

TEST_CASE("direct: a lone particle feels nothing, even unsoftened") {
  ForceParams fp;
  fp.softening = 0;
  auto s = make_solver("direct", fp);
  SourceArrays src;
  src.push(1, 2, 3, 1);
  AccelArrays a(1);
  Accels acc = a.accels();
  SolverPhases ph;
  s->accelerations(src.sources(), acc, ph);
  CHECK(a.ax[0] == 0);
  CHECK(a.ay[0] == 0);
  CHECK(a.az[0] == 0);
}

TEST_CASE("direct: momentum is conserved (sum m a = 0 to rounding)") {
  // 1003: not a multiple of the target block, so the ragged tail is covered.
  const auto ps = slotsim::testing::plummer_sample(1003, 7);
  SourceArrays src(ps);
  auto s = make_solver("direct", ForceParams{});
  AccelArrays a(ps.size());
  Accels acc = a.accels();
  SolverPhases ph;
  s->accelerations(src.sources(), acc, ph);
  double fx = 0, fy = 0, fz = 0, scale = 0;
  for (std::size_t i = 0; i < ps.size(); ++i) {
    fx += src.m[i] * a.ax[i];
    fy += src.m[i] * a.ay[i];
    fz += src.m[i] * a.az[i];
    scale += src.m[i] * std::sqrt(a.ax[i] * a.ax[i] + a.ay[i] * a.ay[i] + a.az[i] * a.az[i]);
  }
  REQUIRE(scale > 0);
  CHECK(std::abs(fx) < 1e-12 * scale);
  CHECK(std::abs(fy) < 1e-12 * scale);
  CHECK(std::abs(fz) < 1e-12 * scale);
}

TEST_CASE("direct: bit-identical between calls and thread counts") {
  const auto ps = slotsim::testing::plummer_sample(777, 3);
  SourceArrays src(ps);
  auto s = make_solver("direct", ForceParams{});
  const auto [a, b, c, ph] = slotsim::testing::run_on_two_then_one_thread(*s, src);
  CHECK(slotsim::testing::bitwise_equal(a, b));
  CHECK(slotsim::testing::bitwise_equal(a, c));
}

TEST_CASE("direct: negative softening is rejected") {
  ForceParams fp;
  fp.softening = -1;
  CHECK_THROWS_AS(make_solver("direct", fp), std::invalid_argument);
}
