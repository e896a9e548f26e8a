// Cloud-in-cell particle passes; contracts in cic.hpp.
#include "sim/solvers/pm/cic.hpp"

#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace slotsim::detail {
namespace {

// The scalar bucket pass was bound by its arithmetic, not its bytes:
// scaled() and split() on three axes, some 70 instructions a particle,
// against a dozen for the scatter (measured by removing the writes: the
// placement loop kept 34 of its 40 ms at 10M, 2 threads). With the
// four-wide cells below the scatter is the larger part: the whole pass took
// 14.4-19.1 ms without the record and yz writes against 24.0-28.4 with
// them (bench/pm_passes 10M, 2 threads, three alternating pairs,
// 2026-12-06), so eight-wide (AVX-512) cells, which would cut only the
// rest, were not written. So the cells and fractions of four
// particles are computed at once, in AVX2 (MeshMap::cell lane by lane: the
// same operations, in the same order, IEEE in every lane, so the same bits;
// cic_test compares them, faces, NaN and huge values included), and the
// scatter stays scalar. The rejected alternative, software write-combining
// (per-bucket staging flushed with streaming stores), removes the read of
// each destination line but adds a copy and a branch per record: 50 ms
// against 40 in the same A/B. Tried again with the four-wide cells: one
// staged record per bucket (in L1), the whole line streamed when its second
// record arrives, bench/pm_passes 10M, 2 threads, alternating: 51-64 ms
// against 26-37 with two 32-byte streaming stores per line, 58-60 with one
// 64-byte AVX-512 store. Streaming stores to scattered lines are slow here
// whatever their width; unbucket()'s pay because they are sequential.
struct CellsAvx2 {
  __m256d origin[3], inv_h, lo, hi, n;
  __m128i imax;
};

template <bool Periodic>
__attribute__((target("avx2"))) inline void cells4(const CellsAvx2& c, int axis, __m256d pos, __m128i& i,
                                                  __m256d& f) {
  __m256d u = _mm256_mul_pd(_mm256_sub_pd(pos, c.origin[axis]), c.inv_h);
  if constexpr (Periodic) {
    u = _mm256_sub_pd(u, _mm256_mul_pd(c.n, _mm256_floor_pd(_mm256_div_pd(u, c.n))));
    // !(u >= 0 && u < n): 0 (ordered compares are false for NaN).
    const __m256d ok = _mm256_and_pd(_mm256_cmp_pd(u, _mm256_setzero_pd(), _CMP_GE_OQ), _mm256_cmp_pd(u, c.n, _CMP_LT_OQ));
    u = _mm256_and_pd(u, ok);
    i = _mm256_cvttpd_epi32(u);
  } else {
    u = _mm256_blendv_pd(c.lo, u, _mm256_cmp_pd(u, c.lo, _CMP_GE_OQ));  // !(u >= lo): lo
    u = _mm256_blendv_pd(u, c.hi, _mm256_cmp_pd(u, c.hi, _CMP_GT_OQ));  // u > hi: hi
    i = _mm_min_epi32(_mm256_cvttpd_epi32(u), c.imax);
  }
  f = _mm256_sub_pd(u, _mm256_cvtepi32_pd(i));
}

inline CellsAvx2 cells_avx2_constants(const MeshMap& map) __attribute__((target("avx2")));
inline CellsAvx2 cells_avx2_constants(const MeshMap& map) {
  CellsAvx2 c;
  for (int a = 0; a < 3; ++a) c.origin[a] = _mm256_set1_pd(map.origin[a]);
  c.inv_h = _mm256_set1_pd(map.inv_h);
  c.lo = _mm256_set1_pd(kPmMargin - 1);
  c.hi = _mm256_set1_pd(map.n - kPmMargin + 1);
  c.n = _mm256_set1_pd(map.n);
  c.imax = _mm_set1_epi32(map.n - kPmMargin);
  return c;
}

// The bucket pass one particle at a time: without AVX2, and for the last
// particles of a chunk that the four-wide loops leave.
template <bool Periodic>
void count_scalar(const Sources& src, const MeshMap& map, std::size_t b, std::size_t e, std::size_t* cnt) {
  for (std::size_t i = b; i < e; ++i) {
    int ix;
    double f;
    map.cell<Periodic>(src.x[i], 0, ix, f);
    ++cnt[ix];
  }
}

template <bool Periodic>
void place_scalar(const Sources& src, const MeshMap& map, std::size_t b, std::size_t e, std::size_t* cnt,
                  BucketedParticle* dst, std::uint32_t* yz, std::uint32_t* rank, std::size_t np) {
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
    // (16 and 32 records ahead instead of 8: no difference beyond the
    // noise, bench/pm_passes 10M, three alternating triples.)
    if (k + 32 < np) {
      __builtin_prefetch(dst + k + 8, 1);
      __builtin_prefetch(yz + k + 32, 1);
    }
    dst[k] = {{fx, fy, fz}, src.m[i]};
    yz[k] = static_cast<std::uint32_t>(iy) << 16 | static_cast<std::uint32_t>(iz);
    rank[i] = static_cast<std::uint32_t>(k);
  }
}

