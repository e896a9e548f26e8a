// End to end with real input: tests/ui/e2e/input_driver.sh starts `slotsim
// gui` and sends X events through xdotool (drag, right drag,
// wheel, the layout keys, Space, '.', F1, R); this checks their effect in
// the frame log, row by row around each event. No timing verdicts: the
// driver waits for effects, and the checks only compare states.
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "sim/fixtures.hpp"
#include "sim/layouts/layout.hpp"
#include "sim/scenes/scene.hpp"

namespace fs = std::filesystem;
using namespace slotsim;
using slotsim::testing::read_text;

namespace {

double scene_dt(const std::string& name) {
  for (const SceneInfo& s : scene_list())
    if (s.name == name) return s.default_dt;
  return 0;
}
// As the frame log prints it (%.6g).
std::string dt_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

struct Row {
  long frame = 0;
  std::string layout;
  bool busy = false;
  std::size_t particles = 0;
  unsigned long long steps = 0;
  bool paused = false, overlay = true;
  double yaw = 0, pitch = 0, distance = 0, tx = 0, ty = 0, tz = 0;
  double dt = 0;
};

struct InputRun {
  int status = -1;
  std::string err;   // the driver's and the GUI's stderr
  std::string xvfb;  // the X server's log (tests/ui/e2e/with_xvfb.sh)
  std::vector<Row> rows;
  std::map<std::string, std::size_t> events;  // name -> rows written before it
  fs::path dir;
  std::string out;  // the GUI's stdout
};

const InputRun& input_run() {
  static const InputRun run = [] {
    InputRun r;
    const fs::path dir = GUI_INPUT_DIR;
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::string layouts;
    for (int k = 0; k < std::min(kNumLayouts, 9); ++k)
      layouts.append(" '").append(layout_name(kAllLayouts[static_cast<std::size_t>(k)])).append("'");
    std::ostringstream cmd;
    cmd << "COLLISION_DT=" << dt_text(scene_dt("collision")) << " bash '" << WITH_XVFB << "' '" << (dir / "xvfb.log").string() << "' -s '-screen 0 1280x800x24' -- bash '"
        << INPUT_DRIVER << "' '" << SLOTSIM_BINARY
        << "' '" << dir.string() << "'" << layouts << " 2> '" << (dir / "driver.err").string() << "'";
    const int rc = std::system(cmd.str().c_str());
    r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    r.err = read_text(dir / "driver.err") + read_text(dir / "gui.err");
    r.out = read_text(dir / "gui.out");
    r.dir = dir;
    r.xvfb = read_text(dir / "xvfb.log");
    std::ifstream log(dir / "frames.csv");
    std::string line;
    std::getline(log, line);  // header
    while (std::getline(log, line)) {
      std::vector<std::string> f;
      std::stringstream ss(line);
      std::string cell;
      while (std::getline(ss, cell, ',')) f.push_back(cell);
      if (f.size() != 26) continue;  // a row being written as the GUI was stopped
      Row x;
      x.frame = std::stol(f[0]);
      x.layout = f[3];
      x.busy = f[5] == "1";
      x.particles = std::stoull(f[6]);
      x.steps = std::stoull(f[9]);
      x.paused = f[10] == "1";
      x.overlay = f[11] == "1";
      x.yaw = std::stod(f[12]);
      x.pitch = std::stod(f[13]);
      x.distance = std::stod(f[14]);
      x.tx = std::stod(f[15]);
      x.ty = std::stod(f[16]);
      x.tz = std::stod(f[17]);
      x.dt = std::stod(f[21]);
      r.rows.push_back(x);
    }
    std::ifstream ev(dir / "events.txt");
    std::string name;
    std::size_t n = 0;
    while (ev >> name >> n) r.events[name] = n;
    return r;
  }();
  return run;
}

// The last row written before event `name` was sent.
const Row& before(const InputRun& r, const std::string& name) {
  const auto it = r.events.find(name);
  REQUIRE(it != r.events.end());
  REQUIRE(it->second >= 1);
  REQUIRE(it->second <= r.rows.size());
  return r.rows[it->second - 1];
}

double target_shift(const Row& a, const Row& b) {
  return std::abs(a.tx - b.tx) + std::abs(a.ty - b.ty) + std::abs(a.tz - b.tz);
}

}  // namespace

TEST_CASE("gui input: the driver found the window and every event was sent") {
  const InputRun& r = input_run();
  INFO("stderr: " << r.err);
  INFO("Xvfb log: " << r.xvfb);
  REQUIRE(r.status == 0);
  for (const char* e : {"orbit", "pan", "zoom", "reset", "key1", "pause", "step", "resume", "f1_hide", "f1_show", "end"})
    CHECK(r.events.count(e) == 1);
  REQUIRE(!r.rows.empty());
  CHECK(r.rows.back().particles == 20000);
}

