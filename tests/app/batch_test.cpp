// End-to-end tests of `slotsim batch`: the real binary, real files.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>

#include "sim/fixtures.hpp"
#include "sim/io/csv.hpp"
#include "sim/layouts/layout.hpp"

using slotsim::testing::read_text;
using slotsim::testing::TempDir;

namespace {

using slotsim::testing::check_clean_error;
using slotsim::testing::CliResult;
using slotsim::testing::run_cli;
using slotsim::testing::json_number;
using slotsim::testing::json_string;
using slotsim::testing::lines;

}  // namespace

TEST_CASE("batch: same state hash for every layout and for a dict -> slots -> soa run") {
  TempDir d;
  const std::string common = "batch -q --scene plummer -n 3000 --solver direct --steps 4 --seed 3 ";
  std::string ref;
  for (const slotsim::Layout layout : slotsim::kAllLayouts) {
    const std::string l(slotsim::layout_name(layout));
    CAPTURE(l);
    std::string file = "out-" + l + ".json";
    std::replace(file.begin(), file.end(), '+', '_');
    const std::string j = d.file(file);
    const CliResult r = run_cli(d, common + "--layout " + l + " --json " + j);
    REQUIRE(r.code == 0);
    const std::string json = read_text(j);
    CHECK(json_string(json, "layout") == l);
    if (ref.empty()) ref = json_string(json, "state_hash");
    CHECK(json_string(json, "state_hash") == ref);
    CHECK(ref.size() == 16);
  }
  const std::string j = d.file("switched.json");
  const CliResult r = run_cli(d, common + "--layout dict --switch-at 1:slots --switch-at 3:soa --json " + j);
  REQUIRE(r.code == 0);
  const std::string json = read_text(j);
  CHECK(json_string(json, "state_hash") == ref);
  CHECK(json_string(json, "layout") == "soa");
  const auto sw = slotsim::testing::parse_report(json)["switches"];
  REQUIRE(sw.size() == 2);
  CHECK(sw[0]["from"] == "dict");
  CHECK(sw[0]["to"] == "slots");
  CHECK(sw[0]["at_step"] == 1);
  CHECK(sw[1]["from"] == "slots");
  CHECK(sw[1]["to"] == "soa");
  CHECK(sw[1]["at_step"] == 3);
  CHECK(r.err.find("switch at step 1: dict -> slots") == std::string::npos);  // -q: quiet
}

TEST_CASE("batch: the JSON report has the documented fields") {
  TempDir d;
  const std::string j = d.file("r.json"), c = d.file("r.csv");
  const CliResult r = run_cli(d, "batch -q -n 1000 --layout dict --solver none --steps 3 --json " + j + " --csv " + c);
  REQUIRE(r.code == 0);
  const std::string json = read_text(j);
  for (const char* k : {"layout", "particles", "steps", "solver", "threads", "bytes_per_particle", "bytes_breakdown",
                        "particle_bytes", "heap_current_bytes", "heap_peak_bytes", "rss_bytes", "step_ms",
                        "step_ms_median", "energy_initial", "energy_final", "energy_rel_error", "momentum",
                        "potential_method", "potential_error", "potential_error_rms", "potential_targets",
                        "switches", "state_hash"}) {
    CAPTURE(k);
    CHECK(slotsim::testing::parse_report(json).contains(k));
  }
  CHECK(json_number(json, "bytes_per_particle") == 288);
  CHECK(json_number(json, "particle_bytes") == 288000);
  CHECK(json_number(json, "heap_peak_bytes") >= json_number(json, "heap_current_bytes"));
  CHECK(lines(read_text(c)) == 4);
  CHECK(json_string(json, "potential_method") == "exact");  // 1000 particles: every pair
  CHECK(json_number(json, "potential_error") == 0);
  CHECK(json_number(json, "potential_targets") == 0);
}

TEST_CASE("batch: snapshot round trip through --ic, and the solar-system asset") {
  TempDir d;
  const std::string snap = d.file("snap.csv"), j1 = d.file("a.json"), j2 = d.file("b.json");
  REQUIRE(run_cli(d, "batch -q -n 200 --solver direct --steps 5 --layout slots --snapshot " + snap).code == 0);
  const auto ps = slotsim::read_particles_csv(snap);
  CHECK(ps.size() == 200);
  // Continuing from the snapshot equals the continuous run (restart == continuous).
  REQUIRE(run_cli(d, "batch -q -n 200 --solver direct --steps 8 --layout soa --json " + j1).code == 0);
  REQUIRE(run_cli(d, "batch -q --ic " + snap + " --solver direct --steps 3 --layout dict --json " + j2).code == 0);
  CHECK(json_string(read_text(j1), "state_hash") == json_string(read_text(j2), "state_hash"));

  const std::string solar = std::string(SLOTSIM_SOURCE_DIR) + "/assets/scenes/solar_system.csv";
  const std::string j3 = d.file("solar.json");
  const CliResult r = run_cli(d, "batch -q --ic " + solar + " --solver direct --softening 0 --dt 0.001 --steps 2000 "
                                 "--layout slots --json " + j3);
  REQUIRE(r.code == 0);
  const std::string json = read_text(j3);
  CHECK(json_number(json, "particles") == 9);
  CHECK(json_number(json, "energy_rel_error") < 1e-6);
}

