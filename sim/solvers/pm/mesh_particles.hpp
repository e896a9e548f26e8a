#pragma once
// The particle passes of the particle-mesh solver: bucket the particles by
// x cell, deposit their mass (cloud-in-cell), find the rows that hold mass,
// take the gradient of the potential, and interpolate forces (or the
// potential) back. The serial solver runs them over the whole mesh; the
// distributed one (dist/pm_solver.cpp) over one rank's slab of planes, on
// the particles it imported in global storage order, and gets the serial
// bits because every pass here adds in an order fixed by global indices:
//
// Determinism: the deposit has no atomics. Particles are bucketed by their
// x cell (a stable counting sort). A bucket's particles reach two mesh
// planes, x and x+1; the even buckets are deposited first, in parallel (no
// two of them share a plane), then the odd ones. So every cell's sum has one
// fixed order, whatever the number of threads, and whichever rank holds
// both of a plane's buckets. (Private per-thread meshes summed in a fixed
// order were the alternative: as many extra meshes as threads, and results
// that depend on the thread count. Adding partial sums from two ranks, as
// Gadget-4 does, would regroup the sums.)
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/memory/tracker.hpp"
#include "sim/solvers/buffer.hpp"
#include "sim/solvers/pm/mesh_map.hpp"
#include "sim/solvers/solver.hpp"

namespace slotsim::detail {

class MeshParticles {
 public:
  explicit MeshParticles(mem::CountingResource& res);

  // Stable counting sort of src by x cell. The sorted records hold what
  // deposit and interpolation need (SortedParticle, SortedCell), bucket x
  // at begin(x) .. end(x), so both stream through them. Per-thread counts
  // over fixed contiguous chunks: the result is the unique stable order,
  // whatever the threads.
  void bucket(const Sources& src, const MeshMap& map);
  std::size_t begin(int x) const { return start_[static_cast<std::size_t>(x)]; }
  std::size_t end(int x) const { return start_[static_cast<std::size_t>(x) + 1]; }
  const SortedCell& cell(std::size_t k) const { return cells_[k]; }

  // Deposits the buckets b0, b0 + 1, .. (count of them, wrapping on a
  // periodic mesh) into `grid`, which must hold planes b and next(b) of
  // each; its planes are zeroed first. Bucket b reaches planes b (weight
  // 1 - fx) and b + 1 (weight fx). Phase 0 deposits the even buckets, phase
  // 1 the odd ones, so no two threads ever write one plane; with an odd
  // periodic mesh the last bucket, whose second plane is plane 0, gets a
  // phase of its own. Reading each bucket once for both planes, rather than
  // each plane gathering from buckets x-1 and x, halves the reads of the
  // sorted arrays. Also records span_: the z cells each bucket occupies in
  // each y row (every other bucket's spans are empty).
  void deposit(const MeshMap& map, const Planes& grid, int b0, int count, std::size_t row);

  // Isolated meshes only. For planes x0 .. x1 (inclusive), from the spans
  // of buckets x-1 and x: rows[(x - x0) n + y], the z cells of row (x, y)
  // where forces are read (a particle's cloud covers buckets x-1 and x,
  // rows y-1 and y, cells z and z+1 of its own), and mass[same], whether
  // the row can hold mass (the same rows).
  void force_rows(int n, int x0, int x1, Span* rows, std::uint8_t* mass) const;
  // need[(x - x0) n + y] for planes x0 .. x1: the rows of the potential
  // that the gradient's stencil reads around the rows with mass (2 cells
  // along x and along y); mass_all is the whole mesh's n x n flags.
  static void need_rows(const std::uint8_t* mass_all, int n, int x0, int x1, std::uint8_t* need);

  // Forces of the particles in buckets b0 .. b0 + count - 1 (wrapping),
  // from `force` ((ax, ay, az) per cell, n^2 cells a plane, holding planes
  // b and next(b) of each), written at each particle's source index.
  void interpolate(const MeshMap& map, const Planes& force, int b0, int count, Accels& acc) const;
  // The mesh potential at the particles of those buckets, minus each
  // particle's own cloud (isolated meshes; see particle_mesh.cpp), from the
  // potential `phi` (planes b and b + 1 of each), written at the source index.
  void interpolate_potential(const MeshMap& map, const Planes& phi, std::size_t row, int b0, int count, double eps,
                             double* out) const;

 private:
  template <bool Periodic>
  void bucket(const Sources& src, const MeshMap& map);
  template <bool Periodic>
  void deposit(const MeshMap& map, const Planes& grid, int b0, int count, std::size_t row);
  template <bool Periodic>
  void interpolate(const MeshMap& map, const Planes& force, int b0, int count, Accels& acc) const;

  SolverBuffer<SortedParticle> sorted_;
  SolverBuffer<SortedCell> cells_;
  std::vector<std::size_t> counts_, start_;
  SolverBuffer<Span> span_;  // n x n: per (bucket, y row)
};

// a = -grad phi, fourth-order differences: (8 (p1 - m1) - (p2 - m2)) / 12h,
// stored interleaved (ax, ay, az) per cell (n^2 cells a plane in `force`)
// so that interpolation reads each corner from one place; for the planes
// x0 .. x1 - 1 (periodic: x may run past n - 1, wrapping). Isolated: only
// the cells in rows ((x - rows_first) n + y,
// from force_rows), which lie at least 3 cells inside the octant
// (particles are at least 4 inside), so the stencil never leaves it; phi
// must hold planes x-2 .. x+2 of those. Periodic: every cell, wrapping.
void mesh_gradient(const MeshMap& map, const Planes& phi, std::size_t row, const Planes& force, int x0, int x1,
                   const Span* rows, int rows_first);

}  // namespace slotsim::detail
