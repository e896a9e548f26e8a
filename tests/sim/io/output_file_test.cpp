// sim/io/output_file.cpp: check_distinct_paths on the targets check_output
// resolved (each path's symlinks followed once, by check_output).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "sim/fixtures.hpp"
#include "sim/io/output_file.hpp"

using slotsim::io::check_distinct_paths;
using slotsim::io::check_output;
using slotsim::testing::TempDir;

TEST_CASE("output paths: a symlink is compared by its target, devices may repeat, stdout may not") {
  TempDir d;
  const std::string in = d.file("in.csv"), a = d.file("a.json"), link = d.file("link.json");
  std::ofstream(in) << "x\n";
  std::filesystem::create_symlink(a, link);  // dangling: a.json does not exist yet

  // Two names for one new file: found through the resolved form alone.
  CHECK_THROWS_WITH_AS(check_distinct_paths({{"--json", check_output(a, "--json")},
                                             {"--csv", check_output(link, "--csv")}}, {}),
                       doctest::Contains("--json and --csv name the same file"), std::invalid_argument);
  // A link to the input.
  std::filesystem::remove(link);
  std::filesystem::create_symlink(in, link);
  CHECK_THROWS_WITH_AS(check_distinct_paths({{"--json", check_output(link, "--json")}}, {{"--ic", in}}),
                       doctest::Contains("would overwrite the input --ic"), std::invalid_argument);

  CHECK_NOTHROW(check_distinct_paths({{"--json", check_output(a, "--json")},
                                      {"--csv", check_output(d.file("b.csv"), "--csv")}}, {{"--ic", in}, {"--restart", ""}}));
  // One stream cannot carry two documents.
  CHECK_THROWS_WITH_AS(check_distinct_paths({{"--json", check_output("-", "--json")}, {"--csv", check_output("-", "--csv")}},
                                            {{"--ic", "-"}}),
                       doctest::Contains("--json and --csv both write to stdout"), std::invalid_argument);
  CHECK_NOTHROW(check_distinct_paths({{"--json", check_output("-", "--json")}}, {{"--ic", "-"}}));
  CHECK_NOTHROW(check_distinct_paths({{"--json", check_output("/dev/null", "--json")},
                                      {"--csv", check_output("/dev/null", "--csv")}}, {}));
}

TEST_CASE("output files: the atomic write replaces the file whole, leaves no temporary, reports a bad path") {
  // The GUI's Compare export writes through this too (ui/overlay.cpp).
  const TempDir dir;
  const std::string p = dir.file("table.csv");
  slotsim::io::write_file_atomic(p, "first\n");
  slotsim::io::write_file_atomic(p, "second\n");
  CHECK(slotsim::testing::read_text(p) == "second\n");
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    CAPTURE(e.path().string());
    ++entries;
  }
  CHECK(entries == 1);  // no NAME.tmp-XXXXXX left behind
  CHECK_THROWS_AS(slotsim::io::write_file_atomic(dir.file("no-such-dir/x.csv"), "x"), std::runtime_error);
  CHECK(slotsim::testing::read_text(p) == "second\n");
}
