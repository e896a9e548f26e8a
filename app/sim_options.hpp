#pragma once
// The simulation flags shared by `batch`, `bench` and `gui`, so the three
// accept the same names with the same defaults and the same checks.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/system.hpp"

namespace slotsim::app {

struct SimOptions {
  SimConfig cfg;
  std::string layout = "soa";
  // Integers are read as text and converted here, not by CLI11: CLI11 2.1
  // reads "-1" into an unsigned as 2^64-1 and saturates values past 2^64.
  std::string particles, seed, threads, sort_every;
  std::string python_objects;  // --python-objects[=VERSION]: the VERSION, "" for the default
  // batch/bench: a flag of a solver other than --solver is an error (it
  // would be silently ignored). gui: the user can switch solvers later, so
  // every given value is checked against the solver it belongs to instead.
  bool strict_solver_flags = true;
  CLI::App* cmd = nullptr;
  bool given(const std::string& flag) const {
    const CLI::Option* opt = cmd ? cmd->get_option_no_throw(flag) : nullptr;
    return opt && opt->count() > 0;
  }
};

// Adds --scene --particles --layout --solver --dt --softening --theta --grid
// --periodic --box --seed --threads --sort-every --ic to cmd, bound to o.
void add_sim_options(CLI::App* cmd, SimOptions& o);
// Removes --layout from a command that runs a list of layouts (bench's
// --layouts): accepted there, it was ignored, every layout ran anyway.
void drop_layout_option(CLI::App* cmd);
// Converts and checks every flag into o.cfg; throws std::invalid_argument
// (one line) for a bad value, an unknown layout, scene or solver, a flag that
// means nothing for the chosen solver, or conflicting flags.
void finish_sim_options(SimOptions& o);
// Parses a layout name or throws std::invalid_argument naming the choices.
Layout layout_or_throw(const std::string& name);
// bench's --layouts: comma-separated names, each one a layout; an empty
// item anywhere ("soa,", ",soa", "soa,,dict") is refused like any unknown
// name (std::getline, the first version, dropped a trailing one silently).
std::vector<Layout> parse_layout_list(const std::string& list);
// --read-dict given (`read_dict` not empty) for a run starting in layout l,
// which has no __dict__: std::invalid_argument, said before the particles
// are made (p.__dict__ raises AttributeError there, as in CPython).
void check_read_dict_layout(const std::string& read_dict, Layout l);
// A whole number in [lo, hi] written in decimal digits only (leading zeros
// allowed), or std::invalid_argument naming `flag`.
std::uint64_t parse_count(const std::string& text, const std::string& flag, std::uint64_t lo, std::uint64_t hi);

// bench's --repeats, serial and MPI: each keeps one median; far more than
// anyone times.
inline constexpr std::uint64_t kMaxRepeats = 1000000;
// CLI11 validators for the options bound straight to a number (--dt,
// --softening, --theta, --box, --grid; the GUI's sizes and rates). CLI11's
// own conversion reads "" as 0 and takes hex ("0x10"), "nan" and "inf", so
// `--softening ''` ran with 0 and `--ui-scale nan` passed its range check;
// these refuse any other text first, with the flag named. (Converting
// every such flag by hand, as the integers above are, was the alternative:
// more code for the same refusals, and CLI11's range checks would go.)
CLI::Validator decimal_number();  // [+-]digits[.digits][(e|E)[+-]digits], or [+-].digits[...]
// Decimal digits only, as parse_count; leading zeros are dropped so that
// CLI11 (which converts with base 0) reads "020" as 20, not octal 16. It
// rewrites the text, so it must be added with transform(): check() would
// hand it a copy.
// With `hi`: also refuses a value above it ("'N' is more than HI"), for
// an option whose type CLI11 would wrap past its range.
CLI::Validator whole_number(std::uint64_t hi = UINT64_MAX);
// An option whose empty value would read as "not given" (--read-dict '',
// --snapshot-fields ''): refused, naming what it expects.
CLI::Validator not_empty(const std::string& expected);

// An output flag given with an empty value ("--json ''") is an error, not
// "no output": say so before anything runs.
void check_not_empty(const SimOptions& o, const std::string& flag, const std::string& value);

// Runs body(), printing any exception as one line "slotsim <cmd>: error: ..."
// (control bytes escaped, long numbers shortened) on stderr and turning it
// into its exit status by the one table (app/exit_status.hpp).
int run_guarded(const char* cmd, const std::function<int()>& body);

}  // namespace slotsim::app
