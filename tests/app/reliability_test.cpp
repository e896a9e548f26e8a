// Regression tests for the hostile-input defects of issue 8, one or more per
// defect, each against the real binary. docs/RELIABILITY.md lists the guards
// and points here.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "sim/fixtures.hpp"

namespace {

using slotsim::testing::check_clean_error;
using slotsim::testing::CliResult;
using slotsim::testing::json_string;
using slotsim::testing::lines;
using slotsim::testing::read_text;
using slotsim::testing::run_cli;
using slotsim::testing::stray_temporaries;
using slotsim::testing::TempDir;

const std::string kHeader = "x,y,z,vx,vy,vz,mass\n";

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

}  // namespace

TEST_CASE("reliability 1: periodic PM never indexes memory with a huge, tiny-box or blown-up coordinate") {
  TempDir d;
  const std::string ic = d.file("huge.csv");
  write(ic, kHeader + "0,0,0,0,0,0,1\n1e308,0,0,0,0,0,1\n");
  for (const std::string& args : {"--ic " + ic + " --solver pm --periodic --box 4 --steps 1",
                                 std::string("-n 500 --solver pm --periodic --box 4 --dt 1e200 --steps 3"),
                                 std::string("-n 500 --solver pm --periodic --box 1e-300 --steps 2")}) {
    CAPTURE(args);
    const CliResult r = run_cli(d, "batch -q " + args);
    // Either a result or the divergence report: never a crash.
    CHECK((r.code == 0 || r.code == 3));
    if (r.code == 3) CHECK(lines(r.err) == 1);
  }
}

TEST_CASE("reliability 2: a blow-up stops at the first non-finite value, reports it and exits non-zero") {
  TempDir d;
  const std::string j = d.file("r.json"), snap = d.file("s.csv");
  const CliResult r = run_cli(d, "batch -q -n 100 --solver direct --dt 1e300 --steps 2 --json " + j + " --snapshot " + snap);
  CHECK(r.code == 3);
  CHECK(lines(r.err) == 1);
  CHECK(r.err.find("non-finite") != std::string::npos);
  CHECK(r.err.find("particle ") != std::string::npos);
  const std::string json = read_text(j);
  CHECK(json_string(json, "status") == "diverged");
  CHECK(slotsim::testing::parse_report(json).contains("steps_done"));
  CHECK(std::filesystem::exists(snap));  // the requested outputs are all written

  SUBCASE("coincident particles at zero softening name both ids") {
    const std::string ic = d.file("same.csv");
    write(ic, kHeader + "1,0,0,0,0,0,1\n0,0,0,0,0,0,1\n1,0,0,0,0,0,1\n");
    const CliResult c = run_cli(d, "batch -q --ic " + ic + " --solver direct --softening 0 --steps 1");
    CHECK(c.code == 3);
    CHECK(c.err.find("particles 0 and 2 coincide") != std::string::npos);
  }
}

TEST_CASE("reliability 3: every memory need is planned before the first allocation that scales") {
  TempDir d;
  SUBCASE("bench's bandwidth buffer and layouts") {
    check_clean_error(run_cli(d, "bench -n 2000000000"), "refused before allocating");
    const CliResult r = run_cli(d, "bench -n 100000000 --layouts soa,dict --solver none");
    check_clean_error(r, "bench dict");
  }
  SUBCASE("a --switch-at target is in the plan") {
    check_clean_error(run_cli(d, "batch -q -n 5000000000 --solver none --layout soa --switch-at 1:dict --steps 2"),
                      "--particles");  // above 2^32-1: refused as a flag
    const CliResult r = run_cli(d, "batch -q -n 3000000000 --solver none --layout soa --switch-at 1:dict --steps 2");
    check_clean_error(r, "switch at step 1 soa -> dict");
  }
  SUBCASE("the PM grid") {
    check_clean_error(run_cli(d, "batch -q -n 1000 --solver pm --grid 1024 --steps 1"), "solver 'pm' buffers");
  }
  SUBCASE("--ic from a stream without end or newlines") {
    check_clean_error(run_cli(d, "batch -q --ic /dev/zero --steps 1"), "/dev/zero");
  }
  SUBCASE("--dry-run prints the plan and exits 0 without running") {
    const std::string j = d.file("never.json");
    const CliResult r = run_cli(d, "batch -n 1000 --solver pm --switch-at 1:dict --steps 2 --dry-run --json " + j);
    CHECK(r.code == 0);
    CHECK(r.out.find("memory plan") != std::string::npos);
    CHECK(r.out.find("switch at step 1 soa -> dict") != std::string::npos);
    CHECK(r.out.find("solver 'pm' buffers") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(j));
  }
}

