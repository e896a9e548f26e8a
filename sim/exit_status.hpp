#pragma once
// The one table of exit statuses (docs/RELIABILITY.md quotes it), for an
// exception escaping a command. Below the front ends so that both apply the
// same table: the serial one (app/exit_status.hpp adds CLI11's parse
// errors) and slotsim-mpi, whose ranks agree on an error's status inside
// dist/ (dist::agree) before any front end sees it. slotsim-mpi and dist/
// once kept their own copy of this mapping, which drifted: a failed
// parallel snapshot write came out as bad input (2).
#include <exception>
#include <stdexcept>

namespace slotsim {

enum ExitStatus : int {
  kExitOk = 0,
  kExitFailed = 1,    // refused or failed at run time: memory plan, I/O (a full disk), out of memory
  kExitBadInput = 2,  // bad input: a flag, an input file, a script
  kExitDiverged = 3,  // the run produced a non-finite value (outputs written, marked "diverged")
};
// The kind of every "the run produced a non-finite value" error (System's
// Diverged derives from it), declared here so that the table can map it
// without this level knowing the System.
class NonFiniteRun : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Interrupted by SIGINT / SIGTERM, outputs written marked "interrupted".
constexpr int exit_interrupted(int sig) { return 128 + sig; }

// The status of an exception escaping a command: std::invalid_argument and
// the input-file errors (CsvError, SnapshotError) are bad input (the GUI
// turns a ScriptError into std::invalid_argument); everything else
// (MemoryRefused, io::OutputError, bad_alloc, any other) is a run-time
// failure; a NonFiniteRun that no command caught itself is 3.
int exit_status_of(const std::exception& e);

}  // namespace slotsim
