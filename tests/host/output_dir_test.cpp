// The GUI's output folder (host/output_dir.hpp): checked at startup without
// creating anything, created on first use, new names never overwrite.
#include "host/output_dir.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "sim/fixtures.hpp"

using namespace slotsim;
using namespace slotsim::host;
namespace fs = std::filesystem;

TEST_CASE("output folder: the default is outside the working directory, under $HOME") {
  const std::string d = default_output_dir();
  CHECK(fs::path(d).is_absolute());
  if (const char* home = std::getenv("HOME"); home && *home) CHECK(d == (fs::path(home) / "slotsim-output").string());
}

TEST_CASE("output folder: checked at startup without creating it, refused where it cannot be made") {
  const testing::TempDir tmp;
  const std::string fresh = tmp.file("a/b/c");
  CHECK_NOTHROW(check_output_dir(fresh, "--out-dir"));
  CHECK_FALSE(fs::exists(tmp.file("a")));  // nothing created yet
  {
    std::ofstream(tmp.file("file")) << "x";
  }
  CHECK_THROWS_AS(check_output_dir(tmp.file("file"), "--out-dir"), std::invalid_argument);
  CHECK_THROWS_AS(check_output_dir(tmp.file("file/sub"), "--out-dir"), std::invalid_argument);
  CHECK_THROWS_AS(check_output_dir("", "--out-dir"), std::invalid_argument);
  if (::geteuid() != 0) {  // root writes anywhere
    fs::create_directories(tmp.file("ro"));
    ::chmod(tmp.file("ro").c_str(), 0555);
    CHECK_THROWS_AS(check_output_dir(tmp.file("ro/x"), "--out-dir"), std::invalid_argument);
    ::chmod(tmp.file("ro").c_str(), 0755);
  }
  try {
    check_output_dir(tmp.file("file"), "--out-dir");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()).find("--out-dir") == 0);  // names the flag
  }
}

TEST_CASE("output folder: created on first use, new names are unique, given names go inside") {
  const testing::TempDir tmp;
  const std::string dir = tmp.file("out/nested");
  const std::string a = new_output_file(dir, "slotsim", ".png");
  CHECK(fs::is_directory(dir));
  CHECK(fs::path(a).is_absolute());
  CHECK(fs::path(a).parent_path() == fs::absolute(dir).lexically_normal());
  CHECK(fs::path(a).filename().string().rfind("slotsim-", 0) == 0);
  std::ofstream(a) << "x";
  const std::string b = new_output_file(dir, "slotsim", ".png");  // same second: -2
  CHECK(b != a);
  CHECK(output_file(dir, "t.csv") == (fs::absolute(dir) / "t.csv").lexically_normal().string());
  CHECK(output_file(dir, "/abs/t.csv") == "/abs/t.csv");
  {
    std::ofstream(tmp.file("blocker")) << "x";
  }
  CHECK_THROWS_AS(ensure_output_dir(tmp.file("blocker/sub")), std::runtime_error);
}
