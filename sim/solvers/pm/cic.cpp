// Cloud-in-cell particle passes; contracts in cic.hpp.
#include "sim/solvers/pm/cic.hpp"

#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace slotsim::detail {
namespace {

template <bool Periodic>
void bucket_impl(const Sources& src, const MeshMap& map, XBuckets& out) {
  const std::size_t np = src.n, nb = static_cast<std::size_t>(map.n);
  out.p.resize(np);
  out.rank.resize(np);
  std::uint32_t* rank = out.rank.data();
  out.yz.resize(np);
  std::uint32_t* yz = out.yz.data();
  const int nt = omp_get_max_threads();
  std::vector<std::size_t> counts(static_cast<std::size_t>(nt) * nb, 0);
  out.start.assign(nb + 1, 0);
  BucketedParticle* dst = out.p.data();
#pragma omp parallel num_threads(nt)
  {
    const auto t = static_cast<std::size_t>(omp_get_thread_num());
    const auto T = static_cast<std::size_t>(omp_get_num_threads());
    const std::size_t b = np * t / T, e = np * (t + 1) / T;
    std::size_t* cnt = &counts[t * nb];
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
        out.start[x] = sum;
        for (std::size_t u = 0; u < T; ++u) {
          const std::size_t c = counts[u * nb + x];
          counts[u * nb + x] = sum;
          sum += c;
        }
      }
      out.start[nb] = sum;
    }
    for (std::size_t i = b; i < e; ++i) {
      int ix, iy, iz;
      double fx, fy, fz;
      map.cell<Periodic>(src.x[i], 0, ix, fx);
      map.cell<Periodic>(src.y[i], 1, iy, fy);
      map.cell<Periodic>(src.z[i], 2, iz, fz);
      const std::size_t k = cnt[ix]++;
      // The bucket's lines a few particles ahead, so that their fetch for
      // writing overlaps this one's (each bucket is a stream of its own,
      // too many for the hardware prefetcher to follow).
      if (k + 32 < np) {
        __builtin_prefetch(dst + k + 8, 1);
        __builtin_prefetch(yz + k + 32, 1);
      }
      dst[k] = {{fx, fy, fz}, src.m[i]};
      yz[k] = static_cast<std::uint32_t>(iy) << 16 | static_cast<std::uint32_t>(iz);
      rank[i] = static_cast<std::uint32_t>(k);
    }
  }
}

template <bool Periodic>
void deposit_impl(const MeshMap& map, const XBuckets& bk, int b0, int b1, const Planes& mesh, std::size_t row,
                  Span* spans) {
  const int n = map.n;
  const std::size_t nn = static_cast<std::size_t>(n);
  auto phase_of = [&](int b) { return Periodic && n % 2 == 1 && b == n - 1 ? 2 : b % 2; };
#pragma omp parallel
  {
    if (spans) {
#pragma omp for schedule(static)
      for (int x = b0; x < b1; ++x)
        std::fill_n(spans + static_cast<std::size_t>(x - b0) * nn, nn, kEmptySpan);
    }
    for (int phase = 0; phase < 3; ++phase) {
#pragma omp for schedule(dynamic, 1)
      for (int b = b0; b < b1; ++b) {
        const auto bu = static_cast<std::size_t>(b);
        if (phase_of(b) != phase || bk.start[bu] == bk.start[bu + 1]) continue;
        double* g0 = mesh.at(b);
        double* g1 = mesh.at(map.next<Periodic>(b));
        const std::ptrdiff_t dplane = g1 - g0;
        Span* span = spans ? spans + static_cast<std::size_t>(b - b0) * nn : nullptr;
        for (std::size_t k = bk.start[bu]; k < bk.start[bu + 1]; ++k) {
          const BucketedParticle& p = bk.p[k];
          const double fx = p.f[0], fy = p.f[1], fz = p.f[2];
          const int iy = static_cast<int>(bk.yz[k] >> 16), iz = static_cast<int>(bk.yz[k] & 0xffff);
          const double m = p.m;
          const double w0 = m * (1 - fx), w1 = m * fx;
          if constexpr (Periodic) {
            const std::size_t y0 = static_cast<std::size_t>(iy) * row,
                              y1 = static_cast<std::size_t>(map.next<Periodic>(iy)) * row;
            const std::size_t z0 = static_cast<std::size_t>(iz),
                              z1 = static_cast<std::size_t>(map.next<Periodic>(iz));
            g0[y0 + z0] += w0 * (1 - fy) * (1 - fz);
            g0[y0 + z1] += w0 * (1 - fy) * fz;
            g0[y1 + z0] += w0 * fy * (1 - fz);
            g0[y1 + z1] += w0 * fy * fz;
            g1[y0 + z0] += w1 * (1 - fy) * (1 - fz);
            g1[y0 + z1] += w1 * (1 - fy) * fz;
            g1[y1 + z0] += w1 * fy * (1 - fz);
            g1[y1 + z1] += w1 * fy * fz;
          } else {
            // No wrap: the 8 cells are the first one at fixed offsets (the
            // same cells and sums as the periodic branch, in the same order,
            // without eight index computations).
            double* c0 = g0 + static_cast<std::size_t>(iy) * row + static_cast<std::size_t>(iz);
            double* c1 = c0 + dplane;
            c0[0] += w0 * (1 - fy) * (1 - fz);
            c0[1] += w0 * (1 - fy) * fz;
            c0[row] += w0 * fy * (1 - fz);
            c0[row + 1] += w0 * fy * fz;
            c1[0] += w1 * (1 - fy) * (1 - fz);
            c1[1] += w1 * (1 - fy) * fz;
            c1[row] += w1 * fy * (1 - fz);
            c1[row + 1] += w1 * fy * fz;
          }
          if (span) {
            Span& s = span[iy];
            s.lo = std::min(s.lo, static_cast<std::uint16_t>(iz));
            s.hi = std::max(s.hi, static_cast<std::uint16_t>(iz));
          }
        }
      }
    }
  }
}

