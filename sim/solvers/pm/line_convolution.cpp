#include "sim/solvers/pm/line_convolution.hpp"

#include <omp.h>

#include <algorithm>

namespace slotsim::detail {

// Columns copied out of a slab per x-pass step (the derived classes' slab
// passes): see padded_convolution.cpp.
constexpr std::size_t kColumnBlock = 4;

LineConvolution::LineConvolution(int n, int line, mem::CountingResource& res)
    : n_(n), line_(line), res_(res), in_start_(res), out_start_(res), in_y_(res), out_y_(res), spectrum_(res) {
  const auto nn = static_cast<std::size_t>(n);
  in_start_.resize(nn + 1);
  out_start_.resize(nn + 1);
  in_y_.resize(nn * nn);
  out_y_.resize(nn * nn);
}

LineConvolution::~LineConvolution() = default;

std::size_t LineConvolution::line_stride() const { return whole_lines(static_cast<std::size_t>(line_)); }
std::size_t LineConvolution::half_stride() const { return whole_lines(static_cast<std::size_t>(wave_numbers())); }

LineConvolution::Work& LineConvolution::work(int thread) {
  auto& slot = work_[static_cast<std::size_t>(thread)];
  if (slot) return *slot;
  const auto nn = static_cast<std::size_t>(n_), ls = line_stride();
  auto w = std::make_unique<Work>(res_);
  w->half.resize(2 * nn * half_stride());
  w->slab.resize(2 * nn * ls);
  w->line_in.resize(2 * ls);
  w->line_out.resize(2 * ls);
  w->cols.resize(2 * kColumnBlock * ls);
  w->outs.resize(2 * kColumnBlock * ls);
  w->line_in.zero();
  w->cols.zero();
  auto* in = reinterpret_cast<fftw_complex*>(w->line_in.data());
  auto* out = reinterpret_cast<fftw_complex*>(w->line_out.data());
  const int m = line_;
  w->fwd = FftwPlan([&] { return fftw_plan_dft_1d(m, in, out, FFTW_FORWARD, FFTW_ESTIMATE); });
  w->inv = FftwPlan([&] { return fftw_plan_dft_1d(m, in, out, FFTW_BACKWARD, FFTW_ESTIMATE); });
  slot = std::move(w);
  return *slot;
}

std::size_t LineConvolution::set_rows(const std::uint8_t* mass_rows, const std::uint8_t* need_rows) {
  const std::size_t nn = static_cast<std::size_t>(n_);
  if (work_.size() < static_cast<std::size_t>(omp_get_max_threads()))
    work_.resize(static_cast<std::size_t>(omp_get_max_threads()));
  auto list = [&](const std::uint8_t* mask, SolverBuffer<std::uint32_t>& start, SolverBuffer<std::uint16_t>& ys) {
    std::size_t count = 0;
    for (std::size_t x = 0; x < nn; ++x) {
      start[x] = static_cast<std::uint32_t>(count);
      for (std::size_t y = 0; y < nn; ++y)
        if (!mask || mask[x * nn + y]) ys[count++] = static_cast<std::uint16_t>(y);
    }
    start[nn] = static_cast<std::uint32_t>(count);
    return count;
  };
  stride_ = std::max(list(mass_rows, in_start_, in_y_), list(need_rows, out_start_, out_y_));
  return stride_;
}

void LineConvolution::convolve(const Planes& grid, std::size_t row, const double* green, const std::uint8_t* mass_rows,
                               const std::uint8_t* need_rows) {
  set_rows(mass_rows, need_rows);
  const auto kz = static_cast<std::size_t>(wave_numbers());
  // Grows to the most rows any call has needed (all n^2 at worst).
  spectrum_.resize(2 * kz * stride_);
  auto* spec = reinterpret_cast<fftw_complex*>(spectrum_.data());
  z_forward(grid, row, 0, n_, spec, stride_, 0);
  slabs(0, wave_numbers(), spec, stride_, green, 0);
  z_inverse(spec, stride_, 0, grid, row, 0, n_);
}

}  // namespace slotsim::detail
