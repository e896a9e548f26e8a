// Direct summation across ranks: the serial kernel (sim/solvers/
// direct_kernel.hpp) over each rank's block in turn, in global order.
#include <algorithm>
#include <chrono>

#include "dist/block_sweep.hpp"
#include "dist/solvers_internal.hpp"

namespace slotsim::dist {
namespace {

class DistDirectSolver final : public Solver {
 public:
  DistDirectSolver(const ForceParams& p, Comm& comm, const Segments& seg)
      : eps2_(p.softening * p.softening), comm_(comm), seg_(seg), sweep_(res_) {}
  std::string_view name() const override { return "direct"; }
  std::uint64_t interactions() const override { return interactions_; }

  void accelerations(const Sources& src, Accels& acc, SolverPhases& phases) override {
    const auto t0 = std::chrono::steady_clock::now();
    std::fill_n(acc.ax, src.n, 0.0);
    std::fill_n(acc.ay, src.n, 0.0);
    std::fill_n(acc.az, src.n, 0.0);
    const detail::DirectTargets t{src.x, src.y, src.z, acc.ax, acc.ay, acc.az, src.n, seg_.begin(comm_.rank())};
    sweep_.run(comm_, seg_, src, [&](const detail::DirectSources& b) { detail::direct_accumulate(t, b, eps2_); });
    // This rank's targets against all sources: the pair terms it summed.
    interactions_ = src.n > 0 ? static_cast<std::uint64_t>(src.n) * (seg_.n - 1) : 0;
    phases = {};
    phases.solve_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  }

 private:
  double eps2_;
  Comm& comm_;
  Segments seg_;
  mem::CountingResource res_{mem::Category::Solver};
  BlockSweep sweep_;
  std::uint64_t interactions_ = 0;
};

}  // namespace

std::unique_ptr<Solver> make_dist_direct(const ForceParams& p, Comm& comm, const Segments& seg) {
  make_solver("direct", p);  // the serial solver's checks of the parameters
  return std::make_unique<DistDirectSolver>(p, comm, seg);
}

}  // namespace slotsim::dist
