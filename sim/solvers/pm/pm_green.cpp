#include "sim/solvers/pm/pm_green.hpp"

#include <cmath>

namespace slotsim::detail {

// Mean of 1/r over a unit cube centred on the origin.
constexpr double kCellMeanInvR = 2.3800772;

double isolated_green_at(int i, int j, int k, double h, double eps) {
  if ((i | j | k) == 0) return -std::fmin(eps > 0 ? 1.0 / eps : INFINITY, kCellMeanInvR / h);
  const double r2 =
      h * h * (static_cast<double>(i) * i + static_cast<double>(j) * j + static_cast<double>(k) * k);
  return -1.0 / std::sqrt(r2 + eps * eps);
}

IsolatedGreen::IsolatedGreen(int n, mem::CountingResource& res) : n_(n), k_(res) {
  const int m = n + 1;
  k_.resize(static_cast<std::size_t>(m) * m * m);
  double* p = k_.data();
  dct_ = FftwPlan([&] {
    return fftw_plan_r2r_3d(m, m, m, p, p, FFTW_REDFT00, FFTW_REDFT00, FFTW_REDFT00, FFTW_ESTIMATE);
  });
}

const double* IsolatedGreen::get(double h, double eps) {
  if (h == h_ && eps == eps_) return k_.data();
  const int m = n_ + 1;
  const double two_n = 2.0 * n_;
  const double norm = 1.0 / (two_n * two_n * two_n);
#pragma omp parallel for schedule(static)
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < m; ++j)
      for (int k = 0; k < m; ++k)
        k_[(static_cast<std::size_t>(i) * m + j) * m + k] = isolated_green_at(i, j, k, h, eps) * norm;
  dct_.execute();
  h_ = h;
  eps_ = eps;
  return k_.data();
}

PeriodicGreen::PeriodicGreen(int n, mem::CountingResource& res) : n_(n), k_(res) {}

const double* PeriodicGreen::get(double h, double eps, int kz0, int kz1) {
  const int n = n_, nz = n / 2 + 1;
  if (kz1 < 0) kz1 = nz;
  if (h == h_ && eps == eps_ && kz0 == kz0_ && kz1 == kz1_) return k_.data();
  k_.resize(static_cast<std::size_t>(kz1 - kz0) * n * n);
  const double nn = n;
  const double dk = 2 * M_PI / (n * h);
  const double scale = -4 * M_PI / (h * h * h) / (nn * nn * nn);
#pragma omp parallel for schedule(static)
  for (int k = kz0; k < kz1; ++k)
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < n; ++i) {
        const double kx = dk * (i <= n / 2 ? i : i - n), ky = dk * (j <= n / 2 ? j : j - n);
        const double kz = dk * k;
        const double k2 = kx * kx + ky * ky + kz * kz;
        double g = 0;
        if (k2 > 0) {
          const double x = std::sqrt(k2) * eps;
          // x K1(x) -> 1 as x -> 0; beyond ~700 it underflows to 0 anyway.
          const double form = x > 0 ? (x < 700 ? x * std::cyl_bessel_k(1.0, x) : 0.0) : 1.0;
          g = scale / k2 * form;
        }
        k_[(static_cast<std::size_t>(k - kz0) * n + j) * n + i] = g;
      }
  h_ = h;
  eps_ = eps;
  kz0_ = kz0;
  kz1_ = kz1;
  return k_.data();
}

}  // namespace slotsim::detail
