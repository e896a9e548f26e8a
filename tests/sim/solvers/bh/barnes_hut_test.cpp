#include <doctest/doctest.h>
#include <omp.h>

#include <cmath>
#include <stdexcept>

#include "sim/memory/tracker.hpp"
#include "sim/solvers/bh/bh_kernels.hpp"
#include "sim/solvers/solver.hpp"
#include "tests/sim/fixtures.hpp"

using namespace slotsim;
using slotsim::testing::AccelArrays;
using slotsim::testing::SourceArrays;

namespace {

AccelArrays run(const std::string& name, const ForceParams& fp, const SourceArrays& src) {
  AccelArrays a(src.x.size());
  Accels acc = a.accels();
  SolverPhases ph;
  make_solver(name, fp)->accelerations(src.sources(), acc, ph);
  return a;
}

bool all_finite(const AccelArrays& a) {
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!std::isfinite(a.ax[i]) || !std::isfinite(a.ay[i]) || !std::isfinite(a.az[i])) return false;
  return true;
}

}  // namespace

TEST_CASE("bh: accuracy against direct summation on a 20k Plummer sphere") {
  const SourceArrays src(slotsim::testing::plummer_sample(20000, 11));
  ForceParams fp;
  const AccelArrays ref = run("direct", fp, src);
  fp.theta = 0.5;
  const double e05 = slotsim::testing::rms_rel_error(ref, run("bh", fp, src));
  fp.theta = 0.7;
  const double e07 = slotsim::testing::rms_rel_error(ref, run("bh", fp, src));
  fp.theta = 0.3;
  const double e03 = slotsim::testing::rms_rel_error(ref, run("bh", fp, src));
  MESSAGE("bh rms relative error, N=20000 Plummer, eps=0.01: theta 0.3: " << e03 << ", 0.5: " << e05
                                                                          << ", 0.7: " << e07);
  CHECK(e05 <= 1e-3);
  CHECK(e07 <= 3e-3);
  // A smaller opening angle must buy accuracy, else theta is not wired up.
  CHECK(e03 < e05);
  CHECK(e05 < e07);
}

TEST_CASE("bh: bit-identical between calls and thread counts") {
  const SourceArrays src(slotsim::testing::plummer_sample(30000, 5));
  auto s = make_solver("bh", ForceParams{});
  const auto [a, b, c, ph] = slotsim::testing::run_on_two_then_one_thread(*s, src);
  CHECK(all_finite(a));
  CHECK(slotsim::testing::bitwise_equal(a, b));
  CHECK(slotsim::testing::bitwise_equal(a, c));
  CHECK(ph.build_ms > 0);  // tree build and walk are reported as build and solve
  CHECK(ph.solve_ms > 0);
  CHECK(ph.interpolate_ms == 0);
}

TEST_CASE("bh: kernel floor: the call's own mix of terms, on the kernel the walk runs, changing no result") {
  const SourceArrays src(slotsim::testing::plummer_sample(20000, 7));
  auto s = make_solver("bh", ForceParams{});
  CHECK(s->kernel_floor(1).ms == 0);  // before any call: nothing to time
  AccelArrays a(src.x.size()), b(src.x.size());
  Accels aa = a.accels(), ab = b.accels();
  SolverPhases ph;
  s->accelerations(src.sources(), aa, ph);
  const std::uint64_t interactions = s->interactions();
  const Solver::KernelFloor k = s->kernel_floor(2);
  CHECK(k.kernel == std::string(detail::usable_bh_kernels().front().name));
  CHECK(k.node_terms > 0);
  CHECK(k.particle_terms > 0);
  CHECK(k.node_terms + k.particle_terms == interactions);
  CHECK(k.sample_groups > 0);
  CHECK(k.node_ns > 0);
  CHECK(k.particle_ns > 0);
  CHECK(k.ms == doctest::Approx((double(k.node_terms) * k.node_ns + double(k.particle_terms) * k.particle_ns) * 1e-6));
  s->accelerations(src.sources(), ab, ph);
  CHECK(slotsim::testing::bitwise_equal(a, b));
  CHECK(s->interactions() == interactions);
  // Solvers without pair kernels report none.
  const SourceArrays small(slotsim::testing::plummer_sample(2000, 7));
  AccelArrays c(small.x.size());
  Accels ac = c.accels();
  for (const char* name : {"direct", "pm", "none"}) {
    CAPTURE(name);
    auto o = make_solver(name, ForceParams{});
    o->accelerations(small.sources(), ac, ph);
    CHECK(o->kernel_floor(1).ms == 0);
  }
}

