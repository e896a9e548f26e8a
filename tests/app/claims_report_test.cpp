// End-to-end tests of `slotsim bench --claims [--python]` (app/claims_report):
// the table's shape with and without an interpreter, the JSON, bad input.
// Nothing here depends on a value CPython or this machine measures.
#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "sim/fixtures.hpp"
#include "sim/io/json.hpp"

using slotsim::testing::read_text;
using slotsim::testing::TempDir;

namespace {

// The table's rows (lines starting with "| " after the header separator).
std::vector<std::string> table_rows(const std::string& out, std::string* header) {
  std::vector<std::string> rows;
  std::istringstream in(out);
  bool body = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("| claim |", 0) == 0) *header = line;
    if (line.rfind("|---", 0) == 0) {
      body = true;
      continue;
    }
    if (body && line.rfind("| ", 0) == 0) rows.push_back(line);
    if (body && line.empty()) break;
  }
  return rows;
}
int cells(const std::string& row) {
  int n = -1;
  for (std::size_t i = 0; i < row.size(); ++i)
    if (row[i] == '|' && (i == 0 || row[i - 1] != '\\')) ++n;
  return n;
}
const std::string kSmall = "bench --claims --claims-sample 2000 --claims-instances 20000 ";

}  // namespace

TEST_CASE("bench --claims --python: four figure columns, a verdict per model, every figure in the JSON") {
  TempDir d;
  const std::string j = d.file("claims.json");
  const auto r = slotsim::testing::run_cli(d, kSmall + "--python --python-quick --json " + j);
  INFO(r.err);
  REQUIRE(r.code == 0);
  std::string header;
  const auto rows = table_rows(r.out, &header);
  REQUIRE(rows.size() == 8);
  CHECK(header.find("| lecture | slotsim `dict` (classic, CPython <= 3.10) | slotsim `shared-keys` (CPython 3.11+) | "
                    "CPython 3.") != std::string::npos);
  CHECK(header.find("(measured) | verdict |") != std::string::npos);
  for (const std::string& row : rows) {
    CAPTURE(row);
    CHECK(cells(row) == 6);  // claim, lecture, dict, shared-keys, CPython, verdict
    CHECK(row.find("on CPython <= 3.10") != std::string::npos);
    CHECK(row.find(" / ") != std::string::npos);  // at least the classic and CPython verdicts
  }
  CHECK(r.out.find("Why it changed:") != std::string::npos);
  const slotsim::io::Json doc = slotsim::testing::read_json(j);
  CHECK(doc.at("cpython").at("measured") == true);
  // The script's whole document, not only what the table shows.
  const slotsim::io::Json& so = doc.at("cpython").at("script_output");
  CHECK(so.at("shapes").size() == 8);
  CHECK(so.at("timing").at("plain").at("read").at("median_ns").is_number());
  CHECK(doc.at("models").at("dict").at("read").at("min_ns").is_number());
  CHECK(doc.at("models").at("shared-keys").at("available").is_boolean());
  CHECK(doc.at("load").at("cpus").get<double>() >= 1);
  const auto& claims = doc.at("claims");
  REQUIRE(claims.size() == 8);
  for (const auto& c : claims) {
    CHECK(c.at("cpython").at("available") == true);
    CHECK(!c.at("why").get<std::string>().empty());
    CHECK(c.at("classic").at("verdict").get<std::string>().find("on CPython <= 3.10") != std::string::npos);
  }
}

TEST_CASE("bench --claims --python NOTHING: one line says so, the models alone are shown") {
  TempDir d;
  const std::string j = d.file("claims.json");
  const auto r = slotsim::testing::run_cli(d, kSmall + "--python /nonexistent/python3 --json " + j);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("CPython: not measured: python '/nonexistent/python3': No such file or directory; showing "
                   "slotsim's models only\n") != std::string::npos);
  std::string header;
  const auto rows = table_rows(r.out, &header);
  REQUIRE(rows.size() == 8);
  CHECK(header.find("(measured)") == std::string::npos);
  for (const std::string& row : rows) CHECK(cells(row) == 5);
  const slotsim::io::Json doc = slotsim::testing::read_json(j);
  CHECK(doc.at("cpython").at("measured") == false);
  CHECK(doc.at("cpython").at("error").get<std::string>().find("/nonexistent/python3") != std::string::npos);
}

TEST_CASE("bench --claims without --python: the models only, and how to add the interpreter") {
  TempDir d;
  const auto r = slotsim::testing::run_cli(d, kSmall);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("CPython: not measured: not asked (add --python") != std::string::npos);
}

TEST_CASE("bench --python: bad input is one line and non-zero") {
  TempDir d;
  auto r = slotsim::testing::run_cli(d, "bench --python");
  CHECK(r.code != 0);
  CHECK(r.err.find("--python: only with --claims") != std::string::npos);
  r = slotsim::testing::run_cli(d, "bench --claims --claims-sample 5");
  CHECK(r.code != 0);
  CHECK(r.err.find("--claims-sample must be at least 100") != std::string::npos);
}
