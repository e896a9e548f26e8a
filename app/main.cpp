// slotsim: one executable, one subcommand per job. With no subcommand it
// opens the GUI when built with it, otherwise prints help.
#include <CLI/CLI.hpp>
#include <iostream>

#include "app/commands.hpp"
#include "sim/message.hpp"

int main(int argc, char** argv) {
  CLI::App app{"slotsim: an N-body simulator that makes particle memory layout visible"};
  app.require_subcommand(0, 1);
  // One line per error, not CLI11's usage dump: scripts read stderr.
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return "slotsim: error: " + slotsim::one_line(e.what()) + " (see --help)\n";
  });
  slotsim::app::register_batch(app);
  slotsim::app::register_bench(app);
#ifdef SLOTSIM_HAVE_GUI
  CLI::App* gui = slotsim::app::register_gui(app);
#endif
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (app.get_subcommands().empty()) {
#ifdef SLOTSIM_HAVE_GUI
    (void)gui;
    try {
      app.parse(std::vector<std::string>{"gui"});
    } catch (const CLI::ParseError& e) {
      return app.exit(e);
    }
#else
    std::cout << app.help();
#endif
  }
  return 0;
}
