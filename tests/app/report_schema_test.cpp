// The JSON documents slotsim writes keep their schema: every member, its
// order and its type, pinned per kind in tests/schemas/ (values are not
// pinned: they are measurements). Each document is read back through the
// JSON library first, so a report that does not parse fails here too.
#include <doctest/doctest.h>

#include <string>

#include "sim/fixtures.hpp"

using slotsim::testing::check_schema;
using slotsim::testing::read_json;
using slotsim::testing::run_cli;
using slotsim::testing::TempDir;

TEST_CASE("schema: the batch report") {
  TempDir d;
  const std::string j = d.file("batch.json");
  REQUIRE(run_cli(d, "batch -q -n 2000 --solver pm --grid 16 --steps 4 --switch-at 2:slots --json " + j).code == 0);
  check_schema(read_json(j), "batch");
}

TEST_CASE("schema: the bench report") {
  TempDir d;
  const std::string j = d.file("bench.json");
  REQUIRE(run_cli(d, "bench -n 2000 --solver pm --grid 16 --steps 2 --repeats 1 --json " + j).code == 0);
  check_schema(read_json(j), "bench");
}

// The claims report and, inside it, measure_objects.py's own document, as
// the python3 on PATH writes it.
TEST_CASE("schema: the claims report and the CPython script's output") {
  TempDir d;
  const std::string j = d.file("claims.json");
  const auto r = run_cli(d, "bench --claims --claims-sample 1000 --claims-instances 20000 --python --python-quick --json " + j);
  INFO(r.err);
  REQUIRE(r.code == 0);
  const auto doc = read_json(j);
  REQUIRE_MESSAGE(doc["interpreters"][0]["measured"] == true,
                  "the python3 on PATH did not run: " << doc["interpreters"][0].dump());
  check_schema(doc, "claims");
  check_schema(doc["interpreters"][0]["script_output"], "measure_objects");
}
