#include <doctest/doctest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "sim/memory/tracker.hpp"
#include "sim/scenes/rng.hpp"
#include "sim/solvers/solver.hpp"
#include "tests/sim/fixtures.hpp"

using namespace slotsim;
using slotsim::testing::AccelArrays;
using slotsim::testing::SourceArrays;

namespace {

AccelArrays run(const std::string& name, const ForceParams& fp, const SourceArrays& src,
                SolverPhases* phases = nullptr) {
  AccelArrays a(src.x.size());
  Accels acc = a.accels();
  SolverPhases ph;
  make_solver(name, fp)->accelerations(src.sources(), acc, ph);
  if (phases) *phases = ph;
  return a;
}

// A jittered 20^3 lattice in the unit cube: with the default 128 mesh fitted
// to it (spacing 1/120 rounded up to the next rung of 2^(k/16), 1/117.2),
// neighbours are at least 4 cells apart.
SourceArrays sparse_lattice() {
  Rng rng(3);
  SourceArrays src;
  const int k = 20;
  const double spacing = 1.0 / (k - 1), jitter = 1.0 / 120;
  auto j = [&](int i) { return i == 0 || i == k - 1 ? 0.0 : rng.uniform(-jitter, jitter); };
  for (int a = 0; a < k; ++a)
    for (int b = 0; b < k; ++b)
      for (int c = 0; c < k; ++c)
        src.push(a * spacing + j(a), b * spacing + j(b), c * spacing + j(c),
                 rng.uniform(0.5, 1.5) / (k * k * k));
  return src;
}

double pair_error(double cells) {
  // Two light corner particles fix the fitted mesh at spacing ~1/120.
  SourceArrays src;
  src.push(0, 0, 0, 1e-9);
  src.push(1, 1, 1, 1e-9);
  const double h = 1.0 / 120;
  src.push(0.3, 0.4, 0.5, 1);
  src.push(0.3 + 0.8 * cells * h, 0.4 + 0.6 * cells * h, 0.5, 1);
  ForceParams fp;
  fp.softening = 0;
  const AccelArrays ref = run("direct", fp, src), a = run("pm", fp, src);
  return std::hypot(a.ax[2] - ref.ax[2], a.ay[2] - ref.ay[2], a.az[2] - ref.az[2]) /
         std::hypot(ref.ax[2], ref.ay[2], ref.az[2]);
}

}  // namespace

TEST_CASE("pm: accuracy against direct summation for well-separated particles") {
  const SourceArrays src = sparse_lattice();
  for (const double eps : {0.0, 0.01}) {
    ForceParams fp;
    fp.softening = eps;
    const double e = slotsim::testing::rms_rel_error(run("direct", fp, src), run("pm", fp, src));
    MESSAGE("pm rms relative error, jittered 20^3 lattice (>= 4 cells apart), grid 128, eps="
            << eps << ": " << e);
    CHECK(e <= 5e-3);
  }
  const double e4 = pair_error(4), e8 = pair_error(8), e16 = pair_error(16), e32 = pair_error(32);
  MESSAGE("pm pair force relative error at 4/8/16/32 cells: " << e4 << " " << e8 << " " << e16
                                                              << " " << e32);
  // CIC smooths the force over ~2 cells, so a few cells out errors of some
  // percent are expected; they must fall off with distance.
  CHECK(e4 <= 0.1);
  CHECK(e8 <= 0.03);
  CHECK(e16 <= 5e-3);
  CHECK(e32 < e8);
}

TEST_CASE("pm: momentum is conserved (sum m a = 0 to rounding)") {
  // CIC deposit and interpolation with a symmetric kernel and an
  // antisymmetric difference stencil exert no net force on the system.
  const SourceArrays src(slotsim::testing::plummer_sample(20000, 6));
  for (const bool periodic : {false, true}) {
    ForceParams fp;
    fp.periodic = periodic;
    fp.grid = 64;
    const AccelArrays a = run("pm", fp, src);
    double fx = 0, fy = 0, fz = 0, scale = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
      fx += src.m[i] * a.ax[i];
      fy += src.m[i] * a.ay[i];
      fz += src.m[i] * a.az[i];
      scale += src.m[i] * std::hypot(a.ax[i], a.ay[i], a.az[i]);
    }
    CAPTURE(periodic);
    REQUIRE(scale > 0);
    CHECK(std::abs(fx) < 1e-9 * scale);
    CHECK(std::abs(fy) < 1e-9 * scale);
    CHECK(std::abs(fz) < 1e-9 * scale);
  }
}

