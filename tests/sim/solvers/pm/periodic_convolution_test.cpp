#include "sim/solvers/pm/periodic_convolution.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "sim/memory/tracker.hpp"

using namespace slotsim;
using namespace slotsim::detail;

namespace {
// A deterministic, uneven test density.
double density(int x, int y, int z) { return std::sin(0.7 * x + 1.3 * y * y + 0.4 * z) + 0.1 * (x == 2); }
}  // namespace

TEST_CASE("periodic convolution: a flat Green's function is the identity, a zero k=0 term removes the mean") {
  constexpr int n = 8, nz = n / 2 + 1;
  mem::CountingResource res(mem::Category::Solver);
  PeriodicConvolution conv(n, res);
  CHECK(conv.row_stride() == n);  // compact rows: the line passes need no r2c padding
  auto fill = [&] {
    double mean = 0;
    for (int x = 0; x < n; ++x)
      for (int y = 0; y < n; ++y)
        for (int z = 0; z < n; ++z) {
          conv.grid()[x * conv.plane_stride() + y * conv.row_stride() + z] = density(x, y, z);
          mean += density(x, y, z);
        }
    return mean / (n * n * n);
  };
  std::vector<double> green(static_cast<std::size_t>(n) * n * nz, 1.0 / (n * n * n));
  auto worst_error = [&](double shift) {
    double worst = 0;
    for (int x = 0; x < n; ++x)
      for (int y = 0; y < n; ++y)
        for (int z = 0; z < n; ++z)
          worst = std::fmax(worst, std::abs(conv.grid()[x * conv.plane_stride() + y * conv.row_stride() + z] -
                                            (density(x, y, z) - shift)));
    return worst;
  };
  fill();
  conv.convolve(green.data());
  CHECK(worst_error(0) < 1e-13);

  const double mean = fill();
  green[0] = 0;
  conv.convolve(green.data());
  CHECK(std::abs(mean) > 1e-3);  // the check below would be empty otherwise
  CHECK(worst_error(mean) < 1e-13);
}
