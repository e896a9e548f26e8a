#include "sim/io/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <string_view>

#include "sim/interrupt.hpp"
#include "sim/message.hpp"

extern char** environ;

namespace slotsim::io {
namespace {

using Clock = std::chrono::steady_clock;

// Kills the child's whole group: SIGTERM, then SIGKILL after `grace` if
// the direct child has not gone (a script may trap TERM), then reaps it.
// Returns its wait status.
int kill_group_and_reap(pid_t pid, double grace) {
  ::kill(-pid, SIGTERM);
  int status = 0;
  const auto until = Clock::now() + std::chrono::duration<double>(grace);
  for (;;) {
    const pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) break;
    if (Clock::now() >= until) {
      ::kill(-pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      break;
    }
    ::usleep(10000);
  }
  ::kill(-pid, SIGKILL);  // whatever else is left in the group
  return status;
}

}  // namespace

std::string last_line(const std::string& s) {
  const std::size_t end = s.find_last_not_of("\n\r \t");
  if (end == std::string::npos) return "";
  const std::size_t nl = s.find_last_of("\n\r", end);
  const std::size_t start = nl == std::string::npos ? 0 : nl + 1;
  return s.substr(start, end - start + 1);
}

std::string ChildResult::describe() const {
  std::string what;
  switch (outcome) {
    case ChildOutcome::Exited: what = "exit status " + std::to_string(exit_code); break;
    case ChildOutcome::Signaled: what = "killed by signal " + std::to_string(signal); break;
    case ChildOutcome::SpawnFailed: what = error; break;
    case ChildOutcome::TimedOut: what = "no answer in time (killed)"; break;
    case ChildOutcome::OutputTooLarge: what = "printed more than the output cap (killed)"; break;
    case ChildOutcome::Interrupted: what = "interrupted (killed)"; break;
  }
  const std::string why = last_line(err_tail);
  if (!why.empty()) what += " (" + why + ")";
  return one_line(what);
}

ChildResult run_child(const std::vector<std::string>& argv, const ChildLimits& limits) {
  ChildResult r;
  if (argv.empty()) {
    r.error = "nothing to run";
    return r;
  }
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) {
    const int e = errno;  // before the message's allocations, which may change it
    r.error = std::string("pipe: ") + std::strerror(e);
    return r;
  }
  if (::pipe2(err, O_CLOEXEC) != 0) {
    const int e = errno;
    r.error = std::string("pipe: ") + std::strerror(e);
    ::close(out[0]);
    ::close(out[1]);
    return r;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group (pgid = its pid), default signal actions and an
  // empty mask whatever slotsim had set.
  sigset_t def, none;
  sigemptyset(&def);
  sigemptyset(&none);
  for (int s : {SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGQUIT}) sigaddset(&def, s);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setsigdefault(&attr, &def);
  posix_spawnattr_setsigmask(&attr, &none);
  std::vector<std::string> args = argv;
  std::vector<char*> cargv;
  for (std::string& a : args) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  // The environment: slotsim's, minus the names limits.env sets, plus those.
  std::vector<std::string> env_set = limits.env;
  std::vector<char*> cenv;
  for (char** e = environ; e && *e; ++e) {
    const std::string_view kv(*e);
    const std::string_view name = kv.substr(0, kv.find('='));
    bool replaced = false;
    for (const std::string& s : env_set)
      replaced = replaced || (s.size() > name.size() && s.compare(0, name.size(), name) == 0 && s[name.size()] == '=');
    if (!replaced) cenv.push_back(*e);
  }
  for (std::string& s : env_set) cenv.push_back(s.data());
  cenv.push_back(nullptr);
  pid_t pid = 0;
  // posix_spawnp: a bare name is looked up on PATH; glibc reports a failed
  // exec as the return value.
  const int rc = ::posix_spawnp(&pid, args[0].c_str(), &fa, &attr, cargv.data(), cenv.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) {
    ::close(out[0]);
    ::close(err[0]);
    r.error = one_line("'" + argv[0] + "': " + std::strerror(rc));
    return r;
  }
  const int slot = register_child_group(pid);

  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  const auto deadline = Clock::now() + std::chrono::duration<double>(limits.timeout_s);
  // After the direct child exits, what is left in its pipes is drained for
  // at most this long (an escaped grandchild could hold them open forever).
  auto drain_until = Clock::time_point::max();
  bool reaped = false;
  int status = 0;
  std::optional<ChildOutcome> killed;
  char buf[65536];
  // Until the child has exited and its pipes are drained. A child that
  // closed its pipes but runs on is waited for (poll on no descriptors
  // sleeps), within the deadline.
  while (!reaped || fds[0].fd >= 0 || fds[1].fd >= 0) {
    if (!reaped) {
      const pid_t w = ::waitpid(pid, &status, WNOHANG);
      if (w == pid) {
        reaped = true;
        ::kill(-pid, SIGKILL);  // the rest of its group: nothing outlives the measurement
        drain_until = Clock::now() + std::chrono::seconds(1);
      }
    }
    const auto now = Clock::now();
    if (!reaped && now >= deadline) killed = ChildOutcome::TimedOut;
    if (!reaped && limits.stop_on_interrupt && interrupted()) killed = ChildOutcome::Interrupted;
    if (killed || now >= drain_until) break;
    const int n = ::poll(fds, 2, 50);  // short: the deadline and the signal flag are checked between polls
    if (n < 0 && errno != EINTR) break;
    if (n <= 0) continue;
    for (int k = 0; k < 2; ++k) {
      if (fds[k].fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t got = ::read(fds[k].fd, buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        ::close(fds[k].fd);
        fds[k].fd = -1;  // poll ignores negative descriptors
        continue;
      }
      if (k == 0) {
        if (r.out.size() + std::size_t(got) > limits.stdout_cap) {
          killed = ChildOutcome::OutputTooLarge;
          break;
        }
        r.out.append(buf, std::size_t(got));
      } else {
        r.err_tail.append(buf, std::size_t(got));
        if (r.err_tail.size() > 2 * limits.stderr_tail) {
          r.err_tail.erase(0, r.err_tail.size() - limits.stderr_tail);
          r.err_truncated = true;
        }
      }
    }
    if (killed) break;
  }
  for (const pollfd& p : fds)
    if (p.fd >= 0) ::close(p.fd);
  if (r.err_tail.size() > limits.stderr_tail) {
    r.err_tail.erase(0, r.err_tail.size() - limits.stderr_tail);
    r.err_truncated = true;
  }
  if (!reaped) status = kill_group_and_reap(pid, limits.kill_grace_s);
  unregister_child_group(slot);
  if (killed) {
    r.outcome = *killed;
    if (*killed == ChildOutcome::OutputTooLarge) r.out.clear();
    return r;
  }
  if (WIFEXITED(status)) {
    r.outcome = ChildOutcome::Exited;
    r.exit_code = WEXITSTATUS(status);
  } else {
    r.outcome = ChildOutcome::Signaled;
    r.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  }
  return r;
}

}  // namespace slotsim::io
