#include "app/switch_plan.hpp"

#include <algorithm>
#include <stdexcept>

#include "app/sim_options.hpp"

namespace slotsim::app {

std::vector<PlannedSwitch> parse_switches(const std::vector<std::string>& specs, std::uint64_t steps) {
  std::vector<PlannedSwitch> out;
  for (const auto& s : specs) {
    const auto colon = s.find(':');
    if (colon == std::string::npos)
      throw std::invalid_argument("--switch-at '" + s + "': expected STEP:LAYOUT, e.g. 50:slots");
    const std::string step_s = s.substr(0, colon);
    std::uint64_t step = 0;
    try {
      step = parse_count(step_s, "--switch-at", 0, kMaxSteps);
    } catch (const std::invalid_argument&) {
      throw std::invalid_argument("--switch-at '" + s + "': '" + step_s + "' is not a step number");
    }
    if (step > steps)
      throw std::invalid_argument("--switch-at '" + s + "': step " + step_s + " is after the last step (" +
                                  std::to_string(steps) + ")");
    out.push_back({step, layout_or_throw(s.substr(colon + 1))});
  }
  std::stable_sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.at < b.at; });
  return out;
}

}  // namespace slotsim::app
