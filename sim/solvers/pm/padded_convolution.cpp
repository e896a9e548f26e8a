#include "sim/solvers/pm/padded_convolution.hpp"

#include <omp.h>

#include <algorithm>
#include <cstring>

namespace slotsim::detail {
namespace {

// Columns copied out of a slab per x-pass step: 4 complex values are one
// 64-byte line of each slab row (8 and 16 were measured slower: the lines
// no longer fit in L1 next to the FFT's working set).
constexpr std::size_t kBlock = 4;

// Row strides, in complex values, of the per-thread buffers: whole 64-byte
// lines, so that every row an FFT runs on has the alignment its plan was
// made with (FFTW requires that of fftw_execute_dft's arrays).
std::size_t whole_lines(std::size_t count) { return (count + 3) / 4 * 4; }
std::size_t half_stride(std::size_t n) { return whole_lines(n + 1); }  // n + 1 wave numbers
std::size_t line_stride(std::size_t n) { return whole_lines(2 * n); }  // 2n padded

// Runs body(x, first, count) for every x-plane whose listed rows
// (start[x] .. start[x+1]) are not empty: the loop both z passes share,
// forwards over the rows with mass and backwards over the wanted ones.
// One plane per task: planes differ widely in how many rows they list.
template <class Start, class Body>
void for_each_listed_plane(int n, const Start& start, Body&& body) {
#pragma omp parallel for schedule(dynamic, 1)
  for (int x = 0; x < n; ++x) {
    const std::size_t xu = static_cast<std::size_t>(x);
    const std::size_t first = start[xu], count = start[xu + 1] - first;
    if (count != 0) body(xu, first, count);
  }
}

}  // namespace

// Every FFT here is one c2c line of 2n, out of place, run with
// fftw_execute_dft on rows of these buffers (all 64-byte aligned, like the
// arrays the plans were made on). Out of place, FFTW's c2c plans leave their
// input alone, so the zero halves of the padded inputs are set once; in-place
// 1-D plans would also copy each line aside internally. Batched (howmany)
// plans were measured no faster, and single lines let empty rows be skipped.
struct PaddedConvolution::Work {
  explicit Work(mem::CountingResource& r)
      : half(r), slab(r), line_in(r), line_out(r), cols(r), outs(r) {}
  SolverBuffer<double> half;      // n rows of half_stride(n) complex: one plane's z spectra
  SolverBuffer<double> slab;      // n x 2n complex, [x][y]
  SolverBuffer<double> line_in;   // 2n complex, upper half zero
  SolverBuffer<double> line_out;  // 2n complex
  SolverBuffer<double> cols;      // kBlock lines of 2n complex, upper halves zero
  SolverBuffer<double> outs;      // kBlock lines of 2n complex
  FftwPlan fwd, inv;
};

PaddedConvolution::PaddedConvolution(int n, mem::CountingResource& res)
    : n_(n),
      res_(res),
      grid_(res),
      spectrum_(res),
      in_start_(res),
      out_start_(res),
      in_y_(res),
      out_y_(res) {
  const auto nn = static_cast<std::size_t>(n);
  grid_.resize(nn * nn * nn);
  in_start_.resize(nn + 1);
  out_start_.resize(nn + 1);
  in_y_.resize(nn * nn);
  out_y_.resize(nn * nn);
}

PaddedConvolution::~PaddedConvolution() = default;

PaddedConvolution::Work& PaddedConvolution::work(int thread) {
  auto& slot = work_[static_cast<std::size_t>(thread)];
  if (slot) return *slot;
  const int m = 2 * n_;
  const auto nn = static_cast<std::size_t>(n_), ls = line_stride(nn);
  auto w = std::make_unique<Work>(res_);
  w->half.resize(2 * nn * half_stride(nn));
  w->slab.resize(2 * nn * ls);
  w->line_in.resize(2 * ls);
  w->line_out.resize(2 * ls);
  w->cols.resize(2 * kBlock * ls);
  w->outs.resize(2 * kBlock * ls);
  w->line_in.zero();
  w->cols.zero();
  auto* in = reinterpret_cast<fftw_complex*>(w->line_in.data());
  auto* out = reinterpret_cast<fftw_complex*>(w->line_out.data());
  w->fwd = FftwPlan([&] { return fftw_plan_dft_1d(m, in, out, FFTW_FORWARD, FFTW_ESTIMATE); });
  w->inv = FftwPlan([&] { return fftw_plan_dft_1d(m, in, out, FFTW_BACKWARD, FFTW_ESTIMATE); });
  slot = std::move(w);
  return *slot;
}

// Two real rows a, b go through one complex FFT of a + ib: with Z its
// transform, A(k) = (Z(k) + conj Z(-k)) / 2 and B(k) = (Z(k) - conj Z(-k)) / 2i.
// One c2c line of 2n costs less than half of what two r2c lines do with
// FFTW_ESTIMATE's plans (measured ~0.45 us against 2 x ~0.65 us).
void PaddedConvolution::z_forward() {
  const int n = n_, nzc = n + 1;
  const std::size_t nn = static_cast<std::size_t>(n), mm = 2 * nn, hs = half_stride(nn);
  auto* spec = reinterpret_cast<fftw_complex*>(spectrum_.data());
  for_each_listed_plane(n, in_start_, [&](std::size_t xu, std::size_t first, std::size_t count) {
    Work& w = work(omp_get_thread_num());
    auto* line_in = reinterpret_cast<fftw_complex*>(w.line_in.data());
    auto* z = reinterpret_cast<fftw_complex*>(w.line_out.data());
    auto* half = reinterpret_cast<fftw_complex*>(w.half.data());
    const double* plane = grid_.data() + xu * nn * nn;
    // Two rows at a time; a lone last one pairs with zeros. half row j
    // holds the plane's j-th row with mass.
    for (std::size_t j = 0; j < count; j += 2) {
      const double* ra = plane + in_y_[first + j] * nn;
      const double* rb = j + 1 < count ? plane + in_y_[first + j + 1] * nn : nullptr;
      for (std::size_t k = 0; k < nn; ++k) {
        line_in[k][0] = ra[k];
        line_in[k][1] = rb ? rb[k] : 0.0;
      }
      w.fwd.execute_dft(line_in, z);
      fftw_complex* ha = half + j * hs;
      fftw_complex* hb = rb ? ha + hs : nullptr;
      for (std::size_t k = 0; k <= nn; ++k) {
        const double* p = z[k];
        const double* q = z[k == 0 ? 0 : mm - k];
        ha[k][0] = 0.5 * (p[0] + q[0]);
        ha[k][1] = 0.5 * (p[1] - q[1]);
        if (hb) {
          hb[k][0] = 0.5 * (p[1] + q[1]);
          hb[k][1] = 0.5 * (q[0] - p[0]);
        }
      }
    }
    for (std::size_t kz = 0; kz < static_cast<std::size_t>(nzc); ++kz) {
      fftw_complex* out = spec + kz * stride_ + first;
      for (std::size_t j = 0; j < count; ++j) {
        out[j][0] = half[j * hs + kz][0];
        out[j][1] = half[j * hs + kz][1];
      }
    }
  });
}

void PaddedConvolution::slabs(const double* green_k) {
  const int n = n_, nzc = n + 1;
  const std::size_t nn = static_cast<std::size_t>(n), mm = 2 * nn, ls = line_stride(nn);
  auto* spec = reinterpret_cast<fftw_complex*>(spectrum_.data());
#pragma omp parallel for schedule(dynamic, 1)
  for (int kz = 0; kz < nzc; ++kz) {
    Work& w = work(omp_get_thread_num());
    auto* s = reinterpret_cast<fftw_complex*>(w.slab.data());
    auto* line_in = reinterpret_cast<fftw_complex*>(w.line_in.data());
    auto* line_out = reinterpret_cast<fftw_complex*>(w.line_out.data());
    auto* cols = reinterpret_cast<fftw_complex*>(w.cols.data());
    auto* outs = reinterpret_cast<fftw_complex*>(w.outs.data());
    fftw_complex* block = spec + static_cast<std::size_t>(kz) * stride_;
    // y: the n rows x < n, each zero-padded to 2n; only the rows with mass
    // are stored.
    for (std::size_t x = 0; x < nn; ++x) {
      const std::size_t first = in_start_[x], count = in_start_[x + 1] - first;
      if (count == 0) {
        std::memset(static_cast<void*>(s + x * ls), 0, mm * sizeof(fftw_complex));
        continue;
      }
      std::memset(static_cast<void*>(line_in), 0, nn * sizeof(fftw_complex));
      for (std::size_t j = 0; j < count; ++j) {
        line_in[in_y_[first + j]][0] = block[first + j][0];
        line_in[in_y_[first + j]][1] = block[first + j][1];
      }
      w.fwd.execute_dft(line_in, s + x * ls);
    }
    // x: all 2n columns, kBlock at a time (rows x >= n of the padded slab
    // are zero), forward, times the Green's function, inverse, and back
    // keeping x < n.
    for (std::size_t y0 = 0; y0 < mm; y0 += kBlock) {
      const std::size_t nb = std::min(kBlock, mm - y0);
      for (std::size_t x = 0; x < nn; ++x)
        for (std::size_t b = 0; b < nb; ++b) {
          cols[b * ls + x][0] = s[x * ls + y0 + b][0];
          cols[b * ls + x][1] = s[x * ls + y0 + b][1];
        }
      for (std::size_t b = 0; b < nb; ++b) {
        w.fwd.execute_dft(cols + b * ls, line_out);
        const std::size_t y = y0 + b, gy = y <= nn ? y : mm - y;
        const double* g = green_k + (static_cast<std::size_t>(kz) * nzc + gy) * nzc;
        for (std::size_t k = 0; k <= nn; ++k) {
          line_out[k][0] *= g[k];
          line_out[k][1] *= g[k];
        }
        for (std::size_t k = 1; k < nn; ++k) {  // wave number -k
          line_out[mm - k][0] *= g[k];
          line_out[mm - k][1] *= g[k];
        }
        w.inv.execute_dft(line_out, outs + b * ls);
      }
      for (std::size_t x = 0; x < nn; ++x)
        for (std::size_t b = 0; b < nb; ++b) {
          s[x * ls + y0 + b][0] = outs[b * ls + x][0];
          s[x * ls + y0 + b][1] = outs[b * ls + x][1];
        }
    }
    // Inverse y, keeping the wanted rows. The block's mass rows have all
    // been read by now, so the wanted ones may overwrite them.
    for (std::size_t x = 0; x < nn; ++x) {
      const std::size_t first = out_start_[x], count = out_start_[x + 1] - first;
      if (count == 0) continue;
      w.inv.execute_dft(s + x * ls, line_out);
      for (std::size_t j = 0; j < count; ++j) {
        block[first + j][0] = line_out[out_y_[first + j]][0];
        block[first + j][1] = line_out[out_y_[first + j]][1];
      }
    }
  }
}

// Pairs of rows again, backwards: Z(k) = A(k) + i B(k) over the whole line
// (Z(-k) = conj A(k) + i conj B(k)); the inverse's real part is row a, its
// imaginary part row b. As c2r does, the imaginary parts of A and B at
// k = 0 and k = n (zero for an exact real field) are ignored.
void PaddedConvolution::z_inverse() {
  const int n = n_, nzc = n + 1;
  const std::size_t nn = static_cast<std::size_t>(n), mm = 2 * nn, hs = half_stride(nn);
  auto* spec = reinterpret_cast<fftw_complex*>(spectrum_.data());
  for_each_listed_plane(n, out_start_, [&](std::size_t xu, std::size_t first, std::size_t count) {
    Work& w = work(omp_get_thread_num());
    auto* z = reinterpret_cast<fftw_complex*>(w.outs.data());  // line_in's zeros must stay
    auto* out = reinterpret_cast<fftw_complex*>(w.line_out.data());
    auto* half = reinterpret_cast<fftw_complex*>(w.half.data());
    for (std::size_t kz = 0; kz < static_cast<std::size_t>(nzc); ++kz) {
      const fftw_complex* in = spec + kz * stride_ + first;
      for (std::size_t j = 0; j < count; ++j) {
        half[j * hs + kz][0] = in[j][0];
        half[j * hs + kz][1] = in[j][1];
      }
    }
    double* plane = grid_.data() + xu * nn * nn;
    for (std::size_t j = 0; j < count; j += 2) {
      const fftw_complex* ha = half + j * hs;
      const fftw_complex* hb = j + 1 < count ? ha + hs : nullptr;
      for (std::size_t k = 0; k <= nn; ++k) {
        const bool edge = k == 0 || k == nn;
        const double ar = ha[k][0], ai = edge ? 0.0 : ha[k][1];
        const double br = hb ? hb[k][0] : 0.0, bi = hb && !edge ? hb[k][1] : 0.0;
        z[k][0] = ar - bi;
        z[k][1] = ai + br;
        if (!edge) {
          z[mm - k][0] = ar + bi;
          z[mm - k][1] = br - ai;
        }
      }
      w.inv.execute_dft(z, out);
      double* ra = plane + out_y_[first + j] * nn;
      for (std::size_t k = 0; k < nn; ++k) ra[k] = out[k][0];
      if (hb) {
        double* rb = plane + out_y_[first + j + 1] * nn;
        for (std::size_t k = 0; k < nn; ++k) rb[k] = out[k][1];
      }
    }
  });
}

void PaddedConvolution::convolve(const double* green_k, const std::uint8_t* mass_rows,
                                 const std::uint8_t* need_rows) {
  const std::size_t nn = static_cast<std::size_t>(n_);
  if (work_.size() < static_cast<std::size_t>(omp_get_max_threads()))
    work_.resize(static_cast<std::size_t>(omp_get_max_threads()));
  auto list = [&](const std::uint8_t* mask, SolverBuffer<std::uint32_t>& start,
                  SolverBuffer<std::uint16_t>& ys) {
    std::size_t count = 0;
    for (std::size_t x = 0; x < nn; ++x) {
      start[x] = static_cast<std::uint32_t>(count);
      for (std::size_t y = 0; y < nn; ++y)
        if (mask[x * nn + y]) ys[count++] = static_cast<std::uint16_t>(y);
    }
    start[nn] = static_cast<std::uint32_t>(count);
    return count;
  };
  stride_ = std::max(list(mass_rows, in_start_, in_y_), list(need_rows, out_start_, out_y_));
  // Grows to the most rows any call has needed (all n^2 at worst).
  spectrum_.resize(2 * (nn + 1) * stride_);
  z_forward();
  slabs(green_k);
  z_inverse();
}

}  // namespace slotsim::detail
