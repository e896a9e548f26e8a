#include "sim/solvers/direct_kernel.hpp"

#include <algorithm>
#include <cmath>

namespace slotsim::detail {
namespace {

// Targets handled together: the same source j is applied to kBlock targets,
// which the compiler can put in SIMD lanes. Each target still sums its
// sources in order, so blocking changes speed, not results. Vectorising
// over j instead was rejected: it would reassociate each target's sum.
constexpr std::size_t kBlock = 4;

// Targets i0 .. i0 + kBlock - 1 (local indices). The source range is split
// around the block's own global indices so the bulk of the loop has no
// self-test and vectorises across the kBlock lanes; the order of j is
// unchanged. In the short middle range the self term is masked rather than
// skipped per lane; with r2 = 0 (eps = 0) the masked weight is 0, never
// inf * 0. A lane computes exactly what single() computes for its target
// (same operations in the same order; -ffp-contract=off keeps a*b+c from
// being fused in one and not the other), so where a rank's share of the
// targets starts never changes a bit.
void block(const DirectTargets& t, const DirectSources& s, double eps2, std::size_t i0) {
  double xi[kBlock], yi[kBlock], zi[kBlock], ax[kBlock], ay[kBlock], az[kBlock];
  for (std::size_t k = 0; k < kBlock; ++k) {
    xi[k] = t.x[i0 + k];
    yi[k] = t.y[i0 + k];
    zi[k] = t.z[i0 + k];
    ax[k] = t.ax[i0 + k];
    ay[k] = t.ay[i0 + k];
    az[k] = t.az[i0 + k];
  }
  auto sweep = [&](std::size_t j0, std::size_t j1) {
    for (std::size_t j = j0; j < j1; ++j) {
      const double xj = s.x[j], yj = s.y[j], zj = s.z[j], mj = s.m[j];
      for (std::size_t k = 0; k < kBlock; ++k) {
        const double dx = xj - xi[k], dy = yj - yi[k], dz = zj - zi[k];
        const double r2 = dx * dx + dy * dy + dz * dz + eps2;
        const double w = mj / (r2 * std::sqrt(r2));
        ax[k] += w * dx;
        ay[k] += w * dy;
        az[k] += w * dz;
      }
    }
  };
  // The block's own global indices, as local indices of the source block
  // (clipped to it: [mid0, mid1) may be empty).
  const std::size_t g0 = t.first + i0;
  const std::size_t mid0 = std::clamp(g0, s.first, s.first + s.n) - s.first;
  const std::size_t mid1 = std::clamp(g0 + kBlock, s.first, s.first + s.n) - s.first;
  sweep(0, mid0);
  for (std::size_t j = mid0; j < mid1; ++j) {
    for (std::size_t k = 0; k < kBlock; ++k) {
      const double dx = s.x[j] - xi[k], dy = s.y[j] - yi[k], dz = s.z[j] - zi[k];
      const double r2 = dx * dx + dy * dy + dz * dz + eps2;
      const double w = (s.first + j == g0 + k) ? 0.0 : s.m[j] / (r2 * std::sqrt(r2));
      ax[k] += w * dx;
      ay[k] += w * dy;
      az[k] += w * dz;
    }
  }
  sweep(mid1, s.n);
  for (std::size_t k = 0; k < kBlock; ++k) {
    t.ax[i0 + k] = ax[k];
    t.ay[i0 + k] = ay[k];
    t.az[i0 + k] = az[k];
  }
}

// Same arithmetic as one lane of block(), for the ragged tail.
void single(const DirectTargets& t, const DirectSources& s, double eps2, std::size_t i) {
  const double xi = t.x[i], yi = t.y[i], zi = t.z[i];
  const std::size_t gi = t.first + i;
  double ax = t.ax[i], ay = t.ay[i], az = t.az[i];
  for (std::size_t j = 0; j < s.n; ++j) {
    const double dx = s.x[j] - xi, dy = s.y[j] - yi, dz = s.z[j] - zi;
    const double r2 = dx * dx + dy * dy + dz * dz + eps2;
    const double w = (s.first + j == gi) ? 0.0 : s.m[j] / (r2 * std::sqrt(r2));
    ax += w * dx;
    ay += w * dy;
    az += w * dz;
  }
  t.ax[i] = ax;
  t.ay[i] = ay;
  t.az[i] = az;
}

}  // namespace

void direct_accumulate(const DirectTargets& t, const DirectSources& s, double eps2) {
  if (t.n == 0 || s.n == 0) return;
  const auto nblocks = static_cast<std::ptrdiff_t>((t.n + kBlock - 1) / kBlock);
  // Static schedule: which thread computes a target never affects its sum,
  // but static keeps the cost of equal-sized blocks free of dispatch.
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t b = 0; b < nblocks; ++b) {
    const std::size_t i0 = static_cast<std::size_t>(b) * kBlock;
    if (i0 + kBlock <= t.n)
      block(t, s, eps2, i0);
    else
      for (std::size_t i = i0; i < t.n; ++i) single(t, s, eps2, i);
  }
}

}  // namespace slotsim::detail
