#pragma once
// The one table of exit statuses (docs/RELIABILITY.md quotes it), and the
// two places it is applied: run_guarded turns a command's exception into
// its status, and run_command_line turns CLI11's parse errors into theirs.
// Before this table CLI11's own codes leaked out (104-114 for an unknown
// flag, a missing value, a non-number), and each command mapped exceptions
// in its own way.
#include <CLI/CLI.hpp>
#include <exception>
#include <functional>

namespace slotsim::app {

enum ExitStatus : int {
  kExitOk = 0,
  kExitFailed = 1,    // refused or failed at run time: memory plan, I/O (a full disk), out of memory
  kExitBadInput = 2,  // bad input: a flag, an input file, a script
  kExitDiverged = 3,  // the run produced a non-finite value (outputs written, marked "diverged")
};
// Interrupted by SIGINT / SIGTERM, outputs written marked "interrupted".
constexpr int exit_interrupted(int sig) { return 128 + sig; }

// The status of an exception escaping a command: std::invalid_argument and
// the input-file errors (CsvError, SnapshotError) are bad input (the GUI
// turns a ScriptError into std::invalid_argument); everything else (MemoryRefused, io::OutputError, bad_alloc, any
// other) is a run-time failure.
int exit_status_of(const std::exception& e);

// The status of a CLI11 parse error: its own help/version requests are 0,
// CLI::RuntimeError carries a command's status (run_guarded's), every other
// kind (unknown flag, missing value, conversion, validation, ...) is bad
// input. Prints the help, or one error line, as CLI11 would.
int exit_status_of(const CLI::App& app, const CLI::ParseError& e);

// Parses argv and runs the chosen command's callback, returning the
// process's exit status. Everything main() does besides registering the
// commands.
int run_command_line(CLI::App& app, int argc, char** argv, const std::function<void()>& no_subcommand);

}  // namespace slotsim::app
