#pragma once
// Isolated-boundary convolution on an n^3 mesh by zero padding to (2n)^3
// (Hockney & Eastwood): the cyclic convolution of the padded arrays, with a
// Green's function defined on wrapped distances, is the free-space one
// inside the n^3 octant where the mass is.
//
// The padded array is never stored. The mass and the potential live in a
// compact n^3 array; the transform goes (line_convolution.hpp's passes)
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
// The Green's function (pm_green.hpp) holds wave numbers 0..n on each axis
// ((n+1)^3, last index fastest; negative wave numbers follow by symmetry),
// already divided by (2n)^3. It must be symmetric under exchange of axes,
// as any isotropic kernel's is: the slab pass reads entry (kz, y, x).
#include "sim/solvers/pm/line_convolution.hpp"

namespace slotsim::detail {

class PaddedConvolution final : public LineConvolution {
 public:
  PaddedConvolution(int n, mem::CountingResource& res);

  // The compact real mesh of the serial solver: element (x, y, z),
  // x, y, z < n, at x * plane_stride() + y * row_stride() + z.
  double* grid() { return grid_.data(); }
  std::size_t row_stride() const { return static_cast<std::size_t>(n_); }
  std::size_t plane_stride() const { return static_cast<std::size_t>(n_) * n_; }
  Planes planes() { return {grid_.data(), plane_stride(), 0, n_, n_}; }
  // In place on grid(), mass to potential (see LineConvolution::set_rows
  // for the flags).
  void convolve(const double* green_k, const std::uint8_t* mass_rows, const std::uint8_t* need_rows) {
    LineConvolution::convolve(planes(), row_stride(), green_k, mass_rows, need_rows);
  }

  int wave_numbers() const override { return n_ + 1; }
  std::size_t green_per_wave_number() const override {
    return static_cast<std::size_t>(n_ + 1) * static_cast<std::size_t>(n_ + 1);
  }
  void slabs(int kz0, int kz1, fftw_complex* blocks, std::size_t block_stride, const double* green,
             int green_kz0) override;
  void z_inverse(const fftw_complex* in, std::size_t in_stride, std::size_t row0, const Planes& grid,
                 std::size_t row, int x0, int x1) override;

 private:
  SolverBuffer<double> grid_;  // n^3 real (the serial solver's mesh)
};

}  // namespace slotsim::detail
