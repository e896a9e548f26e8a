// What an isolated pm mesh touches; contracts in occupancy.hpp and
// scene_occupancy.hpp.
#include "sim/solvers/pm/occupancy.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "sim/kernels.hpp"
#include "sim/ordering/morton.hpp"
#include "sim/scenes/scene.hpp"
#include "sim/solvers/pm/mesh_map.hpp"
#include "sim/solvers/pm/occupied_rows.hpp"
#include "sim/solvers/pm/scene_occupancy.hpp"

namespace slotsim {
namespace {

using namespace detail;

// The count in two steps, so that a stream (a scene) needs no copy of its
// positions: the extent fixes the mesh (place_mesh on bounding_cube()'s
// cube), then every position adds its cell to the deposit's spans.
class Counter {
 public:
  Counter(const double lo[3], const double hi[3], int grid)
      : map_(place_mesh(cube_of_extent(lo, hi), grid, false, 0)),
        nn_(static_cast<std::size_t>(grid)),
        spans_(nn_ * nn_, kEmptySpan) {}

  // The deposit's spans (cic.cpp records the same): per (x bucket, y row),
  // the z cells its particles start in.
  void add(double x, double y, double z) {
    int ix, iy, iz;
    double f;
    map_.cell<false>(x, 0, ix, f);
    map_.cell<false>(y, 1, iy, f);
    map_.cell<false>(z, 2, iz, f);
    Span& s = spans_[static_cast<std::size_t>(ix) * nn_ + static_cast<std::size_t>(iy)];
    s.lo = std::min(s.lo, static_cast<std::uint16_t>(iz));
    s.hi = std::max(s.hi, static_cast<std::uint16_t>(iz));
  }

  PmOccupancy result() const {
    const int n = map_.n;
    const std::size_t nn = nn_;
    std::vector<Span> rows(nn * nn);
    std::vector<std::uint8_t> mass(nn * nn), need(nn * nn);
    force_rows(spans_.data(), n, 0, n - 1, rows.data(), mass.data());
    need_rows(mass.data(), n, 0, n - 1, need.data());
    PmOccupancy o;
    o.grid = n;
    // The force mesh's pages the gradient writes (gradient.cpp: cells
    // max(lo, 2) .. min(hi, n - 3) of each row with a span in planes and
    // rows 2 .. n - 3, 24 bytes each), counted from the buffer's start as
    // if it were page-aligned (it is 64-byte aligned: at most one page per
    // row either way).
    constexpr std::size_t kPage = 4096;
    std::size_t pages = 0, last = SIZE_MAX;
    for (std::size_t c = 0; c < nn * nn; ++c) {
      o.mass_rows += mass[c];
      o.need_rows += need[c];
      const std::size_t x = c / nn, y = c % nn;
      if (x < 2 || x + 2 >= nn || y < 2 || y + 2 >= nn) continue;
      const Span r = rows[c];
      if (r.lo > r.hi) continue;
      const std::size_t z0 = std::max<std::size_t>(r.lo, 2), z1 = std::min<std::size_t>(r.hi, nn - 3);
      if (z0 > z1) continue;
      const std::size_t p0 = (c * nn + z0) * 24 / kPage, p1 = ((c * nn + z1) * 24 + 23) / kPage;
      // Rows are visited in address order: a page is shared only with the
      // previous row's last one.
      pages += p1 - p0 + 1 - (p0 == last ? 1 : 0);
      last = p1;
    }
    o.force_bytes = double(pages) * double(kPage);
    return o;
  }

 private:
  MeshMap map_;
  std::size_t nn_;
  std::vector<Span> spans_;
};

}  // namespace

PmOccupancy pm_occupancy(const ParticleRecord* p, std::size_t n, int grid) {
  PmOccupancy o;
  o.grid = grid;
  if (n == 0 || grid <= 0) return o;
  double lo[3] = {p[0].x, p[0].y, p[0].z}, hi[3] = {p[0].x, p[0].y, p[0].z};
  for (std::size_t k = 0; k < n; ++k)
    for (int a = 0; a < 3; ++a) {
      lo[a] = std::min(lo[a], *p[k].ptr(a));
      hi[a] = std::max(hi[a], *p[k].ptr(a));
    }
  Counter c(lo, hi, grid);
  for (std::size_t k = 0; k < n; ++k) c.add(p[k].x, p[k].y, p[k].z);
  return c.result();
}

SceneFrame scene_frame(std::string_view scene, std::size_t particles, std::uint64_t seed) {
  struct First final : ParticleSink {
    kernels::Moments mo;
    double lo[3], hi[3];
    First() {
      for (int a = 0; a < 3; ++a) {
        lo[a] = std::numeric_limits<double>::infinity();
        hi[a] = -std::numeric_limits<double>::infinity();
      }
    }
    void push(const ParticleRecord& r) override {
      mo.add(r.mass, r.x, r.y, r.z, r.vx, r.vy, r.vz);
      for (int a = 0; a < 3; ++a) {
        lo[a] = std::min(lo[a], *r.ptr(a));
        hi[a] = std::max(hi[a], *r.ptr(a));
      }
    }
  } first;
  generate_scene(scene, SceneParams{particles, seed}, first);
  SceneFrame f;
  f.mass = first.mo.mass;
  f.d[0] = -first.mo.mx / first.mo.mass;
  f.d[1] = -first.mo.my / first.mo.mass;
  f.d[2] = -first.mo.mz / first.mo.mass;
  for (int a = 0; a < 3; ++a) f.lo[a] = first.lo[a] + f.d[a], f.hi[a] = first.hi[a] + f.d[a];
  return f;
}

PmOccupancy pm_occupancy_of_scene(std::string_view scene, std::size_t particles, std::uint64_t seed, int grid) {
  // Pass 1: the centre-of-mass shift and the shifted extent.
  const SceneFrame f = scene_frame(scene, particles, seed);
  PmOccupancy none;
  none.grid = grid;
  if (f.mass <= 0 || grid <= 0) return none;
  const SceneParams sp{particles, seed};
  // Pass 2: the cells.
  struct Second final : ParticleSink {
    Counter c;
    double d[3];
    Second(const double l[3], const double h[3], int g, const double dd[3]) : c(l, h, g), d{dd[0], dd[1], dd[2]} {}
    void push(const ParticleRecord& r) override { c.add(r.x + d[0], r.y + d[1], r.z + d[2]); }
  } second(f.lo, f.hi, grid, f.d);
  generate_scene(scene, sp, second);
  return second.c.result();
}

}  // namespace slotsim
