#include "sim/solvers/padded_convolution.hpp"

#include <omp.h>

#include <cstring>

namespace slotsim::detail {

struct PaddedConvolution::Work {
  explicit Work(mem::CountingResource& r) : rows(r), crows(r), slab(r), slab_t(r) {}
  // z pass, out of place (in place, FFTW copies each row aside first):
  SolverBuffer<double> rows;    // n rows of 2n real
  SolverBuffer<double> crows;   // n rows of n+1 complex
  SolverBuffer<double> slab;    // (2n)^2 complex, [x][y]
  SolverBuffer<double> slab_t;  // (2n)^2 complex, [y][x]
  FftwPlan r2c, c2r;            // n rows
  FftwPlan y_fwd, y_inv;        // n contiguous rows of slab
  FftwPlan x_fwd, x_inv;        // 2n contiguous rows of slab_t
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
  auto w = std::make_unique<Work>(res_);
  w->rows.resize(static_cast<std::size_t>(n) * m);
  w->crows.resize(static_cast<std::size_t>(n) * 2 * nzc);
  w->slab.resize(2 * static_cast<std::size_t>(m) * m);
  w->slab_t.resize(2 * static_cast<std::size_t>(m) * m);
  double* rows = w->rows.data();
  auto* crows = reinterpret_cast<fftw_complex*>(w->crows.data());
  auto* s = reinterpret_cast<fftw_complex*>(w->slab.data());
  auto* st = reinterpret_cast<fftw_complex*>(w->slab_t.data());
  w->r2c = FftwPlan([&] {
    return fftw_plan_many_dft_r2c(1, &m, n, rows, nullptr, 1, m, crows, nullptr, 1, nzc,
                                  FFTW_ESTIMATE);
  });
  w->c2r = FftwPlan([&] {
    return fftw_plan_many_dft_c2r(1, &m, n, crows, nullptr, 1, nzc, rows, nullptr, 1, m,
                                  FFTW_ESTIMATE);
  });
  auto lines = [&](fftw_complex* p, int count, int sign) {
    return FftwPlan([&] {
      return fftw_plan_many_dft(1, &m, count, p, nullptr, 1, m, p, nullptr, 1, m, sign,
                                FFTW_ESTIMATE);
    });
  };
  w->y_fwd = lines(s, n, FFTW_FORWARD);
  w->y_inv = lines(s, n, FFTW_BACKWARD);
  w->x_fwd = lines(st, m, FFTW_FORWARD);
  w->x_inv = lines(st, m, FFTW_BACKWARD);
  slot = std::move(w);
  return *slot;
}

void PaddedConvolution::clear() {
  const std::size_t plane = plane_stride();
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t x = 0; x < n_; ++x)
    std::memset(grid_.data() + static_cast<std::size_t>(x) * plane, 0, plane * sizeof(double));
}

void PaddedConvolution::z_forward() {
  const int n = n_, nzc = n + 1;
  const std::size_t nn = static_cast<std::size_t>(n);
  auto* spec = reinterpret_cast<fftw_complex*>(spectrum_.data());
#pragma omp parallel for schedule(dynamic, 1)
  for (int x = 0; x < n; ++x) {
    Work& w = work(omp_get_thread_num());
    double* rows = w.rows.data();
    auto* crows = reinterpret_cast<fftw_complex*>(w.crows.data());
    for (int y = 0; y < n; ++y) {
      double* row = rows + static_cast<std::size_t>(y) * 2 * nn;
      std::memcpy(row, grid_.data() + (static_cast<std::size_t>(x) * nn + y) * nn,
                  nn * sizeof(double));
      std::memset(row + n, 0, nn * sizeof(double));
    }
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
  const int n = n_, m = 2 * n, nzc = n + 1;
  const std::size_t nn = static_cast<std::size_t>(n), mm = static_cast<std::size_t>(m);
  auto* spec = reinterpret_cast<fftw_complex*>(spectrum_.data());
#pragma omp parallel for schedule(dynamic, 1)
  for (int kz = 0; kz < nzc; ++kz) {
    Work& w = work(omp_get_thread_num());
    auto* s = reinterpret_cast<fftw_complex*>(w.slab.data());
    auto* st = reinterpret_cast<fftw_complex*>(w.slab_t.data());
    fftw_complex* in = spec + static_cast<std::size_t>(kz) * nn * nn;
    // Rows x < n: the octant's values, then zeros to 2n.
    for (int x = 0; x < n; ++x) {
      std::memcpy(s + x * mm, in + x * nn, nn * sizeof(fftw_complex));
      std::memset(static_cast<void*>(s + x * mm + nn), 0, nn * sizeof(fftw_complex));
    }
    w.y_fwd.execute();
    // Transpose; the rows x >= n of the padded slab are zero.
    for (std::size_t y = 0; y < mm; ++y) {
      fftw_complex* col = st + y * mm;
      for (std::size_t x = 0; x < nn; ++x) {
        col[x][0] = s[x * mm + y][0];
        col[x][1] = s[x * mm + y][1];
      }
      std::memset(static_cast<void*>(col + nn), 0, nn * sizeof(fftw_complex));
    }
    w.x_fwd.execute();
    for (std::size_t y = 0; y < mm; ++y) {
      const std::size_t gy = y <= nn ? y : mm - y;
      const double* g = green_k + (static_cast<std::size_t>(kz) * nzc + gy) * nzc;
      fftw_complex* col = st + y * mm;
      for (std::size_t x = 0; x <= nn; ++x) {
        col[x][0] *= g[x];
        col[x][1] *= g[x];
      }
      for (std::size_t x = nn + 1; x < mm; ++x) {
        col[x][0] *= g[mm - x];
        col[x][1] *= g[mm - x];
      }
    }
    w.x_inv.execute();
    // Back to [x][y], only x < n is needed.
    for (std::size_t x = 0; x < nn; ++x)
      for (std::size_t y = 0; y < mm; ++y) {
        s[x * mm + y][0] = st[y * mm + x][0];
        s[x * mm + y][1] = st[y * mm + x][1];
      }
    w.y_inv.execute();
    for (std::size_t x = 0; x < nn; ++x) std::memcpy(in + x * nn, s + x * mm, nn * sizeof(fftw_complex));
  }
}

void PaddedConvolution::z_inverse() {
  const int n = n_, nzc = n + 1;
  const std::size_t nn = static_cast<std::size_t>(n);
  auto* spec = reinterpret_cast<fftw_complex*>(spectrum_.data());
#pragma omp parallel for schedule(dynamic, 1)
  for (int x = 0; x < n; ++x) {
    Work& w = work(omp_get_thread_num());
    double* rows = w.rows.data();
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
  z_forward();
  slabs(green_k);
  z_inverse();
}

}  // namespace slotsim::detail
