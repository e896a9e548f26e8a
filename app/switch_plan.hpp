#pragma once
// `--switch-at STEP:LAYOUT` and `--steps`, shared by slotsim batch and
// slotsim-mpi batch so both accept and refuse the same schedules.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/layouts/layout.hpp"
#include "sim/limits.hpp"

namespace slotsim::app {

struct PlannedSwitch {
  std::uint64_t at;
  Layout to;
};

// kMaxSteps (sim/limits.hpp) bounds every step number: --steps, --switch-at
// and a restart's step counter.

// The switches in step order (stable: two at one step apply in the order
// given); throws std::invalid_argument (one line) for a malformed entry, an
// unknown layout or a step after the last.
std::vector<PlannedSwitch> parse_switches(const std::vector<std::string>& specs, std::uint64_t steps);

}  // namespace slotsim::app
