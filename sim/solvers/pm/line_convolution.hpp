#pragma once
// The particle-mesh convolutions, mass to potential on an n^3 mesh, as
// passes of one-dimensional FFTs (every one an FFTW_ESTIMATE c2c plan on
// 64-byte aligned lines), in three steps a distributed mesh can split:
//   z pass:    per x-plane, its rows (two real rows per complex FFT) to one
//              spectrum per row, written out wave number (kz) major;
//   slab pass: per kz, the block of every row's value at that kz: y and x
//              transforms, the Green's function, and back;
//   inverse z: per x-plane, the rows wanted back.
// The serial solver runs all three over the whole mesh (convolve()); a rank
// of the distributed solver (dist/pm_solver.cpp) runs the z passes on its
// planes and the slab pass on its kz blocks, with an all-to-all transpose
// between them. Which rows pair in a complex FFT depends only on the row
// lists, which are global, and each line is transformed by the same plan,
// so the bits depend on neither the rank count nor the thread count.
// (FFTW-MPI was rejected: its plans differ between 1 and P ranks, so the
// bits would too.)
//
// Spectrum addressing: a block of `stride` complex values per kz, the
// rows in the global row list's order (mass_row(x) is plane x's first).
#include <fftw3.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "sim/memory/tracker.hpp"
#include "sim/solvers/buffer.hpp"
#include "sim/solvers/pm/fftw_plan.hpp"
#include "sim/solvers/pm/mesh_map.hpp"

namespace slotsim::detail {

class LineConvolution {
 public:
  // line: the length of every FFT (2n padded, n periodic).
  LineConvolution(int n, int line, mem::CountingResource& res);
  virtual ~LineConvolution();
  LineConvolution(const LineConvolution&) = delete;
  LineConvolution& operator=(const LineConvolution&) = delete;

  int n() const { return n_; }
  // Wave numbers along z the slab pass has blocks for.
  virtual int wave_numbers() const = 0;
  // Values of the Green's function per kz (its slab for one block).
  virtual std::size_t green_per_wave_number() const = 0;

  // The row lists from the whole mesh's n x n flags: mass_rows[x n + y] == 0
  // promises row (x, y) holds no mass (not read); need_rows == 0 says its
  // potential is not wanted (left unspecified). A periodic mesh transforms
  // every row (the flags may be null). Returns stride().
  virtual std::size_t set_rows(const std::uint8_t* mass_rows, const std::uint8_t* need_rows);
  std::size_t stride() const { return stride_; }
  std::size_t mass_row(int x) const { return in_start_[static_cast<std::size_t>(x)]; }
  std::size_t need_row(int x) const { return out_start_[static_cast<std::size_t>(x)]; }

  // z pass of planes x0 .. x1 - 1 of `grid` (rows of n values, `row` apart):
  // row j of plane x's list to out[kz out_stride + mass_row(x) - row0 + j],
  // for the wave_numbers() kz. One pass for both meshes: they differ only in
  // the line length (2n padded, whose upper half stays zero; n periodic).
  void z_forward(const Planes& grid, std::size_t row, int x0, int x1, fftw_complex* out, std::size_t out_stride,
                 std::size_t row0);
  // Slab pass of kz0 .. kz1 - 1: block kz at blocks + (kz - kz0) block_stride,
  // holding the rows with mass, replaced by the wanted rows (need list
  // order). green: the Green's function from kz = green_kz0 on,
  // green_per_wave_number() values per kz.
  virtual void slabs(int kz0, int kz1, fftw_complex* blocks, std::size_t block_stride, const double* green,
                     int green_kz0) = 0;
  // Inverse z pass into planes x0 .. x1 - 1: wanted row j of plane x from
  // in[kz in_stride + need_row(x) - row0 + j].
  virtual void z_inverse(const fftw_complex* in, std::size_t in_stride, std::size_t row0, const Planes& grid,
                         std::size_t row, int x0, int x1) = 0;

  // The whole convolution on the whole mesh (the serial solver): grid has
  // n planes of n rows of `row` values apart; green all wave numbers.
  void convolve(const Planes& grid, std::size_t row, const double* green, const std::uint8_t* mass_rows,
                const std::uint8_t* need_rows);

 protected:
  // A thread's FFT lines and plans, made on first use; line_stride() and
  // half_stride() are its buffers' row strides in complex values.
  struct Work;
  Work& work(int thread);
  std::size_t line_stride() const;
  std::size_t half_stride() const;

  int n_, line_;
  mem::CountingResource& res_;
  std::size_t stride_ = 0;
  // Rows with mass: plane x's are in_y_[in_start_[x] .. in_start_[x+1]),
  // listed by y; the wanted rows likewise in out_start_, out_y_.
  SolverBuffer<std::uint32_t> in_start_, out_start_;
  SolverBuffer<std::uint16_t> in_y_, out_y_;
  SolverBuffer<double> spectrum_;  // convolve()'s whole spectrum
  std::vector<std::unique_ptr<Work>> work_;
};

// Every FFT here is one c2c line, out of place, run with fftw_execute_dft on
// rows of these buffers (all 64-byte aligned, like the arrays the plans were
// made on). Out of place, FFTW's c2c plans leave their input alone, so zero
// halves of padded inputs are set once. Batched (howmany) plans were measured
// no faster, and single lines let empty rows be skipped.
struct LineConvolution::Work {
  explicit Work(mem::CountingResource& r) : half(r), slab(r), line_in(r), line_out(r), cols(r), outs(r) {}
  SolverBuffer<double> half;      // one plane's z spectra
  SolverBuffer<double> slab;      // one kz block's rows, transformed along y
  SolverBuffer<double> line_in;   // one line (padded: upper half zero)
  SolverBuffer<double> line_out;  // one line
  SolverBuffer<double> cols;      // kBlock lines (padded: upper halves zero)
  SolverBuffer<double> outs;      // kBlock lines
  FftwPlan fwd, inv;
};

// Row strides, in complex values, of the per-thread buffers: whole 64-byte
// lines, so that every row an FFT runs on has the alignment its plan was
// made with (FFTW requires that of fftw_execute_dft's arrays).
inline std::size_t whole_lines(std::size_t count) { return (count + 3) / 4 * 4; }

}  // namespace slotsim::detail
