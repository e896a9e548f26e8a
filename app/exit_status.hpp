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
#include <iostream>

#include "sim/exit_status.hpp"

namespace slotsim::app {

// The table itself is sim/exit_status.hpp (slotsim-mpi and dist/ apply it
// too); these names are the front end's.
using slotsim::ExitStatus;
using slotsim::exit_interrupted;
using slotsim::exit_status_of;
using slotsim::kExitBadInput;
using slotsim::kExitDiverged;
using slotsim::kExitFailed;
using slotsim::kExitOk;

// The status of a CLI11 parse error: its own help/version requests are 0,
// CLI::RuntimeError carries a command's status (run_guarded's), every other
// kind (unknown flag, missing value, conversion, validation, ...) is bad
// input. Prints the help (to `out`), or one error line (to `err`, starting
// "PROG: error: "), as CLI11 would; slotsim-mpi passes rank 0's streams, or
// none on the other ranks, which parsed the same line and fail alike.
int exit_status_of(const CLI::App& app, const CLI::ParseError& e, std::ostream* out = &std::cout,
                   std::ostream* err = &std::cerr, const char* prog = "slotsim");

// Parses argv and runs the chosen command's callback, returning the
// process's exit status. Everything main() does besides registering the
// commands.
int run_command_line(CLI::App& app, int argc, char** argv, const std::function<void()>& no_subcommand);

}  // namespace slotsim::app