// Counts of particles [b, e) per x cell, into cnt.
template <bool Periodic>
__attribute__((target("avx2"))) void count_avx2(const Sources& src, const MeshMap& map, std::size_t b, std::size_t e,
                                               std::size_t* cnt) {
  const CellsAvx2 c = cells_avx2_constants(map);
  std::size_t i = b;
  for (; i + 4 <= e; i += 4) {
    __m128i ix;
    __m256d f;
    cells4<Periodic>(c, 0, _mm256_loadu_pd(src.x + i), ix, f);
    ++cnt[_mm_extract_epi32(ix, 0)];
    ++cnt[_mm_extract_epi32(ix, 1)];
    ++cnt[_mm_extract_epi32(ix, 2)];
    ++cnt[_mm_extract_epi32(ix, 3)];
  }
  count_scalar<Periodic>(src, map, i, e, cnt);
}

// The placement of particles [b, e): each to position cnt[x]++ of its
// bucket, its record and yz cells there, that position as its rank.
template <bool Periodic>
__attribute__((target("avx2"))) void place_avx2(const Sources& src, const MeshMap& map, std::size_t b, std::size_t e,
                                               std::size_t* cnt, BucketedParticle* dst, std::uint32_t* yz,
                                               std::uint32_t* rank, std::size_t np) {
  const CellsAvx2 c = cells_avx2_constants(map);
  std::size_t i = b;
  alignas(16) std::int32_t ixs[4];
  alignas(16) std::uint32_t yzs[4];
  // The four source streams a few lines ahead: the hardware prefetcher,
  // also following the buckets' write streams, fell behind on them (their
  // loads were where the samples of this loop sat). bench/pm_passes 10M,
  // 2 threads, 14 alternating pairs: 29-42 ms without, 25-36 with, lower
  // in 13 of them.
  const double *sx = src.x, *sy = src.y, *sz = src.z, *sm = src.m;
  for (; i + 4 <= e; i += 4) {
    if (i + 64 < e) {
      __builtin_prefetch(sx + i + 64);
      __builtin_prefetch(sy + i + 64);
      __builtin_prefetch(sz + i + 64);
      __builtin_prefetch(sm + i + 64);
    }
    __m128i ix, iy, iz;
    __m256d fx, fy, fz;
    cells4<Periodic>(c, 0, _mm256_loadu_pd(src.x + i), ix, fx);
    cells4<Periodic>(c, 1, _mm256_loadu_pd(src.y + i), iy, fy);
    cells4<Periodic>(c, 2, _mm256_loadu_pd(src.z + i), iz, fz);
    const __m256d m = _mm256_loadu_pd(src.m + i);
    _mm_store_si128(reinterpret_cast<__m128i*>(ixs), ix);
    _mm_store_si128(reinterpret_cast<__m128i*>(yzs), _mm_or_si128(_mm_slli_epi32(iy, 16), iz));
    // (fx, fy, fz, m) of four particles to four records.
    const __m256d t0 = _mm256_unpacklo_pd(fx, fy), t1 = _mm256_unpackhi_pd(fx, fy);
    const __m256d t2 = _mm256_unpacklo_pd(fz, m), t3 = _mm256_unpackhi_pd(fz, m);
    const __m256d r[4] = {_mm256_permute2f128_pd(t0, t2, 0x20), _mm256_permute2f128_pd(t1, t3, 0x20),
                          _mm256_permute2f128_pd(t0, t2, 0x31), _mm256_permute2f128_pd(t1, t3, 0x31)};
    for (int l = 0; l < 4; ++l) {
      const std::size_t k = cnt[ixs[l]]++;
      if (k + 32 < np) {  // as place_scalar
        __builtin_prefetch(dst + k + 8, 1);
        __builtin_prefetch(yz + k + 32, 1);
      }
      _mm256_store_pd(dst[k].f, r[l]);  // records are 32 B on a 64-byte aligned block
      yz[k] = yzs[l];
      rank[i + static_cast<std::size_t>(l)] = static_cast<std::uint32_t>(k);
    }
  }
  // Written out because GCC 12 leaves it out here: it compiles the call
  // below as a tail jump and emits no vzeroupper before it, so the thread
  // went on with the upper halves of the ymm registers dirty, and the
  // deposit that follows (legacy SSE encoding, like all the non-AVX code)
  // paid for every instruction that writes an xmm register. bench/pm_passes
  // at 10M, 2 threads: the deposit 35-37 ms with them dirty, 25-27 ms
  // clean; the same records took 25 ms whenever another pass had run in
  // between. tests/sim/avx_upper_state_test.py checks that no function of
  // the library that uses ymm or zmm registers lacks a vzeroupper.
  _mm256_zeroupper();
  place_scalar<Periodic>(src, map, i, e, cnt, dst, yz, rank, np);
}

