#pragma once
// Number formatting shared by the overlay panels.
#include <cstdint>
#include <string>

namespace slotsim::host {

// 1536 -> "1.50 KiB", 3.2e9 -> "2.98 GiB": sim/units.hpp's format_bytes,
// the one unit system of every front end.
std::string human_bytes(double bytes);
// 1234567 -> "1,234,567".
std::string grouped(std::uint64_t n);

}  // namespace slotsim::host
