#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>

#include "sim/io/csv.hpp"
#include "tests/sim/fixtures.hpp"

using namespace slotsim;
using slotsim::testing::bitwise_equal;
using slotsim::testing::TempDir;

namespace {

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The CsvError message for reading `text` from a file called bad.csv.
std::string read_error(const TempDir& dir, const std::string& text) {
  const std::string path = dir.file("bad.csv");
  write_text(path, text);
  try {
    read_particles_csv(path);
  } catch (const CsvError& e) {
    return e.what();
  }
  return "(no error)";
}

void write_all(const std::string& path, const std::vector<ParticleRecord>& ps) {
  write_particles_csv(path, ps.size(), [&](std::size_t i) { return ps[i]; });
}

const std::string kHeader = "x,y,z,vx,vy,vz,mass\n";

}  // namespace

TEST_CASE("csv round trip is bit-exact") {
  TempDir dir;
  std::vector<ParticleRecord> ps = slotsim::testing::scene_particles("plummer", 300, 1);
  // Values whose shortest decimal form is awkward: extremes, subnormals,
  // negative zero, and numbers that need all 17 digits.
  ParticleRecord odd;
  odd.x = std::numeric_limits<double>::max();
  odd.y = -std::numeric_limits<double>::denorm_min();
  odd.z = -0.0;
  odd.vx = 0.1 + 0.2;
  odd.vy = std::nextafter(1.0, 2.0);
  odd.vz = -1e-300;
  odd.mass = std::numeric_limits<double>::min();
  ps.push_back(odd);
  const std::string path = dir.file("snap.csv");
  write_all(path, ps);
  CHECK(bitwise_equal(read_particles_csv(path), ps));
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST_CASE("csv reader tolerates CRLF, a BOM, no final newline and trailing blank lines") {
  TempDir dir;
  const std::string path = dir.file("ok.csv");
  write_text(path,
             "\xEF\xBB\xBFx,y,z,vx,vy,vz,mass\r\n1,2,3,4,5,6,0.5\r\n-1e-3,0,0,0,0,0,2\r\n\r\n\n");
  auto ps = read_particles_csv(path);
  REQUIRE(ps.size() == 2);
  CHECK(ps[0].z == 3);
  CHECK(ps[0].mass == 0.5);
  CHECK(ps[1].x == -1e-3);
  write_text(path, kHeader + "1,2,3,4,5,6,7");
  ps = read_particles_csv(path);
  REQUIRE(ps.size() == 1);
  CHECK(ps[0].mass == 7);
}

TEST_CASE("csv reader errors name file:line:column") {
  TempDir dir;
  const std::string f = dir.file("bad.csv");
  CHECK(read_error(dir, "") == f + ":1:1: empty file, expected header 'x,y,z,vx,vy,vz,mass'");
  CHECK(read_error(dir, kHeader) == f + ":2:1: no particles after the header");
  CHECK(read_error(dir, kHeader + "\n") == f + ":2:1: no particles after the header");
  CHECK(read_error(dir, "x,y,q,vx,vy,vz,mass\n1,2,3,4,5,6,7\n") ==
        f + ":1:3: expected header 'x,y,z,vx,vy,vz,mass', column 3 is 'q' instead of 'z'");
  CHECK(read_error(dir, "x,y,z,vx,vy,vz\n") ==
        f + ":1:7: expected header 'x,y,z,vx,vy,vz,mass', missing column 'mass'");
  CHECK(read_error(dir, "x,y,z,vx,vy,vz,mass,id\n") ==
        f + ":1:8: expected header 'x,y,z,vx,vy,vz,mass', unexpected extra column 'id'");
  CHECK(read_error(dir, "x, y, z, vx, vy, vz, mass\n").starts_with(f + ":1:2: "));
  CHECK(read_error(dir, kHeader + "1,2,3,4,5,6,1\n1,2,3,4,5\n") ==
        f + ":3:6: expected 7 fields, got 5");
  CHECK(read_error(dir, kHeader + "1,2,3,4,5,6,7,8\n") == f + ":2:8: expected 7 fields, got 8");
  CHECK(read_error(dir, kHeader + "1,2,abc,4,5,6,7\n") ==
        f + ":2:3: expected a number for 'z', got 'abc'");
  CHECK(read_error(dir, kHeader + "1,2,3,4x,5,6,7\n") ==
        f + ":2:4: expected a number for 'vx', got '4x'");
  CHECK(read_error(dir, kHeader + "1,,3,4,5,6,7\n") ==
        f + ":2:2: expected a number for 'y', got ''");
  CHECK(read_error(dir, kHeader + "1, 2,3,4,5,6,7\n") ==
        f + ":2:2: expected a number for 'y', got ' 2'");
  CHECK(read_error(dir, kHeader + "1,2,3,4,5,inf,7\n") ==
        f + ":2:6: expected a finite number for 'vz', got 'inf'");
  CHECK(read_error(dir, kHeader + "nan,2,3,4,5,6,7\n") ==
        f + ":2:1: expected a finite number for 'x', got 'nan'");
  CHECK(read_error(dir, kHeader + "1,2,3,4,5,6,1e999\n") ==
        f + ":2:7: number out of range: '1e999'");
  CHECK(read_error(dir, kHeader + "1,2,3,4,5,6,0\n") == f + ":2:7: mass must be positive, got '0'");
  CHECK(read_error(dir, kHeader + "1,2,3,4,5,6,-1\n") ==
        f + ":2:7: mass must be positive, got '-1'");
  CHECK(read_error(dir, kHeader + "1,2,3,4,5,6,7\n\n1,2,3,4,5,6,7\n") ==
        f + ":3:1: blank line before the end of the data");
}

TEST_CASE("csv error messages are one line") {
  TempDir dir;
  const std::string msg = read_error(dir, kHeader + "1,2,3,4,5,6,\x01\x02\r\n");
  CHECK(msg.find('\n') == std::string::npos);
  CHECK(msg.find('\r') == std::string::npos);
  CHECK(msg.find('\x01') == std::string::npos);
}

TEST_CASE("csv reader: missing file and directory") {
  TempDir dir;
  const std::string missing = dir.file("nope.csv");
  try {
    read_particles_csv(missing);
    FAIL("no exception");
  } catch (const CsvError& e) {
    CHECK(std::string(e.what()).starts_with(missing + ":1:1: cannot open"));
  }
  CHECK_THROWS_AS(read_particles_csv(dir.path().string()), CsvError);
}

TEST_CASE("csv write failures throw and leave the old file untouched") {
  TempDir dir;
  const std::string path = dir.file("snap.csv");
  const std::string before = kHeader + "1,2,3,4,5,6,7\n";
  write_text(path, before);
  const auto ps = slotsim::testing::scene_particles("cold-cube", 50, 1);

  SUBCASE("directory does not exist") {
    const std::string elsewhere = dir.file("no/such/dir/snap.csv");
    CHECK_THROWS_AS(write_all(elsewhere, ps), std::runtime_error);
    CHECK_FALSE(std::filesystem::exists(elsewhere));
  }
  SUBCASE("a file of the user's named like the old temporary is never touched") {
    write_text(path + ".tmp", "mine");
    write_all(path, ps);
    CHECK(read_text(path + ".tmp") == "mine");
    CHECK(read_particles_csv(path).size() == ps.size());
    std::filesystem::remove(path + ".tmp");
    write_text(path, before);
  }
  SUBCASE("the particle source throws mid-way") {
    auto get = [&](std::size_t i) {
      if (i == 30) throw std::runtime_error("source gone");
      return ps[i];
    };
    CHECK_THROWS_WITH(write_particles_csv(path, ps.size(), get), "source gone");
    CHECK(slotsim::testing::stray_temporaries(dir.path()) == 0);
  }
  SUBCASE("a value the reader would reject") {
    auto with_nan = ps;
    with_nan[7].vy = NAN;
    CHECK_THROWS_AS(write_all(path, with_nan), std::runtime_error);
    auto massless = ps;
    massless[3].mass = 0;
    CHECK_THROWS_AS(write_all(path, massless), std::runtime_error);
    CHECK(slotsim::testing::stray_temporaries(dir.path()) == 0);
  }
  SUBCASE("rename onto a directory fails") {
    const std::string target = dir.file("adir");
    std::filesystem::create_directory(target);
    write_text(target + "/keep", "x");
    CHECK_THROWS_AS(write_all(target, ps), std::runtime_error);
    CHECK(slotsim::testing::stray_temporaries(dir.path()) == 0);
    CHECK(read_text(target + "/keep") == "x");
  }
  CHECK(read_text(path) == before);
}

TEST_CASE("csv write error message is one line and names the path") {
  TempDir dir;
  const std::string path = dir.file("no/dir/out.csv");
  try {
    write_particles_csv(path, 1, [](std::size_t) { return ParticleRecord{0, 0, 0, 0, 0, 0, 1}; });
    FAIL("no exception");
  } catch (const std::runtime_error& e) {
    const std::string msg = e.what();
    CHECK(msg.starts_with("cannot write '" + path + "'"));
    CHECK(msg.find('\n') == std::string::npos);
  }
}

TEST_CASE("solar_system.csv asset loads: Sun plus eight planets in G = 1 units") {
  const auto ps = read_particles_csv(SLOTSIM_SOURCE_DIR "/assets/scenes/solar_system.csv");
  REQUIRE(ps.size() == 9);
  CHECK(ps[0].mass == 1.0);
  double px = 0, py = 0;
  for (const ParticleRecord& p : ps) {
    px += p.mass * p.vx;
    py += p.mass * p.vy;
  }
  CHECK(std::abs(px) < 1e-15);
  CHECK(std::abs(py) < 1e-15);
  // Earth (particle 3, after Mercury and Venus): 1 AU from the Sun, moving
  // at about the circular speed sqrt(G M / r) = 1 in these units.
  const ParticleRecord& sun = ps[0];
  const ParticleRecord& earth = ps[3];
  const double r = std::hypot(earth.x - sun.x, earth.y - sun.y);
  const double v = std::hypot(earth.vx - sun.vx, earth.vy - sun.vy);
  CHECK(std::abs(r - 1.0) < 0.01);
  CHECK(std::abs(v - 1.0) < 0.01);
  for (std::size_t i = 1; i < ps.size(); ++i) CHECK(ps[i].mass < 1e-3);
}
