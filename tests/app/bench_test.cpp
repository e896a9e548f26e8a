// End-to-end tests of `slotsim bench`: table, CSV and JSON shape, errors.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <vector>
#include <sstream>
#include <string>
#include <sys/wait.h>

#include "sim/fixtures.hpp"
#include "sim/machine_load.hpp"
#include "sim/layouts/layout.hpp"

using slotsim::testing::TempDir;

using slotsim::testing::read_text;

namespace {
int run(const TempDir& d, const std::string& args, std::string* out = nullptr, std::string* err = nullptr) {
  const slotsim::testing::CliResult r = slotsim::testing::run_cli(d, args);
  if (out) *out = r.out;
  if (err) *err = r.err;
  return r.code;
}
}  // namespace

TEST_CASE("bench: one table row per layout, ratios to dict and soa, CSV and JSON") {
  TempDir d;
  std::string out, err;
  const std::string j = d.file("b.json"), c = d.file("b.csv");
  REQUIRE(run(d, "bench -n 2000 --solver direct --steps 2 --repeats 2 --json " + j + " --csv " + c, &out, &err) == 0);
  for (const slotsim::Layout l : slotsim::kAllLayouts)
    CHECK(out.find("| " + std::string(slotsim::layout_name(l)) + " |") != std::string::npos);
  CHECK(out.find("| soa | 56.0 |") != std::string::npos);
  CHECK(out.find("| dict | 288.0 |") != std::string::npos);
  CHECK(err.find("repeat 2/2") != std::string::npos);  // progress
  const auto json = slotsim::testing::read_json(j);
  for (const char* k : {"machine", "bandwidth_gbs", "results"}) CHECK(json.contains(k));
  REQUIRE(json["results"].size() == std::size_t(slotsim::kNumLayouts));
  for (const char* k : {"step_ms_median", "step_ms_min", "step_ms_max", "phases_ms", "heap_peak_bytes", "rss_bytes",
                        "load_average", "loaded", "quantum_bound"})
    CHECK(json["results"][0].contains(k));
  // Every row names the load it was timed under; a row whose steps are the
  // scheduler's tick has no ratio (and neither has any row against it).
  for (const auto& row : json["results"]) {
    CHECK(row["loaded"].get<bool>() == (row["load_average"].get<double>() > double(slotsim::machine_cores())));
    if (row["quantum_bound"].get<bool>()) CHECK_FALSE(row.contains("ratio_to_dict"));
    // Two triad readings, before and after the row's steps; its bounds are
    // priced at the higher (one reading alone once read far below what the
    // row's own steps streamed).
    const double before = row["triad_gbs_before"].get<double>(), after = row["triad_gbs_after"].get<double>();
    CHECK(before > 0);
    CHECK(after > 0);
    CHECK(row["triad_gbs"].get<double>() == std::max(before, after));
    CHECK(row["integrator_bound_ms"].get<double>() ==
          doctest::Approx(json["integrator_bytes_per_step"].get<double>() / (std::max(before, after) * 1e9) * 1e3));
  }
  CHECK(out.find("| load |") != std::string::npos);
  CHECK(out.find("particle MiB") != std::string::npos);  // one unit system (sim/units.hpp)
  std::istringstream csv(read_text(c));
  int rows = 0;
  for (std::string line; std::getline(csv, line);) ++rows;
  CHECK(rows == 1 + slotsim::kNumLayouts);  // header + one row per layout
  CHECK(read_text(c).find(",triad_gbs_before,triad_gbs_after\n") != std::string::npos);
}

namespace {
// The CSV's rows as column name -> value.
std::vector<std::map<std::string, std::string>> csv_rows(const std::string& text) {
  std::istringstream in(text);
  auto split = [](const std::string& line) {
    std::vector<std::string> v;
    std::stringstream ss(line);
    for (std::string f; std::getline(ss, f, ',');) v.push_back(f);
    return v;
  };
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> head = split(line);
  std::vector<std::map<std::string, std::string>> rows;
  while (std::getline(in, line)) {
    const std::vector<std::string> f = split(line);
    REQUIRE(f.size() == head.size());
    std::map<std::string, std::string> r;
    for (std::size_t k = 0; k < f.size(); ++k) r[head[k]] = f[k];
    rows.push_back(r);
  }
  return rows;
}
}  // namespace

