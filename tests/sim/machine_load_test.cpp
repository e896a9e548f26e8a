// sim/machine_load.hpp: the rule that keeps a scheduler tick out of the
// results (bench and the GUI's Compare table).
#include "sim/machine_load.hpp"

#include <doctest/doctest.h>

using namespace slotsim;

TEST_CASE("machine load: a 4 ms scheduler tick is recognised, real step times are not") {
  CHECK(quantum_bound({8.0, 8.0, 8.01, 7.99, 8.0}));  // slots, aos, soa "at exactly 8.00 ms"
  CHECK(quantum_bound({4.0, 8.0, 4.01, 12.0}));
  CHECK_FALSE(quantum_bound({5.3, 5.1, 5.6, 5.2}));
  CHECK_FALSE(quantum_bound({3.9, 4.1, 4.2, 3.95}));     // real work near one tick jitters
  CHECK_FALSE(quantum_bound({8.0, 5.1, 5.6, 5.2}));      // one on the tick is chance
  CHECK_FALSE(quantum_bound({96.0, 100.0, 104.0}));      // far above the tick: work, whatever its digits
  CHECK_FALSE(quantum_bound({8.0, 8.0}));                // too few to tell
  CHECK_FALSE(quantum_bound({}));
}

TEST_CASE("machine load: the load average is read, and compared with the cores") {
  const double l = load_average_1min();
  CHECK(l >= 0);  // Linux has /proc/loadavg
  CHECK(load_exceeds_cores(double(machine_cores()) + 0.5));
  CHECK_FALSE(load_exceeds_cores(0.0));
}
