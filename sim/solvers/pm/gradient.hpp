#pragma once
// The force mesh from the potential: 4-point finite differences (fourth
// order), rather than a spectral gradient, which would need three inverse
// transforms instead of one. Run by the serial solver over the whole mesh
// and by a rank of the distributed one over its planes.
#include <cstddef>

#include "sim/solvers/pm/mesh_map.hpp"
#include "sim/solvers/pm/occupied_rows.hpp"

namespace slotsim::detail {

// a = -grad phi, fourth-order differences: (8 (p1 - m1) - (p2 - m2)) / 12h,
// stored interleaved (ax, ay, az) per cell (n^2 cells a plane in `force`)
// so that interpolation reads each corner from one place; for the planes
// x0 .. x1 - 1 (periodic: x may run past n - 1, wrapping). Isolated: only
// the cells in rows[(x - rows_first) n + y] (from force_rows), which lie at
// least 3 cells inside the octant (particles are at least 4 inside), so the
// stencil never leaves it; phi must hold planes x-2 .. x+2 of those.
// Periodic: every cell, wrapping.
void mesh_gradient(const MeshMap& map, const Planes& phi, std::size_t row, const Planes& force, int x0, int x1,
                   const Span* rows, int rows_first);

}  // namespace slotsim::detail
