#pragma once
// Snapshots of a distributed run: one HDF5 file in the serial writer's
// layout (docs/SNAPSHOTS.md), written by every rank at once with parallel
// HDF5 (MPI-IO, collective writes), and read back in slices for --restart
// at any rank count. The datasets hold the serial run's bytes: rows in
// global storage order, each rank writing its segment as a hyperslab, so
// h5py, yt and the serial binary read it as one of their own. Attributes
// equal the serial file's, plus /slotsim/mpi_ranks.
//
// Following SWIFT's parallel_io.c: every rank creates the same groups,
// attributes and datasets (metadata calls are collective), writes its rows
// at its segment's offset in slabs of at most 2^20 rows (24 MB), and a rank
// with fewer slabs, or none, still joins each collective write with an
// empty selection.
//
// The file appears atomically: rank 0 makes a unique temporary beside it
// (io::write_file_atomic_with), every rank writes into it, and rank 0
// renames it once all agree the write succeeded; on failure it is removed.
#include <cstdint>
#include <string>
#include <string_view>

#include "dist/dist_system.hpp"
#include "sim/io/hdf5_snapshot.hpp"

namespace slotsim::dist {

// Collective. `state_hash` is DistSystem::state_hash() of the state written.
// Refuses (io::OutputError on every rank, nothing written) a state the reader
// would refuse: a non-finite value or a mass <= 0, naming the particle with
// the lowest id. Returns the file's size in bytes (on every rank).
// `status` is /slotsim/status, as write_snapshot_h5's ("interrupted" after
// SIGINT/SIGTERM).
long long write_snapshot_parallel(Comm& comm, const std::string& path, DistSystem& sys, const SnapshotFields& f,
                                  std::uint64_t state_hash, std::string_view status = "ok");

// This rank's part of a restart file: the configuration, N, the hash the
// writer saw, and this rank's rows. Collective: the ids of all slices are
// checked to be a permutation of 0..N-1. Dynamic attributes are refused
// (std::invalid_argument): slotsim-mpi does not carry them.
struct RestartPart {
  SimConfig cfg;
  std::size_t n = 0;
  std::uint64_t state_hash = 0;
  std::string status = "ok";  // /slotsim/status: "interrupted" after a signal
  LocalPart part;
};
RestartPart read_restart_part(Comm& comm, const std::string& path);

}  // namespace slotsim::dist
