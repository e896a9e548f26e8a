#pragma once
// `batch` snapshot flags: --snapshot-every, --snapshot-fields, --restart.
// Kept out of batch_command.cpp so that file only calls in at a few points.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "sim/io/hdf5_snapshot.hpp"
#include "sim/progress.hpp"
#include "sim/system.hpp"

namespace slotsim::app {

struct SnapshotOptions {
  std::string restart;      // --restart FILE.h5
  std::uint64_t every = 0;  // --snapshot-every K
  std::string fields_spec;  // --snapshot-fields acc,pot
  SnapshotFields fields;    // parsed by check_snapshot_options
  CLI::App* cmd = nullptr;  // to ask which flags were given explicitly
  bool quiet = false;
};

void add_snapshot_options(CLI::App* cmd, SnapshotOptions& o);

// Validates the combination with --snapshot (one line, std::invalid_argument
// or std::runtime_error) before anything is allocated or written, and
// probes that the series' first file can be created.
void check_snapshot_options(SnapshotOptions& o, const std::string& snapshot, const SimConfig& cfg);

// With --restart, refuses (std::invalid_argument, one line) a flag that
// would change what the snapshot fixes (--scene, --solver, --dt, ...).
void check_restart_flags(const SnapshotOptions& o);

// A fresh System from cfg, or with --restart the snapshot's run, continued
// exactly: cfg is then overwritten with the snapshot's configuration (plus
// the safe overrides --layout and --threads). Flags that would change the
// run's physics are refused with one line naming them.
std::unique_ptr<System> make_batch_system(SnapshotOptions& o, SimConfig& cfg, const std::string& layout_flag,
                                          const ProgressFn& progress);

// Writes the final --snapshot (CSV or HDF5 by extension), atomically.
// `diverged`: the run blew up; the snapshot then holds its non-finite state
// as it is (CSV: nan/inf, which a later --ic refuses; HDF5: see the writer).
void write_final_snapshot(const SnapshotOptions& o, const std::string& path, System& sys, bool diverged = false);
// --snapshot-every: writes the series file for the current step if it is
// due (absolute step a multiple of K; step 0 only at the start of a fresh
// run). `snapshot` is the --snapshot name the series is derived from.
void write_series_if_due(const SnapshotOptions& o, const std::string& snapshot, System& sys);

// out.h5, 3 -> out_003.h5 (at least three digits, more when needed).
std::string series_name(const std::string& snapshot, std::uint64_t index);

}  // namespace slotsim::app
