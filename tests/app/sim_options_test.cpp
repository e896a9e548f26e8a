// The options batch, bench and gui share (app/sim_options.cpp), through the
// real binary: whole numbers, --python-objects.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "sim/fixtures.hpp"

using slotsim::testing::check_clean_error;
using slotsim::testing::CliResult;
using slotsim::testing::json_number;
using slotsim::testing::json_string;
using slotsim::testing::read_text;
using slotsim::testing::run_cli;
using slotsim::testing::TempDir;

TEST_CASE("--python-objects: batch keeps the state hash and counts headers and floats") {
  TempDir d;
  const std::string common = "batch -q --scene plummer -n 600 --solver direct --steps 3 --seed 4 ";
  const std::string a = d.file("off.json"), b = d.file("on.json"), c = d.file("switched.json");
  REQUIRE(run_cli(d, common + "--layout slots --json " + a).code == 0);
  REQUIRE(run_cli(d, common + "--layout slots --python-objects --json " + b).code == 0);
  REQUIRE(run_cli(d, common + "--layout dict --python-objects --switch-at 1:shared-keys --switch-at 2:slots+dict "
                              "--json " + c)
              .code == 0);
  const std::string ja = read_text(a), jb = read_text(b), jc = read_text(c);
  CHECK(json_string(ja, "state_hash") == json_string(jb, "state_hash"));
  CHECK(json_string(jc, "state_hash") == json_string(ja, "state_hash"));
  CHECK(!slotsim::testing::parse_report(ja).contains("python_objects"));  // default report unchanged
  CHECK(slotsim::testing::parse_report(jb)["python_objects"] == true);
  CHECK(json_number(jb, "py_headers") == 32);
  // 7 floats per particle, plus whatever the free list holds (at most 100).
  const double spare = 100.0 * 24 / 600;
  CHECK(json_number(jb, "floats") >= 168);
  CHECK(json_number(jb, "floats") <= 168 + spare);
  const double extra = json_number(jb, "bytes_per_particle") - json_number(ja, "bytes_per_particle");
  CHECK(extra >= 32 + 168);
  CHECK(extra <= 32 + 168 + spare);
}

TEST_CASE("--python-objects: column layouts are refused with one line, before anything runs") {
  TempDir d;
  const std::string j = d.file("never.json");
  for (const std::string& args :
       {"batch -q -n 100 --steps 1 --layout soa --python-objects --json " + j,
        "batch -q -n 100 --steps 1 --layout aos --python-objects --json " + j,
        "batch -q -n 100 --steps 2 --layout slots --python-objects --switch-at 1:soa --json " + j,
        "bench -n 100 --solver none --steps 1 --repeats 1 --python-objects --layouts dict,aos --json " + j}) {
    CAPTURE(args);
    check_clean_error(run_cli(d, args), "--python-objects applies to the heap-object layouts");
    CHECK(read_text(j).empty());
  }
}

TEST_CASE("--python-objects: bench runs the heap-object layouts with the larger bytes") {
  TempDir d;
  const CliResult r = run_cli(d, "bench -n 500 --solver none --steps 1 --repeats 1 --python-objects "
                                 "--layouts dict,slots,slots+dict,shared-keys");
  REQUIRE(r.code == 0);
  auto bytes_of = [&](const std::string& layout) {
    const std::string row = "| " + layout + " | ";
    const auto p = r.out.find(row);
    return p == std::string::npos ? -1.0 : std::stod(r.out.substr(p + row.size()));
  };
  // index 8 + headers + object + 7 floats, plus what the float free list
  // holds after the kick's writes (at most 100 floats over 500 particles).
  const double spare = 100.0 * 24 / 500;
  CHECK(bytes_of("slots") >= 8 + 32 + 56 + 168);
  CHECK(bytes_of("slots") <= 8 + 32 + 56 + 168 + spare);
  // 3.11 (the default version): + the pre-header's values word and the
  // empty values array (16 B) of a managed-dict class.
  CHECK(bytes_of("slots+dict") >= 8 + 56 + 64 + 168);
  CHECK(bytes_of("slots+dict") <= 8 + 56 + 64 + 168 + spare);
}

