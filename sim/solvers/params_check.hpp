#pragma once
// Validation of ForceParams shared by the solver factories, so every solver
// rejects a nonsensical value with the same message instead of producing NaNs.
#include <cmath>
#include <stdexcept>
#include <string>

#include "sim/solvers/solver.hpp"

namespace slotsim::detail {

inline void check_softening(const ForceParams& p) {
  if (!(p.softening >= 0) || !std::isfinite(p.softening))
    throw std::invalid_argument("softening must be finite and >= 0 (got " +
                                std::to_string(p.softening) + ")");
}

}  // namespace slotsim::detail
