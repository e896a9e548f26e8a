#include "sim/exit_status.hpp"

#include <stdexcept>

#include "sim/io/csv.hpp"

namespace slotsim {

int exit_status_of(const std::exception& e) {
  if (dynamic_cast<const std::invalid_argument*>(&e) || dynamic_cast<const CsvError*>(&e)) return kExitBadInput;
  return kExitFailed;
}

}  // namespace slotsim
