// `slotsim bench`: placeholder registration until the benchmark lands.
#include "app/commands.hpp"

namespace slotsim::app {
CLI::App* register_bench(CLI::App& app) { return nullptr; (void)app; }
}  // namespace slotsim::app
