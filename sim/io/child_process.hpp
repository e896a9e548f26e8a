#pragma once
// Running another program and reading what it prints, contained: the
// CPython measurement script (lessons/cpython.cpp) is the first user, and
// nothing here knows Python.
//
// A child that misbehaves must cost slotsim neither a hang, nor memory,
// nor the terminal:
//  - it runs in its own process group, and every kill is of the group, so a
//    script's own children (a `sleep &`, a pool of workers) go with it; a
//    group left behind after the child exits is killed as well;
//  - the whole run has a deadline; SIGINT / SIGTERM to slotsim (through
//    sim/interrupt) stop it the same way, and a second signal kills the
//    group from the signal handler before slotsim exits;
//  - stdout is read up to a cap (past it the child is killed: 1 GB of
//    stdout once took 1 GB of RSS), stderr is drained but only its tail is
//    kept (a traceback ends with the line worth reporting; 300 MB of stderr
//    once took 3.1 GB);
//  - what it printed reaches slotsim's messages only through one_line().
// Rejected: std::system / popen. They go through a shell, share slotsim's
// process group, and give no way to kill a grandchild or cap what is read.
#include <cstddef>
#include <string>
#include <vector>

namespace slotsim::io {

struct ChildLimits {
  double timeout_s = 300;                  // the whole run; then the group is killed
  std::size_t stdout_cap = 16u << 20;      // bytes kept from stdout; more kills the child
  std::size_t stderr_tail = 64u << 10;     // bytes kept from the end of stderr
  bool stop_on_interrupt = true;           // a SIGINT/SIGTERM flag (sim/interrupt) kills the group
  double kill_grace_s = 0.5;               // SIGTERM first, SIGKILL after this long
  // "NAME=value" entries set in the child's environment on top of slotsim's
  // own (replacing an inherited NAME): the CPython runs give each process
  // its own PYTHONHASHSEED. Not a limit, but how the child is started, and
  // every caller already passes this struct.
  std::vector<std::string> env;
};

enum class ChildOutcome {
  Exited,          // exited on its own (exit_code says how)
  Signaled,        // killed by a signal it did not get from us (signal says which)
  SpawnFailed,     // could not be started (error says why)
  TimedOut,        // killed at the deadline
  OutputTooLarge,  // killed: stdout passed the cap
  Interrupted,     // killed because slotsim was interrupted
};

struct ChildResult {
  ChildOutcome outcome = ChildOutcome::SpawnFailed;
  int exit_code = -1;            // Exited
  int signal = 0;                // Signaled
  std::string out;               // stdout, at most ChildLimits::stdout_cap bytes
  std::string err_tail;          // the last ChildLimits::stderr_tail bytes of stderr
  bool err_truncated = false;    // stderr was longer than err_tail
  std::string error;             // SpawnFailed: why
  bool ok() const { return outcome == ChildOutcome::Exited && exit_code == 0; }
  // One line for a message: "exit status 1 (ValueError: ...)", "killed by
  // signal 11", "no answer within 300 s (killed)", ... with the last line
  // of stderr, cut and escaped by one_line().
  std::string describe() const;
};

// Runs argv[0] (looked up on PATH if it has no '/') with argv, stdin from
// /dev/null, and waits for it within `limits`. Never throws for anything
// the child does; std::bad_alloc only.
ChildResult run_child(const std::vector<std::string>& argv, const ChildLimits& limits = {});

// The last non-empty line of `text`: a Python traceback ends with the
// exception, which is the line worth reporting.
std::string last_line(const std::string& text);

}  // namespace slotsim::io
