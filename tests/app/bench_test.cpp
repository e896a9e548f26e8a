// End-to-end tests of `slotsim bench`: table, CSV and JSON shape, errors.
#include <doctest/doctest.h>

#include <fstream>
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
  }
  CHECK(out.find("| load |") != std::string::npos);
  CHECK(out.find("particle MiB") != std::string::npos);  // one unit system (sim/units.hpp)
  std::istringstream csv(read_text(c));
  int rows = 0;
  for (std::string line; std::getline(csv, line);) ++rows;
  CHECK(rows == 1 + slotsim::kNumLayouts);  // header + one row per layout
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
}
