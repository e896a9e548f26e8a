// The energy's schedule (host/energy_schedule.hpp) on made-up timelines: no
// clock, no System. The timeline replays the simulation thread's loop
// (host/sim_thread.cpp: heap sample, step, measure if due and publish at
// once, else publish when the rate allows) with steps that speed up and
// slow down, plain measurements and the slower exact-sum check every
// interval, and a window that sees a publish one frame later; the age of
// the figure the window shows must never pass the limit.
#include "host/energy_schedule.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

using slotsim::host::EnergySchedule;

namespace {

struct Costs {
  double plain = 0.12, checked = 0.6;  // a measurement without and with the check
  double publish = 0.04, heap = 0.01, frame = 1.0 / 30;
  double check_interval = 30.0;
};

// Step times: a deterministic walk between `lo` and `hi`, each at most 1.4x
// the one before or 0.7x of it (a shared machine whose load comes and goes).
std::vector<double> step_times(double lo, double hi, int count, std::uint32_t seed) {
  std::vector<double> out;
  double s = lo;
  for (int i = 0; i < count; ++i) {
    seed = seed * 1664525u + 1013904223u;
    const double u = double(seed >> 8) / double(1u << 24);  // [0, 1)
    s = std::clamp(s * (0.7 + 0.7 * u), lo, hi);
    out.push_back(s);
  }
  return out;
}

// The largest age the window sees over the timeline.
double max_age_seen(const std::vector<double>& steps, const Costs& c) {
  EnergySchedule sched(2.0, c.check_interval);
  double t = 0;
  // E0, before the first step (with the check), published at once.
  sched.measured(t, t + c.checked, true);
  double shown_start = t;  // the start of the measurement the window shows
  t += c.checked + c.publish;
  double next_heap = 0, last_publish = t;
  double worst = 0;
  const double overhead = c.publish + c.heap + 0.1;  // as SimThread passes it
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (t >= next_heap) {
      t += c.heap;
      next_heap = t + 1.0;
    }
    t += steps[i];
    sched.stepped(steps[i]);
    const bool first = i == 0;  // right after the first step, always
    if (first || sched.measure_now(t, overhead)) {
      const double start = t;
      const bool check = sched.check_due(t);
      t += check ? c.checked : c.plain;
      sched.measured(start, t, check);
      t += c.publish;
      last_publish = t;
      // Seen at the window's next frame: until then it shows the old one.
      const double seen = t + c.frame;
      worst = std::max(worst, seen - shown_start);
      shown_start = start;
    } else if (t - last_publish >= std::max(1.0 / 60, 6 * c.publish)) {
      t += c.publish;
      last_publish = t;
    }
    worst = std::max(worst, t + c.frame - shown_start);
  }
  return worst;
}

}  // namespace

TEST_CASE("energy schedule: the figure on screen is never more than 2 s old, with slow steps and a slow check") {
  Costs c;
  // A million particles in dict on two busy cores: 0.15-0.5 s steps.
  for (std::uint32_t seed : {1u, 2u, 3u, 4u}) {
    const double worst = max_age_seen(step_times(0.15, 0.5, 2000, seed), c);
    INFO("seed " << seed);
    CHECK(worst <= 2.0);
    CHECK(worst > 1.0);  // it does not measure after every step either
  }
  // Fast steps, and a check ten times a plain measurement.
  c.plain = 0.05;
  c.checked = 0.5;
  c.check_interval = 5.0;
  CHECK(max_age_seen(step_times(0.01, 0.05, 20000, 7), c) <= 2.0);
  // Steps near the limit: it measures after every one, and still keeps it.
  c = Costs{};
  c.plain = 0.1;
  c.checked = 0.2;
  CHECK(max_age_seen(step_times(0.8, 1.0, 300, 9), c) <= 2.0);
}

TEST_CASE("energy schedule: a due check's larger cost is predicted, so it starts earlier") {
  // A check every 5 s costing 0.6 s; plain measurements cost 0.1 s; steps 0.2 s.
  const auto make = [](double interval) {
    EnergySchedule s(2.0, interval);
    s.measured(0.0, 0.6, true);
    for (int i = 0; i < 4; ++i) s.stepped(0.2);
    s.measured(4.0, 4.1, false);
    return s;
  };
  const EnergySchedule due = make(5.0), not_due = make(100.0);
  // At 5.0 the next chance is 5.4 (one predicted step, 0.3, and the
  // overhead): the check would be due then, and 5.4 + 0.6 + 0.1 is 2.1 s
  // after the last figure's start; a plain one would make 1.6 s.
  CHECK(due.check_due(5.4));
  CHECK(due.predicted_cost(5.4) == doctest::Approx(0.6));
  CHECK(due.measure_now(5.0, 0.1));
  CHECK_FALSE(not_due.measure_now(5.0, 0.1));
  // Earlier, both can wait.
  CHECK_FALSE(due.measure_now(4.5, 0.1));
}

TEST_CASE("energy schedule: before any plain measurement the check's cost stands in, a restart measures at once") {
  EnergySchedule s;
  CHECK(s.measure_now(0.0, 0.1));  // nothing measured yet
  s.measured(0.0, 0.8, true);
  s.stepped(0.1);
  CHECK(s.predicted_cost(0.5) == doctest::Approx(0.8));
  // 0.5 + 0.1 + 0.15 + 0.8 + 0.1 = 1.65 s: can wait; 0.4 s later it cannot.
  CHECK_FALSE(s.measure_now(0.5, 0.1));
  CHECK(s.measure_now(0.9, 0.1));
  s.restart();
  CHECK(s.check_due(1.0));
  CHECK(s.measure_now(0.0, 0.1));
}
