#pragma once
// The axis-aligned extent of a set of positions: per axis the smallest and
// the largest coordinate. The drift, which writes every position, takes it
// on the way (kernels::drift) and hands it to the force evaluation of the
// same step (Sources::extent), so that the solvers that place a mesh or a
// tree on the particles (bounding_cube()) need not read every position a
// second time. Minimum and maximum are exact, so an extent taken in any
// order, by any number of threads, is the same numbers as one taken in a
// separate pass.
namespace slotsim {

struct Extent {
  double lo[3];
  double hi[3];
};

}  // namespace slotsim
