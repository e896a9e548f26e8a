#include <cstdio>
#include "app/machine_info.hpp"

#include "sim/machine_load.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <memory_resource>
#include <vector>

#include "sim/memory/tracker.hpp"

namespace slotsim::app {

MachineInfo machine_info() {
  MachineInfo m;
  std::ifstream cpu("/proc/cpuinfo");
  for (std::string line; std::getline(cpu, line);)
    if (line.rfind("model name", 0) == 0) {
      m.cpu = line.substr(line.find(':') + 2);
      break;
    }
  m.cores = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  std::ifstream meminfo("/proc/meminfo");
  for (std::string line; std::getline(meminfo, line);)
    if (line.rfind("MemTotal:", 0) == 0) m.mem_total_bytes = std::stoll(line.substr(9)) * 1024;
  utsname u{};
  if (uname(&u) == 0) m.kernel = std::string(u.sysname) + " " + u.release;
  m.compiler = std::string("g++ ") + __VERSION__;
  return m;
}

double triad_bandwidth_gbs(std::size_t bytes, int reps) {
  const std::size_t n = std::max<std::size_t>(bytes / 24, 1 << 20);
  mem::CountingResource res(mem::Category::Other);
  std::pmr::vector<double> a(n, 0.0, &res), b(n, 1.0, &res), c(n, 2.0, &res);
  const auto sn = static_cast<std::int64_t>(n);
  double best = 1e300;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    double* pa = a.data();
    const double* pb = b.data();
    const double* pc = c.data();
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < sn; ++i) pa[i] = pb[i] + 3.0 * pc[i];
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return 24.0 * double(n) / best / 1e9;
}

double load_average_1min() { return slotsim::load_average_1min(); }

}  // namespace slotsim::app