TEST_CASE("pm: bit-identical between calls and thread counts") {
  const SourceArrays src(slotsim::testing::plummer_sample(50000, 12));
  for (const bool periodic : {false, true}) {
    ForceParams fp;
    fp.periodic = periodic;
    fp.grid = 64;
    auto s = make_solver("pm", fp);
    const auto [a, b, c, ph] = slotsim::testing::run_on_two_then_one_thread(*s, src);
    CAPTURE(periodic);
    CHECK(slotsim::testing::bitwise_equal(a, b));
    CHECK(slotsim::testing::bitwise_equal(a, c));
    CHECK(ph.build_ms > 0);  // each PM phase is reported: deposit, FFT, interpolation
    CHECK(ph.solve_ms > 0);
    CHECK(ph.interpolate_ms > 0);
  }
}

TEST_CASE("pm: periodic box") {
  ForceParams fp;
  fp.periodic = true;
  fp.box = 2;
  fp.grid = 32;
  fp.softening = 0;
  SUBCASE("a particle's images cancel on a uniform lattice") {
    // One particle at every cell centre: by symmetry no force anywhere.
    SourceArrays src;
    const double h = fp.box / fp.grid;
    for (int i = 0; i < fp.grid; ++i)
      for (int j = 0; j < fp.grid; ++j)
        for (int k = 0; k < fp.grid; ++k)
          src.push(-1 + (i + 0.5) * h, -1 + (j + 0.5) * h, -1 + (k + 0.5) * h, 1.0);
    const AccelArrays a = run("pm", fp, src);
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
      worst = std::max({worst, std::abs(a.ax[i]), std::abs(a.ay[i]), std::abs(a.az[i])});
    // A single unit mass at one cell would pull with ~1/h^2 = 256.
    CHECK(worst < 1e-9);
  }
  SUBCASE("positions are taken modulo the box") {
    SourceArrays a, b;
    const auto ps = slotsim::testing::plummer_sample(500, 1);
    for (const auto& p : ps) {
      a.push(p.x * 0.2, p.y * 0.2, p.z * 0.2, p.mass);
      b.push(p.x * 0.2 + 2 * fp.box, p.y * 0.2 - fp.box, p.z * 0.2, p.mass);
    }
    const AccelArrays fa = run("pm", fp, a), fb = run("pm", fp, b);
    CHECK(slotsim::testing::rms_rel_error(fa, fb) < 1e-6);
  }
  SUBCASE("a pair attracts along its separation, equal and opposite") {
    SourceArrays src;
    src.push(-0.3, 0.1, 0.0, 1);
    src.push(0.2, 0.1, 0.0, 1);
    const AccelArrays a = run("pm", fp, src);
    CHECK(a.ax[0] > 0);
    CHECK(a.ax[1] < 0);
    CHECK(a.ax[0] == doctest::Approx(-a.ax[1]).epsilon(1e-9));
    CHECK(std::abs(a.ay[0]) < 1e-9 * std::abs(a.ax[0]));
  }
}

TEST_CASE("pm: tiny inputs are handled") {
  ForceParams fp;
  fp.grid = 16;
  SourceArrays none;
  CHECK(run("pm", fp, none).size() == 0);
  SourceArrays one;
  one.push(5, 5, 5, 1);
  const AccelArrays a = run("pm", fp, one);
  CHECK(std::abs(a.ax[0]) < 1e-12);
  CHECK(std::abs(a.ay[0]) < 1e-12);
  CHECK(std::abs(a.az[0]) < 1e-12);
}

