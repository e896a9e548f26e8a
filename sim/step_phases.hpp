#pragma once
// The one list of a step's phases: its name in every report (batch table,
// JSON, CSV, bench, the GUI's Time panel), the StepTiming field it reads,
// and whose cost it is. Reports loop over this table instead of spelling the
// phases out, so a new phase (as `sort` was) is reported everywhere at once.
#include <array>
#include <string_view>
#include <vector>

#include "sim/stats.hpp"
#include "sim/system.hpp"

namespace slotsim {

enum class PhaseCost { Layout, Solver, Ordering };

struct StepPhase {
  std::string_view name;
  double StepTiming::*field;
  PhaseCost cost;
  std::string_view what;  // one line for tooltips and help
};

inline constexpr std::array<StepPhase, 7> kStepPhases = {{
    {"gather", &StepTiming::gather_ms, PhaseCost::Layout, "store -> solver arrays"},
    {"build", &StepTiming::build_ms, PhaseCost::Solver, "tree build / mass deposit"},
    {"solve", &StepTiming::solve_ms, PhaseCost::Solver, "tree walk / FFT / pair sum"},
    {"interpolate", &StepTiming::interpolate_ms, PhaseCost::Solver, "mesh -> particles"},
    {"kick", &StepTiming::kick_ms, PhaseCost::Layout, "velocity update"},
    {"drift", &StepTiming::drift_ms, PhaseCost::Layout, "position update"},
    {"sort", &StepTiming::sort_ms, PhaseCost::Ordering, "Morton reorder, on the steps it runs"},
}};

inline constexpr std::string_view phase_cost_name(PhaseCost c) {
  return c == PhaseCost::Layout ? "layout" : c == PhaseCost::Solver ? "solver" : "ordering";
}

// Median of every phase over `steps`, in kStepPhases order.
inline std::array<double, kStepPhases.size()> phase_medians(const std::vector<StepTiming>& steps) {
  std::array<double, kStepPhases.size()> m{};
  for (std::size_t p = 0; p < kStepPhases.size(); ++p) m[p] = median_of(steps, kStepPhases[p].field);
  return m;
}

// Median, min, max and latest of the total step time.
inline TimeStats step_stats(const std::vector<StepTiming>& steps) {
  std::vector<double> t;
  t.reserve(steps.size());
  for (const auto& s : steps) t.push_back(s.total_ms);
  return time_stats(t);
}

}  // namespace slotsim
