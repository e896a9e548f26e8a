#pragma once
// The simulation flags shared by `batch`, `bench` and `gui`, so the three
// accept the same names with the same defaults and the same checks.
#include <CLI/CLI.hpp>
#include <string>

#include "sim/system.hpp"

namespace slotsim::app {

struct SimOptions {
  SimConfig cfg;
  std::string layout = "soa";
};

// Adds --scene --particles --layout --solver --dt --softening --theta --grid
// --periodic --box --seed --threads --sort-every --ic to cmd, bound to o.
void add_sim_options(CLI::App* cmd, SimOptions& o);
// Parses the layout name into o.cfg; throws std::invalid_argument (one line)
// for an unknown layout, scene or solver.
void finish_sim_options(SimOptions& o);
// Parses a layout name or throws std::invalid_argument naming the choices.
Layout layout_or_throw(const std::string& name);

// Runs body(), printing any exception as one line "slotsim <cmd>: error: ..."
// on stderr and turning it into exit status 1 (or 2 for bad input).
int run_guarded(const char* cmd, const std::function<int()>& body);

}  // namespace slotsim::app
