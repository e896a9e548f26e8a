#pragma once
// Isolated-boundary convolution on an n^3 mesh by zero padding to (2n)^3
// (Hockney & Eastwood): the cyclic convolution of the padded arrays, with a
// Green's function defined on wrapped distances, is the free-space one
// inside the n^3 octant where the mass is.
//
// The padded array is never stored. The mass and the potential live in a
// compact n^3 array; the transform goes
//   z pass:  the (x, y) rows that hold mass, zero-padded to 2n, two real
//            rows per complex FFT, written out wave number major: per kz a
//            block of those rows' values (at most n^2 of them: at most 34 MB
//            at n = 128 instead of the padded 135 MB);
//   slab pass: each kz block: y transforms of the n rows x < n, zero-padded
//            to 2n, into a per-thread n x 2n buffer that stays in L2; then
//            the 2n columns, four at a time copied out into contiguous
//            lines zero-padded to 2n (a line of each slab row is read at
//            once, and the lines stay in L1), forward x transform, multiply
//            by the Green's function, inverse, and back keeping x < n;
//            inverse y transforms, keeping the wanted rows' y < n;
//   inverse z pass: the wanted rows, two per complex FFT, keeping z < n.
// That is at most 7/12 of the arithmetic of a full padded transform each
// way, and about a third of its memory traffic. A single 3-D FFTW plan on
// the padded array was the rejected alternative: it transforms the zeros,
// writes the unused seven octants, and runs serial. Transposing whole
// (2n)^2 slabs for the x transforms, as a first version did, took ~50%
// longer: the transposes walked columns 4 KB apart, a cache miss per
// element.
//
// Only the rows the caller says may hold mass are transformed forward and
// stored, and only the rows of the potential it wants are transformed back:
// an isolated mesh has empty margins, and a centrally concentrated system
// leaves most rows empty (a 1M-particle Plummer sphere on the 128 mesh:
// mass in 39% of the rows), which also shrinks the spectrum's traffic.
//
// Work is cut into rows and slabs independent of the thread count, every
// plan runs on 64-byte aligned per-thread buffers of fixed shape, and FFTW
// plans are made with FFTW_ESTIMATE, so the result bits depend on neither
// the thread count nor the schedule (which rows share a complex FFT depends
// only on the row lists).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "sim/memory/tracker.hpp"
#include "sim/solvers/buffer.hpp"
#include "sim/solvers/pm/fftw_plan.hpp"

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

  // In place, mass to potential. green_k holds the transform of the Green's
  // function for wave numbers 0..n on each axis ((n+1)^3, last index
  // fastest; negative wave numbers follow by symmetry), already divided by
  // (2n)^3. It must be symmetric under exchange of axes, as any isotropic
  // kernel's is; the slab pass reads entry (x, y, z) as (z, y, x).
  // mass_rows[x * n + y] == 0 promises that row (x, y) of the mass is zero
  // (its contents are not read); need_rows[x * n + y] == 0 says that row of
  // the potential is not wanted (it is left unspecified). Both n * n.
  void convolve(const double* green_k, const std::uint8_t* mass_rows,
                const std::uint8_t* need_rows);

 private:
  struct Work;  // a thread's buffers and plans
  Work& work(int thread);
  void z_forward();
  void slabs(const double* green_k);
  void z_inverse();

  int n_;
  mem::CountingResource& res_;
  SolverBuffer<double> grid_;      // n^3 real
  // z spectra, [kz][row]: per kz a block of stride_ complex values, the
  // rows with mass after the z pass, the wanted rows after the slab pass,
  // each in (x, y) order.
  SolverBuffer<double> spectrum_;
  std::size_t stride_ = 0;
  // Rows with mass: plane x's are in_y_[in_start_[x] .. in_start_[x+1]),
  // listed by y; the wanted rows likewise in out_start_, out_y_.
  SolverBuffer<std::uint32_t> in_start_, out_start_;
  SolverBuffer<std::uint16_t> in_y_, out_y_;
  std::vector<std::unique_ptr<Work>> work_;
};

}  // namespace slotsim::detail
