// The mesh gradient; contract in gradient.hpp.
#include "sim/solvers/pm/gradient.hpp"

#include <algorithm>

namespace slotsim::detail {

void mesh_gradient(const MeshMap& map, const Planes& phi, std::size_t row, const Planes& force, int x0, int x1,
                   const Span* rows, int rows_first) {
  const int n = map.n;
  const std::size_t nn = static_cast<std::size_t>(n);
  const double s = -1.0 / (12 * map.h);
  // Isolated: rows are empty within 3 cells of the faces. Periodic: any
  // plane, named past n too (a rank's ghost plane after the last, n, is
  // plane 0), so x wraps where the potential is read.
  const int lo = map.periodic ? x0 : std::max(x0, 2), hi = map.periodic ? x1 : std::min(x1, n - 2);
  const int ylo = map.periodic ? 0 : 2, yhi = map.periodic ? n : n - 2;
#pragma omp parallel for schedule(dynamic, 1)
  for (int x = lo; x < hi; ++x) {
    const double* px[5];
    for (int d = -2; d <= 2; ++d) px[d + 2] = phi.at(map.wrap(x + d));
    double* fplane = force.at(x);
    for (int y = ylo; y < yhi; ++y) {
      int zlo = 0, zhi = n - 1;
      if (!map.periodic) {
        const Span r = rows[static_cast<std::size_t>(x - rows_first) * nn + static_cast<std::size_t>(y)];
        if (r.lo > r.hi) continue;
        zlo = r.lo;
        zhi = r.hi;
      }
      std::size_t ry[5];
      for (int d = -2; d <= 2; ++d) ry[d + 2] = static_cast<std::size_t>(map.wrap(y + d)) * row;
      const double* c = px[2] + ry[2];
      const double *xm2 = px[0] + ry[2], *xm1 = px[1] + ry[2], *xp1 = px[3] + ry[2], *xp2 = px[4] + ry[2];
      const double *ym2 = px[2] + ry[0], *ym1 = px[2] + ry[1], *yp1 = px[2] + ry[3], *yp2 = px[2] + ry[4];
      double* out = fplane + 3 * (static_cast<std::size_t>(y) * nn);
      auto cell = [&](int z, int zm2, int zm1, int zp1, int zp2) {
        double* o = out + 3 * static_cast<std::size_t>(z);
        o[0] = s * (8 * (xp1[z] - xm1[z]) - (xp2[z] - xm2[z]));
        o[1] = s * (8 * (yp1[z] - ym1[z]) - (yp2[z] - ym2[z]));
        o[2] = s * (8 * (c[zp1] - c[zm1]) - (c[zp2] - c[zm2]));
      };
      // Cells 2 .. n-3 never wrap; a periodic row's four edge cells do.
      for (int z = std::max(zlo, 2); z <= std::min(zhi, n - 3); ++z) cell(z, z - 2, z - 1, z + 1, z + 2);
      if (map.periodic)
        for (const int z : {0, 1, n - 2, n - 1})
          cell(z, map.wrap(z - 2), map.wrap(z - 1), map.wrap(z + 1), map.wrap(z + 2));
    }
  }
}

}  // namespace slotsim::detail
