#include "app/run_plan.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "sim/io/csv.hpp"
#include "sim/io/hdf5_snapshot.hpp"

namespace slotsim::app {

InputSize inspect_input(const std::string& path) {
  InputSize s;
  if (is_hdf5_path(path)) {
    // The reader names a missing or malformed file in its own words; the
    // header holds the count, so nothing is read but the header.
    // The count is the datasets' rows, which the header must agree with.
    const SnapshotInfo info = inspect_snapshot_h5(path);
    s.particles = info.particles;
    s.has_ids = info.has_ids;
    s.bytes = info.bytes;
    s.sized = true;
    return s;
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;  // before the message's allocations, which may change it
    throw CsvError(path + ":1:1: cannot open: " + std::strerror(err));
  }
  if (S_ISDIR(st.st_mode)) throw CsvError(path + ":1:1: cannot open: is a directory");
  if (!S_ISREG(st.st_mode)) return s;
  s.sized = true;
  s.bytes = static_cast<std::uint64_t>(st.st_size);
  std::ifstream in(path, std::ios::binary);
  char buf[1 << 16];
  while (in) {
    in.read(buf, sizeof buf);
    const auto got = static_cast<std::size_t>(in.gcount());
    s.particles += static_cast<std::uint64_t>(std::count(buf, buf + got, '\n'));
  }
  return s;
}

bool dry_run_or_check(const MemoryPlan& plan, const std::string& what, bool dry_run, std::FILE* out) {
  if (dry_run) std::fputs(plan.describe().c_str(), out);
  plan.check(what, "--dry-run shows the plan");
  return dry_run;
}

}  // namespace slotsim::app
