#include "host/format.hpp"

#include "sim/units.hpp"

#include <cmath>
#include <cstdio>

namespace slotsim::host {

std::string human_bytes(double bytes) { return format_bytes(bytes); }

std::string grouped(std::uint64_t n) {
  std::string d = std::to_string(n), out;
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (i && (d.size() - i) % 3 == 0) out += ',';
    out += d[i];
  }
  return out;
}

}  // namespace slotsim::host