TEST_CASE("bench --solver bh: a floor ratio and the pair kernels' own cost, in the table, CSV and JSON") {
  TempDir d;
  std::string out;
  const std::string j = d.file("bh.json"), c = d.file("bh.csv");
  REQUIRE(run(d, "bench -n 3000 --solver bh --steps 1 --repeats 1 --layouts soa,slots --json " + j + " --csv " + c,
              &out) == 0);
  CHECK(out.find("| kernel ns/int | walk x kernel |") != std::string::npos);
  CHECK(out.find("bh floor (soa row): its pair kernels alone") != std::string::npos);
  const auto rows = csv_rows(read_text(c));
  REQUIRE(rows.size() == 2);
  for (const auto& r : rows) {
    CAPTURE(r.at("layout"));
    CHECK(std::stod(r.at("floor_ratio")) > 0);
    CHECK(std::stod(r.at("kernel_ns_per_interaction")) > 0);
    CHECK(std::stod(r.at("walk_kernel_ratio")) > 0);
    // The floor is the kernels' time plus the integrator's bound, so the
    // step can only be measured against it if both are there.
    CHECK(std::stod(r.at("floor_ms")) > std::stod(r.at("kernel_ns_per_interaction")) * 1e-6 *
                                            std::stod(r.at("interactions")));
  }
  const auto json = slotsim::testing::read_json(j);
  REQUIRE(json["results"].size() == 2);
  for (const auto& r : json["results"]) {
    CHECK(r["floor_ratio"].get<double>() > 0);
    CHECK(r["kernel_floor_ms"].get<double>() > 0);
    CHECK(r["walk_kernel_ratio"].get<double>() > 0);
    CHECK(r["node_terms"].get<double>() + r["particle_terms"].get<double>() == r["interactions"].get<double>());
    CHECK_FALSE(r["kernel_variant"].get<std::string>().empty());
  }
}

TEST_CASE("bench --sort-every: each row's step figure and sort column carry the sorts it ran") {
  // Four timed steps, a sort on the last: a median step, and the sort's
  // median, would both leave it out (the 1M --sort-every 5 row once read
  // 1.15x its floor that way).
  TempDir d;
  const std::string j = d.file("sorted.json");
  REQUIRE(run(d, "bench -n 20000 --solver pm --grid 32 --steps 4 --repeats 1 --sort-every 4 --layouts soa,slots --json " + j) ==
          0);
  const auto json = slotsim::testing::read_json(j);
  REQUIRE(json["results"].size() == 2);
  for (const auto& r : json["results"]) {
    const double sort = r["phases_ms"]["sort"].get<double>();
    CHECK(sort > 0);
    CHECK(r["step_ms_median"].get<double>() >= sort);
  }
}

TEST_CASE("bench --claims: every claim with a measured value and a verdict") {
  TempDir d;
  std::string out;
  const std::string j = d.file("claims.json");
  REQUIRE(run(d, "bench --claims --claims-instances 200000 --json " + j, &out) == 0);
  CHECK(out.find("AttributeError: 'Particle' object has no attribute 'charge'") != std::string::npos);
  const auto json = slotsim::testing::read_json(j);
  std::vector<std::string> ids;
  for (const auto& c : json["claims"]) ids.push_back(c["id"]);
  CHECK(ids == std::vector<std::string>{"dict_empty", "slots_saving", "three_fields", "access_speed", "attribute_error",
                                        "inheritance", "escape_hatch", "ten_million"});
}

TEST_CASE("bench: bad input is one line and non-zero") {
  TempDir d;
  std::string err;
  CHECK(run(d, "bench --layouts dict,vector", nullptr, &err) != 0);
  CHECK(err.find("unknown layout 'vector'") != std::string::npos);
  CHECK(run(d, "bench --repeats 0", nullptr, &err) != 0);
  CHECK(err.find("--repeats") != std::string::npos);
  // --layout was accepted and ignored (every layout of --layouts ran).
  check_clean_error(run_cli(d, "bench -n 1000 --steps 1 --repeats 1 --layout aos"), "--layout");
}

TEST_CASE("bench --ic: the progress names the file, not -n's default count") {
  // It said "spawning 1000000 particles" (-n's default) while loading 3.
  TempDir d;
  { std::ofstream(d.file("three.csv")) << "x,y,z,vx,vy,vz,mass\n0,0,0,0,0,0,1\n1,0,0,0,0,0,1\n0,1,0,0,0,0,1\n"; }
  std::string out, err;
  REQUIRE(run(d, "bench --ic " + d.file("three.csv") + " --solver direct --steps 1 --repeats 1 --layouts soa", &out,
              &err) == 0);
  CHECK(err.find("spawning") == std::string::npos);
  CHECK(err.find("soa: loading the particles of " + d.file("three.csv")) != std::string::npos);
  CHECK(out.find("3 particles") != std::string::npos);
}

TEST_CASE("bench: a run that diverges exits 3 with one line naming it, and no report") {
  // Every layout gives the same bits, so the first diverges and no row is
  // finished: nothing to write. It exited 1, as for an unexpected error.
  TempDir d;
  { std::ofstream(d.file("same.csv")) << "x,y,z,vx,vy,vz,mass\n0,0,0,0,0,0,1\n0,0,0,0,0,0,1\n"; }
  std::string out, err;
  const int code = run(d,
                       "bench --ic " + d.file("same.csv") + " --solver direct --softening 0 --steps 1 --repeats 1 " +
                           "--layouts soa,dict --json " + d.file("r.json"),
                       &out, &err);
  CHECK(code == 3);
  CHECK(err.find("slotsim bench: error: step 1: particles 0 and 1 coincide") != std::string::npos);
  CHECK(std::count(err.begin(), err.end(), '\n') == 2);  // the progress line, then that one
  CHECK_FALSE(std::filesystem::exists(d.file("r.json")));
}
