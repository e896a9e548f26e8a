// sim/diagnostics.cpp: the state hash and the energy diagnostic.
#include <doctest/doctest.h>

#include <omp.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "fixtures.hpp"
#include "sim/layouts/errors.hpp"
#include "sim/system.hpp"

using namespace slotsim;
using slotsim::testing::small_config;

TEST_CASE("the state hash sees a one-bit change") {
  System a(small_config(Layout::Soa, "none"));
  const auto h = a.state_hash();
  ParticleRecord p = a.particle(17);
  a.set_attr(17, "vz", std::nextafter(p.vz, 1.0));
  CHECK(a.state_hash() != h);
}

TEST_CASE("above 20,000 particles the potential is sampled, labelled, and close to exact") {
  SimConfig c = small_config(Layout::Soa, "none");
  c.particles = 25000;
  c.diagnostic_budget_s = 1e9;  // the sample size is timed; here, take the largest
  System s(c);
  const Diagnostics d = s.diagnostics();
  CHECK(d.potential_method.rfind("sampled(1000 of 25000, est. error ", 0) == 0);
  CHECK(d.potential_targets == 1000);
  // Fixed at the first call: the same particles every time.
  CHECK(s.diagnostics().potential == d.potential);
  SimConfig quick = c;
  quick.diagnostic_budget_s = 0;
  const Diagnostics dq = System(quick).diagnostics();
  CHECK(dq.potential_method.rfind("sampled(64 of 25000, est. error ", 0) == 0);
  // A standard error: about sqrt(1000 / 64) = 4 times larger for 64 targets.
  CHECK(dq.potential_error > 2 * d.potential_error);
  double w = 0;
  const double eps2 = c.force.softening * c.force.softening;
  std::vector<ParticleRecord> p(s.size());
  for (std::size_t i = 0; i < p.size(); ++i) p[i] = s.particle(i);
  for (std::size_t i = 0; i < p.size(); ++i)
    for (std::size_t j = i + 1; j < p.size(); ++j) {
      const double dx = p[i].x - p[j].x, dy = p[i].y - p[j].y, dz = p[i].z - p[j].z;
      w -= p[i].mass * p[j].mass / std::sqrt(dx * dx + dy * dy + dz * dz + eps2);
    }
  MESSAGE("sampled ", d.potential, " exact ", w, " estimated error ", d.potential_error);
  CHECK(std::abs(d.potential / w - 1) < 0.05);
  // An estimate, not a bound: within a few standard errors.
  CHECK(d.potential_error > 0);
  CHECK(std::abs(d.potential / w - 1) < 4 * d.potential_error);
}

// The solver's potential (Solver::potentials) above the exact limit. The
// limit is lowered to 1000 so that the same 4000 particles also get the
// exact potential (a second System at the default limit) to compare with.
namespace {

SimConfig solver_path_config(const std::string& solver) {
  SimConfig c = small_config(Layout::Soa, solver);
  c.particles = 4000;
  c.force.grid = 128;
  c.diagnostic_budget_s = 1e9;  // K = 1000, whatever this machine's speed
  c.exact_potential_max = 1000;
  return c;
}

}  // namespace

TEST_CASE("above the exact limit bh and pm report their own potential and a plausible error estimate") {
  for (const std::string solver : {"bh", "pm"}) {
    CAPTURE(solver);
    const SimConfig c = solver_path_config(solver);
    SimConfig ce = c;
    ce.exact_potential_max = kExactPotentialMax;
    const Diagnostics exact = System(ce).diagnostics();
    REQUIRE(exact.potential_method == "exact");
    CHECK(exact.potential_error == 0);
    System s(c);
    const Diagnostics d = s.diagnostics();
    const std::string label = solver == "bh" ? "bh tree (est. error " : "pm mesh (est. error ";
    CHECK(d.potential_method.rfind(label, 0) == 0);
    CHECK(d.potential_method.find(", 1000 targets)") != std::string::npos);
    CHECK(d.potential_targets == 1000);
    // Same kinetic energy and momentum, whatever the potential's method.
    CHECK(d.kinetic == exact.kinetic);
    CHECK(d.px == exact.px);

    // The potential is the solver's: 0.5 sum m_i phi_i from potentials().
    std::vector<ParticleRecord> ps(s.size());
    for (std::size_t i = 0; i < ps.size(); ++i) ps[i] = s.particle(i);
    const slotsim::testing::SourceArrays src(ps);
    std::vector<double> phi(ps.size());
    REQUIRE(make_solver(solver, c.force)->potentials(src.sources(), phi.data()));
    double w = 0;
    for (std::size_t i = 0; i < ps.size(); ++i) w += ps[i].mass * phi[i];
    CHECK(d.potential == 0.5 * w);

    // The estimates against the truth: the total's relative error, and the
    // rms per-particle error over all 4000 (the estimate sees 1000).
    const double truth = std::abs(d.potential / exact.potential - 1);
    const double rms = slotsim::testing::rms_rel_error(slotsim::testing::exact_potentials(src, c.force.softening), phi);
    MESSAGE(d.potential_method, ": true error ", truth, ", true rms ", rms);
    CHECK(d.potential_error >= truth / 2);
    CHECK(d.potential_error <= 3 * truth);
    CHECK(d.potential_error_rms >= rms / 1.5);
    CHECK(d.potential_error_rms <= rms * 1.5);
  }
}

