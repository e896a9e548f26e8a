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
    {"sort", &StepTiming::sort_ms, PhaseCost::Ordering, "Morton reorder; quoted as its mean per step"},
}};

inline constexpr std::string_view phase_cost_name(PhaseCost c) {
  return c == PhaseCost::Layout ? "layout" : c == PhaseCost::Solver ? "solver" : "ordering";
}

// A phase that runs on some steps only (the Morton reorder, once every
// --sort-every K steps) is quoted by the performance figures (bench, the
// GUI's Time panel) as its mean over the steps, i.e. its cost spread over
// every step: its median is 0 whenever it runs on fewer than half of them,
// and a step median would leave it out just as silently (bench's 1M
// `--sort-every 5` row once read 1.15x its floor with 125 ms sorts unseen).
// The rejected alternative, a mean of whole steps, would let one
// descheduled step move every figure; here only the sort is averaged.
inline constexpr bool amortised(const StepPhase& p) { return p.cost == PhaseCost::Ordering; }

// A phase's figure over `steps` (any range of StepTiming): the mean of an
// amortised phase, else the median.
template <class Steps>
double phase_figure(const Steps& steps, const StepPhase& p) {
  std::vector<double> v;
  for (const StepTiming& t : steps) v.push_back(t.*p.field);
  if (!amortised(p)) return median(std::move(v));
  double sum = 0;
  for (double x : v) sum += x;
  return v.empty() ? 0 : sum / static_cast<double>(v.size());
}

// The step figure over `steps`: the median step without its amortised
// phases, plus their means. Without a sort it is the median step exactly
// (x - 0.0 is x).
template <class Steps>
double step_figure(const Steps& steps) {
  std::vector<double> rest;
  for (const StepTiming& t : steps) {
    double x = t.total_ms;
    for (const StepPhase& p : kStepPhases)
      if (amortised(p)) x -= t.*p.field;
    rest.push_back(x);
  }
  double total = median(std::move(rest));
  for (const StepPhase& p : kStepPhases)
    if (amortised(p)) total += phase_figure(steps, p);
  return total;
}

// Median of every phase over `steps`, in kStepPhases order (batch's
// phases_ms_median, kept beside the figures for what it says: the sort's
// reads 0 when the sort ran on fewer than half the steps; the performance
// figures use phase_figure).
inline std::array<double, kStepPhases.size()> phase_medians(const std::vector<StepTiming>& steps) {
  std::array<double, kStepPhases.size()> m{};
  for (std::size_t p = 0; p < kStepPhases.size(); ++p) m[p] = median_of(steps, kStepPhases[p].field);
  return m;
}

// Every phase's figure over `steps` (phase_figure), in kStepPhases order:
// what batch's table and its JSON "phases_ms" quote, as bench does.
inline std::array<double, kStepPhases.size()> phase_figures(const std::vector<StepTiming>& steps) {
  std::array<double, kStepPhases.size()> f{};
  for (std::size_t p = 0; p < kStepPhases.size(); ++p) f[p] = phase_figure(steps, kStepPhases[p]);
  return f;
}

// Median, min, max and latest of the total step time.
inline TimeStats step_stats(const std::vector<StepTiming>& steps) {
  std::vector<double> t;
  t.reserve(steps.size());
  for (const auto& s : steps) t.push_back(s.total_ms);
  return time_stats(t);
}

}  // namespace slotsim
