#include "app/step_heartbeat.hpp"


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
  {
    std::lock_guard lock(mu_);
    in_step_ = true;
    k_ = k;
    start_ = said_ = Clock::now();
  }
  cv_.notify_all();  // the thread's next wake-up is `first` from now
}

void StepHeartbeat::end() {
  std::lock_guard lock(mu_);
  in_step_ = false;
}

void StepHeartbeat::run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    if (!in_step_) {
      cv_.wait(lock, [this] { return stop_ || in_step_; });
      continue;
    }
    // A line is due `first` after the step began, then `every` after the
    // last one: waited for exactly (a wake-up on a fixed cycle put the
    // first line anywhere from `first` to `first` plus the cycle). A new
    // step, an end or a stop wakes it early, and it looks again.
    const Clock::time_point step = start_;
    const Clock::time_point due = said_ == start_ ? start_ + first_ : said_ + every_;
    if (cv_.wait_until(lock, due, [&] { return stop_ || !in_step_ || start_ != step; })) continue;
    const Clock::time_point now = Clock::now();
    said_ = now;
    const double s = std::chrono::duration<double>(now - start_).count();
    std::fprintf(out_, "step %llu/%llu still running: %.0f s so far\n", static_cast<unsigned long long>(k_ + 1),
                 static_cast<unsigned long long>(steps_), s);
    std::fflush(out_);
  }
}

}  // namespace slotsim::app
