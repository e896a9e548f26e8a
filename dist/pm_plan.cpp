#include "dist/pm_plan.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "dist/solvers_internal.hpp"
#include "sim/kernels.hpp"
#include "sim/ordering/morton.hpp"
#include "sim/scenes/scene.hpp"
#include "sim/solvers/pm/mesh_map.hpp"
#include "sim/solvers/pm/scene_occupancy.hpp"

namespace slotsim::dist {
namespace {

// Rank r's imports from the mesh's particles per bucket.
std::vector<std::uint64_t> per_rank(const std::vector<std::uint64_t>& buckets, const ForceParams& p, int ranks) {
  const int n = p.grid;
  std::vector<std::uint64_t> out(static_cast<std::size_t>(ranks), 0);
  for (int r = 0; r < ranks; ++r) {
    const int x0 = pm_plane(n, ranks, r), x1 = pm_plane(n, ranks, r + 1);
    if (x1 - x0 == n) {
      for (std::uint64_t c : buckets) out[std::size_t(r)] += c;
      continue;
    }
    for (int b = x0 - 1; b < x1; ++b) {
      if (b < 0 && !p.periodic) continue;
      out[std::size_t(r)] += buckets[static_cast<std::size_t>((b + n) % n)];
    }
  }
  return out;
}

}  // namespace

std::vector<std::uint64_t> pm_imports(Comm& comm, const ForceParams& p, const Sources& local) {
  double ext[6];
  for (double& e : ext) e = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < local.n; ++i) {
    const double v[3] = {local.x[i], local.y[i], local.z[i]};
    for (int a = 0; a < 3; ++a) {
      ext[a] = std::min(ext[a], v[a]);
      ext[3 + a] = std::min(ext[3 + a], -v[a]);
    }
  }
  comm.min_each(ext, 6);
  const double lo[3] = {ext[0], ext[1], ext[2]}, hi[3] = {-ext[3], -ext[4], -ext[5]};
  const detail::MeshMap map = detail::place_mesh(detail::cube_of_extent(lo, hi), p.grid, p.periodic, p.box);
  std::vector<std::uint64_t> buckets(static_cast<std::size_t>(p.grid), 0);
  for (std::size_t i = 0; i < local.n; ++i) ++buckets[static_cast<std::size_t>(map.bucket(local.x[i]))];
  comm.sum_each(buckets.data(), p.grid);
  return per_rank(buckets, p, comm.size());
}

std::vector<std::uint64_t> pm_imports_of_scene(const SimConfig& cfg, int ranks) {
  // Pass 1: the centre-of-mass shift System applies and the shifted extent.
  const SceneFrame f = scene_frame(cfg.scene, cfg.particles, cfg.seed);
  const SceneParams sp{cfg.particles, cfg.seed};
  const detail::MeshMap map =
      detail::place_mesh(detail::cube_of_extent(f.lo, f.hi), cfg.force.grid, cfg.force.periodic, cfg.force.box);
  struct Second final : ParticleSink {
    const detail::MeshMap& map;
    double dx;
    std::vector<std::uint64_t> buckets;
    Second(const detail::MeshMap& m, double d0) : map(m), dx(d0), buckets(static_cast<std::size_t>(m.n), 0) {}
    void push(const ParticleRecord& r) override { ++buckets[static_cast<std::size_t>(map.bucket(r.x + dx))]; }
  } second(map, f.d[0]);
  generate_scene(cfg.scene, sp, second);
  return per_rank(second.buckets, cfg.force, ranks);
}

PlanItem pm_import_item(std::uint64_t imports, std::uint64_t share) {
  char ratio[32];
  std::snprintf(ratio, sizeof ratio, "%.2f", share ? double(imports) / double(share) : 0.0);
  return {"pm: imported particles (" + std::to_string(imports) + ", " + ratio + "x an even share, " +
              std::to_string(int(kPmImportBytes)) + " B each)",
          kPmImportBytes * double(imports)};
}

}  // namespace slotsim::dist