TEST_CASE("batch: bad input gets one line on stderr and a non-zero exit, and writes nothing") {
  TempDir d;
  const std::string j = d.file("never.json");
  struct Case {
    std::string args, needle;
  };
  const Case cases[] = {
      {"batch --layout tuple", "unknown layout 'tuple'"},
      {"batch --solver fmm", "unknown solver 'fmm'"},
      {"batch --scene galaxy", "unknown scene 'galaxy'"},
      {"batch --particles abc", "particles"},
      {"batch --particles 0", "particles"},
      {"batch --particles -5", "particles"},
      {"batch --steps -1", "steps"},
      {"batch --sort-every -2", "sort-every"},
      {"batch --dt -1", "--dt"},
      {"batch --bogus", "bogus"},
      {"batch --switch-at 2", "STEP:LAYOUT"},
      {"batch --steps 3 --switch-at 9:soa", "after the last step"},
      {"batch --switch-at x:soa", "not a step number"},
      {"batch --switch-at 1:list", "unknown layout 'list'"},
      {"batch --json /nonexistent-dir/x.json", "does not exist"},
      {"batch --ic /nonexistent.csv", "nonexistent.csv"},
      {"batch --layout dict --particles 4000000000 --solver none", "refused before allocating"},
      // Numbers CLI11 converted by itself: "" was 0, hex, nan and inf passed.
      {"batch --softening ''", "--softening: '' is not a decimal number"},
      {"batch --dt 0x10", "--dt: '0x10' is not a decimal number"},
      {"batch --solver bh --theta nan", "--theta: 'nan' is not a decimal number"},
      {"batch --solver pm --grid 0x10", "--grid: '0x10' is not a whole number"},
      {"batch --solver pm --periodic --box ''", "--box: '' is not a decimal number"},
      // p.__dict__ where there is none: said before the particles are made.
      {"batch --layout soa --read-dict all", "--read-dict: layout soa has no __dict__"},
      {"batch --layout slots --read-dict 5 --particles 20000000 --solver none", "layout slots has no __dict__"},
      // A /proc fd link that is not open, where root's access() said yes.
      {"batch --json /proc/self/fd/9", "no file can be created in /proc"},
      // /dev/stdout is stdout: two documents on it are refused as with '-'.
      {"batch --snapshot /dev/stdout --json -", "both write to stdout"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.args);
    const bool own_json = c.args.find("--json") != std::string::npos;
    const CliResult r = run_cli(d, c.args + " -q" + (own_json ? "" : " --json " + j));
    check_clean_error(r, c.needle);
    CHECK(r.out.empty());
    CHECK(!std::ifstream(j).good());
  }
}

TEST_CASE("batch: an output named /dev/stdout is written to stdout, the text to stderr") {
  // run_cli's stdout is a file: /dev/stdout's link names it. The report was
  // written beside it and renamed over it; a pipe failed after the run.
  TempDir d;
  const CliResult r = run_cli(d, "batch -n 50 --steps 1 --json /dev/stdout");
  REQUIRE(r.code == 0);
  CHECK(json_string(r.out, "status") == "ok");
  CHECK(r.out.find("| quantity |") == std::string::npos);  // the summary went to stderr
  CHECK(r.err.find("| quantity |") != std::string::npos);
  // Through a pipe: the 50 particles and the header reach it.
  const CliResult piped = run_cli(d, "batch -q -n 50 --steps 1 --snapshot /dev/stdout 2>/dev/null | wc -l");
  CHECK(std::stoi(piped.out) == 51);
}

TEST_CASE("batch: a restart's own dicts that --python-objects would restore in a layout without one are refused") {
  // --python-objects turning on restores straight into --layout, not the
  // snapshot's layout then a switch: what the file adds must fit it.
  TempDir d;
  const std::string sk = d.file("sk.h5");
  REQUIRE(run_cli(d, "batch -q -n 300 --steps 1 --layout shared-keys --read-dict 5 --snapshot " + sk).code == 0);
  check_clean_error(run_cli(d, "batch -q --restart " + sk + " --steps 1 --python-objects --layout slots"),
                    "sk.h5: its particles have their own __dict__, which --python-objects restores in layout slots");
  CHECK(run_cli(d, "batch -q --restart " + sk + " --steps 1 --python-objects --layout dict --json " + d.file("ok.json"))
            .code == 0);
}

TEST_CASE("batch: a malformed --ic file is named with line and column") {
  TempDir d;
  const std::string f = d.file("bad.csv");
  std::ofstream(f) << "x,y,z,vx,vy,vz,mass\n0,0,0,0,0,0,1\n1,2,3,4,five,6,1\n";
  check_clean_error(run_cli(d, "batch -q --ic " + f + " --steps 1"), "bad.csv:3:");
}

