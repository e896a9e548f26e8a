#include "app/step_heartbeat.hpp"

#include <algorithm>

namespace slotsim::app {

StepHeartbeat::StepHeartbeat(bool on, std::uint64_t steps, std::chrono::milliseconds first,
                             std::chrono::milliseconds every, std::FILE* out)
    : steps_(steps), first_(first), every_(every), out_(out) {
  if (on) thread_ = std::thread([this] { run(); });
}

StepHeartbeat::~StepHeartbeat() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void StepHeartbeat::begin(std::uint64_t k) {
  std::lock_guard lock(mu_);
  in_step_ = true;
  k_ = k;
  start_ = said_ = Clock::now();
}

void StepHeartbeat::end() {
  std::lock_guard lock(mu_);
  in_step_ = false;
}

void StepHeartbeat::run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    // Wakes at least every `every` (and at once to stop); a line is due
    // once the step has run `first`, and then `every` after the last one.
    cv_.wait_for(lock, std::min(first_, every_), [this] { return stop_; });
    if (stop_ || !in_step_) continue;
    const Clock::time_point now = Clock::now();
    if (now - start_ < first_ || (said_ != start_ && now - said_ < every_)) continue;
    said_ = now;
    const double s = std::chrono::duration<double>(now - start_).count();
    std::fprintf(out_, "step %llu/%llu still running: %.0f s so far\n", static_cast<unsigned long long>(k_ + 1),
                 static_cast<unsigned long long>(steps_), s);
    std::fflush(out_);
  }
}

}  // namespace slotsim::app
