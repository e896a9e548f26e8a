// libFuzzer harness for the HDF5 loader (sim/io/hdf5_read.cpp): any byte
// string, written to a file, must give either a SnapshotError of one line
// or a state that obeys the reader's promises (hdf5_snapshot.hpp), through
// each of its entry points: inspect_snapshot_h5 (the plan's header),
// read_particles_h5 (--ic), inspect_restart_h5 and read_restart_h5
// (--restart). Never a crash, a hang or another exception.
//
// What is fuzzed, and what is not: the loader runs libhdf5 in a forked child
// (sim/io/isolated_call.hpp), so a crash inside libhdf5 is the child's
// death, reported as one line; the parent's side (the wire reader, the
// judging of every count, shape and value) runs in this process under ASan
// and UBSan, and its coverage guides the fuzzer. The child's coverage does
// not reach the fuzzer (its counters die with it). In the child a
// sanitizer report is the reader's death like any crash (libhdf5 asks
// malloc for 2^59 bytes on some corrupt files, which ASan reports instead
// of returning NULL), so the child drops libFuzzer's death callback
// (pthread_atfork below): without that, the child's death would write a
// crash- artifact for an input slotsim answered correctly with one line.
// The price: a memory error in the child's own code (hdf5_read.cpp's
// producer) is an answer here too; it is contained in production alike.
// .ci/fuzz fails on any artifact, a crash of this process included, except
// an oom- that a child left (libFuzzer's malloc limit survives the fork)
// while this process went on: that input is replayed, and passes only if
// the loader answers it again.
//
// Built and run by .ci/fuzz with clang (g++ has no libFuzzer).
#include <fcntl.h>
#include <pthread.h>
#include <sanitizer/common_interface_defs.h>
#include <unistd.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "sim/io/hdf5_snapshot.hpp"

namespace {

// One file per fuzzing process, rewritten for every input.
const std::string& input_path() {
  static const std::string p = [] {
    const char* dir = std::getenv("TMPDIR");
    return std::string(dir && *dir ? dir : "/tmp") + "/slotsim-fuzz-" + std::to_string(::getpid()) + ".h5";
  }();
  return p;
}

void write_input(const std::uint8_t* data, std::size_t size) {
  const int fd = ::open(input_path().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) std::abort();
  while (size > 0) {
    const ssize_t w = ::write(fd, data, size);
    if (w <= 0) std::abort();
    data += w;
    size -= static_cast<std::size_t>(w);
  }
  ::close(fd);
}

// A refusal is one line naming the file.
void check_error(const slotsim::SnapshotError& e) {
  const std::string m = e.what();
  if (m.empty() || m.find('\n') != std::string::npos || m.rfind(input_path(), 0) != 0) std::abort();
}

void check_records(const std::vector<slotsim::ParticleRecord>& ps) {
  for (const auto& p : ps)
    for (int a = 0; a < slotsim::kNumAttrs; ++a)
      if (!std::isfinite(p.get(a)) || (a == slotsim::MASS && !(p.get(a) > 0))) std::abort();
}

}  // namespace

// A file that makes libhdf5 loop forever is refused after the reader's idle
// timeout (SLOTSIM_READER_TIMEOUT, 120 s by default): 2 s here, so that such
// an input is an answer well inside libFuzzer's -timeout (.ci/fuzz: 20 s for
// the four reads) instead of a false "timeout" finding.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ::setenv("SLOTSIM_READER_TIMEOUT", "2", 0);
  ::pthread_atfork(nullptr, nullptr, [] { __sanitizer_set_death_callback(nullptr); });
  std::atexit([] { ::unlink(input_path().c_str()); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  write_input(data, size);
  const std::string& path = input_path();
  std::uint64_t n = 0;
  try {
    const slotsim::SnapshotInfo info = slotsim::inspect_snapshot_h5(path);
    if (info.particles == 0) std::abort();  // "no particles in the file" is refused
    n = info.particles;
  } catch (const slotsim::SnapshotError& e) {
    check_error(e);
    return 0;  // every other entry point reads the same header first
  }
  try {
    const slotsim::GadgetParticles g = slotsim::read_particles_h5(path);
    if (g.particles.size() != n) std::abort();  // the plan's count is the load's
    check_records(g.particles);
  } catch (const slotsim::SnapshotError& e) {
    check_error(e);
  }
  try {
    const slotsim::RestartHeader h = slotsim::inspect_restart_h5(path);
    if (h.particles != n) std::abort();
    const slotsim::RestartSnapshot s = slotsim::read_restart_h5(path);
    const slotsim::RestoredRun& run = s.run;
    if (run.particles.size() != n || run.ids.size() != n) std::abort();
    check_records(run.particles);
    std::vector<bool> seen(n);
    for (std::uint32_t id : run.ids) {
      if (id >= n || seen[id]) std::abort();  // a permutation
      seen[id] = true;
    }
    if (!std::isfinite(run.time)) std::abort();
    for (const auto* a : {&run.ax, &run.ay, &run.az}) {
      if (!a->empty() && a->size() != n) std::abort();
      for (double v : *a)
        if (!std::isfinite(v)) std::abort();
    }
    for (const auto& d : run.dynamic) {
      if (d.values.size() != n || d.present.size() != n) std::abort();
      for (std::uint8_t v : d.present)
        if (v > 1) std::abort();
    }
    if (!run.own_dict.empty() && run.own_dict.size() != n) std::abort();
  } catch (const slotsim::SnapshotError& e) {
    check_error(e);
  }
  return 0;
}
