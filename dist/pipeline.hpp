#pragma once
// A running value carried through the ranks in order: rank 0 starts from
// `init`, each rank applies `f` (its own particles, in storage order) and
// passes the result to the next; every rank gets the last rank's result.
// A sequential sum over the global array split into segments, computed
// this way, adds exactly what the serial loop adds, in its order, so it has
// the serial bits (an MPI_Allreduce would regroup it). The state hash and
// the energy diagnostic's sums use it. Cost: P - 1 messages in series.
#include <type_traits>

#include "dist/comm.hpp"

namespace slotsim::dist {

template <class T, class F>
T ordered_fold(Comm& comm, T init, F&& f) {
  static_assert(std::is_trivially_copyable_v<T>);
  constexpr int kTag = 71;
  T v = init;
  if (comm.rank() > 0) comm.recv(&v, 1, comm.rank() - 1, kTag);
  v = f(v);
  if (comm.rank() + 1 < comm.size()) comm.send(&v, 1, comm.rank() + 1, kTag);
  comm.bcast(v, comm.size() - 1);
  return v;
}

}  // namespace slotsim::dist
