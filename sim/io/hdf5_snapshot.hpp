#pragma once
// HDF5 snapshots in Gadget's layout, so h5py, yt, pynbody and the Gadget /
// SWIFT / AREPO tool chains open them as they are, plus a `slotsim` group
// with everything a bit-exact restart needs. The full layout (groups,
// datasets, attributes, dtypes, shapes) is in docs/SNAPSHOTS.md.
//
// HDF5's own types stay in the .cpp: this header is included by the app and
// the GUI, which should not see hid_t or inherit HDF5's include path.
//
// Writing a System and restoring one sit above the System; reading another
// tool's particles (sim/io/gadget_read.hpp) sits below it, since the
// System's constructor loads --ic files.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/io/gadget_read.hpp"
#include "sim/system.hpp"

namespace slotsim {

// Optional per-particle outputs (`--snapshot-fields acc,pot`).
struct SnapshotFields {
  bool acceleration = false;  // PartType1/Acceleration, the solver's (G = 1)
  bool potential = false;     // PartType1/Potential, exact softened pair sum
};
// Parses a comma-separated list of acc/acceleration, pot/potential (empty =
// none); throws std::invalid_argument naming the bad entry.
SnapshotFields parse_snapshot_fields(const std::string& spec);

// The potential is an O(N^2) pair sum (no solver here computes potentials),
// so it is refused above this many particles rather than running for hours.
inline constexpr std::size_t kPotentialMaxParticles = 200000;

// Writes the live state of `sys` to `path` (created or truncated; callers
// that want atomicity pass a temporary name and rename it). With
// f.acceleration it first completes the leapfrog's force cache
// (System::ensure_forces), which the next step would compute identically.
// `status` is stored as /slotsim/status: "ok", or "interrupted" for the
// snapshot a run writes after SIGINT/SIGTERM. Throws io::OutputError (one
// line) on any HDF5 failure or for a state the reader would refuse
// (non-finite values), std::invalid_argument for a potential above
// kPotentialMaxParticles. Returns the file's size.
long long write_snapshot_h5(const std::string& path, System& sys, const SnapshotFields& f = {},
                            std::string_view status = "ok");

// write_snapshot_h5 through io::write_file_atomic_with (a unique temporary
// renamed into place, removed on failure or on a second signal), for the
// GUI's simulation thread.
long long save_snapshot_h5(const std::string& path, System& sys, const SnapshotFields& f = {},
                           std::string_view status = "ok");

// Restoring (like every HDF5 reader, sim/io/gadget_read.hpp) runs libhdf5
// in a child process and judges everything it sends.

// A slotsim snapshot read back for `batch --restart`: the configuration it
// ran with and its state, ready for System(cfg, run). Every field is
// checked against the limits the CLI's flags have (check_config, named
// /slotsim/...), the step counter against kMaxSteps, the time for being
// finite. Throws SnapshotError for a file without a valid `slotsim` group.
struct RestartSnapshot {
  SimConfig cfg;
  int threads_used = 0;          // omp_get_max_threads() when written
  std::uint64_t state_hash = 0;  // System::state_hash() when written
  std::string status = "ok";     // "interrupted": written after SIGINT/SIGTERM
  int format_version = 0;
  RestoredRun run;
};
// Rows [first, first + count) of a file's per-particle datasets (clipped to
// the file); the default is every row.
struct RowSlice {
  std::uint64_t first = 0, count = UINT64_MAX;
};
// With a slice (a rank's share, dist/), run holds only those rows, and
// run.ids their ids as in the file: each is checked to be below N, but
// whether the whole file's ids are a permutation is then the caller's
// check (every slice is needed for it). cfg.particles is the file's N.
RestartSnapshot read_restart_h5(const std::string& path, RowSlice slice = {});
// The configuration and counts alone (no particle data), for the plan of
// `--dry-run --restart` and for checking the flags against the snapshot
// before anything is allocated. run.particles is empty; run.steps,
// run.time, run.energy_* are set; `particles` gives N.
struct RestartHeader {
  RestartSnapshot snap;
  std::uint64_t particles = 0;
  std::size_t dynamic_attrs = 0;  // dynamic attribute columns (9 B/particle each while loading)
  bool forces_cached = false;
  bool own_dict = false;
};
RestartHeader inspect_restart_h5(const std::string& path);

}  // namespace slotsim
