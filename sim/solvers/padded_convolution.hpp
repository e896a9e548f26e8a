#pragma once
// Isolated-boundary convolution on an n^3 mesh by zero padding to (2n)^3
// (Hockney & Eastwood): the cyclic convolution of the padded arrays, with a
// Green's function defined on wrapped distances, is the free-space one
// inside the n^3 octant where the mass is.
//
// The padded array is never stored. The mass and the potential live in a
// compact n^3 array; the transform goes
//   z pass:  each (x, y) row, zero-padded to 2n, real-to-complex, written
//            out wave number major: spectrum[kz][x][y], x, y < n (34 MB at
//            n = 128 instead of the padded 135 MB);
//   slab pass: each kz slab, zero-padded to (2n)^2 in a per-thread buffer
//            that stays in L2: y transforms of the n nonzero rows, x
//            transforms of all 2n columns, multiply by the Green's function,
//            and back, keeping only the octant;
//   inverse z pass: complex-to-real rows, keeping z < n.
// That is 7/12 of the arithmetic of a full padded transform each way, and
// about a third of its memory traffic. A single 3-D FFTW plan on the padded
// array was the rejected alternative: it transforms the zeros, writes the
// unused seven octants, and runs serial (Debian 12 ships libfftw3_omp but no
// pkg-config module for it).
//
// Work is cut into rows and slabs independent of the thread count, every
// plan runs on a 64-byte aligned per-thread buffer of fixed shape, and FFTW
// plans are made with FFTW_ESTIMATE, so the result bits depend on neither
// the thread count nor the schedule.
#include <cstddef>
#include <memory>
#include <vector>

#include "sim/memory/tracker.hpp"
#include "sim/solvers/buffer.hpp"
#include "sim/solvers/fftw_plan.hpp"

namespace slotsim::detail {

class PaddedConvolution {
 public:
  PaddedConvolution(int n, mem::CountingResource& res);
  ~PaddedConvolution();

  int n() const { return n_; }
  // The compact real mesh: element (x, y, z), x, y, z < n, at
  // x * plane_stride() + y * row_stride() + z.
  double* grid() { return grid_.data(); }
  std::size_t row_stride() const { return static_cast<std::size_t>(n_); }
  std::size_t plane_stride() const { return static_cast<std::size_t>(n_) * n_; }

  void clear();
  // In place, mass to potential. green_k holds the transform of the Green's
  // function for wave numbers 0..n on each axis ((n+1)^3, last index
  // fastest; negative wave numbers follow by symmetry), already divided by
  // (2n)^3. It must be symmetric under exchange of axes, as any isotropic
  // kernel's is; the slab pass reads entry (x, y, z) as (z, y, x).
  void convolve(const double* green_k);

 private:
  struct Work;  // a thread's buffers and plans
  Work& work(int thread);
  void z_forward();
  void slabs(const double* green_k);
  void z_inverse();

  int n_;
  mem::CountingResource& res_;
  SolverBuffer<double> grid_;      // n^3 real
  SolverBuffer<double> spectrum_;  // (n+1) * n * n complex, [kz][x][y]
  std::vector<std::unique_ptr<Work>> work_;
};

}  // namespace slotsim::detail
