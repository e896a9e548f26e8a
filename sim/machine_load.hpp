#pragma once
// What else the machine was doing while something was timed: the load
// average, and the scheduler tick whose multiples a step time collapses to
// when it had to wait for the CPU. Shared by `bench` (app/) and the GUI's
// Compare table (host/, ui/), so both warn by the same rule.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <thread>
#include <vector>

namespace slotsim {

// The 1-minute load average (/proc/loadavg), or -1 if unknown.
inline double load_average_1min() {
  std::FILE* f = std::fopen("/proc/loadavg", "r");
  if (!f) return -1;
  double l = -1;
  if (std::fscanf(f, "%lf", &l) != 1) l = -1;
  std::fclose(f);
  return l;
}

inline unsigned machine_cores() { return std::max(1u, std::thread::hardware_concurrency()); }

// Above the core count, other work shared the machine while it was timed:
// the timings are not the machine's own (the rule bench has always used).
inline bool load_exceeds_cores(double load) { return load > double(machine_cores()); }

// The scheduler's time slice on Debian's kernels (CONFIG_HZ=250): a thread
// that loses its core waits for whole ticks.
inline constexpr double kSchedulerTickMs = 4.0;

// Whether step times are the scheduler's tick rather than the work: at
// least three of them, and three quarters within 0.4% (or 0.03 ms) of a
// whole multiple of the tick. On a loaded two-core machine with two OpenMP
// threads a step waits at its barrier for the thread that lost its core,
// and slots, aos and soa all came out at exactly 8.00 ms: two ticks, not a
// measurement of any of them. Real work jitters by more than that from step
// to step. Step times far above the tick are never flagged (a multiple of
// 4 ms is then a coincidence of no consequence).
inline bool quantum_bound(const std::vector<double>& ms, double tick_ms = kSchedulerTickMs) {
  if (ms.size() < 3) return false;
  std::size_t on_tick = 0;
  for (double v : ms) {
    if (!(v > 0) || v > 10 * tick_ms) continue;
    const double k = std::round(v / tick_ms);
    if (k >= 1 && std::abs(v - k * tick_ms) <= std::max(0.03, 0.004 * v)) ++on_tick;
  }
  return on_tick * 4 >= ms.size() * 3;
}

}  // namespace slotsim