template <bool Periodic>
void bucket_impl(const Sources& src, const MeshMap& map, XBuckets& out, bool avx2) {
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
    if (avx2)
      count_avx2<Periodic>(src, map, b, e, cnt);
    else
      count_scalar<Periodic>(src, map, b, e, cnt);
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
    if (avx2)
      place_avx2<Periodic>(src, map, b, e, cnt, dst, yz, rank, np);
    else
      place_scalar<Periodic>(src, map, b, e, cnt, dst, yz, rank, np);
  }
}

// Cells z and z + 1 of one row take (w (1 - fz), w fz), wz = (1 - fz, fz):
// one 16-byte load, multiply, add and store for the two. Each lane is the
// scalar statement `c[z] += w * (1 - fy) * (1 - fz)` with w * (1 - fy)
// already formed: the same product in the same order, so the same bits
// (SSE2 is in every x86-64; -ffp-contract=off keeps the multiply and the
// add apart). A particle's eight read-modify-writes of single doubles were
// most of the deposit's instructions: bench/pm_passes at 10M, 2 threads,
// three alternating runs, 45-46 ms before, 36-37 ms after. (The weights
// alone in vectors, with scalar read-modify-writes, changed nothing: the
// memory operations were the cost, not the multiplies. Prefetching the
// records 16 ahead: ~1 ms, within the noise, not kept. Each row's two
// cells as one aligned 32-byte block, the other lanes adding +0.0 (the
// same bits, and no pair straddling another's): 102-112 ms against 48-71,
// bench/pm_passes 10M, 2 threads, two alternating pairs on a loaded
// machine (a quarter more read-modify-writes a particle, each twice as
// wide); not kept. Nor the four mesh lines of the particle 8 or 16 records
// ahead prefetched for writing (2026-12-06, three alternating triples):
// 22.7-27.6 and 22.2-27.1 ms against 21.1-24.6 without.)
inline void add_pair(double* c, double w, __m128d wz) {
  _mm_storeu_pd(c, _mm_add_pd(_mm_loadu_pd(c), _mm_mul_pd(_mm_set1_pd(w), wz)));
}

