// sim/step_phases.hpp: the figures a report quotes for a step and its phases.
#include <doctest/doctest.h>

#include <deque>
#include <vector>

#include "sim/step_phases.hpp"

using slotsim::StepTiming;

namespace {
StepTiming step(double total, double sort) {
  StepTiming t;
  t.total_ms = total;
  t.kick_ms = total - sort;
  t.sort_ms = sort;
  return t;
}
const slotsim::StepPhase& phase(std::string_view name) {
  for (const auto& p : slotsim::kStepPhases)
    if (p.name == name) return p;
  FAIL("no phase " << name);
  return slotsim::kStepPhases[0];
}
}  // namespace

TEST_CASE("step_phases: a sort that runs one step in four is in the step figure, spread over the steps") {
  // Three 10 ms steps and one that also sorted for 30 ms: the median step
  // (10 ms) and the sort's median (0) would both hide the sort.
  const std::vector<StepTiming> steps = {step(10, 0), step(10, 0), step(40, 30), step(10, 0)};
  CHECK(slotsim::phase_figure(steps, phase("sort")) == doctest::Approx(7.5));
  CHECK(slotsim::step_figure(steps) == doctest::Approx(17.5));
  // The other phases stay medians: one slow step does not move them.
  CHECK(slotsim::phase_figure(steps, phase("kick")) == doctest::Approx(10));
  // Any range of steps: the GUI keeps its window in a deque.
  const std::deque<StepTiming> window(steps.begin(), steps.end());
  CHECK(slotsim::step_figure(window) == doctest::Approx(17.5));
}

TEST_CASE("step_phases: without a sort the step figure is the median step, exactly") {
  const std::vector<StepTiming> steps = {step(10.25, 0), step(12.5, 0), step(11.125, 0)};
  CHECK(slotsim::step_figure(steps) == 11.125);
  CHECK(slotsim::phase_figure(steps, phase("sort")) == 0);
  CHECK(slotsim::step_figure(std::vector<StepTiming>{}) == 0);
}
