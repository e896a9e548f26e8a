#pragma once
// Periodic convolution on an n^3 mesh: one in-place r2c transform, a
// multiply by the Green's function, one c2r transform. Serial FFTW: at the
// sizes this is used with (128^3: ~15 ms each way) it is a small part of a
// step, and the padded isolated solver is the one worth parallelising.
#include <cstddef>

#include "sim/memory/tracker.hpp"
#include "sim/solvers/buffer.hpp"
#include "sim/solvers/pm/fftw_plan.hpp"

namespace slotsim::detail {

class PeriodicConvolution {
 public:
  PeriodicConvolution(int n, mem::CountingResource& res);

  int n() const { return n_; }
  // Element (x, y, z), x, y, z < n, at x * plane_stride() + y * row_stride() + z.
  double* grid() { return grid_.data(); }
  std::size_t row_stride() const { return 2 * static_cast<std::size_t>(n_ / 2 + 1); }
  std::size_t plane_stride() const { return static_cast<std::size_t>(n_) * row_stride(); }

  // In place, mass to potential. green_k: n * n * (n/2 + 1) values (z
  // fastest), already divided by n^3.
  void convolve(const double* green_k);

 private:
  int n_;
  SolverBuffer<double> grid_;
  FftwPlan fwd_, inv_;
};

}  // namespace slotsim::detail
