// The tracker's peak heap figure against an external heap profiler
// (heaptrack) on the same run. heaptrack hooks malloc/free by LD_PRELOAD,
// so it sees every block our operator new takes from malloc, plus the plain
// malloc calls (libgomp, stdio) that never pass through operator new: the
// two agree to within a small margin rather than to the byte. valgrind's
// massif was rejected for this check: it replaces operator new itself, so
// under massif part of the traffic never reaches the tracker at all.
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "sim/fixtures.hpp"

#ifndef SLOTSIM_SANITIZED
#define SLOTSIM_SANITIZED 0
#endif

namespace {
// Parses "peak heap memory consumption: 16.10M" (1000-based units).
double heaptrack_peak(const std::string& report) {
  const std::string key = "peak heap memory consumption: ";
  const auto p = report.find(key);
  if (p == std::string::npos) return -1;
  std::size_t used = 0;
  const double v = std::stod(report.substr(p + key.size()), &used);
  const char unit = report[p + key.size() + used];
  const double scale = unit == 'K' ? 1e3 : unit == 'M' ? 1e6 : unit == 'G' ? 1e9 : 1;
  return v * scale;
}
}  // namespace

using slotsim::testing::read_text;

// heaptrack's preload and ASan's interceptors cannot both own malloc, so the
// sanitizer build skips this.
TEST_CASE("peak heap agrees with heaptrack" * doctest::skip(SLOTSIM_SANITIZED)) {
  if (std::system("command -v heaptrack >/dev/null 2>&1 && command -v heaptrack_print >/dev/null 2>&1") != 0) {
    FAIL("heaptrack is not installed (.ci/setup installs it)");
    return;
  }
  slotsim::testing::TempDir d;
  // heaptrack must be able to run at all here (it needs LD_PRELOAD and a
  // writable output); if even `heaptrack /usr/bin/true` fails, say so and
  // skip. (A bare `true` is not found: heaptrack wants a path for a name
  // that is also a shell builtin, and the probe then skipped everywhere.)
  const std::string probe = d.file("probe");
  if (std::system(("heaptrack -o " + probe + " /usr/bin/true >/dev/null 2>&1").c_str()) != 0) {
    MESSAGE("SKIPPED: heaptrack is installed but cannot trace a process on this machine");
    return;
  }
  const std::string trace = d.file("trace"), json = d.file("run.json"), report = d.file("report.txt");
  const std::string run = "heaptrack -o " + trace + " " + SLOTSIM_BINARY +
                          " batch -q -n 50000 --layout dict --solver none --steps 2 --threads 2 --json " + json +
                          " >/dev/null 2>&1";
  REQUIRE(std::system(run.c_str()) == 0);
  // heaptrack compresses with zstd when it is installed and falls back to
  // gzip otherwise (a fresh Debian 12 has no zstd): read whichever it wrote.
  std::string written;
  for (const char* ext : {".zst", ".gz"})
    if (std::ifstream(trace + ext).good()) written = trace + ext;
  REQUIRE_MESSAGE(!written.empty(), "heaptrack wrote neither trace.zst nor trace.gz");
  REQUIRE(std::system(("heaptrack_print " + written + " >" + report + " 2>/dev/null").c_str()) == 0);
  const auto doc = slotsim::testing::read_json(json);
  REQUIRE(doc.contains("heap_peak_bytes"));
  const double ours = doc["heap_peak_bytes"].get<double>();
  const double theirs = heaptrack_peak(read_text(report));
  MESSAGE("tracker peak ", ours, " B, heaptrack peak ", theirs, " B");
  REQUIRE(theirs > 0);
  CHECK(ours > 14.4e6);  // the 50,000-particle dict store alone is 14.4 MB
  CHECK(std::abs(ours - theirs) / theirs < 0.02);
}
