// sim/io/child_process: a child that hangs, floods its pipes or spawns its
// own children is contained (issue 20, class 4). Each case runs /bin/sh.
#include "sim/io/child_process.hpp"

#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "sim/fixtures.hpp"
#include "sim/interrupt.hpp"

using slotsim::io::ChildLimits;
using slotsim::io::ChildOutcome;
using slotsim::io::run_child;
using slotsim::testing::read_text;
using slotsim::testing::TempDir;

namespace {

// Whether process `pid` exists (a zombie counts as gone: it runs nothing).
bool alive(pid_t pid) {
  std::ifstream st("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(st, line)) return false;
  const auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z';
}

// The pid a script wrote to `file` (its background grandchild's).
pid_t pid_in(const std::string& file) {
  for (int i = 0; i < 100; ++i) {
    const std::string s = read_text(file);
    if (!s.empty() && s.back() == '\n') return static_cast<pid_t>(std::stol(s));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return 0;
}

}  // namespace

TEST_CASE("child process: exit status, stdout, and the last line of stderr, escaped") {
  const auto r = run_child({"/bin/sh", "-c", "echo out; printf 'warn\\n\\033[31mValueError: bad\\a\\n' >&2; exit 3"});
  CHECK(r.outcome == ChildOutcome::Exited);
  CHECK(r.exit_code == 3);
  CHECK(r.out == "out\n");
  CHECK(r.describe() == "exit status 3 (\\x1b[31mValueError: bad\\x07)");
  CHECK(run_child({"/bin/sh", "-c", "exit 0"}).ok());
  const auto missing = run_child({"/nonexistent/python3"});
  CHECK(missing.outcome == ChildOutcome::SpawnFailed);
  CHECK(missing.describe().find("/nonexistent/python3") != std::string::npos);
}

TEST_CASE("child process: limits.env sets or replaces variables, the rest is inherited") {
  ::setenv("SLOTSIM_CHILD_TEST_A", "parent", 1);
  ::setenv("SLOTSIM_CHILD_TEST_AB", "kept", 1);  // a longer name sharing the prefix stays
  ChildLimits l;
  l.env = {"SLOTSIM_CHILD_TEST_A=child", "SLOTSIM_CHILD_TEST_NEW=1"};
  const auto r = run_child({"/bin/sh", "-c",
                            "echo \"$SLOTSIM_CHILD_TEST_A $SLOTSIM_CHILD_TEST_AB $SLOTSIM_CHILD_TEST_NEW\"; "
                            "env | grep -c '^SLOTSIM_CHILD_TEST_A='"},
                           l);
  CHECK(r.out == "child kept 1\n1\n");  // replaced, not set twice
  CHECK(run_child({"/bin/sh", "-c", "echo $SLOTSIM_CHILD_TEST_A"}).out == "parent\n");
  ::unsetenv("SLOTSIM_CHILD_TEST_A");
  ::unsetenv("SLOTSIM_CHILD_TEST_AB");
}

TEST_CASE("child process: the deadline kills the child's whole group, grandchildren included") {
  TempDir d;
  const std::string pidfile = d.file("gc.pid");
  ChildLimits lim;
  lim.timeout_s = 1;
  const auto t0 = std::chrono::steady_clock::now();
  // The grandchild holds the pipes open as well: only a group kill ends it.
  const auto r = run_child({"/bin/sh", "-c", "sleep 1000 & echo $! > " + pidfile + "; wait"}, lim);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(r.outcome == ChildOutcome::TimedOut);
  CHECK(s < 10);
  const pid_t gc = pid_in(pidfile);
  REQUIRE(gc > 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK_FALSE(alive(gc));
}

TEST_CASE("child process: what a child leaves running after it exits is killed too") {
  TempDir d;
  const std::string pidfile = d.file("daemon.pid");
  const auto r = run_child({"/bin/sh", "-c", "(sleep 1000 >/dev/null 2>&1 & echo $! > " + pidfile + "); echo done"});
  CHECK(r.ok());
  CHECK(r.out == "done\n");
  const pid_t gc = pid_in(pidfile);
  REQUIRE(gc > 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK_FALSE(alive(gc));
}

TEST_CASE("child process: stdout past the cap kills the child, stderr keeps only its tail") {
  ChildLimits lim;
  lim.stdout_cap = 1 << 20;
  const auto big = run_child({"/bin/sh", "-c", "head -c 100000000 /dev/zero"}, lim);
  CHECK(big.outcome == ChildOutcome::OutputTooLarge);
  CHECK(big.out.empty());
  lim.stderr_tail = 1000;
  const auto err = run_child({"/bin/sh", "-c", "head -c 50000000 /dev/zero >&2; echo >&2; echo 'the last line' >&2; exit 1"}, lim);
  CHECK(err.outcome == ChildOutcome::Exited);
  CHECK(err.err_truncated);
  CHECK(err.err_tail.size() <= 1000);
  CHECK(err.describe() == "exit status 1 (the last line)");
  // A megabyte-long line is cut (one_line's limit) in the description.
  const auto line = run_child({"/bin/sh", "-c", "head -c 1000000 /dev/zero | tr '\\0' E >&2; exit 1"});
  CHECK(line.describe().size() < 500);
}

TEST_CASE("child process: slotsim's interrupt flag kills the group at once") {
  slotsim::set_interrupt_for_test(SIGINT);
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = run_child({"/bin/sh", "-c", "sleep 1000"});
  slotsim::set_interrupt_for_test(0);
  CHECK(r.outcome == ChildOutcome::Interrupted);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
}
