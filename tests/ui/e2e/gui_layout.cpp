// The clipping test: the real window, on a virtual X server of its own, at
// 1280x800 and 1920x1080 and at UI scales 1.0 and 1.5, with every folded
// section open, the Compare table filled by a tour, the Lessons measured and
// a claim's details open, runs the script's check-layout
// (ui/layout_audit.hpp) on the Compare tab and on the Lessons tab, each time
// on every page of the side columns and of the strip's tab (ui/pager.hpp;
// check-layout turns them),
// and must report no cut text: nothing past an edge, nothing behind a
// scroll bar. A deliberately cramped
// window (800x600 at scale 2) must report some: the check can fail. Each
// case keeps its screenshot in the build tree (gui_layout/).
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>

#include "sim/fixtures.hpp"

namespace fs = std::filesystem;
using slotsim::testing::read_text;

namespace {

struct LayoutRun {
  int status = -1;
  std::string out, err, xvfb;
};

LayoutRun run_layout(unsigned w, unsigned h, const char* scale) {
  const fs::path dir = fs::path(GUI_LAYOUT_DIR) / (std::to_string(w) + "x" + std::to_string(h) + "-" + scale);
  fs::remove_all(dir);
  fs::create_directories(dir);
  // 20,000 particles with pm: steps fast enough for a tour of one round.
  // The lessons first (the tour waits for them), then the sections and the
  // claim, then the check on a settled frame (the script waits for each).
  std::ostringstream cmd;
  cmd << "cd '" << dir.string() << "' && bash '" << WITH_XVFB << "' xvfb.log -s '-screen 0 " << w << "x" << h
      << "x24' -- '" << SLOTSIM_BINARY << "' gui --particles 20000 --width " << w << " --height " << h
      << " --ui-scale " << scale << " --out-dir out --frames 10"
      << " --script 'at 1 lessons; at 2 tour 2 1; at 3 set-attr charge 1; at 4 expand; at 5 show compare;"
         " at 6 check-layout; at 7 show lessons 1; at 8 check-layout; at 9 screenshot shot.png' > out.txt 2> err.txt";
  LayoutRun r;
  const int rc = std::system(cmd.str().c_str());
  r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  r.out = read_text(dir / "out.txt");
  r.err = read_text(dir / "err.txt");
  r.xvfb = read_text(dir / "xvfb.log");
  return r;
}

void check_fits(unsigned w, unsigned h, const char* scale) {
  const LayoutRun r = run_layout(w, h, scale);
  INFO("stdout: " << r.out);
  INFO("stderr: " << r.err);
  INFO("Xvfb log: " << r.xvfb);
  // Twice: with the Compare tab shown (its table filled by the tour), then
  // with the Lessons tab and a claim's details; each time one line per page
  // of the side columns, every one with 0 cut.
  const auto count = [&](const std::string& what) {
    int n = 0;
    for (auto at = r.out.find(what); at != std::string::npos; at = r.out.find(what, at + 1)) ++n;
    return n;
  };
  const int pages = count("check-layout at " + std::to_string(w) + "x" + std::to_string(h));
  CHECK(pages >= 2);
  CHECK(count("side page 1 of ") == 2);  // both checks, from the first page
  // The first check on the Compare tab, the second on the Lessons tab (a
  // check runs over several frames; the script waits for its end).
  CHECK(count("strip Compare 1 of ") >= 1);
  CHECK(count("strip Lessons 1 of ") >= 1);
  CHECK(count("; 0 cut") == pages);
  CHECK(r.out.find("cut: ") == std::string::npos);
  CHECK(r.status == 0);
}

}  // namespace

TEST_CASE("gui layout: nothing is cut at 1280x800, UI scale 1.0") { check_fits(1280, 800, "1.0"); }
// Met since the bottom strip pages too and leaves the side columns room for
// their tallest block (ui/widgets.hpp panel_layout(); docs/GUI.md).
TEST_CASE("gui layout: nothing is cut at 1280x800, UI scale 1.5") { check_fits(1280, 800, "1.5"); }
TEST_CASE("gui layout: nothing is cut at 1920x1080, UI scale 1.0") { check_fits(1920, 1080, "1.0"); }
TEST_CASE("gui layout: nothing is cut at 1920x1080, UI scale 1.5") { check_fits(1920, 1080, "1.5"); }

TEST_CASE("gui layout: a window too small for its scale is reported cut, and the exit status says so") {
  const LayoutRun r = run_layout(800, 600, "2.0");
  INFO("stdout: " << r.out);
  INFO("stderr: " << r.err);
  CHECK(r.out.find("cut: ") != std::string::npos);
  CHECK(r.out.find("; 0 cut") == std::string::npos);
  CHECK(r.status == 1);
}
