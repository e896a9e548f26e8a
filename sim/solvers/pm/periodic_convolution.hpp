#pragma once
// Periodic convolution on an n^3 mesh, in line_convolution.hpp's passes:
// z pass (every row, two real rows per complex FFT of length n, wave
// numbers 0..n/2), slab pass per kz (y and x transforms of length n, times
// the Green's function, back), inverse z pass. No padding and no row lists:
// a periodic mesh has no empty margin to skip.
//
// Rejected: the single in-place 3-D r2c/c2r FFTW plan this mode used
// before. It ran serial and on one array, so a distributed mesh could not
// reproduce its bits; the passes here are the same on one rank as on many
// (dist/pm_solver.cpp). It also needed the r2c padding in every row.
//
// The Green's function (pm_green.hpp, PeriodicGreen) is laid out [kz][ky][kx],
// n^2 values per kz, already divided by n^3.
#include "sim/solvers/pm/line_convolution.hpp"

namespace slotsim::detail {

class PeriodicConvolution final : public LineConvolution {
 public:
  PeriodicConvolution(int n, mem::CountingResource& res);

  // Element (x, y, z), x, y, z < n, at x * plane_stride() + y * row_stride() + z.
  double* grid() { return grid_.data(); }
  std::size_t row_stride() const { return static_cast<std::size_t>(n_); }
  std::size_t plane_stride() const { return static_cast<std::size_t>(n_) * n_; }
  Planes planes() { return {grid_.data(), plane_stride(), 0, n_, n_}; }
  // In place on grid(), mass to potential.
  void convolve(const double* green_k) { LineConvolution::convolve(planes(), row_stride(), green_k, nullptr, nullptr); }

  int wave_numbers() const override { return n_ / 2 + 1; }
  std::size_t green_per_wave_number() const override { return static_cast<std::size_t>(n_) * n_; }
  void slabs(int kz0, int kz1, fftw_complex* blocks, std::size_t block_stride, const double* green,
             int green_kz0) override;
  void z_inverse(const fftw_complex* in, std::size_t in_stride, std::size_t row0, const Planes& grid,
                 std::size_t row, int x0, int x1) override;

 private:
  SolverBuffer<double> grid_;
};

}  // namespace slotsim::detail
