#pragma once
// The direct-summation kernel, over any block of sources: the one piece of
// arithmetic the serial solver (direct.cpp) and the distributed one
// (dist/direct_solver.cpp, whose source blocks travel between ranks) share.
//
// Every target i sums its sources in index order, j ascending, skipping
// itself: a += m_j (r_j - r_i) / (|r_j - r_i|^2 + eps^2)^(3/2). A call adds
// one block of sources [s.first, s.first + s.n) (global indices) to the
// running sums in the targets' arrays, so calls over consecutive blocks,
// from index 0 up, give bit for bit what one call over all sources gives:
// the additions happen in the same order whatever the blocks. (Only the
// order matters; the partial sums are plain doubles between calls.)
#include <cstddef>

namespace slotsim::detail {

struct DirectTargets {
  const double *x, *y, *z;
  double *ax, *ay, *az;  // running sums, added to
  std::size_t n;
  std::size_t first;     // global index of target 0 (its own source term is skipped)
};

struct DirectSources {
  const double *x, *y, *z, *m;
  std::size_t n;
  std::size_t first;     // global index of source 0
};

// Adds the block's terms to every target, OpenMP over groups of targets
// (static schedule: each target's sum is the same whatever thread runs it).
void direct_accumulate(const DirectTargets& t, const DirectSources& s, double eps2);

}  // namespace slotsim::detail
