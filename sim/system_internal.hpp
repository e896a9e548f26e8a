#pragma once
// What the files that implement System share (system.cpp: construction and
// attributes; integrator.cpp: the step; ordering/reorder.cpp: the Morton
// reorder; diagnostics.cpp: energy, momentum, hash; export.cpp: drawing and
// records). Private to sim/: not part of the System interface.
#include <chrono>
#include <memory_resource>
#include <vector>

#include "sim/memory/tracker.hpp"
#include "sim/system.hpp"

namespace slotsim {

using SystemClock = std::chrono::steady_clock;
inline double ms_since(SystemClock::time_point t0) {
  return std::chrono::duration<double, std::milli>(SystemClock::now() - t0).count();
}

// Solver input/output arrays: 7 doubles per particle, owned by the system
// and counted under the Solver category.
struct System::Scratch {
  mem::CountingResource res{mem::Category::Solver};
  std::pmr::vector<double> x{&res}, y{&res}, z{&res}, m{&res}, ax{&res}, ay{&res}, az{&res};
  void resize(std::size_t n) {
    for (auto* v : {&x, &y, &z, &m, &ax, &ay, &az}) v->assign(n, 0.0);
  }
};


}  // namespace slotsim
