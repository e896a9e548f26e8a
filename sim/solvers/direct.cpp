// Direct summation, O(N^2): the reference every approximate solver is
// measured against, so it favours a fixed, simple summation order over speed.
// The arithmetic is direct_kernel.cpp's, over all sources in one block.
#include <algorithm>
#include <chrono>

#include "sim/solvers/builtin.hpp"
#include "sim/solvers/direct_kernel.hpp"
#include "sim/solvers/params_check.hpp"

namespace slotsim::detail {
namespace {

class DirectSolver final : public Solver {
 public:
  explicit DirectSolver(const ForceParams& p) : eps2_(p.softening * p.softening) {}
  std::string_view name() const override { return "direct"; }
  std::uint64_t interactions() const override { return interactions_; }

  void accelerations(const Sources& src, Accels& acc, SolverPhases& phases) override {
    const auto t0 = std::chrono::steady_clock::now();
    std::fill_n(acc.ax, src.n, 0.0);
    std::fill_n(acc.ay, src.n, 0.0);
    std::fill_n(acc.az, src.n, 0.0);
    direct_accumulate({src.x, src.y, src.z, acc.ax, acc.ay, acc.az, src.n, 0},
                      {src.x, src.y, src.z, src.m, src.n, 0}, eps2_);
    interactions_ = src.n > 0 ? static_cast<std::uint64_t>(src.n) * (src.n - 1) : 0;
    phases = {};
    phases.solve_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  }

 private:
  std::uint64_t interactions_ = 0;
  double eps2_;
};

}  // namespace

std::unique_ptr<Solver> make_direct_solver(const ForceParams& p) {
  check_softening(p);
  return std::make_unique<DirectSolver>(p);
}

}  // namespace slotsim::detail
