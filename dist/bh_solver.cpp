// Barnes-Hut across ranks, first step of two: every rank gathers every
// source (Allgatherv of x, y, z, m in global order), builds the serial
// tree on them (the same on every rank, so the same nodes are accepted as
// in a serial run) and walks only its own targets (accelerations_of). Per
// rank: N x 32 B of gathered sources and the tree of N; the work of the
// walk is split, the build is not. The second step, a top-level tree with
// exported particles (Gadget-4's), would move only the boundary's sources.
#include <chrono>

#include "dist/solvers_internal.hpp"
#include "sim/solvers/buffer.hpp"

namespace slotsim::dist {
namespace {

struct Xyzm {
  double x, y, z, m;
};

class DistBhSolver final : public Solver {
 public:
  DistBhSolver(const ForceParams& p, Comm& comm, const Segments& seg)
      : serial_(make_solver("bh", p)), comm_(comm), seg_(seg), x_(res_), y_(res_), z_(res_), m_(res_) {}
  std::string_view name() const override { return "bh"; }
  std::uint64_t interactions() const override { return serial_->interactions(); }
  bool has_potentials() const override { return true; }

  void accelerations(const Sources& src, Accels& acc, SolverPhases& phases) override {
    const auto t0 = std::chrono::steady_clock::now();
    const Sources all = gather(src);
    const double gather_ms = ms_since(t0);
    serial_->accelerations_of(all, seg_.begin(comm_.rank()), src.n, acc, phases);
    phases.build_ms += gather_ms;  // the exchange is part of building the tree here
  }
  bool potentials(const Sources& src, double* phi) override {
    return serial_->potentials_of(gather(src), seg_.begin(comm_.rank()), src.n, phi);
  }

 private:
  static double ms_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  }
  Sources gather(const Sources& src) {
    std::vector<Xyzm> mine(src.n);
    for (std::size_t i = 0; i < src.n; ++i) mine[i] = {src.x[i], src.y[i], src.z[i], src.m[i]};
    const std::vector<Xyzm> all = comm_.allgatherv(mine.data(), mine.size());
    const std::size_t n = all.size();
    for (auto* b : {&x_, &y_, &z_, &m_}) b->resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      x_[i] = all[i].x;
      y_[i] = all[i].y;
      z_[i] = all[i].z;
      m_[i] = all[i].m;
    }
    return {x_.data(), y_.data(), z_.data(), m_.data(), n};
  }

  std::unique_ptr<Solver> serial_;
  Comm& comm_;
  Segments seg_;
  mem::CountingResource res_{mem::Category::Solver};
  detail::SolverBuffer<double> x_, y_, z_, m_;
};

}  // namespace

std::unique_ptr<Solver> make_dist_bh(const ForceParams& p, Comm& comm, const Segments& seg) {
  return std::make_unique<DistBhSolver>(p, comm, seg);
}

}  // namespace slotsim::dist
