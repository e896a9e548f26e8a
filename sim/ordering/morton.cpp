#include "sim/ordering/morton.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "sim/extent.hpp"

namespace slotsim::detail {
namespace {

// Spreads the low 21 bits of v so bit k lands at bit 3k.
std::uint64_t spread3(std::uint64_t v) {
  v &= 0x1fffff;
  v = (v | v << 32) & 0x1f00000000ffffULL;
  v = (v | v << 16) & 0x1f0000ff0000ffULL;
  v = (v | v << 8) & 0x100f00f00f00f00fULL;
  v = (v | v << 4) & 0x10c30c30c30c30c3ULL;
  v = (v | v << 2) & 0x1249249249249249ULL;
  return v;
}

std::uint64_t quantise(double v, double lo, double scale) {
  constexpr double kMax = (1 << kMortonBits) - 1;
  const double q = std::floor((v - lo) * scale);
  // Written so a NaN coordinate maps to 0 instead of an undefined cast.
  return static_cast<std::uint64_t>(q >= 0 ? std::min(q, kMax) : 0.0);
}

}  // namespace

std::uint64_t morton_key(double x, double y, double z, const double lo[3], double scale) {
  return spread3(quantise(x, lo[0], scale)) | spread3(quantise(y, lo[1], scale)) << 1 |
         spread3(quantise(z, lo[2], scale)) << 2;
}

namespace {

// 11-bit digits: 6 passes cover 63 bits, and a 2048-entry histogram per
// thread stays in L1. 8-bit digits would need 8 passes over the data.
constexpr int kDigitBits = 11;
constexpr std::size_t kBuckets = std::size_t{1} << kDigitBits;

}  // namespace

Cube bounding_cube(const Sources& s) {
  if (s.n > 0 && s.extent) return cube_of_extent(s.extent->lo, s.extent->hi);
  double lo[3] = {0, 0, 0}, hi[3] = {0, 0, 0};
  if (s.n > 0) {
    double x0 = s.x[0], x1 = s.x[0], y0 = s.y[0], y1 = s.y[0], z0 = s.z[0], z1 = s.z[0];
    const auto n = static_cast<std::ptrdiff_t>(s.n);
    // min/max are exact and commutative, so this reduction is deterministic.
#pragma omp parallel for schedule(static) reduction(min : x0, y0, z0) reduction(max : x1, y1, z1)
    for (std::ptrdiff_t i = 0; i < n; ++i) {
      widen(x0, y0, z0, x1, y1, z1, s.x[i], s.y[i], s.z[i]);
    }
    lo[0] = x0, lo[1] = y0, lo[2] = z0, hi[0] = x1, hi[1] = y1, hi[2] = z1;
  }
  return cube_of_extent(lo, hi);
}

Cube cube_of_extent(const double lo[3], const double hi[3]) {
  double side = std::max({hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]});
  // The margin keeps the top coordinate below the last key; the floor keeps a
  // single particle (or all particles at one point) from giving side 0.
  const double mag = std::max({std::abs(lo[0]), std::abs(lo[1]), std::abs(lo[2]), 1.0});
  side = side * (1 + 1e-9) + mag * 1e-12;
  Cube c;
  for (int a = 0; a < 3; ++a) c.lo[a] = lo[a];
  c.side = side;
  return c;
}

void morton_sort(const Sources& s, const Cube& c, SolverBuffer<std::uint64_t>& keys,
                 SolverBuffer<std::uint32_t>& perm, SolverBuffer<std::uint64_t>& tmp_keys,
                 SolverBuffer<std::uint32_t>& tmp_perm) {
  const std::size_t n = s.n;
  keys.resize(n);
  perm.resize(n);
  tmp_keys.resize(n);
  tmp_perm.resize(n);
  const double scale = static_cast<double>(1 << kMortonBits) / c.side;
  const auto sn = static_cast<std::ptrdiff_t>(n);
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t i = 0; i < sn; ++i) {
    keys[i] = morton_key(s.x[i], s.y[i], s.z[i], c.lo, scale);
    perm[i] = static_cast<std::uint32_t>(i);
  }

  // LSD radix sort, stable per pass. Each thread owns one contiguous chunk;
  // bucket offsets are prefix sums over (digit, thread) in that order, which
  // is exactly the stable order whatever the number of chunks.
  const int max_threads = omp_get_max_threads();
  std::vector<std::size_t> hist(static_cast<std::size_t>(max_threads) * kBuckets);
  std::uint64_t* kin = keys.data();
  std::uint32_t* pin = perm.data();
  std::uint64_t* kout = tmp_keys.data();
  std::uint32_t* pout = tmp_perm.data();
  for (int shift = 0; shift < 3 * kMortonBits; shift += kDigitBits) {
    bool single_bucket = false;
#pragma omp parallel num_threads(max_threads)
    {
      const auto nt = static_cast<std::size_t>(omp_get_num_threads());
      const auto t = static_cast<std::size_t>(omp_get_thread_num());
      const std::size_t b = n * t / nt, e = n * (t + 1) / nt;
      std::size_t* h = &hist[t * kBuckets];
      std::fill_n(h, kBuckets, 0);
      for (std::size_t i = b; i < e; ++i) ++h[(kin[i] >> shift) & (kBuckets - 1)];
#pragma omp barrier
#pragma omp single
      {
        std::size_t sum = 0, used = 0;
        for (std::size_t d = 0; d < kBuckets; ++d) {
          std::size_t col = 0;
          for (std::size_t u = 0; u < nt; ++u) {
            const std::size_t c0 = hist[u * kBuckets + d];
            hist[u * kBuckets + d] = sum;
            sum += c0;
            col += c0;
          }
          used += col > 0;
        }
        // All keys share this digit: the pass would be an identity copy.
        single_bucket = used <= 1;
      }
      if (!single_bucket)
        for (std::size_t i = b; i < e; ++i) {
          const std::size_t o = h[(kin[i] >> shift) & (kBuckets - 1)]++;
          kout[o] = kin[i];
          pout[o] = pin[i];
        }
    }
    if (!single_bucket) {
      std::swap(kin, kout);
      std::swap(pin, pout);
    }
  }
  if (kin != keys.data()) {
    keys.swap(tmp_keys);
    perm.swap(tmp_perm);
  }
}

}  // namespace slotsim::detail
