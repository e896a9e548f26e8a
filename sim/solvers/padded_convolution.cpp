#include "sim/solvers/padded_convolution.hpp"

#include <omp.h>

#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <ctime>
static double pm_cpu_ms() { timespec ts; clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); return ts.tv_sec*1e3+ts.tv_nsec*1e-6; }

namespace slotsim::detail {

// Columns gathered from a slab per x-pass step: 4 complex values are one
// 64-byte line of each slab row (8 and 16 were measured slower: the block
// no longer fits in L1 next to the FFT's working set).
constexpr std::size_t kBlock = 4;

struct PaddedConvolution::Work {
  explicit Work(mem::CountingResource& r)
      : rows_in(r), rows_out(r), crows(r), slab(r), line_in(r), line_out(r), cols(r), outs(r) {}
  // Every FFT here is out of place: FFTW's in-place 1-D plans copy the data
  // aside internally, and out of place the zero halves of the inputs stay
  // zero (c2c and r2c plans preserve their input), so they are set once.
  SolverBuffer<double> rows_in;   // z pass: n rows of 2n real, upper halves zero
  SolverBuffer<double> rows_out;  // inverse z pass: n rows of 2n real
  SolverBuffer<double> crows;     // n rows of n+1 complex
  SolverBuffer<double> slab;      // n x 2n complex, [x][y]
  SolverBuffer<double> line_in;   // 2n complex, upper half zero
  SolverBuffer<double> line_out;  // 2n complex
  SolverBuffer<double> cols;      // kBlock columns of 2n complex, upper halves zero
  SolverBuffer<double> outs;      // kBlock columns of 2n complex
  FftwPlan r2c, c2r;              // n rows
  FftwPlan fwd, inv;              // one line of 2n
};

PaddedConvolution::PaddedConvolution(int n, mem::CountingResource& res)
    : n_(n), res_(res), grid_(res), spectrum_(res) {
  const auto nn = static_cast<std::size_t>(n);
  grid_.resize(nn * nn * nn);
  spectrum_.resize(2 * (nn + 1) * nn * nn);
}

PaddedConvolution::~PaddedConvolution() = default;

PaddedConvolution::Work& PaddedConvolution::work(int thread) {
  auto& slot = work_[static_cast<std::size_t>(thread)];
  if (slot) return *slot;
  const int n = n_, m = 2 * n, nzc = n + 1;
  const auto nn = static_cast<std::size_t>(n), mm = static_cast<std::size_t>(m);
  auto w = std::make_unique<Work>(res_);
  w->rows_in.resize(nn * mm);
  w->rows_out.resize(nn * mm);
  w->crows.resize(nn * 2 * (nn + 1));
  w->slab.resize(2 * nn * mm);
  w->line_in.resize(2 * mm);
  w->line_out.resize(2 * mm);
  w->cols.resize(2 * kBlock * mm);
  w->outs.resize(2 * kBlock * mm);
  w->rows_in.zero();
  w->line_in.zero();
  w->cols.zero();
  double* rin = w->rows_in.data();
  double* rout = w->rows_out.data();
  auto* crows = reinterpret_cast<fftw_complex*>(w->crows.data());
  auto* in = reinterpret_cast<fftw_complex*>(w->line_in.data());
  auto* out = reinterpret_cast<fftw_complex*>(w->line_out.data());
  w->r2c = FftwPlan([&] {
    return fftw_plan_many_dft_r2c(1, &m, n, rin, nullptr, 1, m, crows, nullptr, 1, nzc,
                                  FFTW_ESTIMATE);
  });
  w->c2r = FftwPlan([&] {
    return fftw_plan_many_dft_c2r(1, &m, n, crows, nullptr, 1, nzc, rout, nullptr, 1, m,
                                  FFTW_ESTIMATE);
  });
  w->fwd = FftwPlan([&] { return fftw_plan_dft_1d(m, in, out, FFTW_FORWARD, FFTW_ESTIMATE); });
  w->inv = FftwPlan([&] { return fftw_plan_dft_1d(m, in, out, FFTW_BACKWARD, FFTW_ESTIMATE); });
  slot = std::move(w);
  return *slot;
}

void PaddedConvolution::z_forward() {
  const int n = n_, nzc = n + 1;
  const std::size_t nn = static_cast<std::size_t>(n);
  auto* spec = reinterpret_cast<fftw_complex*>(spectrum_.data());
#pragma omp parallel for schedule(dynamic, 1)
  for (int x = 0; x < n; ++x) {
    Work& w = work(omp_get_thread_num());
    double* rows = w.rows_in.data();
    auto* crows = reinterpret_cast<fftw_complex*>(w.crows.data());
    for (int y = 0; y < n; ++y)
      std::memcpy(rows + static_cast<std::size_t>(y) * 2 * nn,
                  grid_.data() + (static_cast<std::size_t>(x) * nn + y) * nn,
                  nn * sizeof(double));
    w.r2c.execute();
    for (int kz = 0; kz < nzc; ++kz) {
      fftw_complex* out = spec + (static_cast<std::size_t>(kz) * nn + x) * nn;
      for (int y = 0; y < n; ++y) {
        out[y][0] = crows[static_cast<std::size_t>(y) * nzc + kz][0];
        out[y][1] = crows[static_cast<std::size_t>(y) * nzc + kz][1];
      }
    }
  }
}

void PaddedConvolution::slabs(const double* green_k) {
  const int n = n_, nzc = n + 1;
  const std::size_t nn = static_cast<std::size_t>(n), mm = 2 * nn;
  auto* spec = reinterpret_cast<fftw_complex*>(spectrum_.data());
#pragma omp parallel for schedule(dynamic, 1)
  for (int kz = 0; kz < nzc; ++kz) {
    Work& w = work(omp_get_thread_num());
    auto* s = reinterpret_cast<fftw_complex*>(w.slab.data());
    auto* line_in = reinterpret_cast<fftw_complex*>(w.line_in.data());
    auto* line_out = reinterpret_cast<fftw_complex*>(w.line_out.data());
    auto* cols = reinterpret_cast<fftw_complex*>(w.cols.data());
    auto* outs = reinterpret_cast<fftw_complex*>(w.outs.data());
    fftw_complex* in = spec + static_cast<std::size_t>(kz) * nn * nn;
    // y: the n rows x < n, each zero-padded to 2n.
    for (std::size_t x = 0; x < nn; ++x) {
      std::memcpy(line_in, in + x * nn, nn * sizeof(fftw_complex));
      w.fwd.execute_dft(line_in, s + x * mm);
    }
    // x: all 2n columns, kBlock at a time gathered into contiguous lines
    // (rows x >= n of the padded slab are zero), forward, times the Green's
    // function, inverse, and back keeping x < n.
    for (std::size_t y0 = 0; y0 < mm; y0 += kBlock) {
      for (std::size_t x = 0; x < nn; ++x)
        for (std::size_t b = 0; b < kBlock; ++b) {
          cols[b * mm + x][0] = s[x * mm + y0 + b][0];
          cols[b * mm + x][1] = s[x * mm + y0 + b][1];
        }
      for (std::size_t b = 0; b < kBlock; ++b) {
        w.fwd.execute_dft(cols + b * mm, line_out);
        const std::size_t y = y0 + b, gy = y <= nn ? y : mm - y;
        const double* g = green_k + (static_cast<std::size_t>(kz) * nzc + gy) * nzc;
        for (std::size_t x = 0; x <= nn; ++x) {
          line_out[x][0] *= g[x];
          line_out[x][1] *= g[x];
        }
        for (std::size_t x = nn + 1; x < mm; ++x) {
          line_out[x][0] *= g[mm - x];
          line_out[x][1] *= g[mm - x];
        }
        w.inv.execute_dft(line_out, outs + b * mm);
      }
      for (std::size_t x = 0; x < nn; ++x)
        for (std::size_t b = 0; b < kBlock; ++b) {
          s[x * mm + y0 + b][0] = outs[b * mm + x][0];
          s[x * mm + y0 + b][1] = outs[b * mm + x][1];
        }
    }
    // Inverse y, keeping y < n.
    for (std::size_t x = 0; x < nn; ++x) {
      w.inv.execute_dft(s + x * mm, line_out);
      std::memcpy(in + x * nn, line_out, nn * sizeof(fftw_complex));
    }
  }
}

void PaddedConvolution::z_inverse() {
  const int n = n_, nzc = n + 1;
  const std::size_t nn = static_cast<std::size_t>(n);
  auto* spec = reinterpret_cast<fftw_complex*>(spectrum_.data());
#pragma omp parallel for schedule(dynamic, 1)
  for (int x = 0; x < n; ++x) {
    Work& w = work(omp_get_thread_num());
    double* rows = w.rows_out.data();
    auto* crows = reinterpret_cast<fftw_complex*>(w.crows.data());
    for (int kz = 0; kz < nzc; ++kz) {
      const fftw_complex* in = spec + (static_cast<std::size_t>(kz) * nn + x) * nn;
      for (int y = 0; y < n; ++y) {
        crows[static_cast<std::size_t>(y) * nzc + kz][0] = in[y][0];
        crows[static_cast<std::size_t>(y) * nzc + kz][1] = in[y][1];
      }
    }
    w.c2r.execute();
    for (int y = 0; y < n; ++y)
      std::memcpy(grid_.data() + (static_cast<std::size_t>(x) * nn + y) * nn,
                  rows + static_cast<std::size_t>(y) * 2 * nn, nn * sizeof(double));
  }
}

void PaddedConvolution::convolve(const double* green_k) {
  if (work_.size() < static_cast<std::size_t>(omp_get_max_threads()))
    work_.resize(static_cast<std::size_t>(omp_get_max_threads()));
  const double t0 = pm_cpu_ms();
  z_forward();
  const double t1 = pm_cpu_ms();
  slabs(green_k);
  const double t2 = pm_cpu_ms();
  z_inverse();
  const double t3 = pm_cpu_ms();
  if (std::getenv("PM_PROF")) std::fprintf(stderr, "conv zf %.1f slabs %.1f zi %.1f\n", (t1-t0), (t2-t1), (t3-t2));
}

}  // namespace slotsim::detail
