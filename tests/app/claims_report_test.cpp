// End-to-end tests of `slotsim bench --claims [--python]` (app/claims_report):
// the table's shape with and without an interpreter, the JSON, bad input.
// Nothing here depends on a value CPython or this machine measures.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
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

// Runs slotsim with an environment of the test's choosing (run_cli
// inherits the test's), for `--python all` on a fake tree.
slotsim::testing::CliResult run_with_env(const TempDir& d, const std::string& env, const std::string& args) {
  const std::string out = d.file("stdout.txt"), err = d.file("stderr.txt");
  const std::string cmd = "env " + env + " " + std::string(SLOTSIM_BINARY) + " " + args + " >" + out + " 2>" + err;
  const int st = std::system(cmd.c_str());
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, read_text(out), read_text(err)};
}

TEST_CASE("bench --claims --python: a column per era model and one for the python3 on PATH, every figure in the JSON") {
  TempDir d;
  const std::string j = d.file("claims.json");
  const auto r = slotsim::testing::run_cli(d, kSmall + "--python --python-quick --json " + j);
  INFO(r.err);
  REQUIRE(r.code == 0);
  std::string header;
  const auto rows = table_rows(r.out, &header);
  REQUIRE(rows.size() == 8);
  CHECK(header.find("| lecture | `dict` (CPython <= 3.2) | `split-keys` (CPython 3.3-3.10) | `shared-keys` "
                    "(CPython 3.11-3.13) | CPython 3.") != std::string::npos);
  for (const std::string& row : rows) {
    CAPTURE(row);
    CHECK(cells(row) == 6);  // claim, lecture, three models, one interpreter
  }
  CHECK(r.out.find("Verdicts:\n- dict_empty: measured: ") != std::string::npos);
  CHECK(r.out.find("The lecture's figures, and what each is:") != std::string::npos);
  CHECK(r.out.find("232 B = sys.getsizeof of a dict") != std::string::npos);
  CHECK(r.out.find("Why getsizeof, tracemalloc and the model differ:") != std::string::npos);
  CHECK(r.out.find("99% confidence interval") != std::string::npos);  // the rule is stated
  CHECK(r.out.find("Why it changed:") != std::string::npos);
  const slotsim::io::Json doc = slotsim::testing::read_json(j);
  REQUIRE(doc.at("interpreters").size() == 1);
  const auto& py = doc.at("interpreters")[0];
  CHECK(py.at("python") == "python3");
  CHECK(py.at("measured") == true);
  // The script's whole document, not only what the table shows.
  CHECK(py.at("script_output").at("shapes").size() == 8);
  CHECK(py.at("script_output").at("timing").at("comparisons").size() == 4);
  CHECK(py.at("access_speed").at("read").at("ci_low").is_number());
  for (const char* m : {"dict", "split-keys", "shared-keys"}) {
    CAPTURE(m);
    CHECK(doc.at("models").at(m).at("read_vs_slots").at("outcome").is_string());
    CHECK(doc.at("models").at(m).at("stands_for").get<std::string>().rfind("CPython", 0) == 0);
  }
  CHECK(doc.at("load").at("cpus").get<double>() >= 1);
  CHECK(!doc.at("counting").at("examples").empty());
  const auto& claims = doc.at("claims");
  REQUIRE(claims.size() == 8);
  for (const auto& c : claims) {
    CHECK(c.at("models").size() == 3);
    CHECK(c.at("measured").size() == 1);
    CHECK(c.at("measured")[0].at("available") == true);
    CHECK(!c.at("why").get<std::string>().empty());
    CHECK(c.at("summary").get<std::string>().rfind("measured: ", 0) == 0);
  }
}

TEST_CASE("bench --claims --python LIST: one column per interpreter, one that is missing says so in its column") {
  TempDir d;
  const std::string j = d.file("claims.json");
  const auto r = slotsim::testing::run_cli(d, kSmall + "--python python3,/nonexistent/python3 --python-quick --json " + j);
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("CPython: /nonexistent/python3: not measured: python '/nonexistent/python3': No such file or "
                   "directory\n") != std::string::npos);
  std::string header;
  const auto rows = table_rows(r.out, &header);
  REQUIRE(rows.size() == 8);
  CHECK(header.find("/nonexistent/python3 (not measured) |") != std::string::npos);
  for (const std::string& row : rows) {
    CHECK(cells(row) == 7);
    CHECK(row.find("| not measured |") != std::string::npos);
  }
  const slotsim::io::Json doc = slotsim::testing::read_json(j);
  REQUIRE(doc.at("interpreters").size() == 2);
  CHECK(doc.at("interpreters")[1].at("measured") == false);
  CHECK(doc.at("interpreters")[1].at("error").get<std::string>().find("/nonexistent/python3") != std::string::npos);
}

TEST_CASE("bench --claims --python all: finds the interpreters of PATH and pyenv, an unsupported one says why") {
  TempDir d;
  // A pyenv root holding one "2.7" that answers as measure_objects.py does
  // on 2.7 (one line, status 3), and an empty PATH.
  const std::string root = d.file("pyenv");
  const std::string bin = root + "/versions/2.7.18/bin";
  REQUIRE(std::system(("mkdir -p " + bin).c_str()) == 0);
  {
    std::ofstream f(bin + "/python");
    f << "#!/bin/sh\necho 'measure_objects.py: Python 2.7 is not supported (it needs CPython 3.6 or later)' >&2\n"
         "exit 3\n";
  }
  REQUIRE(std::system(("chmod +x " + bin + "/python").c_str()) == 0);
  const auto r = run_with_env(d, "PATH=/nonexistent HOME=/nonexistent PYENV_ROOT=" + root,
                              kSmall + "--python all --python-quick");
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("versions/2.7.18/bin/python: not measured: " + bin +
                   "/python " + std::string(SLOTSIM_SOURCE_DIR) + "/assets/python/measure_objects.py: exit status 3 "
                   "(measure_objects.py: Python 2.7 is not supported") != std::string::npos);
  const auto none = run_with_env(d, "PATH=/nonexistent HOME=/nonexistent PYENV_ROOT=/nonexistent",
                                 kSmall + "--python all");
  CHECK(none.code != 0);
  CHECK(none.err.find("--python all: no Python interpreter found") != std::string::npos);
}

TEST_CASE("bench --claims without --python: the models only, and how to add the interpreters") {
  TempDir d;
  const auto r = slotsim::testing::run_cli(d, kSmall);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("CPython: not asked (add --python, --python LIST or --python all)") != std::string::npos);
  std::string header;
  const auto rows = table_rows(r.out, &header);
  REQUIRE(rows.size() == 8);
  for (const std::string& row : rows) CHECK(cells(row) == 5);
}

TEST_CASE("bench --python: bad input is one line and non-zero") {
  TempDir d;
  auto r = slotsim::testing::run_cli(d, "bench --python");
  CHECK(r.code != 0);
  CHECK(r.err.find("--python: only with --claims") != std::string::npos);
  r = slotsim::testing::run_cli(d, "bench --claims --claims-sample 5");
  CHECK(r.code == 2);
  CHECK(r.err.find("--claims-sample '5': expected a whole number from 100") != std::string::npos);
  r = slotsim::testing::run_cli(d, "bench --claims --python a,,b");
  CHECK(r.code == 2);
  CHECK(r.err.find("--python: an empty name in the list 'a,,b'") != std::string::npos);
}
