#pragma once
// Exact softened potentials, phi_i = -sum_{j != i} m_j / sqrt(r_ij^2 + eps^2),
// of some targets against every rank's particles, the sources visited in
// global storage order (BlockSweep): each target's sum adds what the serial
// pair sums add (System::diagnostics' phi_of, the snapshot's Potential), in
// their order. Collective; each rank passes its own targets (any number).
#include <cstdint>

#include "dist/comm.hpp"
#include "dist/segments.hpp"
#include "sim/solvers/solver.hpp"

namespace slotsim::dist {

struct PotentialTargets {
  const double *x, *y, *z;
  const std::uint64_t* at;  // each target's global storage index (its own term is skipped)
  std::size_t n;
};

// local: this rank's sources (its segment); phi gets targets.n values.
void exact_potentials(Comm& comm, const Segments& seg, const Sources& local, double eps2, const PotentialTargets& t,
                      double* phi);

}  // namespace slotsim::dist
