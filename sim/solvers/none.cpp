// Free streaming: no forces, so particles move on straight lines. Useful as
// the baseline that isolates the layout's drift/kick cost from any solver.
#include <algorithm>

#include "sim/solvers/builtin.hpp"

namespace slotsim::detail {
namespace {

class NoneSolver final : public Solver {
 public:
  std::string_view name() const override { return "none"; }
  bool has_forces() const override { return false; }
  void accelerations(const Sources& src, Accels& acc, SolverPhases& phases) override {
    phases = {};
    // Zeros rather than leaving acc untouched, so a caller that kicks anyway
    // gets free streaming instead of stale accelerations from another solver.
    std::fill_n(acc.ax, src.n, 0.0);
    std::fill_n(acc.ay, src.n, 0.0);
    std::fill_n(acc.az, src.n, 0.0);
  }
};

}  // namespace

std::unique_ptr<Solver> make_none_solver(const ForceParams&) {
  return std::make_unique<NoneSolver>();
}

}  // namespace slotsim::detail
