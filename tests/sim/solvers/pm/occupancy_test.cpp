// sim/solvers/pm/occupancy.cpp: what an isolated mesh touches, against the
// solver's own deposit, and the memory plan that prices a pm mesh by it.
#include "sim/solvers/pm/occupancy.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "sim/memory/tracker.hpp"
#include "sim/memory_plan.hpp"
#include "sim/ordering/morton.hpp"
#include "sim/scenes/rng.hpp"
#include "sim/solvers/pm/cic.hpp"
#include "sim/solvers/pm/occupied_rows.hpp"
#include "sim/solvers/solver_memory.hpp"

using namespace slotsim;

namespace {

// A uniform cube, or a concentrated cluster (a Gaussian core of width 0.01)
// with one particle at each corner of the unit cube, so both fit the same
// mesh: the shape of a Plummer sphere's escapers around its core.
std::vector<ParticleRecord> cloud(std::size_t n, bool concentrated) {
  Rng r(7);
  std::vector<ParticleRecord> p(n);
  for (auto& q : p) {
    if (concentrated) {
      q.x = 0.5 + 0.01 * r.normal(), q.y = 0.5 + 0.01 * r.normal(), q.z = 0.5 + 0.01 * r.normal();
    } else {
      q.x = r.uniform(), q.y = r.uniform(), q.z = r.uniform();
    }
    q.mass = 1.0 / double(n);
  }
  if (concentrated)
    for (int c = 0; c < 8 && c < int(n); ++c) {
      p[c].x = c & 1, p[c].y = (c >> 1) & 1, p[c].z = (c >> 2) & 1;
    }
  return p;
}

// The rows with mass as the solver finds them: its bucketing and deposit
// (the spans), then force_rows, on the same placement.
std::size_t solver_mass_rows(const std::vector<ParticleRecord>& p, int n) {
  using namespace detail;
  std::vector<double> x, y, z, m;
  for (const auto& q : p) x.push_back(q.x), y.push_back(q.y), z.push_back(q.z), m.push_back(q.mass);
  const Sources src{x.data(), y.data(), z.data(), m.data(), p.size()};
  const MeshMap map = place_mesh(bounding_cube(src), n, false, 0);
  mem::CountingResource res(mem::Category::Solver);
  XBuckets b(res);
  bucket_by_x(src, map, b);
  const auto nn = static_cast<std::size_t>(n);
  std::vector<double> grid(nn * nn * nn, 0.0);
  std::vector<Span> spans(nn * nn), rows(nn * nn);
  std::vector<std::uint8_t> mass(nn * nn);
  deposit_mass(map, b, 0, n, {grid.data(), nn * nn, 0, n, n}, nn, spans.data());
  force_rows(spans.data(), n, 0, n - 1, rows.data(), mass.data());
  std::size_t c = 0;
  for (auto v : mass) c += v;
  return c;
}

}  // namespace

TEST_CASE("pm occupancy: the rows with mass are the solver's own, and a concentrated system occupies few") {
  constexpr int kGrid = 48;
  const auto uniform = cloud(20000, false), dense = cloud(20000, true);
  const PmOccupancy u = pm_occupancy(uniform.data(), uniform.size(), kGrid);
  const PmOccupancy d = pm_occupancy(dense.data(), dense.size(), kGrid);
  CHECK(u.mass_rows == solver_mass_rows(uniform, kGrid));
  CHECK(d.mass_rows == solver_mass_rows(dense, kGrid));
  // The uniform cube's particles fill the fitted mesh's interior (its
  // margin of 4 cells per side stays empty); the cluster a few rows.
  const double interior = double(kGrid - 2 * 4 + 2) * double(kGrid - 2 * 4 + 2);
  CHECK(double(u.mass_rows) > 0.8 * interior);
  CHECK(double(d.mass_rows) < 0.05 * interior);
  CHECK(d.need_rows >= d.mass_rows);
  CHECK(u.spectrum_rows() >= u.mass_rows);
  // Force pages: at most the whole force mesh, and far fewer for the cluster.
  const double force_mesh = 24.0 * kGrid * kGrid * kGrid;
  CHECK(u.force_bytes <= force_mesh + 4096);
  CHECK(u.force_bytes > 0.4 * force_mesh);
  CHECK(d.force_bytes < 0.1 * force_mesh);
}

TEST_CASE("memory plan: an isolated pm mesh is priced by the occupancy of the starting positions") {
  constexpr int kGrid = 64;
  RunShape s;
  s.particles = 20000;
  s.solver = "pm";
  s.force.grid = kGrid;
  const double bound = solver_bytes_estimate("pm", s.force, s.particles);
  const auto uniform = cloud(s.particles, false), dense = cloud(s.particles, true);
  const PmOccupancy u = pm_occupancy(uniform.data(), uniform.size(), kGrid);
  const PmOccupancy d = pm_occupancy(dense.data(), dense.size(), kGrid);
  const double by_u = solver_bytes_estimate("pm", s.force, s.particles, &u);
  const double by_d = solver_bytes_estimate("pm", s.force, s.particles, &d);
  // A filled mesh stays near the bound (never above it: the headroom stops
  // at the allocation); a concentrated one far below: ignoring the
  // occupancy (the plan before) fails the last check.
  CHECK(by_u <= bound);
  CHECK(by_u > 0.7 * bound);
  CHECK(by_d < 0.5 * bound);
  // Only isolated meshes of the same grid: periodic meshes transform every
  // row, and a count of another mesh says nothing of this one.
  ForceParams per = s.force;
  per.periodic = true;
  CHECK(solver_bytes_estimate("pm", per, s.particles, &d) == solver_bytes_estimate("pm", per, s.particles));
  ForceParams other = s.force;
  other.grid = 2 * kGrid;
  CHECK(solver_bytes_estimate("pm", other, s.particles, &d) == solver_bytes_estimate("pm", other, s.particles));
  // plan_run carries it through RunShape.
  auto solver_item = [&](const MemoryPlan& p) {
    for (const PlanPhase& ph : p.phases)
      if (ph.name.rfind("steps in ", 0) == 0)
        for (const PlanItem& it : ph.items)
          if (it.what.rfind("solver 'pm' buffers", 0) == 0) return it.bytes;
    FAIL("no pm item");
    return 0.0;
  };
  CHECK(solver_item(plan_run(s)) == doctest::Approx(bound));
  s.pm_occupancy = d;
  CHECK(solver_item(plan_run(s)) == doctest::Approx(by_d));
}
