#pragma once
// What batch and bench share to plan a run's memory before it starts: the
// size of an input file, known without reading its particles, and the
// --dry-run / refusal step. One implementation, so the two commands size the
// same --ic alike (bench used to guess from the byte count alone, a bound ~4x
// looser than batch's line count and wrong for HDF5).
#include <cstdint>
#include <cstdio>
#include <string>

#include "sim/memory_plan.hpp"

namespace slotsim::app {

struct InputSize {
  // false for a pipe or device: its particles are known only by reading it
  // (batch reads it with a cap; bench, which reads it once per layout,
  // refuses it).
  bool sized = false;
  std::uint64_t bytes = 0;      // the file's size
  // HDF5: the header's count. CSV: the line count (a header and one line per
  // particle), an upper bound found in one pass with no allocation.
  std::uint64_t particles = 0;
  bool has_ids = false;  // HDF5: the load sorts by ParticleIDs (12 B/particle more)
};

// Throws CsvError (one line) for a missing file or a directory, and the
// HDF5 reader's error for an .h5 file that is not a snapshot (or not a
// regular file: HDF5 inputs must be).
InputSize inspect_input(const std::string& path);

// With --dry-run prints the plan and returns true (the command stops; a plan
// that does not fit is still refused, so the exit status says so). Otherwise
// refuses a plan that does not fit and returns false. `what` names the run
// in the refusal ("this run", "this benchmark").
// The plan goes to `out` (stderr when a report owns stdout).
bool dry_run_or_check(const MemoryPlan& plan, const std::string& what, bool dry_run, std::FILE* out = stdout);

}  // namespace slotsim::app