TEST_CASE("gui input: left drag orbits, right drag pans, the wheel zooms, R resets") {
  const InputRun& r = input_run();
  INFO("stderr: " << r.err);
  INFO("Xvfb log: " << r.xvfb);
  REQUIRE(r.status == 0);
  const Row &o0 = before(r, "orbit"), &o1 = before(r, "pan");
  CHECK(std::abs(o1.yaw - o0.yaw) > 0.05);  // 80 px of drag
  CHECK(target_shift(o0, o1) < 1e-6);       // orbiting does not move the target
  const Row& p1 = before(r, "zoom");
  CHECK(target_shift(o1, p1) > 1e-4);
  CHECK(p1.yaw == doctest::Approx(o1.yaw));
  const Row& z1 = before(r, "reset");
  CHECK(z1.distance < p1.distance * 0.9);  // three wheel steps closer (0.85 each)
  const Row& r1 = before(r, "key1");
  // Back to the view fitted at the start.
  CHECK(r1.yaw == doctest::Approx(o0.yaw));
  CHECK(r1.distance == doctest::Approx(o0.distance));
  CHECK(target_shift(r1, o0) < 1e-4);
}

TEST_CASE("gui input: keys 1..N switch to the layouts in order") {
  const InputRun& r = input_run();
  INFO("stderr: " << r.err);
  INFO("Xvfb log: " << r.xvfb);
  REQUIRE(r.status == 0);
  for (int k = 1; k <= std::min(kNumLayouts, 9); ++k) {
    CAPTURE(k);
    std::string next = "key";
    next += std::to_string(k + 1);
    const Row& after = before(r, r.events.count(next) ? next : "pause");
    CHECK(after.layout == std::string(layout_name(kAllLayouts[static_cast<std::size_t>(k - 1)])));
  }
}

TEST_CASE("gui input: Space pauses and resumes, '.' steps once while paused") {
  const InputRun& r = input_run();
  INFO("stderr: " << r.err);
  INFO("Xvfb log: " << r.xvfb);
  REQUIRE(r.status == 0);
  CHECK_FALSE(before(r, "pause").paused);
  const Row &p = before(r, "step"), &s = before(r, "resume");
  CHECK(p.paused);
  CHECK(s.paused);
  CHECK(s.steps == p.steps + 1);
  CHECK_FALSE(before(r, "f1_hide").paused);
}

TEST_CASE("gui input: F1 hides and shows the overlay") {
  const InputRun& r = input_run();
  INFO("stderr: " << r.err);
  INFO("Xvfb log: " << r.xvfb);
  REQUIRE(r.status == 0);
  CHECK(before(r, "f1_hide").overlay);
  CHECK_FALSE(before(r, "f1_show").overlay);
  CHECK(before(r, "end").overlay);
}

TEST_CASE("gui input: ten quick clicks on Step, each a press and release with no hold, are ten steps") {
  const InputRun& r = input_run();
  INFO("stderr: " << r.err);
  REQUIRE(r.status == 0);
  const Row &a = before(r, "quick_clicks"), &b = before(r, "quick_clicks_done");
  CHECK(a.paused);
  CHECK(b.paused);
  CHECK(b.steps == a.steps + 10);
}

TEST_CASE("gui input: Respawn into another scene brings its dt, and Apply dt after it keeps it") {
  const InputRun& r = input_run();
  INFO("stderr: " << r.err);
  REQUIRE(r.status == 0);
  REQUIRE(scene_dt("plummer") != scene_dt("collision"));
  CHECK(before(r, "respawn").dt == doctest::Approx(scene_dt("plummer")));
  CHECK(before(r, "apply_dt").dt == doctest::Approx(scene_dt("collision")));
  // The dt field followed the scene: applying it changes nothing.
  CHECK(before(r, "apply_dt_done").dt == doctest::Approx(scene_dt("collision")));
}

TEST_CASE("gui input: Screenshot, Save snapshot and Export write into the output folder, named in full") {
  const InputRun& r = input_run();
  INFO("stderr: " << r.err);
  INFO("stdout: " << r.out);
  REQUIRE(r.status == 0);
  const fs::path out = r.dir / "out";  // --out-dir out: created by the first save
  REQUIRE(fs::is_directory(out));
  std::map<std::string, int> by_ext;
  for (const auto& e : fs::directory_iterator(out)) {
    ++by_ext[e.path().extension().string()];
    // Every message names the file by its full path.
    CHECK(r.out.find(fs::absolute(e.path()).lexically_normal().string()) != std::string::npos);
  }
  CHECK(by_ext[".png"] == 1);
  CHECK(by_ext[".h5"] == 1);
  CHECK(by_ext[".csv"] == 1);
  CHECK(by_ext.size() == 3);
}

TEST_CASE("gui input: Escape closes the window and the GUI exits 0, its summary printed") {
  const InputRun& r = input_run();
  INFO("stderr: " << r.err);
  REQUIRE(r.status == 0);
  REQUIRE(r.events.count("exit") == 1);
  CHECK(r.events.at("exit") == 0);
  CHECK(r.out.find("frames; frame time median") != std::string::npos);
}
