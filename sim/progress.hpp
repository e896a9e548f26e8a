#pragma once
#include <functional>

namespace slotsim {
// Progress of long work (spawn, conversion): fraction in [0,1] and a label.
using ProgressFn = std::function<void(double fraction, const char* what)>;
}  // namespace slotsim
