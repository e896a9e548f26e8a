#pragma once
// What an isolated pm mesh will touch for a given set of positions, for the
// memory plan (sim/solvers/solver_memory.hpp). Two of the solver's buffers
// are resident only as far as the particles occupy the mesh:
//   - the z spectra (LineConvolution::convolve): 16 (n + 1) bytes per row
//     listed, the rows holding mass or wanted back (occupied_rows.hpp),
//     at most n^2 of them;
//   - the force mesh (3 doubles per cell, 24 n^3 bytes allocated): the
//     gradient writes only the cells of the rows where forces are read,
//     and a page the run never writes never becomes resident.
// The mass mesh (zeroed every call) and the Green's function are written
// whole and need no occupancy. A uniform box fills every row; a Plummer
// sphere on a 256 mesh leaves most of them empty (the spectra and the
// force pages were a fifth of the bound in bench/peak_rss_table.sh's case).
// Computed with the solver's own placement (place_mesh on the bounding
// cube), cells and row rules (force_rows, need_rows), so it is what the
// solver's next call on these positions touches, not a model of it.
#include <cstddef>

#include "sim/particle.hpp"

namespace slotsim {

struct PmOccupancy {
  int grid = 0;                   // the mesh these counts are of
  std::size_t mass_rows = 0;      // rows the forward z pass transforms
  std::size_t need_rows = 0;      // rows of the potential wanted back
  double force_bytes = 0;         // 4 KiB pages of the force mesh the gradient writes, in bytes
  // Rows in the spectrum (LineConvolution::stride()).
  std::size_t spectrum_rows() const { return mass_rows > need_rows ? mass_rows : need_rows; }
};

// For an isolated mesh of `grid` cells per side on the positions of these
// records (as a load holds them: no copy into columns). Takes
// O(n + grid^2) time and 10 grid^2 bytes.
PmOccupancy pm_occupancy(const ParticleRecord* p, std::size_t n, int grid);

}  // namespace slotsim
