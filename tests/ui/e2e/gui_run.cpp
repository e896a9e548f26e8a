// End to end: the real `slotsim gui` under a virtual X server of its own
// (tests/ui/e2e/with_xvfb.sh),
// scripted through every layout, then its screenshots and frame log checked
// against what the simulation core reports for the same particles.
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <SFML/Graphics/Image.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "render/palette.hpp"
#include "sim/fixtures.hpp"
#include "sim/system.hpp"

namespace fs = std::filesystem;
using namespace slotsim;
using slotsim::testing::read_text;

namespace {

constexpr std::size_t kParticles = 100000;
constexpr unsigned kWidth = 1280, kHeight = 800;
// The last stage is the inheritance preset (`inherit tag`): soa records
// become instances of a subclass without __slots__ (slots+dict) whose
// __init__ sets `tag` on every one, published as one step.
const std::vector<std::string> kSequence = {"soa", "dict", "slots", "slots+dict", "aos", "soa",
                                            "slots+dict"};

struct GuiRun {
  int status = -1;
  std::string out, err, xvfb;  // xvfb: the server's log, shown on failure
  fs::path dir;
};

// The GUI runs once; every test case below reads its results.
const GuiRun& gui_run() {
  static const GuiRun run = [] {
    GuiRun r;
    r.dir = GUI_RUN_DIR;
    fs::remove_all(r.dir);
    fs::create_directories(r.dir);
    // --dt 0.001, not the scene's GUI default (0.02): free streaming at
    // thousands of steps a second would scatter the sphere out of the
    // screenshot check's box by the last frame.
    const std::string cmd =
        "cd '" + r.dir.string() + "' && bash '" + WITH_XVFB + "' xvfb.log -- '" + SLOTSIM_BINARY +
        "' gui --scene plummer --particles " + std::to_string(kParticles) +
        " --solver none --dt 0.001 --seed 1 --layout soa --frames 60 --render splat"
        " --width " + std::to_string(kWidth) + " --height " + std::to_string(kHeight) +
        " --script 'at 10 layout dict; at 20 layout slots; at 25 screenshot mid.png;"
        " at 30 layout slots+dict; at 40 layout aos; at 50 layout soa; at 55 inherit tag'"
        " --screenshot end.png --frame-log frames.csv > out.txt 2> err.txt";
    const int rc = std::system(cmd.c_str());
    r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    r.out = read_text(r.dir / "out.txt");
    r.err = read_text(r.dir / "err.txt");
    r.xvfb = read_text(r.dir / "xvfb.log");
    return r;
  }();
  return run;
}

struct LogRow {
  long frame;
  std::string layout;
  double bytes_per_particle;
  std::size_t particles;
  long long layout_bytes;
};

std::vector<LogRow> read_log(const fs::path& p) {
  std::ifstream in(p);
  std::string line;
  std::getline(in, line);
  REQUIRE(line.rfind("frame,frame_ms,sim_step_ms,layout,bytes_per_particle,busy,", 0) == 0);
  std::vector<LogRow> rows;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) f.push_back(cell);
    REQUIRE(f.size() == 26);
    rows.push_back({std::stol(f[0]), f[3], std::stod(f[4]), std::stoull(f[6]), std::stoll(f[7])});
  }
  return rows;
}

// How far a pixel is from the background colour (max over channels).
int off_background(const sf::Color& c) {
  const int bg[3] = {int(render::kBackground[0] * 255 + 0.5f), int(render::kBackground[1] * 255 + 0.5f),
                     int(render::kBackground[2] * 255 + 0.5f)};
  return std::max({std::abs(c.r - bg[0]), std::abs(c.g - bg[1]), std::abs(c.b - bg[2])});
}

}  // namespace

TEST_CASE("gui run: exits 0, ran every script action, and printed no errors") {
  const GuiRun& r = gui_run();
  INFO("stdout: " << r.out);
  INFO("stderr: " << r.err);
  INFO("Xvfb log: " << r.xvfb);
  REQUIRE(r.status == 0);
  CHECK(r.err.empty());
  for (const char* s : {"at 10 layout dict", "at 50 layout soa", "at 55 inherit tag"})
    CHECK(r.out.find(s) != std::string::npos);
  // Files named on the command line are where it says, and named in full.
  for (const char* f : {"mid.png", "end.png"})
    CHECK(r.out.find("saved " + fs::absolute(r.dir / f).lexically_normal().string()) != std::string::npos);
}

