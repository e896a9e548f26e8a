#pragma once
// Facts about the machine a benchmark ran on, for the report header.
#include <string>

namespace slotsim::app {

struct MachineInfo {
  std::string cpu;
  int cores = 0;
  long long mem_total_bytes = 0;
  std::string kernel;
  std::string compiler;
};
MachineInfo machine_info();

// STREAM-style triad a = b + s*c over arrays totalling `bytes`, OpenMP
// parallel; returns the best of `reps` in GB/s (bytes moved: 3 arrays).
double triad_bandwidth_gbs(std::size_t bytes, int reps = 5);

// The 1-minute load average (/proc/loadavg), or -1 if unknown. A benchmark
// samples it before and after and warns when it exceeded the core count:
// then the machine was shared and its timings are not its own.
double load_average_1min();

}  // namespace slotsim::app