TEST_CASE("reliability 5: outputs follow symlinks, write devices directly and never touch NAME.tmp") {
  TempDir d;
  const std::string target = d.file("real.json"), link = d.file("link.json");
  write(target, "old");
  std::filesystem::create_symlink(target, link);
  REQUIRE(run_cli(d, "batch -q -n 50 --solver none --steps 1 --json " + link).code == 0);
  CHECK(std::filesystem::is_symlink(link));
  CHECK(slotsim::testing::read_json(target).contains("state_hash"));

  const std::string mine = d.file("out.json.tmp");
  write(mine, "mine");
  REQUIRE(run_cli(d, "batch -q -n 50 --solver none --steps 1 --json " + d.file("out.json")).code == 0);
  CHECK(read_text(mine) == "mine");
  CHECK(stray_temporaries(d.path()) == 0);

  const CliResult full = run_cli(d, "batch -q -n 50 --solver none --steps 1 --json /dev/full");
  check_clean_error(full, "/dev/full");
  // `--json -`: stdout is the document and nothing else, with or without
  // -q and with a switch line; the summary goes to stderr.
  for (const char* flags : {"-q", "", "--switch-at 1:dict"}) {
    CAPTURE(flags);
    const CliResult out = run_cli(d, std::string("batch -n 50 --solver none --steps 2 --json - ") + flags);
    CHECK(out.code == 0);
    CHECK(slotsim::testing::parse_report(out.out).contains("state_hash"));
    CHECK(out.err.find("| state hash |") != std::string::npos);
  }
}

TEST_CASE("reliability 6: two outputs on one path, or an output on the input, are refused before running") {
  TempDir d;
  const std::string ic = d.file("in.csv");
  const std::string body = kHeader + "0,0,0,0,0,0,1\n1,0,0,0,0,0,1\n";
  write(ic, body);
  check_clean_error(run_cli(d, "batch -q --ic " + ic + " --json " + ic), "would overwrite the input");
  CHECK(read_text(ic) == body);
  const std::string x = d.file("x.out");
  check_clean_error(run_cli(d, "batch -q -n 10 --json " + x + " --csv " + x), "name the same file");
  CHECK_FALSE(std::filesystem::exists(x));
}

TEST_CASE("reliability 7: SIGINT and SIGTERM finish the step, write the outputs marked interrupted, exit 128+sig") {
  TempDir d;
  for (const auto& [sig, code] : {std::pair<std::string, int>{"INT", 130}, {"TERM", 143}}) {
    CAPTURE(sig);
    const std::string j = d.file("int-" + sig + ".json"), err = d.file("err-" + sig + ".txt");
    // Wait for the first progress line rather than a fixed sleep, so the
    // signal lands during the run on a slow machine as on a fast one.
    const std::string script = std::string(SLOTSIM_BINARY) + " batch -n 2000 --solver none --steps 100000000 --json " + j +
                               " >/dev/null 2>" + err + " & p=$!; for i in $(seq 600); do grep -q '^step' " + err +
                               " 2>/dev/null && break; sleep 0.1; done; kill -" + sig + " $p; wait $p; exit $?";
    const int st = std::system(("sh -c '" + script + "'").c_str());
    REQUIRE(WIFEXITED(st));
    CHECK(WEXITSTATUS(st) == code);
    const std::string json = read_text(j);
    CHECK(json_string(json, "status") == "interrupted");
    CHECK(read_text(err).find("interrupted by SIG" + sig) != std::string::npos);
    CHECK(stray_temporaries(d.path()) == 0);
  }
}

