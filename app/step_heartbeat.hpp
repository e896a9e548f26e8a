#pragma once
// A line on stderr while one step runs long: batch prints a progress line
// after a step ends (at most one a second), so a step of half a minute
// (direct summation at 100,000 particles) was half a minute of silence, and
// a user could not tell a slow step from a hang. A thread of its own,
// asleep between steps, says once the running step has taken `first` which
// step it is and how long it has run so far, then again every `every`.
// Rejected: progress from inside the solvers (a callback per force
// evaluation in every solver and every layout's kernel, for a line of
// text); the step's own time is what the user waits on.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <thread>

namespace slotsim::app {

class StepHeartbeat {
 public:
  using Clock = std::chrono::steady_clock;
  // on = false (--quiet, or a rank other than 0): no thread, no output.
  explicit StepHeartbeat(bool on, std::uint64_t steps, std::chrono::milliseconds first = std::chrono::seconds(5),
                         std::chrono::milliseconds every = std::chrono::seconds(5), std::FILE* out = stderr);
  ~StepHeartbeat();
  StepHeartbeat(const StepHeartbeat&) = delete;
  StepHeartbeat& operator=(const StepHeartbeat&) = delete;

  void begin(std::uint64_t k);  // step k + 1 of `steps` starts
  void end();                   // it ended (or failed): no more lines about it

 private:
  void run();
  const std::uint64_t steps_;
  const std::chrono::milliseconds first_, every_;
  std::FILE* const out_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false, in_step_ = false;
  std::uint64_t k_ = 0;
  Clock::time_point start_{}, said_{};
  std::thread thread_;
};

}  // namespace slotsim::app
