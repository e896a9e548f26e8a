#pragma once
// Reading particles from a Gadget-style HDF5 file written by any tool (the
// --ic path). Below the System, which loads its initial conditions through
// it; writing and restoring a System is sim/io/hdf5_snapshot.hpp, above it.
// Implemented in hdf5_read.cpp, beside the restart reader, so every read
// shares one set of HDF5 helpers and one child process (below).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/io/csv.hpp"
#include "sim/particle.hpp"

namespace slotsim {

// A bad or unreadable snapshot; what() is one line, "FILE: what" (HDF5's
// error stack is never printed). Derived from CsvError so every caller that
// reports a bad input file (exit status 2, one line) treats both formats
// alike without knowing about HDF5. A failed *write* is io::OutputError
// (sim/io/output_file.hpp): a run-time failure, not bad input.
class SnapshotError : public CsvError {
 public:
  using CsvError::CsvError;
};

// True for names ending in .h5 or .hdf5 (case-insensitive): the extension
// picks the format, anything else stays CSV.
bool is_hdf5_path(std::string_view path);

// Reading. Every reader (here and in hdf5_snapshot.hpp) runs libhdf5 in a
// child process (sim/io/isolated_call.hpp): a corrupt file that crashes or
// hangs the library is one SnapshotError line, "FILE: the reader crashed
// (signal 11: ...)". The parent validates everything the child sends. An
// input must be a regular file (a FIFO or device is refused before it is
// opened: one once blocked forever), and links to other files (HDF5
// external links) are not followed.

// What a file holds, from its header and the shapes of its datasets,
// without reading the particles: for the memory plan before a load.
struct SnapshotInfo {
  // The particles a load will produce: the rows of the datasets, which
  // Header/NumPart_ThisFile, NumPart_Total (+ NumPart_Total_HighWord)
  // must agree with (integer or integral float attributes, as Gadget
  // writes them).
  std::uint64_t particles = 0;
  bool has_ids = false;         // every type has ParticleIDs (a load sorts by them)
  bool restartable = false;     // has a /slotsim group
  std::uint64_t bytes = 0;      // the file's size
};
SnapshotInfo inspect_snapshot_h5(const std::string& path);

// Initial conditions from a Gadget-style file written by any tool: the
// particles of PartType1 if it is the only type present, otherwise of every
// type PartType0..5 in turn (then `note` says so, for stderr). Masses come
// from each type's Masses dataset, or from Header/MassTable. If every type
// has ParticleIDs the particles are ordered by id (stable), so slotsim's id
// k is the k-th smallest file id; otherwise file order. Checks everything
// (shapes, float types, NaN/inf, mass > 0, counts against the header)
// before returning; throws SnapshotError.
struct GadgetParticles {
  std::vector<ParticleRecord> particles;
  std::string note;  // empty unless several types were merged
};
GadgetParticles read_particles_h5(const std::string& path);
// inspect_snapshot_h5(path).particles.
std::uint64_t snapshot_particle_count(const std::string& path);

}  // namespace slotsim
