#include "sim/solvers/pm/pm_green.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "sim/memory/tracker.hpp"

using namespace slotsim;
using namespace slotsim::detail;

TEST_CASE("isolated Green's function: the DCT-I octant equals the DFT of the wrapped padded mesh") {
  // Brute force on a small mesh: G sampled at the wrapped distances of the
  // (2n)^3 padded mesh, transformed term by term, divided by (2n)^3.
  constexpr int n = 4, m = n + 1, p = 2 * n;
  const double h = 0.3, eps = 0.2;
  mem::CountingResource res(mem::Category::Solver);
  IsolatedGreen green(n, res);
  const double* k = green.get(h, eps);
  auto g = [&](int x, int y, int z) {
    const int wx = x <= n ? x : p - x, wy = y <= n ? y : p - y, wz = z <= n ? z : p - z;
    if ((wx | wy | wz) == 0) return -std::fmin(1.0 / eps, 2.3800772 / h);
    return -1.0 / std::sqrt(h * h * (wx * wx + wy * wy + wz * wz) + eps * eps);
  };
  double worst = 0;
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < m; ++j)
      for (int l = 0; l < m; ++l) {
        double sum = 0;
        for (int x = 0; x < p; ++x)
          for (int y = 0; y < p; ++y)
            for (int z = 0; z < p; ++z)
              sum += g(x, y, z) * std::cos(2 * M_PI * (double(i) * x + double(j) * y + double(l) * z) / p);
        const double want = sum / (p * p * p);
        worst = std::fmax(worst, std::abs(k[(i * m + j) * m + l] - want));
      }
  CHECK(worst < 1e-12);
}

TEST_CASE("Green's functions are recomputed exactly when (h, eps) change, and only then") {
  mem::CountingResource res(mem::Category::Solver);
  PeriodicGreen green(8, res);
  const std::vector<double> a(green.get(0.5, 0.1), green.get(0.5, 0.1) + 8 * 8 * 5);
  const std::vector<double> b(green.get(0.25, 0.1), green.get(0.25, 0.1) + 8 * 8 * 5);
  CHECK(a != b);
  const std::vector<double> c(green.get(0.5, 0.1), green.get(0.5, 0.1) + 8 * 8 * 5);
  CHECK(a == c);  // the same bits: no dependence on the call history
}

TEST_CASE("periodic Green's function: -4 pi / k^2 times the Plummer form factor, zero mean") {
  constexpr int n = 8;
  // Laid out [kz][ky][kx]: wave numbers (i, j, k) at (k n + j) n + i.
  auto at = [](int i, int j, int k) { return (k * n + j) * n + i; };
  const double h = 0.5;
  mem::CountingResource res(mem::Category::Solver);
  PeriodicGreen green(n, res);
  const double dk = 2 * M_PI / (n * h), norm = 1.0 / (h * h * h * n * n * n);
  SUBCASE("no softening: the plain Poisson kernel") {
    const double* k = green.get(h, 0.0);
    CHECK(k[0] == 0);
    const double kx = dk * 1, ky = dk * (6 - n), kz = dk * 3;  // index (1, 6, 3)
    const double want = -4 * M_PI * norm / (kx * kx + ky * ky + kz * kz);
    CHECK(k[at(1, 6, 3)] == doctest::Approx(want).epsilon(1e-13));
  }
  SUBCASE("softened: smaller at every k, by x K1(x)") {
    const double eps = 0.4;
    const double* k = green.get(h, eps);
    const double kk = dk * 2;  // index (2, 0, 0)
    const double x = kk * eps;
    const double want = -4 * M_PI * norm / (kk * kk) * x * std::cyl_bessel_k(1.0, x);
    CHECK(k[at(2, 0, 0)] == doctest::Approx(want).epsilon(1e-13));
    CHECK(std::abs(k[at(2, 0, 0)]) < 4 * M_PI * norm / (kk * kk));
  }
  SUBCASE("a slab of kz values holds the whole table's bits for those kz") {
    const std::vector<double> all(green.get(h, 0.1), green.get(h, 0.1) + n * n * (n / 2 + 1));
    const double* part = green.get(h, 0.1, 2, 4);
    CHECK(std::equal(part, part + 2 * n * n, all.begin() + at(0, 0, 2)));
  }
}
