// Occupied rows of an isolated mesh; contracts in occupied_rows.hpp.
#include "sim/solvers/pm/occupied_rows.hpp"

#include <algorithm>

namespace slotsim::detail {

void force_rows(const Span* spans, int n, int x0, int x1, Span* rows, std::uint8_t* mass) {
  const std::size_t nn = static_cast<std::size_t>(n);
#pragma omp parallel for schedule(static)
  for (int x = x0; x <= x1; ++x)
    for (int y = 0; y < n; ++y) {
      Span r = kEmptySpan;
      for (int b = x - 1; b <= x; ++b)
        for (int v = y - 1; v <= y; ++v) {
          if (b < 0 || v < 0 || b >= n) continue;
          const Span s = spans[static_cast<std::size_t>(b) * nn + static_cast<std::size_t>(v)];
          if (s.lo > s.hi) continue;
          r.lo = std::min(r.lo, s.lo);
          r.hi = std::max(r.hi, static_cast<std::uint16_t>(s.hi + 1));
        }
      const std::size_t c = static_cast<std::size_t>(x - x0) * nn + static_cast<std::size_t>(y);
      rows[c] = r;
      mass[c] = r.lo <= r.hi;
    }
}

void need_rows(const std::uint8_t* mass_all, int n, int x0, int x1, std::uint8_t* need) {
  const std::size_t nn = static_cast<std::size_t>(n);
#pragma omp parallel for schedule(static)
  for (int x = x0; x <= x1; ++x)
    for (int y = 0; y < n; ++y) {
      bool want = false;
      for (int d = -2; d <= 2; ++d) {
        const int u = x + d, v = y + d;
        if (u >= 0 && u < n) want |= mass_all[static_cast<std::size_t>(u) * nn + static_cast<std::size_t>(y)] != 0;
        if (v >= 0 && v < n) want |= mass_all[static_cast<std::size_t>(x) * nn + static_cast<std::size_t>(v)] != 0;
      }
      need[static_cast<std::size_t>(x - x0) * nn + static_cast<std::size_t>(y)] = want;
    }
}

}  // namespace slotsim::detail
