#pragma once
// When the simulation thread measures the energy, so that the figure the
// window shows is never more than max_age seconds of wall time behind the
// simulation (issue 19: "never more than 2 s behind").
//
// Pure bookkeeping on times the caller passes in (no clock of its own), so
// it is tested on a made-up timeline with slow steps and a slow check
// (tests/host/energy_schedule_test.cpp) as well as in the real thread.
//
// The age counts from the START of a measurement: the state it measured is
// the one the last step left, so the figure is that old by the time it is
// ready, however long the measurement took. The window computes the same
// age from SimStats::energy_at_s (the time panel, the frame log's
// energy_age_s column).
//
// The thread measures right after a step and publishes at once (not at the
// next rate-limited publish, possibly a step or two later), so a figure is
// on screen at start + cost + publish. measure_now() is asked after every
// step: if skipping this chance means the next figure could only appear
// after the step to come and its measurement, and the old figure would be
// older than max_age by then, it measures now. Each term is predicted from
// what it cost recently:
//  - the next step: 1.5x the slowest of the last four (on a shared machine
//    one step may take half as long again as the ones before);
//  - the measurement: the kind that would run then. The check of the
//    solver's potential against exact sums (every check_interval) costs
//    several times a plain measurement; the old rule predicted only the
//    plain kind, so the check, when due, ran late and the figure reached
//    2.12 s. Until a plain one has run, the check's cost stands for it;
//  - the publish, the heap sample and the window's frame: `overhead`.
// Rejected: a fixed interval (1 s), which is too often for cheap
// measurements and too late when steps slow down; and checking the
// potential in a separate pass, which would cost a second sweep.
#include <algorithm>
#include <array>
#include <cstddef>

namespace slotsim::host {

class EnergySchedule {
 public:
  explicit EnergySchedule(double max_age = 2.0, double check_interval = 30.0)
      : max_age_(max_age), check_interval_(check_interval) {}

  // A new reference (spawn, solver change): forget when the last ones ran,
  // keep what they cost.
  void restart() {
    has_ = false;
    checked_at_ = -1;
  }
  // A step took `seconds`.
  void stepped(double seconds) { recent_step_[recent_i_++ % recent_step_.size()] = seconds; }
  // A measurement ran from `start` to `end`; `checked`: with the exact-sum
  // check of the potential.
  void measured(double start, double end, bool checked) {
    const double cost = std::max(0.0, end - start);
    // The larger of this one and the previous, decaying, so one slow
    // measurement does not set the pace for ever.
    double& c = checked ? cost_checked_ : cost_plain_;
    c = std::max(cost, 0.5 * c);
    if (checked) checked_at_ = start;
    started_at_ = start;
    has_ = true;
  }

  // Whether a measurement at `now` should carry the check.
  bool check_due(double now) const { return checked_at_ < 0 || now - checked_at_ >= check_interval_; }
  // What a measurement starting at `at` is predicted to cost.
  double predicted_cost(double at) const {
    const double checked = cost_checked_;
    return check_due(at) ? checked : (cost_plain_ > 0 ? cost_plain_ : checked);
  }
  double predicted_step() const { return 1.5 * *std::max_element(recent_step_.begin(), recent_step_.end()); }

  // Asked right after a step at `now`. `overhead`: what a publish, a heap
  // sample and the window's frame add before a figure is seen.
  bool measure_now(double now, double overhead) const {
    if (!has_) return true;
    const double next = now + overhead + predicted_step();  // the next chance, if this one is skipped
    const double seen = next + predicted_cost(next) + overhead;
    return seen - started_at_ >= max_age_;
  }

  // When the figure on screen was measured (its age's origin).
  double started_at() const { return started_at_; }
  double max_age() const { return max_age_; }

 private:
  double max_age_, check_interval_;
  bool has_ = false;
  double started_at_ = 0;   // the last measurement's start
  double checked_at_ = -1;  // the last check's start
  double cost_plain_ = 0, cost_checked_ = 0;
  std::array<double, 4> recent_step_{};
  std::size_t recent_i_ = 0;
};

}  // namespace slotsim::host
