#include "sim/solvers/pm/padded_convolution.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "sim/memory/tracker.hpp"
#include "sim/scenes/rng.hpp"
#include "sim/solvers/pm/pm_green.hpp"

using namespace slotsim;
using namespace slotsim::detail;

namespace {

constexpr double kH = 1.0, kEps = 0.5;  // IsolatedGreen's r = 0 cap is 1/eps here

struct Mesh {
  std::vector<double> mass;  // n^3, x, y, z
  std::vector<std::uint8_t> mass_rows, need_rows;
};

// Mass in a random ~40% of the (x, y) rows, at random z; mass_rows marks
// those and some empty rows too (an empty row may be declared to hold mass);
// need_rows a random half of all rows.
Mesh random_mesh(int size, std::uint64_t seed) {
  Rng rng(seed);
  const auto n = static_cast<std::size_t>(size);
  Mesh m{std::vector<double>(n * n * n, 0.0), std::vector<std::uint8_t>(n * n, 0),
         std::vector<std::uint8_t>(n * n, 0)};
  for (std::size_t r = 0; r < n * n; ++r) {
    if (rng.uniform() < 0.4) {
      m.mass_rows[r] = 1;
      for (std::size_t z = 0; z < n; ++z)
        if (rng.uniform() < 0.3) m.mass[r * n + z] = rng.uniform(0.5, 1.5);
    } else if (rng.uniform() < 0.1) {
      m.mass_rows[r] = 1;
    }
    m.need_rows[r] = rng.uniform() < 0.5;
  }
  return m;
}

// sum_j G(|i - j|) m_j over the whole octant, G(r) = -1 / sqrt(r^2 + eps^2).
std::vector<double> direct(int n, const std::vector<double>& mass) {
  std::vector<double> phi(mass.size(), 0.0);
  for (int x = 0; x < n; ++x)
    for (int y = 0; y < n; ++y)
      for (int z = 0; z < n; ++z) {
        double sum = 0;
        for (int u = 0; u < n; ++u)
          for (int v = 0; v < n; ++v)
            for (int w = 0; w < n; ++w) {
              const double m = mass[(static_cast<std::size_t>(u) * n + v) * n + w];
              if (m == 0) continue;
              const double r2 = kH * kH * ((x - u) * (x - u) + (y - v) * (y - v) + (z - w) * (z - w));
              sum -= m / std::sqrt(r2 + kEps * kEps);
            }
        phi[(static_cast<std::size_t>(x) * n + y) * n + z] = sum;
      }
  return phi;
}

std::vector<double> convolve(int n, const Mesh& m, const std::uint8_t* mass_rows,
                             const std::uint8_t* need_rows) {
  mem::CountingResource res(mem::Category::Solver);
  IsolatedGreen green(n, res);
  PaddedConvolution conv(n, res);
  std::copy(m.mass.begin(), m.mass.end(), conv.grid());
  conv.convolve(green.get(kH, kEps), mass_rows, need_rows);
  return std::vector<double>(conv.grid(), conv.grid() + m.mass.size());
}

}  // namespace

TEST_CASE("padded convolution: the free-space sum on every wanted row, whatever rows are skipped") {
  // An odd size too: its padded lines (2n) are not whole 64-byte lines.
  for (const int n : {16, 13}) {
    CAPTURE(n);
    const Mesh m = random_mesh(n, static_cast<std::uint64_t>(n));
    const std::vector<double> ref = direct(n, m.mass);
    double scale = 0;
    for (const double p : ref) scale = std::max(scale, std::abs(p));
    REQUIRE(scale > 0);
    const auto nn = static_cast<std::size_t>(n);
    const std::vector<std::uint8_t> all(nn * nn, 1);
    struct Case {
      const char* name;
      const std::uint8_t *mass_rows, *need_rows;
    };
    for (const Case& c : {Case{"dense", all.data(), all.data()},
                          Case{"mass rows only", m.mass_rows.data(), all.data()},
                          Case{"wanted rows only", all.data(), m.need_rows.data()},
                          Case{"both", m.mass_rows.data(), m.need_rows.data()}}) {
      CAPTURE(c.name);
      const std::vector<double> phi = convolve(n, m, c.mass_rows, c.need_rows);
      double worst = 0;
      std::size_t checked = 0;
      for (std::size_t r = 0; r < all.size(); ++r) {
        if (!c.need_rows[r]) continue;
        ++checked;
        for (std::size_t z = 0; z < nn; ++z)
          worst = std::max(worst, std::abs(phi[r * nn + z] - ref[r * nn + z]));
      }
      CHECK(checked > 0);
      CHECK(worst <= 1e-12 * scale);
    }
  }
}