TEST_CASE("the solver's potential is deterministic and changes neither the state nor the run") {
  for (const std::string solver : {"bh", "pm"}) {
    CAPTURE(solver);
    SimConfig c = solver_path_config(solver);
    c.diagnostic_budget_s = 0;  // K = 64: the check's size does not matter here
    System a(c), b(c);
    for (int k = 0; k < 2; ++k) a.step(), b.step();
    const std::uint64_t h = a.state_hash();
    const int saved = omp_get_max_threads();
    omp_set_num_threads(2);
    const Diagnostics d2 = a.diagnostics(), d2b = a.diagnostics();
    omp_set_num_threads(1);
    const Diagnostics d1 = a.diagnostics();
    omp_set_num_threads(saved);
    CHECK(d2.potential_method.rfind(solver == "bh" ? "bh tree" : "pm mesh", 0) == 0);
    CHECK(std::memcmp(&d2.potential, &d2b.potential, sizeof(double)) == 0);
    CHECK(std::memcmp(&d2.potential, &d1.potential, sizeof(double)) == 0);
    CHECK(d2.potential_method == d2b.potential_method);
    CHECK(a.state_hash() == h);
    // The next steps are those of a run that never asked.
    for (int k = 0; k < 2; ++k) a.step(), b.step();
    CHECK(a.state_hash() == b.state_hash());
  }
}

TEST_CASE("without the check, the solver's potential is the same bits, its error marked as not known") {
  for (const std::string solver : {"bh", "pm"}) {
    CAPTURE(solver);
    SimConfig c = solver_path_config(solver);
    c.diagnostic_budget_s = 0;
    System s(c);
    s.step();
    const Diagnostics checked = s.diagnostics();
    const Diagnostics quick = s.diagnostics({}, false);
    CHECK(std::memcmp(&quick.potential, &checked.potential, sizeof(double)) == 0);
    CHECK(quick.kinetic == checked.kinetic);
    CHECK(quick.potential_error == -1);
    CHECK(quick.potential_targets == 0);
    CHECK(quick.potential_method.find("(not checked)") != std::string::npos);
    CHECK(checked.potential_error > 0);
  }
  // Exact and sampled potentials are their own estimate: the flag changes nothing.
  SimConfig small = solver_path_config("pm");
  small.exact_potential_max = kExactPotentialMax;
  System e(small);
  CHECK(e.diagnostics({}, false).potential_method == "exact");
}

TEST_CASE("above the exact limit, solvers without a potential are sampled") {
  for (const bool periodic : {false, true}) {
    for (const std::string solver : {"none", "direct", "pm"}) {
      if (periodic && solver != "pm") continue;
      CAPTURE(solver);
      CAPTURE(periodic);
      SimConfig c = solver_path_config(solver);
      c.force.periodic = periodic;
      c.force.grid = 32;
      c.diagnostic_budget_s = 0;
      const Diagnostics d = System(c).diagnostics();
      if (solver == "pm" && !periodic) {
        CHECK(d.potential_method.rfind("pm mesh", 0) == 0);
      } else {
        CHECK(d.potential_method.rfind("sampled(64 of 4000, est. error ", 0) == 0);
        CHECK(d.potential_error_rms == 0);
      }
    }
  }
}