template <bool Periodic>
void deposit_impl(const MeshMap& map, const XBuckets& bk, int b0, int b1, const Planes& mesh, std::size_t row,
                  Span* spans) {
  const int n = map.n;
  const std::size_t nn = static_cast<std::size_t>(n);
  auto phase_of = [&](int b) { return Periodic && n % 2 == 1 && b == n - 1 ? 2 : b % 2; };
  auto size_of = [&](int b) { return bk.start[static_cast<std::size_t>(b) + 1] - bk.start[static_cast<std::size_t>(b)]; };
  // Each phase's non-empty buckets, largest first. The threads take them
  // in that order, so the largest (29% of the particles sit in one bucket
  // of the 10M plummer scene on the 128 mesh) starts first instead of
  // whenever its turn in x comes, and the small ones fill in behind it.
  // The order of the buckets within a phase changes no sum: no two of them
  // reach the same plane. Modelled on that scene's bucket sizes, 2 threads:
  // the busier thread deposits 0.546 of the particles against 0.588 in x
  // order (0.5 ideal). Measured: bench/pm_passes 10M, 2 threads, median of
  // 9, six alternating pairs, 26.0-38.0 ms in x order, 19.6-29.4 ms this
  // way (these two changes together), lower in all six. Tried with it and
  // not kept: the spans in a second loop over the bucket's yz (fewer
  // instructions in this one), 25.9-34.6 ms against 19.9-28.4, slower in
  // all six pairs; the mesh's planes padded by 64 bytes, in case the
  // two planes a particle reaches, exactly 128 KB apart, made its loads
  // wait on the other plane's stores: no difference beyond the noise.
  std::vector<int> order[3];
  for (int b = b0; b < b1; ++b)
    if (size_of(b) != 0) order[phase_of(b)].push_back(b);
  for (auto& o : order)
    std::stable_sort(o.begin(), o.end(), [&](int a, int c) { return size_of(a) > size_of(c); });
  const BucketedParticle* const rec = bk.p.data();
  const std::uint32_t* const yzs = bk.yz.data();
#pragma omp parallel
  {
    if (spans) {
#pragma omp for schedule(static)
      for (int x = b0; x < b1; ++x)
        std::fill_n(spans + static_cast<std::size_t>(x - b0) * nn, nn, kEmptySpan);
    }
    for (int phase = 0; phase < 3; ++phase) {
      const auto count = static_cast<std::ptrdiff_t>(order[phase].size());
#pragma omp for schedule(dynamic, 1)
      for (std::ptrdiff_t t = 0; t < count; ++t) {
        const int b = order[phase][static_cast<std::size_t>(t)];
        const auto bu = static_cast<std::size_t>(b);
        double* g0 = mesh.at(b);
        double* g1 = mesh.at(map.next<Periodic>(b));
        const std::ptrdiff_t dplane = g1 - g0;
        Span* span = spans ? spans + static_cast<std::size_t>(b - b0) * nn : nullptr;
        // The bucket's bounds and arrays in locals: through bk, GCC reloads
        // them every particle (the mesh stores might alias them).
        const std::size_t k1 = bk.start[bu + 1];
        for (std::size_t k = bk.start[bu]; k < k1; ++k) {
          const BucketedParticle& p = rec[k];
          const double fx = p.f[0], fy = p.f[1], fz = p.f[2];
          const int iy = static_cast<int>(yzs[k] >> 16), iz = static_cast<int>(yzs[k] & 0xffff);
          const double m = p.m;
          const double w0 = m * (1 - fx), w1 = m * fx;
          if constexpr (Periodic) {
            const std::size_t y0 = static_cast<std::size_t>(iy) * row,
                              y1 = static_cast<std::size_t>(map.next<Periodic>(iy)) * row;
            const std::size_t z0 = static_cast<std::size_t>(iz),
                              z1 = static_cast<std::size_t>(map.next<Periodic>(iz));
            if (z1 == z0 + 1) {  // no wrap along z: the pairs, as below
              const __m128d wz = _mm_set_pd(fz, 1 - fz);
              add_pair(g0 + y0 + z0, w0 * (1 - fy), wz);
              add_pair(g0 + y1 + z0, w0 * fy, wz);
              add_pair(g1 + y0 + z0, w1 * (1 - fy), wz);
              add_pair(g1 + y1 + z0, w1 * fy, wz);
            } else {
              g0[y0 + z0] += w0 * (1 - fy) * (1 - fz);
              g0[y0 + z1] += w0 * (1 - fy) * fz;
              g0[y1 + z0] += w0 * fy * (1 - fz);
              g0[y1 + z1] += w0 * fy * fz;
              g1[y0 + z0] += w1 * (1 - fy) * (1 - fz);
              g1[y0 + z1] += w1 * (1 - fy) * fz;
              g1[y1 + z0] += w1 * fy * (1 - fz);
              g1[y1 + z1] += w1 * fy * fz;
            }
          } else {
            // No wrap: the 8 cells are the first one at fixed offsets (the
            // same cells and sums as the periodic branch, in the same order,
            // without eight index computations).
            double* c0 = g0 + static_cast<std::size_t>(iy) * row + static_cast<std::size_t>(iz);
            double* c1 = c0 + dplane;
            const __m128d wz = _mm_set_pd(fz, 1 - fz);
            add_pair(c0, w0 * (1 - fy), wz);
            add_pair(c0 + row, w0 * fy, wz);
            add_pair(c1, w1 * (1 - fy), wz);
            add_pair(c1 + row, w1 * fy, wz);
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

// One particle of an isolated mesh's interpolation, with (ax, ay, az) of a
// corner held in one AVX register (a fourth lane riding along): per corner
// one load, one multiply and one add instead of three each. Every lane does
// what the scalar loop does to its component, in the same order, from
// +0 (no fused multiply-add: -ffp-contract=off, which the bits rest on
// alone here: this function is also inlined into the avx512f loop below,
// whose target enables FMA; without the flag GCC fuses there), so the same
// bits. The fourth lane reads the next cell's ax: for the
// last corner, cell (x + 1, y + 1, z + 2), inside the plane since an
// isolated mesh keeps z <= n - kPmMargin (mesh_map.hpp). Its value (a
// cell the gradient may not have written, when it lies outside the row's
// occupied span) never reaches a result. The rejected alternative, vectorising over particles, needs
// a gather per corner and component. Also measured and not taken: the
// nested linear form (lerp along z, then y, then x: 7 multiplies against
// 20), bench/pm_passes 10M, 2 threads, four alternating pairs, 19.7-22.4 ms
// against 21.3-27.8, about 2 ms, for different rounding, i.e. new bits for
// every pm run; and the corner offsets copied into locals (GCC reloads
// off[] every particle, since the stores to q.f might alias it): sixteen
// instructions a particle fewer, and no difference. Nor (2026-12-06, same
// bench, 15 repeats, four alternating pairs each): AVX-512 with a corner
// pair (z, z + 1) per 512-bit load, half the loads, multiplies and adds, the
// two z sums added last (new bits again): 19.6-24.9 ms against 20.4-31.3,
// 1-2 ms, the pass not bound by its instruction count; and the buckets
// taken largest first, as the deposit takes them (the 29% bucket of the
// 10M plummer scene then starts first): 21.7-26.2 ms against 22.3-26.4,
// within the noise. It is the whole pass on a CPU without AVX-512
// (interpolate_bucket_avx2), and the odd particle at either end of a
// bucket for interpolate_bucket_avx512.
__attribute__((target("avx2"), always_inline)) inline void interpolate_one_avx2(BucketedParticle& q, std::uint32_t yz,
                                                                              const double* plane0, std::size_t n,
                                                                              const std::size_t off[8]) {
  const double fx = q.f[0], fy = q.f[1], fz = q.f[2];
  const std::size_t iy = yz >> 16, iz = yz & 0xffff;
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

__attribute__((target("avx2"))) void interpolate_bucket_avx2(BucketedParticle* p, const std::uint32_t* yzs,
                                                            std::size_t k0, std::size_t k1, const double* plane0,
                                                            std::size_t n, const std::size_t off[8]) {
  for (std::size_t k = k0; k < k1; ++k) interpolate_one_avx2(p[k], yzs[k], plane0, n, off);
}

// vpermpd within each 256-bit half, and 32 bytes from a and from b as one
// register. Both through the masked forms with every lane selected: GCC
// 12's _mm512_permutex_pd and _mm512_insertf64x4 pass an undefined vector
// that -Wuninitialized reports at -O2 and above (a false positive, but CI
// builds with -Werror); the instructions are the same.
template <int Imm>
__attribute__((target("avx512f"), always_inline)) inline __m512d permute_halves(__m512d a) {
  return _mm512_mask_permutex_pd(a, 0xff, a, Imm);
}
__attribute__((target("avx512f"), always_inline)) inline __m512d load_halves(const double* a, const double* b) {
  const __m512d lo = _mm512_castpd256_pd512(_mm256_loadu_pd(a));
  return _mm512_mask_insertf64x4(lo, 0xff, lo, _mm256_loadu_pd(b), 1);
}


// Two particles at once, one in each 256-bit half of a 512-bit register:
// every lane does what interpolate_bucket_avx2 does to its component, the
// same products and the same eight sums in the same order, so the same bits
// (cic_test runs each path against the scalar reference). Why it is
// faster is inferred, not measured (this VM has no performance counters):
// it has about 41 instructions a particle against the AVX2 loop's 73 (GCC
// 12 -O3), and one chain of eight dependent sums (some 40 cycles from the
// loads to the result) per two particles instead of per particle, and the
// core holds only so many particles' instructions while their chains run.
// The chains are the likelier cause: fewer instructions alone did not help,
// the AVX2 loop with its weights formed as vectors (about 55 a particle)
// taking 21.3-21.9 ms against 21.3-25.3, and with them read back from a
// stack array as broadcasts, 27.2-27.9 against 20.9-21.2 (bench/pm_passes
// 10M, 2 threads, 9 repeats, three and four alternating pairs). This loop,
// the same bench, four alternating pairs, 2026-12-06: 15.7-16.0 ms against
// 21.0-21.4 for the AVX2 loop, lower in all four; the control with every
// corner in L1 12.5-12.8 against 18.1-18.2 (the AVX2 loop is nearly as slow
// with its corners in L1: mostly not the mesh). The earlier AVX-512 attempt
// (a corner pair (z, z + 1) per load, noted above) gained less: its chains
// were shorter, but still one per particle.
// Weights: (wx wy) for the four (x, y) corners in one multiply, times wz0
// and wz1: (wx[a] wy[c2]) wz[c], as the scalar loop forms them (IEEE
// products commute). Records k and k + 1 are one 64-byte line when k is
// even (the array is 64-byte aligned), so an odd first particle is done
// alone, and an odd last one.
__attribute__((target("avx512f"))) void interpolate_bucket_avx512(BucketedParticle* p, const std::uint32_t* yzs,
                                                                 std::size_t k0, std::size_t k1,
                                                                 const double* plane0, std::size_t n,
                                                                 const std::size_t off[8]) {
  std::size_t k = k0;
  if (k < k1 && k % 2 != 0) {
    interpolate_one_avx2(p[k], yzs[k], plane0, n, off);
    ++k;
  }
  const __m512d one = _mm512_set1_pd(1.0);
  for (; k + 2 <= k1; k += 2) {
    const __m512d r = _mm512_load_pd(p[k].f);  // (fx fy fz m) of k, then of k + 1
    const __m512d om = _mm512_sub_pd(one, r);
    // Per half: wx = (1-fx, 1-fx, fx, fx), wy = (1-fy, fy, 1-fy, fy).
    const __m512d wx = _mm512_mask_blend_pd(0xcc, permute_halves<0x00>(om), permute_halves<0x00>(r));
    const __m512d wy = _mm512_mask_blend_pd(0xaa, permute_halves<0x55>(om), permute_halves<0x55>(r));
    const __m512d wxy = _mm512_mul_pd(wx, wy);
    const __m512d w[2] = {_mm512_mul_pd(wxy, permute_halves<0xaa>(om)), _mm512_mul_pd(wxy, permute_halves<0xaa>(r))};
    const double* fa = plane0 + 3 * (static_cast<std::size_t>(yzs[k] >> 16) * n + (yzs[k] & 0xffff));
    const double* fb = plane0 + 3 * (static_cast<std::size_t>(yzs[k + 1] >> 16) * n + (yzs[k + 1] & 0xffff));
    __m512d acc = _mm512_setzero_pd();
    // Corner (a, c2, c) = j * 2 + c with j = a * 2 + c2: weight lane j of w[c].
#define SLOTSIM_CORNER(J, C)                                                  \
  acc = _mm512_add_pd(acc, _mm512_mul_pd(permute_halves<(J) * 0x55>(w[C]), \
                                         load_halves(fa + off[(J) * 2 + (C)], fb + off[(J) * 2 + (C)])));
    SLOTSIM_CORNER(0, 0) SLOTSIM_CORNER(0, 1) SLOTSIM_CORNER(1, 0) SLOTSIM_CORNER(1, 1)
    SLOTSIM_CORNER(2, 0) SLOTSIM_CORNER(2, 1) SLOTSIM_CORNER(3, 0) SLOTSIM_CORNER(3, 1)
#undef SLOTSIM_CORNER
    _mm512_store_pd(p[k].f, _mm512_mask_blend_pd(0x88, acc, r));  // the masses kept
  }
  if (k < k1) interpolate_one_avx2(p[k], yzs[k], plane0, n, off);
}

template <bool Periodic>
void interpolate_impl(const MeshMap& map, XBuckets& bk, int b0, int b1, const Planes& force, InterpolationPath path) {
  const std::size_t n = static_cast<std::size_t>(map.n);
  BucketedParticle* p = bk.p.data();
  const std::size_t plane = force.stride, line = 3 * n;
  const std::size_t off[8] = {0, 3, line, line + 3, plane, plane + 3, plane + line, plane + line + 3};
  // The AVX-512 loop's aligned pair loads need the records on a 64-byte
  // boundary, which SolverBuffer gives; anything else takes the AVX2 loop.
  if (path == InterpolationPath::Avx512 && reinterpret_cast<std::uintptr_t>(p) % 64 != 0) path = InterpolationPath::Avx2;
#pragma omp parallel for schedule(dynamic, 1)
  for (int x = b0; x < b1; ++x) {
    // Planes x and next(x); only a periodic one can wrap (isolated: the
    // second is the first plus one plane, as off[] assumes).
    const double* fp[2] = {force.at(x), force.at(map.next<Periodic>(x))};
    const auto bu = static_cast<std::size_t>(x);
    if constexpr (!Periodic) {
      if (path == InterpolationPath::Avx512) {
        interpolate_bucket_avx512(p, bk.yz.data(), bk.start[bu], bk.start[bu + 1], fp[0], n, off);
        continue;
      }
      if (path == InterpolationPath::Avx2) {
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

// unbucket() of three components over source particles [b, e), four at a
// time: the four records (32-byte aligned, f then m) are transposed into
// four values of each output, which are written with streaming stores, so
// the 24 bytes a particle writes are not first read for ownership. The
// outputs must share their alignment modulo 32 (checked by the caller): a
// few particles one at a time bring them to a 32-byte boundary together.
// bench/pm_passes at 10M, 2 threads, three alternating runs: 18.1-18.9 ms
// for the scalar loop, 13.4-13.7 ms for this. (Streaming stores of single
// doubles from the scalar loop, tried before, took 40 ms: three streams of
// 8-byte pieces, where this writes whole 32-byte halves of lines.)
__attribute__((target("avx2"))) void unbucket3_avx2(const BucketedParticle* p, const std::uint32_t* rank,
                                                   std::size_t b, std::size_t e, double* ax, double* ay,
                                                   double* az) {
  auto one = [&](std::size_t j) {
    const BucketedParticle& q = p[rank[j]];
    ax[j] = q.f[0];
    ay[j] = q.f[1];
    az[j] = q.f[2];
  };
  std::size_t i = b;
  for (; i < e && reinterpret_cast<std::uintptr_t>(ax + i) % 32 != 0; ++i) one(i);
  for (; i + 4 <= e; i += 4) {
    // (64 and 128 particles ahead instead of 16: 9.9-11.4 and 9.4-11.7 ms
    // against 11.0-11.6, bench/pm_passes 10M, 2 threads, four alternating
    // triples, 2026-12-06: within the noise, not taken.)
    if (i + 20 <= e) {  // the records 16-19 particles (four blocks) ahead, as the scalar loop's prefetch
      __builtin_prefetch(p + rank[i + 16]);
      __builtin_prefetch(p + rank[i + 17]);
      __builtin_prefetch(p + rank[i + 18]);
      __builtin_prefetch(p + rank[i + 19]);
    }
    const __m256d r0 = _mm256_load_pd(p[rank[i]].f), r1 = _mm256_load_pd(p[rank[i + 1]].f),
                  r2 = _mm256_load_pd(p[rank[i + 2]].f), r3 = _mm256_load_pd(p[rank[i + 3]].f);
    // (x0 x1 z0 z1), (y0 y1 m0 m1), and the same for particles 2 and 3.
    const __m256d t0 = _mm256_unpacklo_pd(r0, r1), t1 = _mm256_unpackhi_pd(r0, r1);
    const __m256d t2 = _mm256_unpacklo_pd(r2, r3), t3 = _mm256_unpackhi_pd(r2, r3);
    _mm256_stream_pd(ax + i, _mm256_permute2f128_pd(t0, t2, 0x20));
    _mm256_stream_pd(ay + i, _mm256_permute2f128_pd(t1, t3, 0x20));
    _mm256_stream_pd(az + i, _mm256_permute2f128_pd(t0, t2, 0x31));
  }
  // Streaming stores are weakly ordered: fence them before the barrier
  // after which other threads (the kick) read these arrays.
  _mm_sfence();
  for (; i < e; ++i) one(i);
}

}  // namespace

void bucket_by_x(const Sources& src, const MeshMap& map, XBuckets& b) {
  static const bool avx2 = __builtin_cpu_supports("avx2");
  bucket_by_x(src, map, b, avx2);
}

void bucket_by_x(const Sources& src, const MeshMap& map, XBuckets& b, bool avx2) {
  if (map.periodic)
    bucket_impl<true>(src, map, b, avx2);
  else
    bucket_impl<false>(src, map, b, avx2);
}

void deposit_mass(const MeshMap& map, const XBuckets& b, int b0, int b1, const Planes& mesh, std::size_t row,
                  Span* spans) {
  if (map.periodic)
    deposit_impl<true>(map, b, b0, b1, mesh, row, spans);
  else
    deposit_impl<false>(map, b, b0, b1, mesh, row, spans);
}

const std::vector<InterpolationPath>& interpolation_paths() {
  static const std::vector<InterpolationPath> paths = [] {
    std::vector<InterpolationPath> v = {InterpolationPath::Scalar};
    if (__builtin_cpu_supports("avx2")) v.push_back(InterpolationPath::Avx2);
    if (__builtin_cpu_supports("avx512f")) v.push_back(InterpolationPath::Avx512);
    return v;
  }();
  return paths;
}

InterpolationPath best_interpolation_path() { return interpolation_paths().back(); }

const char* interpolation_path_name(InterpolationPath path) {
  switch (path) {
    case InterpolationPath::Avx512:
      return "avx512";
    case InterpolationPath::Avx2:
      return "avx2";
    case InterpolationPath::Scalar:
      break;
  }
  return "scalar";
}

void interpolate_forces(const MeshMap& map, XBuckets& b, int b0, int b1, const Planes& force) {
  interpolate_forces(map, b, b0, b1, force, best_interpolation_path());
}

void interpolate_forces(const MeshMap& map, XBuckets& b, int b0, int b1, const Planes& force, InterpolationPath path) {
  if (map.periodic)
    interpolate_impl<true>(map, b, b0, b1, force, path);
  else
    interpolate_impl<false>(map, b, b0, b1, force, path);
}

void unbucket(const XBuckets& b, std::size_t np, int comps, double* const out[3]) {
  // Below kStreamMin particles the outputs (24 B each: 1.5 MiB at the
  // threshold) fit in the L2 of a core like this VM's (1 MiB each, 2 MiB
  // in all), where the kick after would find them; streaming stores would
  // send them to memory. Measured above it only: at 10M (the figures at
  // unbucket3_avx2) and at 1M (three alternating pairs of the whole step,
  // the interpolate column 4.9-5.0 ms before, 4.4-4.5 ms after).
  constexpr std::size_t kStreamMin = std::size_t{1} << 16;
  static const bool avx2 = __builtin_cpu_supports("avx2");
  unbucket(b, np, comps, out, avx2 && np >= kStreamMin);
}

void unbucket(const XBuckets& b, std::size_t np, int comps, double* const out[3], bool avx2) {
  const BucketedParticle* p = b.p.data();
  const std::uint32_t* rank = b.rank.data();
  const auto sn = static_cast<std::ptrdiff_t>(np);
  auto mod32 = [](const double* a) { return reinterpret_cast<std::uintptr_t>(a) % 32; };
  if (comps == 3 && avx2 && mod32(out[0]) % 8 == 0 && mod32(out[0]) == mod32(out[1]) &&
      mod32(out[0]) == mod32(out[2])) {
#pragma omp parallel
    {
      const auto t = static_cast<std::size_t>(omp_get_thread_num());
      const auto T = static_cast<std::size_t>(omp_get_num_threads());
      unbucket3_avx2(p, rank, np * t / T, np * (t + 1) / T, out[0], out[1], out[2]);
    }
    return;
  }
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