TEST_CASE("gui run: screenshots show particles in the scene and text in the overlay") {
  const GuiRun& r = gui_run();
  INFO("stderr: " << r.err);
  INFO("Xvfb log: " << r.xvfb);
  REQUIRE(r.status == 0);
  for (const char* name : {"mid.png", "end.png"}) {
    CAPTURE(name);
    sf::Image img;
    REQUIRE(img.loadFromFile((r.dir / name).string()));
    REQUIRE(img.getSize() == sf::Vector2u(kWidth, kHeight));

    // The middle of the particle view (between the side columns, above the
    // bottom strip: ui/widgets.hpp's panel_layout, whose strip is 36% of the
    // height, at least 220 px, with 8 px margins) is scene: most of it must
    // be particles, not background.
    const unsigned strip = std::max(220u, unsigned(kHeight * 0.36));
    const unsigned view_mid = 8 + (kHeight - 24 - strip) / 2;
    int lit = 0, total = 0;
    // +-50 px: the fitted sphere's core in a 488 px high view.
    for (unsigned y = view_mid - 50; y < view_mid + 50; ++y)
      for (unsigned x = kWidth / 2 - 50; x < kWidth / 2 + 50; ++x, ++total)
        lit += off_background(img.getPixel(x, y)) > 8;
    CHECK(lit > total / 4);

    // The Memory panel's first rows (top left): near-white glyphs. Particles
    // behind the panel are dimmed by its background and cannot reach this.
    int text = 0;
    for (unsigned y = 30; y < 200; ++y)
      for (unsigned x = 10; x < 300; ++x) {
        const sf::Color c = img.getPixel(x, y);
        text += std::min({c.r, c.g, c.b}) > 180;
      }
    CHECK(text > 300);
  }
}

TEST_CASE("gui run: the frame log follows the script and matches the System's bytes") {
  const GuiRun& r = gui_run();
  INFO("stderr: " << r.err);
  INFO("Xvfb log: " << r.xvfb);
  REQUIRE(r.status == 0);
  std::vector<LogRow> rows = read_log(r.dir / "frames.csv");
  CHECK(rows.size() >= 60);
  // Frames before the first particles were published carry no layout data.
  rows.erase(std::remove_if(rows.begin(), rows.end(), [](const LogRow& x) { return x.particles == 0; }),
             rows.end());
  REQUIRE(!rows.empty());

  std::vector<std::string> seen;
  for (const LogRow& x : rows)
    if (seen.empty() || seen.back() != x.layout) seen.push_back(x.layout);
  CHECK(seen == kSequence);

  // The same particles through the same conversions, in the core directly.
  SimConfig cfg;
  cfg.scene = "plummer";
  cfg.particles = kParticles;
  cfg.seed = 1;
  cfg.layout = Layout::Soa;
  cfg.solver = "none";
  System ref(cfg);
  std::vector<long long> expected;
  for (std::size_t k = 0; k < kSequence.size(); ++k) {
    ref.switch_layout(*parse_layout(kSequence[k]));
    if (k + 1 == kSequence.size()) ref.set_attr_all("tag", 1.0);
    expected.push_back(ref.bytes().total());
  }
  std::size_t stage = 0;
  for (const LogRow& x : rows) {
    if (x.layout != kSequence[stage]) ++stage;
    REQUIRE(stage < kSequence.size());
    CAPTURE(x.frame);
    CAPTURE(x.layout);
    CHECK(x.particles == kParticles);
    CHECK(x.layout_bytes == expected[stage]);
    CHECK(x.bytes_per_particle == doctest::Approx(double(expected[stage]) / kParticles).epsilon(1e-6));
  }
  // And the layouts do differ: a dict costs more per particle than slots,
  // and the subclass's tables more than the bare slots+dict objects.
  CHECK(expected[1] > expected[2]);
  CHECK(expected[6] > expected[3]);
}

TEST_CASE("gui run: particles that cannot fit are one error line and exit status 1") {
  // Three billion particles need ~160 GiB in any layout: the System refuses
  // before allocating, after the window opened.
  const fs::path dir = fs::path(GUI_RUN_DIR) / "refused";
  fs::create_directories(dir);
  const std::string cmd = "cd '" + dir.string() + "' && bash '" + WITH_XVFB + "' xvfb.log -- '" + SLOTSIM_BINARY +
                          "' gui --particles 3000000000 --solver none --frames 5 > out.txt 2> err.txt";
  const int rc = std::system(cmd.c_str());
  const std::string err = read_text(dir / "err.txt");
  INFO("stderr: " << err);
  INFO("Xvfb log: " << read_text(dir / "xvfb.log"));
  CHECK((WIFEXITED(rc) ? WEXITSTATUS(rc) : -1) == 1);
  CHECK(std::count(err.begin(), err.end(), '\n') == 1);
  CHECK(err.rfind("slotsim gui: error: ", 0) == 0);
}
