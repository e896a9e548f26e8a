#pragma once
// One unit system for every byte figure the tool prints (batch, bench,
// --dry-run and its refusals, the GUI, the Compare export): binary units,
// labelled KiB, MiB, GiB, as RSS, malloc and page figures are powers of two.
// Machine-readable reports (JSON) give plain bytes. Rejected: decimal MB in
// the command line tools beside MiB in the window, which printed
// "2880.0 MB" and "2746.6 MiB" for the same store.
#include <cmath>
#include <cstdio>
#include <string>

namespace slotsim {

inline constexpr double kKiB = 1024.0, kMiB = 1024.0 * kKiB, kGiB = 1024.0 * kMiB;

// 56 -> "56 B", 1536 -> "1.50 KiB", 288e6 -> "274.7 MiB", 3.2e9 -> "2.98 GiB".
inline std::string format_bytes(double bytes) {
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

}  // namespace slotsim
