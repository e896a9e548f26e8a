// The line batch prints while a step runs long (app/step_heartbeat.hpp),
// with short intervals and a file for its output: said once the step has run
// `first`, repeated, silent outside a step and when off.
#include "app/step_heartbeat.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "sim/fixtures.hpp"

using slotsim::app::StepHeartbeat;
using slotsim::testing::read_text;
using slotsim::testing::TempDir;
using namespace std::chrono_literals;

namespace {

int lines_in(const std::string& path) {
  const std::string t = read_text(path);
  int n = 0;
  for (char c : t) n += c == '\n';
  return n;
}

// Waits (up to 20 s, for a loaded machine) until `path` has at least n lines.
bool wait_for_lines(const std::string& path, int n) {
  for (int i = 0; i < 2000; ++i) {
    if (lines_in(path) >= n) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

// A file the heartbeat writes to, in a unique temporary folder.
struct Out {
  TempDir d;
  std::string path = d.file("hb.txt");
  std::FILE* f = std::fopen(path.c_str(), "w");
  ~Out() {
    if (f) std::fclose(f);
  }
};

}  // namespace

TEST_CASE("step heartbeat: a long step is said, with its number and time so far, again and again") {
  Out out;
  const std::string& path = out.path;
  REQUIRE(out.f);
  {
    StepHeartbeat hb(true, 7, 50ms, 50ms, out.f);
    std::this_thread::sleep_for(200ms);
    CHECK(lines_in(path) == 0);  // no step running: nothing to say
    hb.begin(2);
    REQUIRE(wait_for_lines(path, 2));
    hb.end();
    const int said = lines_in(path);
    std::this_thread::sleep_for(200ms);
    CHECK(lines_in(path) == said);  // the step ended: quiet again
  }
  std::fflush(out.f);
  const std::string t = read_text(path);
  CHECK(t.rfind("step 3/7 still running: ", 0) == 0);
  CHECK(t.find(" s so far\n") != std::string::npos);
}

TEST_CASE("step heartbeat: a step shorter than `first` says nothing, and off says nothing") {
  Out out;
  REQUIRE(out.f);
  {
    StepHeartbeat quick(true, 3, 10s, 10s, out.f);
    quick.begin(0);
    std::this_thread::sleep_for(100ms);
    quick.end();
    StepHeartbeat off(false, 3, 1ms, 1ms, out.f);
    off.begin(0);
    std::this_thread::sleep_for(100ms);
    off.end();
  }
  std::fflush(out.f);
  CHECK(read_text(out.path).empty());
}
