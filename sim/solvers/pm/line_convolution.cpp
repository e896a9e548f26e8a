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

// Two real rows a, b go through one complex FFT of a + ib: with Z its
// transform, A(k) = (Z(k) + conj Z(-k)) / 2 and B(k) = (Z(k) - conj Z(-k)) / 2i,
// for the wave_numbers() kz (the rest follow by symmetry). One c2c line of 2n
// costs less than half of what two r2c lines do with FFTW_ESTIMATE's plans
// (measured ~0.45 us against 2 x ~0.65 us). One plane per task: planes
// differ widely in how many rows they list.
void LineConvolution::z_forward(const Planes& grid, std::size_t row, int x0, int x1, fftw_complex* spec,
                                std::size_t out_stride, std::size_t row0) {
  const std::size_t nn = static_cast<std::size_t>(n_), len = static_cast<std::size_t>(line_),
                    nz = static_cast<std::size_t>(wave_numbers()), hs = half_stride();
#pragma omp parallel for schedule(dynamic, 1)
  for (int x = x0; x < x1; ++x) {
    const std::size_t xu = static_cast<std::size_t>(x);
    const std::size_t first = in_start_[xu], count = in_start_[xu + 1] - first;
    if (count == 0) continue;
    Work& w = work(omp_get_thread_num());
    auto* line_in = reinterpret_cast<fftw_complex*>(w.line_in.data());
    auto* z = reinterpret_cast<fftw_complex*>(w.line_out.data());
    auto* half = reinterpret_cast<fftw_complex*>(w.half.data());
    const double* plane = grid.at(x);
    // Two rows at a time; a lone last one pairs with zeros. half row j
    // holds the plane's j-th row with mass.
    for (std::size_t j = 0; j < count; j += 2) {
      const double* ra = plane + in_y_[first + j] * row;
      const double* rb = j + 1 < count ? plane + in_y_[first + j + 1] * row : nullptr;
      for (std::size_t k = 0; k < nn; ++k) {
        line_in[k][0] = ra[k];
        line_in[k][1] = rb ? rb[k] : 0.0;
      }
      w.fwd.execute_dft(line_in, z);
      fftw_complex* ha = half + j * hs;
      fftw_complex* hb = rb ? ha + hs : nullptr;
      for (std::size_t k = 0; k < nz; ++k) {
        const double* p = z[k];
        const double* q = z[k == 0 ? 0 : len - k];
        ha[k][0] = 0.5 * (p[0] + q[0]);
        ha[k][1] = 0.5 * (p[1] - q[1]);
        if (hb) {
          hb[k][0] = 0.5 * (p[1] + q[1]);
          hb[k][1] = 0.5 * (q[0] - p[0]);
        }
      }
    }
    for (std::size_t kz = 0; kz < nz; ++kz) {
      fftw_complex* out = spec + kz * out_stride + (first - row0);
      for (std::size_t j = 0; j < count; ++j) {
        out[j][0] = half[j * hs + kz][0];
        out[j][1] = half[j * hs + kz][1];
      }
    }
  }
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
