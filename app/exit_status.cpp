#include "app/exit_status.hpp"

#include <iostream>
#include <stdexcept>

#include "sim/io/csv.hpp"
#include "sim/message.hpp"

namespace slotsim::app {

int exit_status_of(const std::exception& e) {
  if (dynamic_cast<const std::invalid_argument*>(&e) || dynamic_cast<const CsvError*>(&e)) return kExitBadInput;
  return kExitFailed;
}

int exit_status_of(const CLI::App& app, const CLI::ParseError& e) {
  if (const auto* rt = dynamic_cast<const CLI::RuntimeError*>(&e)) return rt->get_exit_code();
  if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
    // --help, --help-all, --version: CLI11 prints them and this is success.
    return const_cast<CLI::App&>(app).exit(e);
  }
  // One line, not CLI11's usage dump: scripts read stderr.
  std::cerr << "slotsim: error: " << one_line(e.what()) << " (see --help)\n";
  return kExitBadInput;
}

int run_command_line(CLI::App& app, int argc, char** argv, const std::function<void()>& no_subcommand) {
  try {
    app.parse(argc, argv);
    if (app.get_subcommands().empty() && no_subcommand) no_subcommand();
  } catch (const CLI::ParseError& e) {
    return exit_status_of(app, e);
  }
  return kExitOk;
}

}  // namespace slotsim::app
