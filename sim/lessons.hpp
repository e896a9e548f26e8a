#pragma once
// The lecture's claims about __dict__ and __slots__, each beside a value
// measured in this process on this build. Used by `slotsim bench --claims`
// and by the GUI's Lessons panel, so both always show the same numbers.
#include <cstddef>
#include <string>
#include <vector>

namespace slotsim {

struct Lesson {
  std::string id;        // short key, e.g. "slots_saving"
  std::string claim;     // what the lecture says
  std::string measured;  // what this run measured, with units
  double value = 0;      // the headline number (bytes, ratio, ns...)
  std::string verdict;   // "holds", "holds (...)", "differs: ..."
};

struct LessonOptions {
  std::size_t sample = 100000;        // particles per store for the per-instance figures
  std::size_t big = 10000000;         // the "10 million instances" figure
  bool build_big = true;              // build it when memory allows, else extrapolate
};

std::vector<Lesson> measure_lessons(const LessonOptions& o = {});

}  // namespace slotsim
