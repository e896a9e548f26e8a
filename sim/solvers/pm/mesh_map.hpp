#pragma once
// Where a particle-mesh call puts its mesh: the placement, the map from
// positions to cells, and the planes of a mesh (whole, or one rank's
// slab). Shared by the serial solver (particle_mesh.cpp) and the
// distributed one (dist/pm_solver.cpp), which places the same mesh from the
// same global extent, so both compute the same cells and fractions.
//
// Mesh placement. Isolated (default): a cube fitted to the particles every
// call. Its spacing is h = extent / (n - 8), centred on the bounding box, so
// every particle lies at least 4 cells inside: CIC touches a particle's cell
// and the next, and the gradient stencil reaches 2 cells further, all within
// the n^3 octant where the padded convolution is exact. Nothing is ever
// outside, at the price that one far-flung particle coarsens the whole mesh.
// Periodic: a box of side `box` centred on the origin, positions taken
// modulo the box (the integrator does not wrap them); with box = 0 a cube
// fitted to the particles, side extent * n / (n - 1).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "sim/ordering/morton.hpp"
#include "sim/solvers/solver.hpp"

namespace slotsim::detail {

static_assert(kPmMaxGrid <= 65536, "y and z cells are packed into 16 bits each");

// Cells between the particles and the faces of an isolated mesh's octant:
// CIC touches a particle's cell and the next, and the gradient stencil
// reaches 2 cells further.
inline constexpr int kPmMargin = 4;

// Where the mesh is for one call, and the map from positions to cells.
struct MeshMap {
  int n;
  bool periodic;
  double origin[3];
  double h, inv_h;

  // A coordinate in cell units, brought into the mesh: isolated, clamped to
  // [kPmMargin - 1, n - kPmMargin + 1]; periodic, wrapped into [0, n). The
  // cell and the fraction follow from it by split(), with the same bits
  // however often they are derived, which is why the bucketed records hold
  // this one double per axis instead of a cell and a fraction.
  // Periodic is a template parameter so the per-particle loops carry no
  // test of it.
  template <bool Periodic>
  double scaled(double pos, int axis) const {
    double u = (pos - origin[axis]) * inv_h;
    // No coordinate reaches an index unchecked: casting a double outside
    // int's range (1e308, inf, NaN) to int is undefined behaviour, so every
    // value is brought into range as a double first; a comparison that is
    // false for NaN sends NaN to a valid cell too. (System::step stops a run
    // at the first non-finite position; this guards a solver called with
    // finite but huge positions, a tiny --box, or directly by a test.)
    if constexpr (Periodic) {
      u -= n * std::floor(u / n);
      if (!(u >= 0.0 && u < double(n))) u = 0;  // rounded up to n, or not finite
    } else {
      // The fit keeps u in [kPmMargin, n - kPmMargin]; the clamp only guards
      // rounding at the faces.
      const double lo = kPmMargin - 1, hi = n - kPmMargin + 1;
      if (!(u >= lo)) u = lo;
      if (u > hi) u = hi;
    }
    return u;
  }
  // Cell index and fraction in [0, 1] of a scaled() coordinate. Given
  // scaled()'s range, int(u) is at least kPmMargin - 1 (isolated) or in
  // [0, n) (periodic), and u - i is exact (Sterbenz: i <= u <= 2i for
  // i >= 1) and in [0, 1); only the isolated top face, u = n - kPmMargin + 1,
  // needs its cell pulled down (to n - kPmMargin, with f = 1). The first
  // version also clamped i from below and f to [0, 1]: no-ops on this range,
  // three compares per axis in the two per-particle passes that derive
  // cells. Truncation instead of floor: equal for u >= 0, and floor is a
  // library call without SSE4.1.
  template <bool Periodic>
  void split(double u, int& i, double& f) const {
    i = static_cast<int>(u);
    if constexpr (!Periodic) i = std::min(i, n - kPmMargin);
    f = u - i;
  }
  template <bool Periodic>
  void cell(double pos, int axis, int& i, double& f) const {
    split<Periodic>(scaled<Periodic>(pos, axis), i, f);
  }
  // The x cell (bucket) of a position, as cell<>() computes it: what the
  // distributed solver routes a particle by.
  int bucket(double x) const {
    int i;
    double f;
    if (periodic)
      cell<true>(x, 0, i, f);
    else
      cell<false>(x, 0, i, f);
    return i;
  }
  // The cell after i along an axis.
  template <bool Periodic>
  int next(int i) const {
    if constexpr (Periodic) return i + 1 == n ? 0 : i + 1;
    return i + 1;
  }
  int next(int i) const { return periodic ? next<true>(i) : next<false>(i); }
  int wrap(int i) const { return periodic ? (i + n) % n : i; }
};

// The smallest spacing 2^(k/16) >= h, k an integer. A fitted mesh changes
// its spacing every step as the particles move, and every new spacing
// means a new Green's function (an extra transform, as costly as the rest
// of the step); on this ladder it changes only when the extent crosses a
// rung, at the price of a mesh up to 4.4% coarser than the tightest fit.
inline double mesh_ladder(double h) {
  double q = std::exp2(std::ceil(16 * std::log2(h)) / 16);
  if (q < h) q *= std::exp2(1.0 / 16);  // log2/exp2 rounding
  return q;
}

// The mesh of n cells per side for particles whose bounding cube is c (see
// the placement rules above; box > 0 fixes a periodic box).
inline MeshMap place_mesh(const Cube& c, int n, bool periodic, double box) {
  double extent = c.side, centre[3];
  for (int a = 0; a < 3; ++a) centre[a] = c.lo[a] + 0.5 * c.side;
  MeshMap m{n, periodic, {0, 0, 0}, 0, 0};
  if (periodic && box > 0) {
    m.h = box / n;
    m.inv_h = 1 / m.h;
    for (double& o : m.origin) o = -0.5 * box;
    return m;
  }
  // bounding_cube pads a zero extent to a relative 1e-12; a mesh that fine
  // would only turn round-off into forces, so a lone point gets unit size.
  const double mag = std::max({std::abs(centre[0]), std::abs(centre[1]), std::abs(centre[2]), 1.0});
  if (extent <= mag * 1e-9) extent = 1;
  const double need = periodic ? extent / (n - 1) : extent / (n - 2 * kPmMargin);
  m.h = mesh_ladder(need);
  m.inv_h = 1 / m.h;
  for (int a = 0; a < 3; ++a) m.origin[a] = centre[a] - 0.5 * n * m.h;
  return m;
}

// Consecutive x-planes of a mesh stored one after another: global planes
// first .. first + count - 1 (wrapping past n on a periodic mesh), `stride`
// values per plane. The serial solver's whole mesh is {grid, plane, 0, n, n};
// a rank of the distributed one holds its slab and a few ghost planes.
struct Planes {
  double* base = nullptr;
  std::size_t stride = 0;
  int first = 0, count = 0, n = 0;
  double* at(int x) const {
    int i = x - first;
    if (i < 0) i += n;
    return base + static_cast<std::size_t>(i) * stride;
  }
};

}  // namespace slotsim::detail