TEST_CASE("bh: tiny inputs") {
  ForceParams fp;
  SUBCASE("no particles") {
    SourceArrays src;
    AccelArrays a(0);
    Accels acc = a.accels();
    SolverPhases ph;
    make_solver("bh", fp)->accelerations(src.sources(), acc, ph);
  }
  SUBCASE("one particle feels nothing") {
    SourceArrays src;
    src.push(3, -2, 1, 5);
    const AccelArrays a = run("bh", fp, src);
    CHECK(a.ax[0] == 0);
    CHECK(a.ay[0] == 0);
    CHECK(a.az[0] == 0);
  }
  SUBCASE("two particles get the pair force") {
    SourceArrays src;
    src.push(0, 0, 0, 2);
    src.push(1, 0, 0, 1);
    const AccelArrays a = run("bh", fp, src), ref = run("direct", fp, src);
    CHECK(a.ax[0] == doctest::Approx(ref.ax[0]).epsilon(1e-6));
    CHECK(a.ax[1] == doctest::Approx(ref.ax[1]).epsilon(1e-6));
    CHECK(a.ay[0] == 0);
    CHECK(a.az[1] == 0);
  }
}

TEST_CASE("bh: coincident particles give finite, zero forces, even unsoftened") {
  // All keys equal: one leaf far larger than a group, and no direction.
  SourceArrays src;
  for (int i = 0; i < 1000; ++i) src.push(0.25, 0.5, -1, 1e-3);
  for (const double eps : {0.0, 0.01}) {
    ForceParams fp;
    fp.softening = eps;
    const AccelArrays a = run("bh", fp, src);
    for (std::size_t i = 0; i < a.size(); ++i) {
      CHECK(a.ax[i] == 0);
      CHECK(a.ay[i] == 0);
      CHECK(a.az[i] == 0);
    }
  }
}

TEST_CASE("bh: clusters far from the origin keep their accuracy") {
  // Float positions are taken relative to a nearby centre, so an offset of
  // 1e6 (where float's spacing is 0.06) must not degrade the forces.
  const auto ps = slotsim::testing::plummer_sample(4000, 2);
  SourceArrays near, far;
  for (const auto& p : ps) {
    near.push(p.x, p.y, p.z, p.mass);
    far.push(p.x + 1e6, p.y - 1e6, p.z + 1e6, p.mass);
  }
  ForceParams fp;
  fp.theta = 0.5;
  const double e_near =
      slotsim::testing::rms_rel_error(run("direct", fp, near), run("bh", fp, near));
  const double e_far = slotsim::testing::rms_rel_error(run("direct", fp, far), run("bh", fp, far));
  CHECK(e_near <= 1e-3);
  CHECK(e_far <= 1e-3);
}

TEST_CASE("bh: unsoftened close pairs stay accurate") {
  // eps = 0 and pairs 1e-7 apart: the near-field differences are formed in
  // double, so the pair force survives to float precision.
  SourceArrays src;
  const auto ps = slotsim::testing::plummer_sample(500, 9);
  for (const auto& p : ps) {
    src.push(p.x, p.y, p.z, p.mass);
    src.push(p.x + 1e-7, p.y, p.z, p.mass);
  }
  ForceParams fp;
  fp.softening = 0;
  const AccelArrays ref = run("direct", fp, src), a = run("bh", fp, src);
  CHECK(all_finite(a));
  CHECK(slotsim::testing::rms_rel_error(ref, a) <= 1e-5);
}

