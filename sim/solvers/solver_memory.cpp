#include "sim/solvers/solver_memory.hpp"

#include <omp.h>

#include <algorithm>
#include <stdexcept>

namespace slotsim {

double solver_bytes_estimate(std::string_view solver, const ForceParams& p, std::size_t n, const PmOccupancy* occ) {
  const double np = double(n);
  if (solver == "pm") {
    const double g = p.grid, g3 = g * g * g;
    // force field 3 g^3 doubles; density grid g^3; Green's function ~g^3
    // (periodic: g^2 (g/2 + 1)); the spectrum of the z pass: isolated, of
    // the doubled mesh, ~2 g^3 doubles; periodic (g/2 + 1) g^2 complex.
    // Per particle: 4 doubles of fractions and mass, 2 uint32 (cells, index).
    double mesh = p.periodic ? (24 + 8 + 4 + 8) * g3 + 24 * g * g : (24 + 8 + 8 + 16) * g3;
    if (occ && !p.periodic && occ->grid == p.grid) {
      // Isolated, the positions known (occupancy.hpp): the force pages the
      // gradient writes and the spectrum's rows, in place of their bounds
      // (24 g^3 and 16 g^3), with kPmOccupancyHeadroom for the mesh refitted
      // to moving particles in the steps that follow.
      const double spectrum = 16 * (g + 1) * double(occ->spectrum_rows());
      // Never above the allocation itself (a filled mesh: the bound).
      mesh = (8 + 8) * g3 + std::min(kPmOccupancyHeadroom * (occ->force_bytes + spectrum), (24 + 16) * g3);
    }
    const double rows = 32 * g * g;
    const double threads = omp_get_max_threads();
    const double work = threads * 8 * (2 * g * (g + 2) * 2 + 4 * 16 * 2 * g);  // per-thread FFT lines and slabs
    return mesh + rows + work + 40 * np;
  }
  if (solver == "bh") {
    // Morton keys and permutation (+ sort scratch) 24 B, sorted copies of
    // x, y, z, m 32 B, and the tree: nodes, moments and boxes at 120 B per
    // node. Leaves hold up to 8 particles; the tree has 0.5-0.6 nodes per
    // particle on every scene (its allocation measured at 10^4 to 10^6
    // particles: 117-128 B/particle at 1M, plummer the largest), planned
    // at 0.6, plus per-thread walk scratch of about 1 MB. The first version
    // planned one node per particle (176 B), 21% above the measured peak
    // at 1M; a pathological set (particles on a line at doubling spacing)
    // can reach it, which the 10% headroom of the plan's limit absorbs.
    return (24 + 32 + 0.6 * 120) * np + 1e6;
  }
  return 0;  // direct, none: no buffers beyond the System's scratch
}

bool solver_has_potentials(std::string_view solver, const ForceParams& p) {
  try {
    return make_solver(solver, p)->has_potentials();
  } catch (const std::invalid_argument&) {
    return false;
  }
}

}  // namespace slotsim
