#include "sim/solvers/pm/mesh_particles.hpp"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "sim/solvers/pm/pm_green.hpp"

namespace slotsim::detail {

MeshParticles::MeshParticles(mem::CountingResource& res) : sorted_(res), cells_(res), span_(res) {}

void MeshParticles::bucket(const Sources& src, const MeshMap& map) {
  if (src.n > 0xffffffffu) throw std::length_error("pm: more than 2^32 - 1 particles");
  if (map.periodic)
    bucket<true>(src, map);
  else
    bucket<false>(src, map);
}

template <bool Periodic>
void MeshParticles::bucket(const Sources& src, const MeshMap& map) {
  const std::size_t np = src.n, nb = static_cast<std::size_t>(map.n);
  sorted_.resize(np);
  cells_.resize(np);
  const int nt = omp_get_max_threads();
  counts_.assign(static_cast<std::size_t>(nt) * nb, 0);
  start_.assign(nb + 1, 0);
#pragma omp parallel num_threads(nt)
  {
    const auto t = static_cast<std::size_t>(omp_get_thread_num());
    const auto T = static_cast<std::size_t>(omp_get_num_threads());
    const std::size_t b = np * t / T, e = np * (t + 1) / T;
    std::size_t* cnt = &counts_[t * nb];
    for (std::size_t i = b; i < e; ++i) {
      int ix;
      double f;
      map.cell<Periodic>(src.x[i], 0, ix, f);
      ++cnt[ix];
    }
#pragma omp barrier
#pragma omp single
    {
      std::size_t sum = 0;
      for (std::size_t x = 0; x < nb; ++x) {
        start_[x] = sum;
        for (std::size_t u = 0; u < T; ++u) {
          const std::size_t c = counts_[u * nb + x];
          counts_[u * nb + x] = sum;
          sum += c;
        }
      }
      start_[nb] = sum;
    }
    for (std::size_t i = b; i < e; ++i) {
      int ix, iy, iz;
      double fx;
      map.cell<Periodic>(src.x[i], 0, ix, fx);
      double fy, fz;
      map.cell<Periodic>(src.y[i], 1, iy, fy);
      map.cell<Periodic>(src.z[i], 2, iz, fz);
      const std::size_t k = cnt[ix]++;
      sorted_[k] = {fx, fy, fz, src.m[i]};
      cells_[k] = {static_cast<std::uint32_t>(iy) << 16 | static_cast<std::uint32_t>(iz), static_cast<std::uint32_t>(i)};
    }
  }
}

void MeshParticles::deposit(const MeshMap& map, const Planes& grid, int b0, int count, std::size_t row) {
  if (map.periodic)
    deposit<true>(map, grid, b0, count, row);
  else
    deposit<false>(map, grid, b0, count, row);
}

template <bool Periodic>
void MeshParticles::deposit(const MeshMap& map, const Planes& grid, int b0, int count, std::size_t row) {
  const int n = map.n;
  const std::size_t nn = static_cast<std::size_t>(n);
  span_.resize(nn * nn);
  auto phase_of = [&](int b) { return Periodic && n % 2 == 1 && b == n - 1 ? 2 : b % 2; };
#pragma omp parallel
  {
#pragma omp for schedule(static)
    for (int p = 0; p < grid.count; ++p)
      std::memset(grid.base + static_cast<std::size_t>(p) * grid.stride, 0, grid.stride * sizeof(double));
#pragma omp for schedule(static)
    for (int x = 0; x < n; ++x) std::fill_n(span_.data() + static_cast<std::size_t>(x) * nn, nn, kEmptySpan);
    for (int phase = 0; phase < 3; ++phase) {
#pragma omp for schedule(dynamic, 1)
      for (int k = 0; k < count; ++k) {
        const int b = map.wrap(b0 + k);
        const auto bu = static_cast<std::size_t>(b);
        if (phase_of(b) != phase || start_[bu] == start_[bu + 1]) continue;
        double* g0 = grid.at(b);
        double* g1 = grid.at(map.next<Periodic>(b));
        Span* span = span_.data() + bu * nn;
        for (std::size_t q = start_[bu]; q < start_[bu + 1]; ++q) {
          const SortedParticle& p = sorted_[q];
          const double fx = p.fx, fy = p.fy, fz = p.fz, m = p.m;
          const std::uint32_t yz = cells_[q].yz;
          const int iy = static_cast<int>(yz >> 16), iz = static_cast<int>(yz & 0xffff);
          const std::size_t y0 = static_cast<std::size_t>(iy) * row,
                            y1 = static_cast<std::size_t>(map.next<Periodic>(iy)) * row;
          const std::size_t z0 = static_cast<std::size_t>(iz), z1 = static_cast<std::size_t>(map.next<Periodic>(iz));
          const double w0 = m * (1 - fx), w1 = m * fx;
          g0[y0 + z0] += w0 * (1 - fy) * (1 - fz);
          g0[y0 + z1] += w0 * (1 - fy) * fz;
          g0[y1 + z0] += w0 * fy * (1 - fz);
          g0[y1 + z1] += w0 * fy * fz;
          g1[y0 + z0] += w1 * (1 - fy) * (1 - fz);
          g1[y0 + z1] += w1 * (1 - fy) * fz;
          g1[y1 + z0] += w1 * fy * (1 - fz);
          g1[y1 + z1] += w1 * fy * fz;
          Span& s = span[iy];
          s.lo = std::min(s.lo, static_cast<std::uint16_t>(iz));
          s.hi = std::max(s.hi, static_cast<std::uint16_t>(iz));
        }
      }
    }
  }
}

void MeshParticles::force_rows(int n, int x0, int x1, Span* rows, std::uint8_t* mass) const {
  const std::size_t nn = static_cast<std::size_t>(n);
#pragma omp parallel for schedule(static)
  for (int x = x0; x <= x1; ++x)
    for (int y = 0; y < n; ++y) {
      Span r = kEmptySpan;
      for (int b = x - 1; b <= x; ++b)
        for (int v = y - 1; v <= y; ++v) {
          if (b < 0 || v < 0 || b >= n) continue;
          const Span s = span_[static_cast<std::size_t>(b) * nn + static_cast<std::size_t>(v)];
          if (s.lo > s.hi) continue;
          r.lo = std::min(r.lo, s.lo);
          r.hi = std::max(r.hi, static_cast<std::uint16_t>(s.hi + 1));
        }
      const std::size_t c = static_cast<std::size_t>(x - x0) * nn + static_cast<std::size_t>(y);
      rows[c] = r;
      mass[c] = r.lo <= r.hi;
    }
}

void MeshParticles::need_rows(const std::uint8_t* mass_all, int n, int x0, int x1, std::uint8_t* need) {
  const std::size_t nn = static_cast<std::size_t>(n);
#pragma omp parallel for schedule(static)
  for (int x = x0; x <= x1; ++x)
    for (int y = 0; y < n; ++y) {
      bool want = false;
      for (int d = -2; d <= 2; ++d) {
        const int u = x + d, v = y + d;
        if (u >= 0 && u < n) want |= mass_all[static_cast<std::size_t>(u) * nn + static_cast<std::size_t>(y)] != 0;
        if (v >= 0 && v < n) want |= mass_all[static_cast<std::size_t>(x) * nn + static_cast<std::size_t>(v)] != 0;
      }
      need[static_cast<std::size_t>(x - x0) * nn + static_cast<std::size_t>(y)] = want;
    }
}

void MeshParticles::interpolate(const MeshMap& map, const Planes& force, int b0, int count, Accels& acc) const {
  if (map.periodic)
    interpolate<true>(map, force, b0, count, acc);
  else
    interpolate<false>(map, force, b0, count, acc);
}

// In bucket order, streaming through the sorted arrays and the mesh; writes
// a at the source index. (Writing in bucket order and permuting afterwards
// was measured no faster, and needs another 24 bytes per particle.)
template <bool Periodic>
void MeshParticles::interpolate(const MeshMap& map, const Planes& force, int b0, int count, Accels& acc) const {
  const std::size_t n = static_cast<std::size_t>(map.n);
#pragma omp parallel for schedule(dynamic, 1)
  for (int kx = 0; kx < count; ++kx) {
    const int x = map.wrap(b0 + kx);
    const double* fp[2] = {force.at(x), force.at(map.next<Periodic>(x))};
    for (std::size_t k = start_[static_cast<std::size_t>(x)]; k < start_[static_cast<std::size_t>(x) + 1]; ++k) {
      const SortedParticle& p = sorted_[k];
      const SortedCell cell = cells_[k];
      const int iy = static_cast<int>(cell.yz >> 16), iz = static_cast<int>(cell.yz & 0xffff);
      const std::size_t ys[2] = {static_cast<std::size_t>(iy), static_cast<std::size_t>(map.next<Periodic>(iy))};
      const std::size_t zs[2] = {static_cast<std::size_t>(iz), static_cast<std::size_t>(map.next<Periodic>(iz))};
      const double wx[2] = {1 - p.fx, p.fx}, wy[2] = {1 - p.fy, p.fy}, wz[2] = {1 - p.fz, p.fz};
      double ax = 0, ay = 0, az = 0;
      for (int a = 0; a < 2; ++a)
        for (int b = 0; b < 2; ++b)
          for (int c = 0; c < 2; ++c) {
            const double* f = fp[a] + 3 * (ys[b] * n + zs[c]);
            const double w = wx[a] * wy[b] * wz[c];
            ax += w * f[0];
            ay += w * f[1];
            az += w * f[2];
          }
      const std::uint32_t i = cell.idx;
      acc.ax[i] = ax;
      acc.ay[i] = ay;
      acc.az[i] = az;
    }
  }
}

// phi_i = sum over the 8 corners c of w_c phi(c), in bucket order like
// interpolate(), minus the particle's interaction with its own cloud (the
// reasons are in particle_mesh.cpp, where the potential is explained).
void MeshParticles::interpolate_potential(const MeshMap& map, const Planes& phi, std::size_t row, int b0, int count,
                                          double eps, double* out) const {
  double g[2][2][2];
  for (int a = 0; a < 2; ++a)
    for (int b = 0; b < 2; ++b)
      for (int c = 0; c < 2; ++c) g[a][b][c] = isolated_green_at(a, b, c, map.h, eps);
#pragma omp parallel for schedule(dynamic, 1)
  for (int kx = 0; kx < count; ++kx) {
    const int x = b0 + kx;
    const auto ux = static_cast<std::size_t>(x);
    const double* px[2] = {phi.at(x), phi.at(x + 1)};
    for (std::size_t k = start_[ux]; k < start_[ux + 1]; ++k) {
      const SortedParticle& q = sorted_[k];
      const SortedCell cell = cells_[k];
      const std::size_t iy = cell.yz >> 16, iz = cell.yz & 0xffff;
      const double wx[2] = {1 - q.fx, q.fx}, wy[2] = {1 - q.fy, q.fy}, wz[2] = {1 - q.fz, q.fz};
      double p = 0, self = 0;
      for (int a = 0; a < 2; ++a)
        for (int b = 0; b < 2; ++b)
          for (int c = 0; c < 2; ++c) p += wx[a] * wy[b] * wz[c] * px[a][(iy + b) * row + iz + c];
      const double pxw[2] = {wx[0] * wx[0] + wx[1] * wx[1], 2 * wx[0] * wx[1]},
                   pyw[2] = {wy[0] * wy[0] + wy[1] * wy[1], 2 * wy[0] * wy[1]},
                   pzw[2] = {wz[0] * wz[0] + wz[1] * wz[1], 2 * wz[0] * wz[1]};
      for (int a = 0; a < 2; ++a)
        for (int b = 0; b < 2; ++b)
          for (int c = 0; c < 2; ++c) self += pxw[a] * pyw[b] * pzw[c] * g[a][b][c];
      out[cell.idx] = p - q.m * self;
    }
  }
}

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
