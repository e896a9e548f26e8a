// Direct summation, O(N^2): the reference every approximate solver is
// measured against, so it favours a fixed, simple summation order over speed.
#include <chrono>
#include <cmath>

#include "sim/solvers/builtin.hpp"
#include "sim/solvers/params_check.hpp"

namespace slotsim::detail {
namespace {

// Targets handled together: the same source j is applied to kBlock targets,
// which the compiler can put in SIMD lanes. Each target still sums j = 0..N-1
// in order, so blocking changes speed, not results. Vectorising over j
// instead was rejected: it would reassociate each target's sum.
constexpr std::size_t kBlock = 4;

class DirectSolver final : public Solver {
 public:
  explicit DirectSolver(const ForceParams& p) : eps2_(p.softening * p.softening) {}
  std::string_view name() const override { return "direct"; }
  std::uint64_t interactions() const override { return interactions_; }

  void accelerations(const Sources& src, Accels& acc, SolverPhases& phases) override {
    const auto t0 = std::chrono::steady_clock::now();
    const auto nblocks = static_cast<std::ptrdiff_t>((src.n + kBlock - 1) / kBlock);
    // Static schedule: which thread computes a target never affects its sum,
    // but static keeps the cost of equal-sized blocks free of dispatch.
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t b = 0; b < nblocks; ++b) {
      const std::size_t i0 = static_cast<std::size_t>(b) * kBlock;
      if (i0 + kBlock <= src.n)
        block(src, acc, i0);
      else
        for (std::size_t i = i0; i < src.n; ++i) single(src, acc, i);
    }
    interactions_ = src.n > 0 ? static_cast<std::uint64_t>(src.n) * (src.n - 1) : 0;
    phases = {};
    phases.solve_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  }

 private:
  std::uint64_t interactions_ = 0;
  // The j range is split around the block's own indices so the bulk of the
  // loop has no self-test and vectorises across the kBlock lanes; the order
  // of j is unchanged. In the short middle range the self term is masked
  // rather than skipped per lane; with r2 = 0 (eps = 0) the masked weight is
  // 0, never inf * 0.
  void block(const Sources& s, Accels& a, std::size_t i0) const {
    double xi[kBlock], yi[kBlock], zi[kBlock], ax[kBlock] = {}, ay[kBlock] = {}, az[kBlock] = {};
    for (std::size_t k = 0; k < kBlock; ++k) {
      xi[k] = s.x[i0 + k];
      yi[k] = s.y[i0 + k];
      zi[k] = s.z[i0 + k];
    }
    auto sweep = [&](std::size_t j0, std::size_t j1) {
      for (std::size_t j = j0; j < j1; ++j) {
        const double xj = s.x[j], yj = s.y[j], zj = s.z[j], mj = s.m[j];
        for (std::size_t k = 0; k < kBlock; ++k) {
          const double dx = xj - xi[k], dy = yj - yi[k], dz = zj - zi[k];
          const double r2 = dx * dx + dy * dy + dz * dz + eps2_;
          const double w = mj / (r2 * std::sqrt(r2));
          ax[k] += w * dx;
          ay[k] += w * dy;
          az[k] += w * dz;
        }
      }
    };
    sweep(0, i0);
    for (std::size_t j = i0; j < i0 + kBlock; ++j) {
      for (std::size_t k = 0; k < kBlock; ++k) {
        const double dx = s.x[j] - xi[k], dy = s.y[j] - yi[k], dz = s.z[j] - zi[k];
        const double r2 = dx * dx + dy * dy + dz * dz + eps2_;
        const double w = (j == i0 + k) ? 0.0 : s.m[j] / (r2 * std::sqrt(r2));
        ax[k] += w * dx;
        ay[k] += w * dy;
        az[k] += w * dz;
      }
    }
    sweep(i0 + kBlock, s.n);
    for (std::size_t k = 0; k < kBlock; ++k) {
      a.ax[i0 + k] = ax[k];
      a.ay[i0 + k] = ay[k];
      a.az[i0 + k] = az[k];
    }
  }

  // Same arithmetic as one lane of block(), for the ragged tail.
  void single(const Sources& s, Accels& a, std::size_t i) const {
    const double xi = s.x[i], yi = s.y[i], zi = s.z[i];
    double ax = 0, ay = 0, az = 0;
    for (std::size_t j = 0; j < s.n; ++j) {
      const double dx = s.x[j] - xi, dy = s.y[j] - yi, dz = s.z[j] - zi;
      const double r2 = dx * dx + dy * dy + dz * dz + eps2_;
      const double w = (j == i) ? 0.0 : s.m[j] / (r2 * std::sqrt(r2));
      ax += w * dx;
      ay += w * dy;
      az += w * dz;
    }
    a.ax[i] = ax;
    a.ay[i] = ay;
    a.az[i] = az;
  }

  double eps2_;
};

}  // namespace

std::unique_ptr<Solver> make_direct_solver(const ForceParams& p) {
  check_softening(p);
  return std::make_unique<DirectSolver>(p);
}

}  // namespace slotsim::detail
