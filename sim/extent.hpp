#pragma once
// The axis-aligned extent of a set of positions: per axis the smallest and
// the largest coordinate. The drift, which writes every position, takes it
// on the way (kernels::drift) and hands it to the force evaluation of the
// same step (Sources::extent), so that the solvers that place a mesh or a
// tree on the particles (bounding_cube()) need not read every position a
// second time. Minimum and maximum are exact, so an extent taken in any
// order, by any number of threads, is the same numbers as one taken in a
// separate pass.
#include <algorithm>

namespace slotsim {

struct Extent {
  double lo[3];
  double hi[3];
};

// One position into running bounds kept as six scalars (OpenMP reduces
// scalars, and the drift's soa loop vectorises over them): the one place
// the update is written, for the drift's loops and bounding_cube()'s own
// pass.
inline void widen(double& x0, double& y0, double& z0, double& x1, double& y1, double& z1, double x, double y,
                  double z) {
  x0 = std::min(x0, x);
  y0 = std::min(y0, y);
  z0 = std::min(z0, z);
  x1 = std::max(x1, x);
  y1 = std::max(y1, y);
  z1 = std::max(z1, z);
}

}  // namespace slotsim