TEST_CASE("pm: meshes are charged to the Solver memory category") {
  const auto before = mem::category_stats(mem::Category::Solver).requested;
  {
    ForceParams fp;
    fp.grid = 32;
    auto s = make_solver("pm", fp);
    const SourceArrays src(slotsim::testing::plummer_sample(1000, 2));
    AccelArrays a(src.x.size());
    Accels acc = a.accels();
    SolverPhases ph;
    s->accelerations(src.sources(), acc, ph);
    // At least the mass mesh and the three force meshes.
    CHECK(mem::category_stats(mem::Category::Solver).requested - before >=
          static_cast<std::int64_t>(4 * sizeof(double) * 32 * 32 * 32));
  }
  CHECK(mem::category_stats(mem::Category::Solver).requested == before);
}

TEST_CASE("pm: bad parameters are rejected") {
  ForceParams fp;
  fp.grid = 8;
  CHECK_THROWS_AS(make_solver("pm", fp), std::invalid_argument);
  fp.grid = 64;
  fp.box = -1;
  CHECK_THROWS_AS(make_solver("pm", fp), std::invalid_argument);
}

TEST_CASE("pm: skipping empty mesh rows does not change the forces") {
  // The isolated solver transforms only rows that hold mass and computes
  // only the potential and forces its particles need. Massless particles
  // inside the same bounding box change none of the physics or the mesh,
  // but make (nearly) every row needed: the forces on the massive ones must
  // agree to rounding.
  const SourceArrays base(slotsim::testing::plummer_sample(3000, 21));
  SourceArrays full = base;
  const auto [xlo, xhi] = std::minmax_element(base.x.begin(), base.x.end());
  const auto [ylo, yhi] = std::minmax_element(base.y.begin(), base.y.end());
  const auto [zlo, zhi] = std::minmax_element(base.z.begin(), base.z.end());
  const int k = 24;
  for (int a = 0; a < k; ++a)
    for (int b = 0; b < k; ++b)
      for (int c = 0; c < k; ++c)
        full.push(*xlo + (*xhi - *xlo) * (a + 0.5) / k, *ylo + (*yhi - *ylo) * (b + 0.5) / k,
                  *zlo + (*zhi - *zlo) * (c + 0.5) / k, 0.0);
  ForceParams fp;
  fp.grid = 48;
  const AccelArrays sparse = run("pm", fp, base), dense_all = run("pm", fp, full);
  AccelArrays dense(base.x.size());
  for (std::size_t i = 0; i < base.x.size(); ++i) {
    dense.ax[i] = dense_all.ax[i];
    dense.ay[i] = dense_all.ay[i];
    dense.az[i] = dense_all.az[i];
  }
  const double e = slotsim::testing::rms_rel_error(dense, sparse);
  MESSAGE("pm sparse vs (nearly) dense rows, rms relative difference: " << e);
  CHECK(e < 1e-10);
}

TEST_CASE("pm: odd grids are deterministic and conserve momentum") {
  // An odd periodic mesh needs a third deposit phase (its last x bucket
  // wraps onto plane 0, which bucket 0 also writes).
  const SourceArrays src(slotsim::testing::plummer_sample(20000, 5));
  for (const bool periodic : {false, true}) {
    ForceParams fp;
    fp.periodic = periodic;
    fp.grid = 33;
    CAPTURE(periodic);
    const int saved = omp_get_max_threads();
    omp_set_num_threads(2);
    const AccelArrays two = run("pm", fp, src);
    omp_set_num_threads(1);
    const AccelArrays one = run("pm", fp, src);
    omp_set_num_threads(saved);
    CHECK(slotsim::testing::bitwise_equal(one, two));
    double fx = 0, fy = 0, fz = 0, scale = 0;
    for (std::size_t i = 0; i < one.size(); ++i) {
      fx += src.m[i] * one.ax[i];
      fy += src.m[i] * one.ay[i];
      fz += src.m[i] * one.az[i];
      scale += src.m[i] * std::hypot(one.ax[i], one.ay[i], one.az[i]);
    }
    REQUIRE(scale > 0);
    CHECK(std::abs(fx) < 1e-9 * scale);
    CHECK(std::abs(fy) < 1e-9 * scale);
    CHECK(std::abs(fz) < 1e-9 * scale);
  }
}

