#include "app/exit_status.hpp"

#include <iostream>
#include <sstream>
#include <stdexcept>

#include "sim/message.hpp"

namespace slotsim::app {

int exit_status_of(const CLI::App& app, const CLI::ParseError& e, std::ostream* out, std::ostream* err,
                   const char* prog) {
  if (const auto* rt = dynamic_cast<const CLI::RuntimeError*>(&e)) return rt->get_exit_code();
  if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
    // --help, --help-all, --version: CLI11 prints them and this is success.
    std::ostringstream o, r;
    const int code = const_cast<CLI::App&>(app).exit(e, o, r);
    if (out) *out << o.str() << std::flush;
    if (err) *err << r.str() << std::flush;
    return code;
  }
  // One line, not CLI11's usage dump: scripts read stderr.
  if (err) *err << prog << ": error: " << one_line(e.what()) << " (see --help)\n" << std::flush;
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
