#pragma once
// Morton (Z-order) sorting of particles. Sorting by the interleaved bits of
// the quantised coordinates puts every octree cell's particles in one
// contiguous run, so the tree can be built over index ranges with no
// pointer-chasing and no per-node particle lists. The rejected alternative,
// inserting particles one by one into a pointer octree, allocates per node
// and is inherently serial.
#include <cstdint>

#include "sim/solvers/buffer.hpp"
#include "sim/solvers/solver.hpp"

namespace slotsim::detail {

inline constexpr int kMortonBits = 21;  // per axis; 63-bit keys

// The cube the keys quantise: corner lo, side `side` (> 0).
struct Cube {
  double lo[3] = {0, 0, 0};
  double side = 1;
};

// The key of one point: its coordinates quantised on 2^21 steps across the
// cube (`scale` = 2^21 / side, or as the caller chooses), interleaved x, y, z
// from the lowest bit. NaN and points outside the cube clamp to its faces.
// The one definition of the key, shared by morton_sort and the GUI's heap map.
std::uint64_t morton_key(double x, double y, double z, const double lo[3], double scale);

// Smallest axis-aligned cube holding every source, grown by a relative
// margin so the maximum coordinate quantises strictly inside. From
// s.extent when the caller has it, else from a pass over the positions.
Cube bounding_cube(const Sources& s);
// The same cube from the sources' extent, lo and hi per axis (their
// minimum and maximum; all zero for no sources): a distributed caller
// reduces each rank's extent first (min and max are exact, so the cube has
// the bits of one computed over all the sources).
Cube cube_of_extent(const double lo[3], const double hi[3]);

// Fills keys (sorted ascending) and perm (perm[k] = source index of the k-th
// sorted particle; ties in key keep source order). tmp_keys/tmp_perm are
// scratch for the radix passes. The result is the unique stable order, so it
// does not depend on the thread count.
void morton_sort(const Sources& s, const Cube& c, SolverBuffer<std::uint64_t>& keys,
                 SolverBuffer<std::uint32_t>& perm, SolverBuffer<std::uint64_t>& tmp_keys,
                 SolverBuffer<std::uint32_t>& tmp_perm);

}  // namespace slotsim::detail