// One bucket of an isolated mesh's interpolation, with (ax, ay, az) of a
// corner held in one AVX register (a fourth lane riding along): per corner
// one load, one multiply and one add instead of three each. Every lane does
// what the scalar loop does to its component, in the same order, from
// +0 (no fused multiply-add: -ffp-contract=off, and AVX2 does not enable
// FMA), so the same bits. The fourth lane reads the next cell's ax: for the
// last corner, cell (x + 1, y + 1, z + 2), inside the plane since an
// isolated mesh keeps z <= n - kPmMargin (mesh_map.hpp). Its value (a
// cell the gradient may not have written, when it lies outside the row's
// occupied span) never reaches a result. The rejected alternative, vectorising over particles, needs
// a gather per corner and component.
__attribute__((target("avx2"))) void interpolate_bucket_avx2(BucketedParticle* p, const std::uint32_t* yzs,
                                                            std::size_t k0, std::size_t k1, const double* plane0,
                                                            std::size_t n, const std::size_t off[8]) {
  for (std::size_t k = k0; k < k1; ++k) {
    BucketedParticle& q = p[k];
    const double fx = q.f[0], fy = q.f[1], fz = q.f[2];
    const std::size_t iy = yzs[k] >> 16, iz = yzs[k] & 0xffff;
    const double wx[2] = {1 - fx, fx}, wy[2] = {1 - fy, fy}, wz[2] = {1 - fz, fz};
    const double* f0 = plane0 + 3 * (iy * n + iz);
    __m256d acc = _mm256_setzero_pd();
    for (int a = 0; a < 2; ++a)
      for (int c2 = 0; c2 < 2; ++c2)
        for (int c = 0; c < 2; ++c) {
          const double w = wx[a] * wy[c2] * wz[c];
          acc = _mm256_add_pd(acc, _mm256_mul_pd(_mm256_set1_pd(w), _mm256_loadu_pd(f0 + off[(a * 2 + c2) * 2 + c])));
        }
    _mm_storeu_pd(q.f, _mm256_castpd256_pd128(acc));
    _mm_store_sd(q.f + 2, _mm256_extractf128_pd(acc, 1));
  }
}

template <bool Periodic>
void interpolate_impl(const MeshMap& map, XBuckets& bk, int b0, int b1, const Planes& force) {
  const std::size_t n = static_cast<std::size_t>(map.n);
  BucketedParticle* p = bk.p.data();
  const std::size_t plane = force.stride, line = 3 * n;
  const std::size_t off[8] = {0, 3, line, line + 3, plane, plane + 3, plane + line, plane + line + 3};
  static const bool avx2 = __builtin_cpu_supports("avx2");
#pragma omp parallel for schedule(dynamic, 1)
  for (int x = b0; x < b1; ++x) {
    // Planes x and next(x); only a periodic one can wrap (isolated: the
    // second is the first plus one plane, as off[] assumes).
    const double* fp[2] = {force.at(x), force.at(map.next<Periodic>(x))};
    const auto bu = static_cast<std::size_t>(x);
    if constexpr (!Periodic) {
      if (avx2) {
        interpolate_bucket_avx2(p, bk.yz.data(), bk.start[bu], bk.start[bu + 1], fp[0], n, off);
        continue;
      }
    }
    for (std::size_t k = bk.start[bu]; k < bk.start[bu + 1]; ++k) {
      BucketedParticle& q = p[k];
      const double fx = q.f[0], fy = q.f[1], fz = q.f[2];
      const int iy = static_cast<int>(bk.yz[k] >> 16), iz = static_cast<int>(bk.yz[k] & 0xffff);
      const double wx[2] = {1 - fx, fx}, wy[2] = {1 - fy, fy}, wz[2] = {1 - fz, fz};
      double ax = 0, ay = 0, az = 0;
      if constexpr (Periodic) {
        const std::size_t ys[2] = {static_cast<std::size_t>(iy), static_cast<std::size_t>(map.next<Periodic>(iy))};
        const std::size_t zs[2] = {static_cast<std::size_t>(iz), static_cast<std::size_t>(map.next<Periodic>(iz))};
        for (int a = 0; a < 2; ++a)
          for (int c2 = 0; c2 < 2; ++c2)
            for (int c = 0; c < 2; ++c) {
              const double* f = fp[a] + 3 * (ys[c2] * n + zs[c]);
              const double w = wx[a] * wy[c2] * wz[c];
              ax += w * f[0];
              ay += w * f[1];
              az += w * f[2];
            }
      } else {
        // No wrap: corner (a, b, c) is the first one plus a fixed offset;
        // the same corners in the same order as the periodic branch.
        const double* f0 = fp[0] + 3 * (static_cast<std::size_t>(iy) * n + static_cast<std::size_t>(iz));
        for (int a = 0; a < 2; ++a)
          for (int c2 = 0; c2 < 2; ++c2)
            for (int c = 0; c < 2; ++c) {
              const double* f = f0 + off[(a * 2 + c2) * 2 + c];
              const double w = wx[a] * wy[c2] * wz[c];
              ax += w * f[0];
              ay += w * f[1];
              az += w * f[2];
            }
      }
      q.f[0] = ax;
      q.f[1] = ay;
      q.f[2] = az;
    }
  }
}

}  // namespace

