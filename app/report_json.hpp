#pragma once
// Pieces of the JSON reports that batch and bench share (sim/io/json.hpp
// holds the conventions every document follows).
#include <array>
#include <string>

#include "sim/io/json.hpp"
#include "sim/step_phases.hpp"

namespace slotsim::app {

using io::Json;

// {"gather": ms, "build": ms, ...}: one member per step phase, in
// kStepPhases order, so a new phase reaches every report at once.
inline Json phases_json(const std::array<double, kStepPhases.size()>& ms) {
  Json j = Json::object();
  for (std::size_t p = 0; p < kStepPhases.size(); ++p) j[std::string(kStepPhases[p].name)] = ms[p];
  return j;
}
inline Json phases_json(const StepTiming& t) {
  std::array<double, kStepPhases.size()> ms{};
  for (std::size_t p = 0; p < kStepPhases.size(); ++p) ms[p] = t.*kStepPhases[p].field;
  return phases_json(ms);
}

}  // namespace slotsim::app
