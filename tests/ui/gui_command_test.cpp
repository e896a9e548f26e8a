#include <doctest/doctest.h>
#include <sys/wait.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "sim/layouts/traits.hpp"

// Bad input to `slotsim gui` is rejected before any window opens: one line
// on stderr and a non-zero status. DISPLAY is cleared so that a check that
// wrongly let the input through fails here instead of opening a window.
namespace {
struct Outcome {
  int status;
  std::string err, out;
};

std::string take(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::remove(path.c_str());
  return ss.str();
}

Outcome run_gui(const std::string& args) {
  // A name of its own per call: ctest -j runs these cases as separate
  // processes at once, and one shared file made them read each other's
  // stderr (5 of 5 runs of `ctest -R '^gui:' -j3` failed).
  static int counter = 0;
  const std::string err_file = (std::filesystem::temp_directory_path() /
                                ("slotsim-gui-cmd-" + std::to_string(::getpid()) + "-" + std::to_string(counter++)))
                                   .string();
  const std::string out_file = err_file + ".out";
  const std::string cmd = std::string("env -u DISPLAY '") + SLOTSIM_BINARY + "' gui --frames 1 " +
                          args + " >" + out_file + " 2>" + err_file;
  const int rc = std::system(cmd.c_str());
  const std::string err = take(err_file), out = take(out_file);
  return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, err, out};
}

int lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}
}  // namespace

TEST_CASE("gui: a bad script is one line on stderr and exit status 2") {
  const Outcome o = run_gui("--script 'at 5 layout dict; at 9 layout nope'");
  CHECK(o.status == 2);
  CHECK(lines(o.err) == 1);
  CHECK(o.err.find("unknown layout 'nope'") != std::string::npos);
  CHECK(o.err.find("at 9 layout nope") != std::string::npos);
}

TEST_CASE("gui: bad flags are rejected before a window opens") {
  for (const char* args : {"--render voxels", "--layout tuple", "--solver warp", "--frames -3",
                           "--scene nebula", "--screenshot /nonexistent-dir/x.png", "--screenshot x.pdf",
                           "--fps 0", "--fps 241", "--fps fast"}) {
    CAPTURE(args);
    const Outcome o = run_gui(args);
    CHECK(o.status != 0);
    CHECK(lines(o.err) == 1);
  }
}

TEST_CASE("gui: --help shows the GUI's own defaults and every layout") {
  const Outcome o = run_gui("--help");
  CHECK(o.status == 0);
  CHECK(o.out.find("--layout TEXT=dict") != std::string::npos);
  CHECK(o.out.find("--fps") != std::string::npos);
  for (const slotsim::LayoutTraits& t : slotsim::kLayoutTraits) {
    CAPTURE(t.name);
    CHECK(o.out.find(std::string(t.name)) != std::string::npos);
  }
}

TEST_CASE("gui: without a display it says so in one line instead of aborting") {
  const Outcome o = run_gui("--particles 1000");
  CHECK(o.status == 1);
  CHECK(lines(o.err) == 1);
  CHECK(o.err.find("no display") != std::string::npos);
}
