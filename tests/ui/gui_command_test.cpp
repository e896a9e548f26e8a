#include <doctest/doctest.h>
#include <sys/wait.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "sim/fixtures.hpp"
#include "host/script.hpp"
#include "sim/layouts/traits.hpp"

// Bad input to `slotsim gui` is rejected before any window opens: one line
// on stderr and a non-zero status. DISPLAY is cleared so that a check that
// wrongly let the input through fails here instead of opening a window.
namespace {
using slotsim::testing::CliResult;
using slotsim::testing::lines;

CliResult run_gui(const std::string& args) {
  ::unsetenv("DISPLAY");  // the child inherits it
  // A directory of its own per call: ctest -j runs these cases as separate
  // processes at once, and one shared file made them read each other's
  // stderr (5 of 5 runs of `ctest -R '^gui:' -j3` failed).
  const slotsim::testing::TempDir dir;
  return slotsim::testing::run_cli(dir, "gui --frames 1 " + args);
}
}  // namespace

TEST_CASE("gui: a bad script is one line on stderr and exit status 2") {
  const CliResult o = run_gui("--script 'at 5 layout dict; at 9 layout nope'");
  CHECK(o.code == 2);
  CHECK(lines(o.err) == 1);
  CHECK(o.err.find("unknown layout 'nope'") != std::string::npos);
  CHECK(o.err.find("at 9 layout nope") != std::string::npos);
}

TEST_CASE("gui: bad flags are rejected before a window opens") {
  for (const char* args : {"--render voxels", "--layout tuple", "--solver warp", "--frames -3",
                           "--scene nebula", "--screenshot /nonexistent-dir/x.png", "--screenshot x.pdf",
                           "--fps 0", "--fps 241", "--fps fast"}) {
    CAPTURE(args);
    const CliResult o = run_gui(args);
    CHECK(o.code != 0);
    CHECK(lines(o.err) == 1);
  }
}

TEST_CASE("gui: --help shows the GUI's own defaults and every layout") {
  const CliResult o = run_gui("--help");
  CHECK(o.code == 0);
  CHECK(o.out.find("--layout TEXT=dict") != std::string::npos);
  CHECK(o.out.find("--fps") != std::string::npos);
  for (const slotsim::LayoutTraits& t : slotsim::kLayoutTraits) {
    CAPTURE(t.name);
    CHECK(o.out.find(std::string(t.name)) != std::string::npos);
  }
}

// The --script help is the parser's own action table (host/script.cpp), so
// every action, with its arguments, is in it: del-attr and read-dict were
// once missing from a hand-typed list.
TEST_CASE("gui: --help lists every script action from the parser's table") {
  const CliResult o = run_gui("--help");
  CHECK(o.code == 0);
  for (const slotsim::host::ScriptActionInfo& a : slotsim::host::script_actions()) {
    std::string usage(a.verb);
    if (!a.args.empty()) usage.append(" ").append(a.args);
    CAPTURE(usage);
    CHECK(o.out.find(usage) != std::string::npos);
  }
}

TEST_CASE("gui: without a display it says so in one line instead of aborting") {
  const CliResult o = run_gui("--particles 1000");
  CHECK(o.code == 1);
  CHECK(lines(o.err) == 1);
  CHECK(o.err.find("no display") != std::string::npos);
}
