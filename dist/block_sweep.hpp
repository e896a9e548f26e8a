#pragma once
// Every rank's sources, in global order, on every rank: rank k broadcasts
// its block (x, y, z, m of its segment) and each rank hands block k to a
// visitor, k = 0 .. P-1. A visitor that adds each block's terms to running
// sums (the direct kernel, the exact potential) therefore adds them in the
// serial order, whatever P is: the same bits as one serial sweep. A ring
// (rank r starting with its own block) moves the same bytes, but starts each
// rank at a different block and would make the sums' order depend on P.
//
// Double-buffered: block k + 1 is broadcast (MPI_Ibcast) while block k is
// visited, so communication overlaps the kernel where the MPI library
// progresses in the background. Memory: two blocks of the largest segment,
// 64 B per particle of it.
#include <functional>

#include "dist/comm.hpp"
#include "dist/segments.hpp"
#include "sim/memory/tracker.hpp"
#include "sim/solvers/buffer.hpp"
#include "sim/solvers/direct_kernel.hpp"
#include "sim/solvers/solver.hpp"

namespace slotsim::dist {

class BlockSweep {
 public:
  explicit BlockSweep(mem::CountingResource& res) : buf_{detail::SolverBuffer<double>(res), detail::SolverBuffer<double>(res)} {}
  // local: this rank's sources (its whole segment, seg.count(rank) of them).
  void run(Comm& comm, const Segments& seg, const Sources& local,
           const std::function<void(const detail::DirectSources&)>& visit);
  // Bytes the two buffers take for a decomposition (the memory plan).
  static double bytes(const Segments& seg) { return 2.0 * 4 * 8 * double(seg.max_count()); }

 private:
  detail::SolverBuffer<double> buf_[2];
};

}  // namespace slotsim::dist
