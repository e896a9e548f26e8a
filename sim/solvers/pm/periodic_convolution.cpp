#include "sim/solvers/pm/periodic_convolution.hpp"

namespace slotsim::detail {

PeriodicConvolution::PeriodicConvolution(int n, mem::CountingResource& res) : n_(n), grid_(res) {
  grid_.resize(static_cast<std::size_t>(n) * plane_stride());
  double* r = grid_.data();
  auto* c = reinterpret_cast<fftw_complex*>(r);
  fwd_ = FftwPlan([&] { return fftw_plan_dft_r2c_3d(n, n, n, r, c, FFTW_ESTIMATE); });
  inv_ = FftwPlan([&] { return fftw_plan_dft_c2r_3d(n, n, n, c, r, FFTW_ESTIMATE); });
}

void PeriodicConvolution::convolve(const double* green_k) {
  fwd_.execute();
  auto* c = reinterpret_cast<fftw_complex*>(grid_.data());
  const std::size_t total = static_cast<std::size_t>(n_) * n_ * (n_ / 2 + 1);
  const auto t = static_cast<std::ptrdiff_t>(total);
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t i = 0; i < t; ++i) {
    c[i][0] *= green_k[i];
    c[i][1] *= green_k[i];
  }
  inv_.execute();
}

}  // namespace slotsim::detail
