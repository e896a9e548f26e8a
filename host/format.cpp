#include "host/format.hpp"

#include <cmath>
#include <cstdio>

namespace slotsim::host {

std::string human_bytes(double bytes) {
  static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  const bool neg = bytes < 0;
  double v = std::fabs(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  if (u == 0) std::snprintf(buf, sizeof buf, "%s%.0f B", neg ? "-" : "", v);
  else std::snprintf(buf, sizeof buf, "%s%.*f %s", neg ? "-" : "", v < 10 ? 2 : 1, v, units[u]);
  return buf;
}

std::string grouped(std::uint64_t n) {
  std::string d = std::to_string(n), out;
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (i && (d.size() - i) % 3 == 0) out += ',';
    out += d[i];
  }
  return out;
}

}  // namespace slotsim::host
