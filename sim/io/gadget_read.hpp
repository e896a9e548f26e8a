#pragma once
// Reading particles from a Gadget-style HDF5 file written by any tool (the
// --ic path). Below the System, which loads its initial conditions through
// it; writing and restoring a System is sim/io/hdf5_snapshot.hpp, above it.
// Implemented in hdf5_snapshot.cpp, beside the writer, so both share one
// set of HDF5 helpers.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/io/csv.hpp"
#include "sim/particle.hpp"

namespace slotsim {

// A bad or unreadable snapshot, or a failed write; what() is one line,
// "FILE: what" (HDF5's error stack is never printed). Derived from CsvError
// so every caller that reports a bad input file (exit status 2, one line)
// treats both formats alike without knowing about HDF5.
class SnapshotError : public CsvError {
 public:
  using CsvError::CsvError;
};

// True for names ending in .h5 or .hdf5 (case-insensitive): the extension
// picks the format, anything else stays CSV.
bool is_hdf5_path(std::string_view path);

// Initial conditions from a Gadget-style file written by any tool: the
// particles of PartType1 if it is the only type present, otherwise of every
// type PartType0..5 in turn (then `note` says so, for stderr). Masses come
// from each type's Masses dataset, or from Header/MassTable. If every type
// has ParticleIDs the particles are ordered by id (stable), so slotsim's id
// k is the k-th smallest file id; otherwise file order. Checks everything
// (shapes, float types, NaN/inf, mass > 0, counts against
// Header/NumPart_ThisFile) before returning; throws SnapshotError.
struct GadgetParticles {
  std::vector<ParticleRecord> particles;
  std::string note;  // empty unless several types were merged
};
GadgetParticles read_particles_h5(const std::string& path);
// Header/NumPart_Total summed over the types, without reading the data: for
// the run's memory plan before anything is loaded. Throws SnapshotError.
std::uint64_t snapshot_particle_count(const std::string& path);

}  // namespace slotsim