TEST_CASE("--python-objects=VERSION takes that CPython's sizes, and refuses a version it does not know") {
  TempDir d;
  const std::string j = d.file("v.json");
  const CliResult r = run_cli(d, "batch -q -n 300 --solver none --steps 0 --layout split-keys --python-objects 3.10 "
                                 "--json " + j);
  REQUIRE(r.code == 0);
  const auto rep = slotsim::testing::read_json(j);
  CHECK(rep["python_objects_version"] == "3.10");
  // 3.10's 7-field instance: 48 + 64 + 80 + 7 x 24 = 360 B, + the 8-B index.
  CHECK(rep["bytes_per_particle"].get<double>() >= 368);
  CHECK(rep["bytes_per_particle"].get<double>() < 369);
  for (const char* bad : {"3.5", "2.7", "3.14", "3", "x.y", "3.10.1"}) {
    CAPTURE(bad);
    check_clean_error(run_cli(d, std::string("batch -n 10 --layout slots --python-objects ") + bad),
                      "--python-objects: unknown CPython version");
  }
}

TEST_CASE("--python-objects: the memory plan counts the larger per-particle cost") {
  TempDir d;
  const std::string args = "batch -n 100000 --layout slots --solver none --steps 1 --dry-run";
  const CliResult off = run_cli(d, args), on = run_cli(d, args + " --python-objects");
  REQUIRE(off.code == 0);
  REQUIRE(on.code == 0);
  auto per_particle = [](const std::string& plan) {
    const auto p = plan.find("particles in slots (100000 x ");
    return p == std::string::npos ? -1.0 : std::stod(plan.substr(p + 29));
  };
  CHECK(off.out.find("--python-objects") == std::string::npos);
  CHECK(on.out.find("--python-objects") != std::string::npos);
  // headers 32 + floats 168 at least (plus malloc's chunk headers).
  CHECK(per_particle(on.out) >= per_particle(off.out) + 200);
  CHECK(per_particle(off.out) > 0);
}

TEST_CASE("whole numbers: leading zeros read in decimal on both kinds of integer flag, other text refused") {
  // --grid is CLI11's to convert (base 0: "020" was octal 16, then refused
  // outright); --steps and --repeats are parse_count's (always decimal).
  // One rule for both now: decimal digits, leading zeros dropped.
  TempDir d;
  const std::string j = d.file("zeros.json");
  const CliResult r = run_cli(d, "bench -n 2000 --solver pm --grid 020 --steps 03 --repeats 001 --layouts soa "
                                 "--json " + j);
  REQUIRE(r.code == 0);
  const auto cfg = slotsim::testing::parse_report(read_text(j))["config"];
  CHECK(cfg["grid"] == 20);
  CHECK(cfg["steps"] == 3);
  CHECK(cfg["repeats"] == 1);
  for (const char* bad : {"--grid 0x10", "--grid ''", "--grid ' 20'", "--steps 0x3", "--steps +3"}) {
    CAPTURE(bad);
    const CliResult e = run_cli(d, std::string("batch -q -n 50 --solver pm ") + bad);
    check_clean_error(e, "whole number");
  }
}

// An empty item or value read as "none" ran something else than was asked:
// `--layouts soa,` ran soa alone (a trailing item was dropped), `--read-dict ''`
// read no dict, `--snapshot-fields ''` wrote none. Each is refused, one line,
// exit 2, before anything runs.
TEST_CASE("empty list items and empty values are refused: --layouts, --read-dict, --snapshot-fields") {
  TempDir d;
  for (const char* list : {"soa,", ",soa", "soa,,dict"}) {
    CAPTURE(list);
    const CliResult r = run_cli(d, std::string("bench -n 1000 --solver none --steps 1 --repeats 1 --layouts '") + list + "'");
    check_clean_error(r, "an empty name (separate the layouts by single commas)");
    CHECK(r.code == 2);
  }
  const CliResult rd = run_cli(d, "batch -n 100 --steps 1 --read-dict ''");
  check_clean_error(rd, "--read-dict: an empty value; expected 'all' or a particle id");
  CHECK(rd.code == 2);
  const CliResult sf = run_cli(d, "batch -n 100 --steps 1 --snapshot " + d.file("s.h5") + " --snapshot-fields ''");
  check_clean_error(sf, "--snapshot-fields: an empty value");
  CHECK(sf.code == 2);
  CHECK(!std::filesystem::exists(d.file("s.h5")));
}
