#pragma once
#include <algorithm>
#include <utility>
#include <vector>

namespace slotsim {

// Median of a copy of v (0 for an empty vector): the figure every timing
// report quotes, since one descheduled step would skew a mean.
inline double median(std::vector<double> v) {
  if (v.empty()) return 0;
  const std::size_t h = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + h, v.end());
  if (v.size() % 2) return v[h];
  const double hi = v[h];
  return (*std::max_element(v.begin(), v.begin() + h) + hi) / 2;
}

// Median over rows of one double field, e.g. a phase of every StepTiming.
template <class Row>
double median_of(const std::vector<Row>& rows, double Row::*field) {
  std::vector<double> v;
  v.reserve(rows.size());
  for (const Row& r : rows) v.push_back(r.*field);
  return median(std::move(v));
}

// The figures every timing display names: median (the headline: one
// descheduled step would skew a mean), min, max and the latest value.
struct TimeStats {
  std::size_t count = 0;
  double median = 0, min = 0, max = 0, latest = 0;
};

inline TimeStats time_stats(const std::vector<double>& v) {
  TimeStats s;
  s.count = v.size();
  if (v.empty()) return s;
  s.median = median(v);
  s.min = *std::min_element(v.begin(), v.end());
  s.max = *std::max_element(v.begin(), v.end());
  s.latest = v.back();
  return s;
}

}  // namespace slotsim
