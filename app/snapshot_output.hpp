#pragma once
// `batch` snapshot flags: --snapshot-every, --snapshot-fields, --restart.
// Kept out of batch_command.cpp so that file only calls in at a few points.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/io/hdf5_snapshot.hpp"
#include "sim/io/output_file.hpp"
#include "sim/progress.hpp"
#include "sim/system.hpp"

namespace slotsim::app {

struct SnapshotOptions {
  std::string restart;      // --restart FILE.h5
  std::string every_text = "0";  // --snapshot-every K, converted by parse_count
  std::uint64_t every = 0;
  std::string fields_spec;  // --snapshot-fields acc,pot
  SnapshotFields fields;    // parsed by check_snapshot_options
  CLI::App* cmd = nullptr;  // to ask which flags were given explicitly
  bool quiet = false;
};

void add_snapshot_options(CLI::App* cmd, SnapshotOptions& o);

// Validates the combination with --snapshot (one line, std::invalid_argument
// or std::runtime_error) before anything is allocated or written.
void check_snapshot_options(SnapshotOptions& o, const std::string& snapshot, const SimConfig& cfg);

// With --restart, refuses (std::invalid_argument, one line) a flag that
// would change what the snapshot fixes (--scene, --solver, --dt, ...).
void check_restart_flags(const SnapshotOptions& o);

// The --snapshot-every series of a run of `steps` steps from step `start`
// (a fresh run also writes index 0), checked: the last (longest) name must
// be writable. Empty when there is no series. For io::check_distinct_paths.
std::vector<io::OutputSeries> snapshot_series(const SnapshotOptions& o, const std::string& snapshot,
                                              std::uint64_t start, std::uint64_t steps, bool fresh);

// --restart, before anything is allocated: refuses the flags the snapshot
// fixes, reads the snapshot's configuration and counts (not its particles:
// inspect_restart_h5), and makes cfg the restarted run's, with the
// overrides a restart may take (--layout, --threads, --python-objects),
// --python-objects checked against that layout. Throws
// std::invalid_argument or SnapshotError.
RestartHeader prepare_restart(const SnapshotOptions& o, SimConfig& cfg);

// A fresh System from cfg, or with `restart` (from prepare_restart) the
// snapshot's run continued exactly, in cfg's layout and mode.
std::unique_ptr<System> make_batch_system(const SnapshotOptions& o, const SimConfig& cfg, const RestartHeader* restart,
                                          const ProgressFn& progress);

// Writes the final --snapshot (CSV or HDF5 by extension), atomically.
// `status`: "ok", "interrupted" (stored in an HDF5 snapshot's
// /slotsim/status) or "diverged" (the snapshot then holds the non-finite
// state as it is: CSV nan/inf, which a later --ic refuses; HDF5 refuses).
void write_final_snapshot(const SnapshotOptions& o, const std::string& path, System& sys,
                          const std::string& status = "ok");
// --snapshot-every: writes the series file for the current step if it is
// due (absolute step a multiple of K; step 0 only at the start of a fresh
// run). `snapshot` is the --snapshot name the series is derived from.
void write_series_if_due(const SnapshotOptions& o, const std::string& snapshot, System& sys);

// out.h5, 3 -> out_003.h5 (at least three digits, more when needed).
std::string series_name(const std::string& snapshot, std::uint64_t index);

// The line both batches print on stderr after a restart: "restarted from
// FILE at step S (time, layout, solver<extra>[, snapshot marked STATUS])";
// `extra` is what only one of them has (", --python-objects", ", 4 ranks").
void print_restarted(const std::string& path, std::uint64_t step, double time, Layout layout,
                     const std::string& solver, const std::string& extra, const std::string& status);

}  // namespace slotsim::app
