#pragma once
// Who owns which particles. The invariant of the whole distributed design:
// the global storage order is the serial run's, and rank r holds one
// contiguous segment of it, [begin(r), end(r)). Joining the segments in
// rank order rebuilds the serial array, so every solver can repeat the
// serial order of additions (docs/DISTRIBUTED.md). The split is even:
// begin(r) = floor(N r / P), so segments differ by at most one particle and
// a rank may hold none (N < P).
//
// Rejected: segments of a multiple of 4 (the direct kernel's group of
// targets), which the design brief proposed. The kernel gives every target
// the same bits inside a group or alone (direct_kernel.cpp), so the even
// split costs nothing and balances better.
#include <algorithm>
#include <cstddef>
#include <stdexcept>

namespace slotsim::dist {

struct Segments {
  std::size_t n = 0;  // particles in all
  int p = 1;          // ranks

  Segments() = default;
  Segments(std::size_t particles, int ranks) : n(particles), p(ranks) {
    if (ranks < 1) throw std::invalid_argument("segments: no ranks");
  }
  std::size_t begin(int r) const { return static_cast<std::size_t>((unsigned __int128)n * unsigned(r) / unsigned(p)); }
  std::size_t end(int r) const { return begin(r + 1); }
  std::size_t count(int r) const { return end(r) - begin(r); }
  std::size_t max_count() const { return n / std::size_t(p) + (n % std::size_t(p) != 0); }
  // The rank whose segment holds global index g < n.
  int owner(std::size_t g) const {
    int r = static_cast<int>((unsigned __int128)g * unsigned(p) / n);
    while (r > 0 && begin(r) > g) --r;
    while (r + 1 < p && end(r) <= g) ++r;
    return r;
  }
};

}  // namespace slotsim::dist
