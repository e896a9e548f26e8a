#pragma once
// Each subcommand lives in its own file and registers itself on the CLI here;
// main.cpp only wires them up and picks the default.
#include <CLI/CLI.hpp>

namespace slotsim::app {

// Each returns the subcommand it added. The callbacks run the command and
// throw CLI::RuntimeError(code) to exit non-zero after printing one line.
CLI::App* register_batch(CLI::App& app);
CLI::App* register_bench(CLI::App& app);
#ifdef SLOTSIM_HAVE_GUI
CLI::App* register_gui(CLI::App& app);
#endif

}  // namespace slotsim::app
