// slotsim: one executable, one subcommand per job. With no subcommand it
// opens the GUI when built with it, otherwise prints help. The exit status
// comes from one table (app/exit_status.hpp), CLI11's errors included.
#include <CLI/CLI.hpp>
#include <iostream>

#include "app/commands.hpp"
#include "app/exit_status.hpp"

int main(int argc, char** argv) {
  CLI::App app{"slotsim: an N-body simulator that makes particle memory layout visible"};
  app.require_subcommand(0, 1);
  slotsim::app::register_batch(app);
  slotsim::app::register_bench(app);
#ifdef SLOTSIM_HAVE_GUI
  slotsim::app::register_gui(app);
  return slotsim::app::run_command_line(app, argc, argv, [&] { app.parse(std::vector<std::string>{"gui"}); });
#else
  return slotsim::app::run_command_line(app, argc, argv, [&] { std::cout << app.help(); });
#endif
}
