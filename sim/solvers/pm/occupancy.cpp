// What an isolated pm mesh touches; contract in occupancy.hpp.
#include "sim/solvers/pm/occupancy.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "sim/ordering/morton.hpp"
#include "sim/solvers/pm/mesh_map.hpp"
#include "sim/solvers/pm/occupied_rows.hpp"

namespace slotsim {

PmOccupancy pm_occupancy(const ParticleRecord* p, std::size_t n, int grid) {
  using namespace detail;
  PmOccupancy o;
  o.grid = grid;
  if (n == 0 || grid <= 0) return o;
  // bounding_cube()'s cube, from the same extent.
  double lo[3] = {p[0].x, p[0].y, p[0].z}, hi[3] = {p[0].x, p[0].y, p[0].z};
  for (std::size_t k = 0; k < n; ++k)
    for (int a = 0; a < 3; ++a) {
      lo[a] = std::min(lo[a], *p[k].ptr(a));
      hi[a] = std::max(hi[a], *p[k].ptr(a));
    }
  const MeshMap map = place_mesh(cube_of_extent(lo, hi), grid, false, 0);
  const auto nn = static_cast<std::size_t>(grid);
  // The deposit's spans: per (x bucket, y row), the z cells its particles
  // start in (cic.cpp records the same).
  std::vector<Span> spans(nn * nn, kEmptySpan), rows(nn * nn);
  std::vector<std::uint8_t> mass(nn * nn), need(nn * nn);
  for (std::size_t k = 0; k < n; ++k) {
    int ix, iy, iz;
    double f;
    map.cell<false>(p[k].x, 0, ix, f);
    map.cell<false>(p[k].y, 1, iy, f);
    map.cell<false>(p[k].z, 2, iz, f);
    Span& s = spans[static_cast<std::size_t>(ix) * nn + static_cast<std::size_t>(iy)];
    s.lo = std::min(s.lo, static_cast<std::uint16_t>(iz));
    s.hi = std::max(s.hi, static_cast<std::uint16_t>(iz));
  }
  force_rows(spans.data(), grid, 0, grid - 1, rows.data(), mass.data());
  need_rows(mass.data(), grid, 0, grid - 1, need.data());
  // The force mesh's pages the gradient writes (gradient.cpp: cells
  // max(lo, 2) .. min(hi, n - 3) of each row with a span, 24 bytes each),
  // counted from the buffer's start as if it were page-aligned (it is 64-byte
  // aligned: at most one page per row boundary either way).
  constexpr std::size_t kPage = 4096;
  std::size_t pages = 0, last = SIZE_MAX;
  for (std::size_t c = 0; c < nn * nn; ++c) {
    o.mass_rows += mass[c];
    o.need_rows += need[c];
    const std::size_t x = c / nn, y = c % nn;
    if (x < 2 || x >= nn - 2 || y < 2 || y >= nn - 2) continue;  // the gradient's x and y range
    const Span r = rows[c];
    if (r.lo > r.hi) continue;
    const std::size_t z0 = std::max<std::size_t>(r.lo, 2), z1 = std::min<std::size_t>(r.hi, nn - 3);
    if (z0 > z1) continue;
    const std::size_t b0 = (c * nn + z0) * 24, b1 = (c * nn + z1) * 24 + 23;
    const std::size_t p0 = b0 / kPage, p1 = b1 / kPage;
    // Rows are visited in address order, so a page is shared only with the
    // previous row's last one.
    pages += p1 - p0 + 1 - (p0 == last ? 1 : 0);
    last = p1;
  }
  o.force_bytes = double(pages) * double(kPage);
  return o;
}

}  // namespace slotsim