TEST_CASE("reliability 7: bench stopped while a layout spawns writes only the rows that have a figure") {
  // SIGTERM once the second layout announces itself: dict's 500,000
  // particles take a while to spawn, so the signal lands before its first
  // timed step. That layout used to be written anyway, as a row of 0 ms
  // with the hash of its warm-up step (slotsim-mpi bench too).
  TempDir d;
  const std::string j = d.file("b.json"), c = d.file("b.csv"), err = d.file("err.txt");
  const std::string script = std::string(SLOTSIM_BINARY) + " bench -n 500000 --solver none --steps 1 --repeats 1 " +
                             "--layouts soa,dict --json " + j + " --csv " + c + " >/dev/null 2>" + err +
                             " & p=$!; for i in $(seq 600); do grep -q \"dict: spawning\" " + err +
                             " 2>/dev/null && break; sleep 0.05; done; kill -TERM $p; wait $p; exit $?";
  const int st = std::system(("sh -c '" + script + "'").c_str());
  REQUIRE(WIFEXITED(st));
  CHECK(WEXITSTATUS(st) == 143);
  const auto doc = slotsim::testing::read_json(j);
  CHECK(doc["status"] == "interrupted");
  REQUIRE(doc["results"].size() >= 1);
  CHECK(doc["layouts_done"] == doc["results"].size());
  CHECK(doc["layouts_requested"] == 2);
  for (const auto& row : doc["results"]) {
    CAPTURE(row["layout"]);
    CHECK(row["step_ms_median"].get<double>() > 0);
    if (row["complete"] == true) CHECK(row["state_hash"] == doc["results"][0]["state_hash"]);
  }
  // The CSV has the same rows: its header and one line per row.
  CHECK(lines(read_text(c)) == 1 + doc["results"].size());
}

TEST_CASE("reliability 8-12: every flag checked, conflicts refused, numbers and names shown briefly on one line") {
  TempDir d;
  const std::string ic = d.file("in.csv");
  write(ic, kHeader + "0,0,0,0,0,0,1\n1,0,0,0,0,0,1\n");
  struct Case {
    std::string args, needle;
  };
  const Case cases[] = {
      {"batch --ic " + ic + " --scene disk", "--ic and --scene conflict"},
      {"batch --ic " + ic + " --particles 5", "--ic and --particles conflict"},
      {"batch --solver none --grid 32", "--grid means nothing for --solver none"},
      {"batch --solver pm --grid -5", "--grid: '-5' is not a whole number"},
      {"batch --solver pm --theta -1", "--theta means nothing for --solver pm"},
      {"batch --solver bh --theta -1", "theta"},
      {"batch --solver pm --grid 8", "grid"},
      {"batch --solver direct --box 3", "--box means nothing"},
      {"batch --json ''", "--json: empty file name"},
      {"batch --steps 1000000000000 -n 10 --solver none", "per-step timings"},
      {"batch --steps 99999999999999999999999", "--steps"},
      {"batch --seed 18446744073709551616", "--seed"},
      {"batch --threads 2147483647", "--threads"},
      {"batch --scene $'a\\nb'", "a\\x0ab"},
      {"batch --scene $'\\x01\\xff'", "\\x01\\xff"},
      {"batch --softening -1e308", "e+308"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.args);
    // bash for $'...' quoting of control bytes.
    const std::string out = d.file("o.txt"), err = d.file("e.txt");
    const std::string cmd = "bash -c \"" + std::string(SLOTSIM_BINARY) + " " + c.args + " -q\" >" + out + " 2>" + err;
    const int st = std::system(cmd.c_str());
    const CliResult r{WIFEXITED(st) ? WEXITSTATUS(st) : -1, read_text(out), read_text(err)};
    check_clean_error(r, c.needle);
    CHECK(r.err.size() < 400);
  }
  // The seed's largest value is accepted, not saturated from something larger.
  CHECK(run_cli(d, "batch -q -n 10 --solver none --steps 1 --seed 18446744073709551615").code == 0);
}