// Solver::potentials: the mesh potential, for the energy diagnostic.

TEST_CASE("pm: potential of a smooth sphere against direct summation") {
  ForceParams coarse, fine;
  coarse.grid = 64;
  fine.grid = 128;
  const auto acc = slotsim::testing::potential_accuracy("pm", coarse, fine);
  const double e64 = acc.rms_coarse, e128 = acc.rms_fine, w128 = acc.energy_fine;
  MESSAGE("pm potential rms relative error, N=4000 Plummer, eps=0.01: grid 64: " << e64 << ", 128: " << e128
                                                                                << "; energy at 128: " << w128);
  // The mesh replaces each pair's 1/r by the CIC-smoothed kernel sampled
  // on the mesh, which differs from it by O((h/r)^2): for a smooth density
  // the error is second order in h. The fitted mesh spans the truncated
  // sphere (r < 10), so h is 20/120 on the 128 mesh, a sixth of the scale
  // radius: about a percent is what second order leaves there, and halving
  // h must cut it by well over 2 (4 in the limit).
  CHECK(e128 <= 1e-2);
  CHECK(w128 <= 1e-2);
  CHECK(e64 > 2.5 * e128);
}

TEST_CASE("pm: a particle's own cloud is not part of its potential") {
  // Two unit masses 10 cells apart (the mesh fixed at spacing ~1/120 by two
  // light corner particles, as in pair_error): the pair potential is
  // -1 / (10 h), while the interaction of a cloud with itself is up to
  // 2.38 / h, so left in it would swamp the pair term; taken out, what is
  // left is the smoothing of a 10-cell pair, well under a percent.
  SourceArrays src;
  src.push(0, 0, 0, 1e-9);
  src.push(1, 1, 1, 1e-9);
  const double h = 1.0 / 120, d = 10 * h;
  src.push(0.3, 0.4, 0.5, 1);
  src.push(0.3 + 0.8 * d, 0.4 + 0.6 * d, 0.5, 1);
  ForceParams fp;
  fp.softening = 0;
  const std::vector<double> phi = slotsim::testing::solver_potentials("pm", fp, src), ref = slotsim::testing::exact_potentials(src, 0);
  CHECK(std::abs(phi[2] / ref[2] - 1) < 1e-2);
  CHECK(std::abs(phi[3] / ref[3] - 1) < 1e-2);
  SUBCASE("alone, a particle has none") {
    SourceArrays one;
    one.push(5, 5, 5, 1);
    fp.grid = 16;
    // The mesh value and the subtracted cloud are each ~1/h = 8 here.
    CHECK(std::abs(slotsim::testing::solver_potentials("pm", fp, one)[0]) < 1e-12);
  }
  SUBCASE("no particles") {
    SourceArrays none;
    CHECK(make_solver("pm", fp)->potentials(none.sources(), nullptr));
  }
}

TEST_CASE("pm: the potential is bit-identical between calls and thread counts, and leaves the forces alone") {
  const SourceArrays src(slotsim::testing::plummer_sample(50000, 12));
  ForceParams fp;
  fp.grid = 64;
  auto s = make_solver("pm", fp);
  slotsim::testing::check_potentials_contract(*s, src);
}

TEST_CASE("pm: a periodic mesh offers no potential") {
  // Its potential is the periodic one (see ParticleMeshSolver::has_potentials).
  ForceParams fp;
  fp.periodic = true;
  fp.grid = 16;
  auto s = make_solver("pm", fp);
  CHECK_FALSE(s->has_potentials());
  SourceArrays src;
  src.push(0.1, 0.2, 0.3, 1);
  src.push(-0.1, 0.0, 0.3, 1);
  std::vector<double> phi(2, 7.0);
  CHECK_FALSE(s->potentials(src.sources(), phi.data()));
  CHECK(phi[0] == 7.0);  // untouched
  CHECK(phi[1] == 7.0);
}