TEST_CASE("bh: buffers are charged to the Solver memory category") {
  const auto before = mem::category_stats(mem::Category::Solver).requested;
  {
    const SourceArrays src(slotsim::testing::plummer_sample(5000, 4));
    auto s = make_solver("bh", ForceParams{});
    AccelArrays a(src.x.size());
    Accels acc = a.accels();
    SolverPhases ph;
    s->accelerations(src.sources(), acc, ph);
    // At least the sorted positions and masses.
    CHECK(mem::category_stats(mem::Category::Solver).requested - before >=
          static_cast<std::int64_t>(4 * sizeof(double) * src.x.size()));
  }
  CHECK(mem::category_stats(mem::Category::Solver).requested == before);
}

TEST_CASE("bh: a non-positive theta is rejected") {
  ForceParams fp;
  fp.theta = 0;
  CHECK_THROWS_AS(make_solver("bh", fp), std::invalid_argument);
  fp.theta = NAN;
  CHECK_THROWS_AS(make_solver("bh", fp), std::invalid_argument);
}

// Solver::potentials: the tree walk's potential, for the energy diagnostic.

TEST_CASE("bh: potential against direct summation on a 4000-particle Plummer sphere") {
  ForceParams fine, coarse;
  fine.theta = 0.2;
  coarse.theta = 0.7;
  const auto acc = slotsim::testing::potential_accuracy("bh", coarse, fine);
  const double e02 = acc.rms_fine, e07 = acc.rms_coarse;
  MESSAGE("bh potential rms relative error, N=4000 Plummer, eps=0.01: theta 0.2: " << e02 << ", 0.7: " << e07
                                                                                  << "; energy: " << acc.energy_fine
                                                                                  << ", " << acc.energy_coarse);
  // theta 0.2 opens nearly everything: what is left is the single-precision
  // sums (~1e-7 per term, over a few hundred terms), far below 1e-5.
  CHECK(e02 <= 1e-5);
  // theta 0.7: the quadrupole expansion's truncation. The potential falls
  // off one power of r slower than the force, so its relative truncation
  // error is a power of theta smaller than the force's (bounded at 3e-3
  // in the force test above); 5e-4 is that bound with room.
  CHECK(e07 <= 5e-4);
  CHECK(e02 < e07);  // the opening criterion is the forces' one
  CHECK(acc.energy_coarse <= e07);  // the total is no worse than its parts
}

TEST_CASE("bh: the potential is bit-identical between calls and thread counts, and leaves the forces alone") {
  const SourceArrays src(slotsim::testing::plummer_sample(30000, 5));
  auto s = make_solver("bh", ForceParams{});
  slotsim::testing::check_potentials_contract(*s, src);
}

TEST_CASE("bh: potential of tiny inputs") {
  ForceParams fp;
  SUBCASE("no particles") {
    SourceArrays src;
    CHECK(make_solver("bh", fp)->potentials(src.sources(), nullptr));
  }
  SUBCASE("one particle has none") {
    SourceArrays src;
    src.push(3, -2, 1, 5);
    CHECK(slotsim::testing::solver_potentials("bh", fp, src)[0] == 0);
  }
  SUBCASE("two particles get the pair's") {
    SourceArrays src;
    src.push(0, 0, 0, 2);
    src.push(1, 0, 0, 1);
    const std::vector<double> phi = slotsim::testing::solver_potentials("bh", fp, src);
    const double r = std::sqrt(1 + fp.softening * fp.softening);
    CHECK(phi[0] == doctest::Approx(-1 / r).epsilon(1e-6));
    CHECK(phi[1] == doctest::Approx(-2 / r).epsilon(1e-6));
  }
  SUBCASE("coincident particles leave each other out, as the forces do") {
    SourceArrays src;
    for (int i = 0; i < 100; ++i) src.push(0.25, 0.5, -1, 1e-3);
    for (const double phi : slotsim::testing::solver_potentials("bh", fp, src)) CHECK(phi == 0);
  }
}
