#include "sim/exit_status.hpp"

#include <stdexcept>

#include "sim/io/csv.hpp"

namespace slotsim {

int exit_status_of(const std::exception& e) {
  if (dynamic_cast<const std::invalid_argument*>(&e) || dynamic_cast<const CsvError*>(&e)) return kExitBadInput;
  // A run that produced a non-finite value and did not catch it itself
  // (batch does, to write its outputs marked "diverged"; bench has no row
  // to write: every layout gives the same bits, so the first diverges).
  if (dynamic_cast<const NonFiniteRun*>(&e)) return kExitDiverged;
  return kExitFailed;
}

}  // namespace slotsim
