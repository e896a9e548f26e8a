// End-to-end tests of `batch --snapshot FILE.h5`, --snapshot-every and
// --restart: the real binary, real files. The promise under test is
// "N steps in one go == N/2 steps, snapshot, restart, N/2 more" (the same
// state hash) for every layout and solver.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "sim/fixtures.hpp"

using slotsim::testing::CliResult;
using slotsim::testing::run_cli;
using slotsim::testing::TempDir;

namespace {

std::string hash_of(const CliResult& r) {
  const std::string key = "| state hash | ";
  const auto p = r.out.find(key);
  return p == std::string::npos ? "" : r.out.substr(p + key.size(), 16);
}

int count_of(const std::string& s, const std::string& needle) {
  int n = 0;
  for (auto p = s.find(needle); p != std::string::npos; p = s.find(needle, p + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("snapshot: restart == continuous for every layout and solver, across a Morton reorder") {
  TempDir d;
  const std::string snap = d.file("half.h5");
  // One thread: OpenMP's spinning makes tiny multi-threaded runs slow on a
  // loaded 2-core machine; thread counts are covered by the switched run.
  // --sort-every 2 with the snapshot at step 4: the first restarted step
  // reorders and must reuse the saved forces, the hardest case. --dt 0.05
  // moves particles far enough that the reorder changes the order.
  const char* solvers[] = {
      "direct", "none", "bh", "pm --grid 16", "pm --grid 16 --periodic", "pm --grid 16 --periodic --box 30"};
  for (const char* solver : solvers) {
    for (const char* layout : {"dict", "slots", "slots+dict", "aos", "soa"}) {
      CAPTURE(solver);
      CAPTURE(layout);
      const std::string common = std::string("batch -n 300 --threads 1 --seed 4 --dt 0.05 --sort-every 2 --solver ") +
                                 solver + " --layout " + layout;
      const CliResult full = run_cli(d, common + " -q --steps 8");
      REQUIRE(full.code == 0);
      REQUIRE(run_cli(d, common + " -q --steps 4 --snapshot " + snap).code == 0);
      const CliResult rest = run_cli(d, "batch --steps 4 --restart " + snap);
      REQUIRE(rest.code == 0);
      CHECK(rest.err.find("restarted from " + snap + " at step 4") != std::string::npos);
      CHECK(hash_of(rest).size() == 16);
      CHECK(hash_of(rest) == hash_of(full));
    }
  }
}

TEST_CASE("snapshot: restart == continuous for a run whose layout switched before the snapshot") {
  TempDir d;
  const std::string snap = d.file("s.h5");
  const std::string common = "batch -q -n 300 --threads 2 --seed 2 --solver bh --layout dict ";
  const CliResult full = run_cli(d, common + "--steps 6 --switch-at 2:slots --switch-at 5:soa");
  REQUIRE(full.code == 0);
  REQUIRE(run_cli(d, common + "--steps 3 --switch-at 2:slots --snapshot " + snap).code == 0);
  // --switch-at counts this run's steps; --layout on a restart converts first.
  // The CSV's step column counts this run's steps too, as --switch-at does:
  // the switch after its step 2 shows on its step 3 (the run's step 6).
  const std::string csv = d.file("rest.csv");
  const CliResult rest = run_cli(d, "batch -q --steps 3 --restart " + snap + " --switch-at 2:soa --csv " + csv);
  REQUIRE(rest.code == 0);
  CHECK(rest.out.find("| layout (final) | soa (not Python objects) |") != std::string::npos);
  CHECK(hash_of(rest) == hash_of(full));
  std::ifstream rows(csv);
  std::string line, steps;
  std::getline(rows, line);  // header
  while (std::getline(rows, line)) steps += line.substr(0, line.find(',', line.find(',') + 1)) + ";";
  CHECK(steps == "1,slots;2,slots;3,soa;");
  const CliResult other = run_cli(d, "batch -q --steps 3 --restart " + snap + " --layout aos --threads 1");
  REQUIRE(other.code == 0);
  CHECK(other.out.find("| layout (final) | aos (not Python objects) |") != std::string::npos);
  CHECK(hash_of(other) == hash_of(full));
}

TEST_CASE("snapshot: --snapshot-every writes a numbered series with one line per file") {
  TempDir d;
  const std::string snap = d.file("out.h5");
  const CliResult r = run_cli(d, "batch -n 100 --threads 1 --steps 5 --snapshot-every 2 --snapshot " + snap);
  REQUIRE(r.code == 0);
  for (const char* f : {"out_000.h5", "out_001.h5", "out_002.h5", "out.h5"}) {
    CAPTURE(f);
    CHECK(std::filesystem::exists(d.file(f)));
    CHECK(r.err.find(std::string("snapshot ") + d.file(f) + ": step ") != std::string::npos);
  }
  CHECK_FALSE(std::filesystem::exists(d.file("out_003.h5")));
  CHECK(count_of(r.err, "snapshot ") == 4);
  for (const auto& e : std::filesystem::directory_iterator(d.path()))
    CHECK(e.path().extension() != ".tmp");  // every temporary was renamed
  // A series member restarts like any snapshot: out_001 is step 2.
  const CliResult full = run_cli(d, "batch -q -n 100 --threads 1 --steps 5");
  const CliResult rest = run_cli(d, "batch -q --steps 3 --restart " + d.file("out_001.h5"));
  REQUIRE(rest.code == 0);
  CHECK(hash_of(rest) == hash_of(full));
  // CSV series work the same way.
  REQUIRE(run_cli(d, "batch -q --threads 1 -n 50 --steps 2 --snapshot-every 1 --snapshot " + d.file("c.csv")).code ==
          0);
  CHECK(std::filesystem::exists(d.file("c_002.csv")));
}

TEST_CASE("snapshot: --ic FILE.h5 starts from a snapshot's particles, in id order") {
  TempDir d;
  // Written after a Morton sort (rows in storage order): --ic puts the
  // particles back in id order, so the state hash of step 0 is the writer's.
  const CliResult sorted =
      run_cli(d, "batch -q --threads 1 -n 200 --steps 3 --sort-every 1 --snapshot " + d.file("a.h5"));
  REQUIRE(sorted.code == 0);
  const CliResult same = run_cli(d, "batch -q --threads 1 --ic " + d.file("a.h5") + " --steps 0");
  REQUIRE(same.code == 0);
  CHECK(hash_of(same) == hash_of(sorted));
  // Unsorted, with the same solver, --ic continues exactly as CSV does.
  const CliResult full = run_cli(d, "batch -q --threads 1 -n 200 --solver direct --steps 5");
  REQUIRE(run_cli(d, "batch -q --threads 1 -n 200 --solver direct --steps 3 --snapshot " + d.file("b.h5")).code == 0);
  const CliResult ic = run_cli(d, "batch -q --threads 1 --ic " + d.file("b.h5") + " --solver direct --steps 2");
  REQUIRE(ic.code == 0);
  CHECK(hash_of(ic) == hash_of(full));
}

TEST_CASE("snapshot: bad flags and files get one line on stderr and write nothing") {
  TempDir d;
  const std::string snap = d.file("ok.h5");
  REQUIRE(run_cli(d, "batch -q -n 50 --steps 1 --snapshot " + snap).code == 0);
  { std::ofstream(d.file("text.h5")) << "not hdf5\n"; }
  struct Case {
    std::string args, needle;
  };
  const Case cases[] = {
      {"--snapshot-every 2", "--snapshot-every needs --snapshot"},
      {"--snapshot " + d.file("x.csv") + " --snapshot-fields acc", "CSV holds only x..mass"},
      // No --snapshot at all: no CSV to speak of.
      {"--snapshot-fields acc", "needs an HDF5 --snapshot FILE.h5 to write the fields into"},
      {"--snapshot " + d.file("x.h5") + " --snapshot-fields vel", "unknown field 'vel'"},
      {"-n 300000 --snapshot " + d.file("x.h5") + " --snapshot-fields pot", "O(N^2)"},
      {"--restart " + snap + " --dt 0.5", "--dt cannot be combined with --restart"},
      {"--restart " + snap + " --solver bh", "--solver cannot be combined with --restart"},
      {"--restart " + snap + " -n 10", "--particles cannot be combined with --restart"},
      // Flags of one solver: refused for the restart, not checked against
      // --solver's default (they were: "--theta means nothing for --solver
      // direct (it applies to bh)", whatever the snapshot's solver).
      {"--restart " + snap + " --theta 0.7", "--theta cannot be combined with --restart"},
      {"--restart " + snap + " --grid 32", "--grid cannot be combined with --restart"},
      {"--restart " + snap + " --periodic", "--periodic cannot be combined with --restart"},
      {"--restart " + snap + " --box 5", "--box cannot be combined with --restart"},
      {"--restart " + d.file("missing.h5"), "missing.h5: cannot open: no such file"},
      {"--restart " + d.file("text.h5"), "text.h5: not an HDF5 file"},
      {"--restart " + d.file("x.csv"), "expected a slotsim HDF5 snapshot"},
      {"--ic " + d.file("text.h5"), "text.h5: not an HDF5 file"},
      {"--snapshot " + d.file("nodir/x.h5"), "does not exist"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.args);
    const CliResult r = run_cli(d, "batch -q --threads 1 --steps 1 " + c.args);
    CHECK(r.code != 0);
    CHECK(count_of(r.err, "\n") == 1);
    CHECK(r.err.find(c.needle) != std::string::npos);
    CHECK(r.out.empty());
    CHECK_FALSE(std::filesystem::exists(d.file("x.h5")));
  }
}

TEST_CASE("snapshot: a run whose energy overflows a double says so and its snapshot restarts") {
  // A mass of 1e300 moving at 1e10: the kinetic energy is inf, the run
  // itself finite. The snapshot used to carry E0 = inf, which --restart
  // refused ("energy_initial is inf, expected a finite number"), and the
  // summary printed a bare nan as the energy error.
  TempDir d;
  { std::ofstream(d.file("heavy.csv")) << "x,y,z,vx,vy,vz,mass\n0,0,0,1e10,0,0,1e300\n1,0,0,0,0,0,1\n"; }
  const std::string common = "batch -q --threads 1 --ic " + d.file("heavy.csv") + " --solver none ";
  const CliResult first = run_cli(d, common + "--steps 2 --snapshot " + d.file("h.h5"));
  REQUIRE(first.code == 0);
  CHECK(first.out.find("| rel. energy error | not measured: the energy overflows a double |") != std::string::npos);
  CHECK(first.out.find("nan") == std::string::npos);
  const CliResult rest = run_cli(d, "batch -q --threads 1 --restart " + d.file("h.h5") + " --steps 2");
  INFO(rest.err);
  REQUIRE(rest.code == 0);
  const CliResult full = run_cli(d, common + "--steps 4");
  REQUIRE(full.code == 0);
  CHECK(hash_of(rest) == hash_of(full));
}