TEST_CASE("batch: --read-dict gives shared-keys particles a dict and leaves the physics alone") {
  TempDir d;
  const std::string common = "batch -q --scene plummer -n 500 --solver direct --steps 2 --layout shared-keys ";
  const std::string a = d.file("plain.json"), b = d.file("read.json"), c = d.file("one.json");
  REQUIRE(run_cli(d, common + "--json " + a).code == 0);
  REQUIRE(run_cli(d, common + "--read-dict all --json " + b).code == 0);
  REQUIRE(run_cli(d, common + "--read-dict 7 --json " + c).code == 0);
  CHECK(json_number(read_text(a), "own_dicts") == 0);
  CHECK(json_number(read_text(b), "own_dicts") == 500);
  CHECK(json_number(read_text(c), "own_dicts") == 1);
  CHECK(json_string(read_text(a), "state_hash") == json_string(read_text(b), "state_hash"));
  // 32 B of split dict per particle, values still inline.
  CHECK(json_number(read_text(b), "particle_bytes") - json_number(read_text(a), "particle_bytes") == 500 * 32);
  const CliResult bad = run_cli(d, common + "--read-dict 500");
  CHECK(bad.code == 2);
  CHECK(bad.err.find("--read-dict: particle 500 is out of range") != std::string::npos);
  CHECK(run_cli(d, common + "--read-dict x1").code == 2);
}

TEST_CASE("batch: a solver potential that may be long is announced before it starts") {
  // From 1M particles the energy diagnostic's first call (before any step
  // tells it how long a solve takes) says what it is doing before the
  // solver's potential, which reports nothing until it returns.
  TempDir d;
  const CliResult r = run_cli(d, "batch -n 1000000 --layout soa --solver pm --grid 16 --steps 1");
  CHECK(r.code == 0);
  CHECK(r.err.find("energy diagnostic: the solver's potential") != std::string::npos);
  // Below that, and with -q, no such line.
  const CliResult small = run_cli(d, "batch -n 30000 --layout soa --solver pm --grid 16 --steps 1");
  CHECK(small.code == 0);
  CHECK(small.err.find("energy diagnostic: the solver's potential") == std::string::npos);
  const CliResult quiet = run_cli(d, "batch -q -n 1000000 --layout soa --solver pm --grid 16 --steps 1");
  CHECK(quiet.err.find("energy diagnostic") == std::string::npos);
}

TEST_CASE("batch: a sort that ran on one step in four is quoted as its mean, in the table and the JSON") {
  // --sort-every 4 over 4 steps sorts before the first step only: the
  // sort's median over the steps is 0, which the table used to print, so a
  // run that sorted read as one that did not. Its figure is its mean per
  // step, as bench quotes it (sim/step_phases.hpp); phases_ms_median keeps
  // the plain medians.
  TempDir d;
  const std::string j = d.file("r.json"), c = d.file("r.csv");
  const CliResult r =
      run_cli(d, "batch -q -n 20000 --solver pm --grid 16 --steps 4 --sort-every 4 --json " + j + " --csv " + c);
  REQUIRE(r.code == 0);
  const auto doc = slotsim::testing::read_json(j);
  // The per-step sort times from the CSV (the last column), and their mean.
  std::istringstream csv(read_text(c));
  std::string line;
  std::getline(csv, line);
  REQUIRE(line.substr(line.rfind(',') + 1) == "sort_ms");
  double sum = 0;
  int steps = 0, sorted = 0;
  while (std::getline(csv, line)) {
    const double s = std::stod(line.substr(line.rfind(',') + 1));
    sum += s;
    sorted += s > 0;
    ++steps;
  }
  REQUIRE(steps == 4);
  REQUIRE(sorted == 1);
  const double mean = sum / 4;
  CHECK(doc["phases_ms_median"]["sort"].get<double>() == 0);
  CHECK(doc["phases_ms"]["sort"].get<double>() == doctest::Approx(mean).epsilon(1e-9));
  CHECK(doc["per_layout"][0]["phases_ms"]["sort"].get<double>() == doctest::Approx(mean).epsilon(1e-9));
  // Phases that run every step keep their median in both.
  CHECK(doc["phases_ms"]["solve"] == doc["phases_ms_median"]["solve"]);
  // The table's sort cell (its last) is the mean, and a line says so.
  const auto row = r.out.find("| soa | 4 |");
  REQUIRE(row != std::string::npos);
  const std::string cells = r.out.substr(row, r.out.find('\n', row) - row);
  const auto last = cells.rfind('|', cells.size() - 2);
  char want[32];
  std::snprintf(want, sizeof want, "%.3f", mean);
  CHECK(cells.substr(last + 2, cells.size() - last - 4) == want);
  CHECK(r.out.find("(sort: its mean per step; it ran on 1 of 4 steps)") != std::string::npos);
  // A run that never sorts prints no such line.
  const CliResult plain = run_cli(d, "batch -q -n 2000 --solver pm --grid 16 --steps 2");
  REQUIRE(plain.code == 0);
  CHECK(plain.out.find("its mean per step") == std::string::npos);
}