void bucket_by_x(const Sources& src, const MeshMap& map, XBuckets& b) {
  if (map.periodic)
    bucket_impl<true>(src, map, b);
  else
    bucket_impl<false>(src, map, b);
}

void deposit_mass(const MeshMap& map, const XBuckets& b, int b0, int b1, const Planes& mesh, std::size_t row,
                  Span* spans) {
  if (map.periodic)
    deposit_impl<true>(map, b, b0, b1, mesh, row, spans);
  else
    deposit_impl<false>(map, b, b0, b1, mesh, row, spans);
}

void interpolate_forces(const MeshMap& map, XBuckets& b, int b0, int b1, const Planes& force) {
  if (map.periodic)
    interpolate_impl<true>(map, b, b0, b1, force);
  else
    interpolate_impl<false>(map, b, b0, b1, force);
}

void unbucket(const XBuckets& b, std::size_t np, int comps, double* const out[3]) {
  const BucketedParticle* p = b.p.data();
  const std::uint32_t* rank = b.rank.data();
  const auto sn = static_cast<std::ptrdiff_t>(np);
  if (comps == 3) {
    double *ax = out[0], *ay = out[1], *az = out[2];
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t i = 0; i < sn; ++i) {
      if (i + 16 < sn) __builtin_prefetch(p + rank[i + 16]);  // as the bucket pass's prefetch
      const BucketedParticle& q = p[rank[i]];
      ax[i] = q.f[0];
      ay[i] = q.f[1];
      az[i] = q.f[2];
    }
  } else {
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t i = 0; i < sn; ++i) {
      const BucketedParticle& q = p[rank[i]];
      for (int a = 0; a < comps; ++a) out[a][i] = q.f[a];
    }
  }
}

void interpolate_potential(XBuckets& bk, int b0, int b1, const Planes& potential, std::size_t row,
                           const double green[2][2][2]) {
  const std::size_t plane = potential.stride;
  BucketedParticle* pp = bk.p.data();
#pragma omp parallel for schedule(dynamic, 1)
  for (int x = b0; x < b1; ++x) {
    const double* g = potential.at(x);
    const auto bu = static_cast<std::size_t>(x);
    for (std::size_t k = bk.start[bu]; k < bk.start[bu + 1]; ++k) {
      BucketedParticle& q = pp[k];
      const double fx = q.f[0], fy = q.f[1], fz = q.f[2];
      const int iy = static_cast<int>(bk.yz[k] >> 16), iz = static_cast<int>(bk.yz[k] & 0xffff);
      const std::size_t uy = static_cast<std::size_t>(iy), uz = static_cast<std::size_t>(iz);
      const double wx[2] = {1 - fx, fx}, wy[2] = {1 - fy, fy}, wz[2] = {1 - fz, fz};
      double p = 0, self = 0;
      for (int a = 0; a < 2; ++a)
        for (int c2 = 0; c2 < 2; ++c2)
          for (int c = 0; c < 2; ++c)
            p += wx[a] * wy[c2] * wz[c] * g[static_cast<std::size_t>(a) * plane + (uy + c2) * row + uz + c];
      const double px[2] = {wx[0] * wx[0] + wx[1] * wx[1], 2 * wx[0] * wx[1]},
                   py[2] = {wy[0] * wy[0] + wy[1] * wy[1], 2 * wy[0] * wy[1]},
                   pz[2] = {wz[0] * wz[0] + wz[1] * wz[1], 2 * wz[0] * wz[1]};
      for (int a = 0; a < 2; ++a)
        for (int c2 = 0; c2 < 2; ++c2)
          for (int c = 0; c < 2; ++c) self += px[a] * py[c2] * pz[c] * green[a][c2][c];
      q.f[0] = p - q.m * self;
    }
  }
}

}  // namespace slotsim::detail
