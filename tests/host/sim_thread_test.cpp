#include <doctest/doctest.h>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "sim/fixtures.hpp"
#include "sim/io/hdf5_snapshot.hpp"
#include "sim/step_phases.hpp"
#include "sim/system.hpp"
#include "host/command_handlers.hpp"
#include "host/sim_thread.hpp"

using namespace slotsim;
using namespace slotsim::host;

namespace {
SimConfig small_config() {
  SimConfig c;
  c.scene = "plummer";
  c.particles = 3000;
  c.seed = 5;
  c.layout = Layout::Soa;
  c.solver = "none";
  return c;
}

// Acquires frames until `seq` is applied and the thread is idle; the
// front frame then carries that command's result.
const SimFrame& wait_applied(SimThread& t, std::uint64_t seq) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    t.acquire();
    const SimFrame& f = t.front();
    if (t.started() && f.stats.applied_seq >= seq && !t.progress().busy) return f;
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

const CommandResult* result_of(const SimFrame& f, std::uint64_t seq) {
  for (const auto& r : f.stats.results)
    if (r.seq == seq) return &r;
  return nullptr;
}
}  // namespace

TEST_CASE("sim thread: published positions and bytes are the System's own") {
  const SimConfig cfg = small_config();
  SimThread t(cfg, /*start_paused=*/true);
  const SimFrame& f0 = wait_applied(t, 0);
  REQUIRE(f0.stats.has_system);
  System ref(cfg);
  CHECK(f0.stats.n == ref.size());
  std::vector<float> xyz(3 * ref.size()), speed(ref.size());
  ref.positions_float(xyz.data(), speed.data());
  CHECK(std::vector<float>(f0.xyz.begin(), f0.xyz.end()) == xyz);
  CHECK(std::vector<float>(f0.speed.begin(), f0.speed.end()) == speed);

  for (Layout l : kAllLayouts) {
    CAPTURE(layout_name(l));
    const SimFrame& f = wait_applied(t, t.post(cmd::SwitchLayout{l}));
    ref.switch_layout(l);
    CHECK(f.stats.layout == l);
    testing::check_same_counts(f.stats.bytes, ref.bytes());  // the two Systems live on different threads
    CHECK(f.stats.steps == 0);  // paused: conversions do not step
  }
}

TEST_CASE("sim thread: set-attr reports AttributeError on slots and the cost elsewhere") {
  SimConfig cfg = small_config();
  cfg.layout = Layout::Slots;
  SimThread t(cfg, true);
  wait_applied(t, 0);

  std::uint64_t seq = t.post(cmd::SetAttr{std::nullopt, "charge", 1.0});
  const SimFrame& f1 = wait_applied(t, seq);
  const CommandResult* r = result_of(f1, seq);
  REQUIRE(r);
  CHECK(!r->ok);
  CHECK(r->text.find("AttributeError") != std::string::npos);
  CHECK(r->text.find("charge") != std::string::npos);
  CHECK(r->bytes_after == r->bytes_before);

  // soa: a new whole column.
  wait_applied(t, t.post(cmd::SwitchLayout{Layout::Soa}));
  seq = t.post(cmd::SetAttr{std::nullopt, "charge", 1.0});
  const SimFrame& f2 = wait_applied(t, seq);
  r = result_of(f2, seq);
  REQUIRE(r);
  CHECK(r->ok);
  CHECK(r->bytes_after > r->bytes_before);
  CHECK(r->bytes_after == f2.stats.bytes.total());

  // dict: the attribute moves with the particles and is on every one.
  const SimFrame& f3 = wait_applied(t, t.post(cmd::SwitchLayout{Layout::Dict}));
  REQUIRE(f3.stats.dynamic_attrs.size() == 1);
  CHECK(f3.stats.dynamic_attrs[0].name == "charge");
  CHECK(f3.stats.dynamic_attrs[0].count == cfg.particles);
}

TEST_CASE("sim thread: the inheritance preset reports the reference System's bytes") {
  SimConfig cfg = small_config();
  cfg.layout = Layout::Slots;
  SimThread t(cfg, true);
  wait_applied(t, 0);

  std::uint64_t seq = t.post(cmd::Inherit{"tag", 1.0});
  const SimFrame& f1 = wait_applied(t, seq);
  const CommandResult* r = result_of(f1, seq);
  REQUIRE(r);
  CHECK(r->ok);
  CHECK(r->is<cmd::Inherit>());
  CHECK(r->command_name == "inherit");
  CHECK(!r->is<cmd::SetAttr>());
  CHECK(r->attr == "tag");
  CHECK(r->inherit_from == Layout::Slots);

  System ref(cfg);
  CHECK(r->bytes_before == ref.bytes().total());
  ref.switch_layout(Layout::SlotsDict);
  CHECK(r->bytes_subclass == ref.bytes().total());
  ref.set_attr_all("tag", 1.0);
  CHECK(r->bytes_after == ref.bytes().total());
  CHECK(f1.stats.bytes.total() == ref.bytes().total());
  CHECK(f1.stats.layout == Layout::SlotsDict);
  CHECK(f1.stats.steps == 0);  // paused: one command, no step in between
  REQUIRE(f1.stats.dynamic_attrs.size() == 1);
  CHECK(f1.stats.dynamic_attrs[0].name == "tag");
  CHECK(f1.stats.dynamic_attrs[0].count == cfg.particles);

  // Now the particles have a __dict__: nothing to demonstrate, nothing changes.
  seq = t.post(cmd::Inherit{"tag", 1.0});
  const SimFrame& f2 = wait_applied(t, seq);
  r = result_of(f2, seq);
  REQUIRE(r);
  CHECK(!r->ok);
  CHECK(r->is<cmd::Inherit>());
  CHECK(r->text.find("already have a __dict__") != std::string::npos);
  CHECK(r->bytes_after == r->bytes_before);
  CHECK(f2.stats.layout == Layout::SlotsDict);
}

TEST_CASE("sim thread: respawn replaces the particles, a refused one keeps the count") {
  SimThread t(small_config(), true);
  const std::uint64_t spawn0 = wait_applied(t, 0).stats.spawn_id;

  std::uint64_t seq = t.post(cmd::Respawn{"cold-cube", 5000, 3});
  const SimFrame& f1 = wait_applied(t, seq);
  CHECK(f1.stats.n == 5000);
  CHECK(f1.stats.scene == "cold-cube");
  CHECK(f1.stats.spawn_id == spawn0 + 1);
  CHECK(f1.xyz.size() == 3 * 5000);

  // Some state a restart would lose: steps taken and a dynamic attribute.
  wait_applied(t, t.post(cmd::StepOnce{}));
  const SimFrame& fs = wait_applied(t, t.post(cmd::StepOnce{}));
  const std::uint64_t steps_before = fs.stats.steps;
  CHECK(steps_before == 2);
  wait_applied(t, t.post(cmd::SwitchLayout{Layout::Dict}));
  wait_applied(t, t.post(cmd::SetAttr{std::size_t{7}, "charge", 2.5}));

  // No machine this runs on has the ~160 GiB three billion particles need.
  // The memory plan refuses it before anything is freed, so the running
  // simulation is exactly as it was (issue 8: it used to be restarted).
  seq = t.post(cmd::Respawn{"plummer", 3'000'000'000ull, 1});
  const SimFrame& f2 = wait_applied(t, seq);
  const CommandResult* r = result_of(f2, seq);
  REQUIRE(r);
  CHECK(!r->ok);
  CHECK(r->text.find("refused before allocating") != std::string::npos);
  CHECK(f2.stats.n == 5000);
  CHECK(f2.stats.has_system);
  CHECK(f2.stats.spawn_id == spawn0 + 1);
  CHECK(f2.stats.steps == steps_before);
  CHECK(f2.stats.layout == Layout::Dict);
  REQUIRE(f2.stats.dynamic_attrs.size() == 1);
  CHECK(f2.stats.dynamic_attrs[0].name == "charge");

  seq = t.post(cmd::Respawn{"no-such-scene", 100, 1});
  const SimFrame& f3 = wait_applied(t, seq);
  r = result_of(f3, seq);
  REQUIRE(r);
  CHECK(!r->ok);
  CHECK(r->text.find("no-such-scene") != std::string::npos);
  CHECK(f3.stats.n == 5000);
}

TEST_CASE("sim thread: the energy figure carries the solver potential's error, and a solver change re-takes E0") {
  SimConfig c = small_config();
  c.solver = "bh";
  c.exact_potential_max = 1000;  // 3000 particles: the solver's potential
  c.diagnostic_budget_s = 0;     // 64 targets: quick
  SimThread t(c, /*start_paused=*/true);
  wait_applied(t, 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    const SimFrame& f = wait_applied(t, t.post(cmd::StepOnce{}));
    if (f.stats.has_energy) {
      CHECK(f.stats.energy_method.rfind("bh tree (est. error ", 0) == 0);
      CHECK(f.stats.energy_potential_error > 0);
      break;
    }
    REQUIRE(std::chrono::steady_clock::now() < deadline);
  }
  // The pm mesh's potential has another error than the tree's: E0 goes,
  // and comes back from the new solver once the run goes on.
  ForceParams fp = c.force;
  fp.grid = 32;
  CHECK_FALSE(wait_applied(t, t.post(cmd::SetSolver{"pm", fp})).stats.has_energy);
  wait_applied(t, t.post(cmd::SetPaused{false}));
  for (;;) {
    t.acquire();
    const SimFrame& f = t.front();
    if (f.stats.has_energy) {
      CHECK(f.stats.energy_method.rfind("pm mesh (est. error ", 0) == 0);
      break;
    }
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  wait_applied(t, t.post(cmd::SetPaused{true}));
}

TEST_CASE("sim thread: runs steps unless paused, and steps once on request") {
  SimThread t(small_config(), true);
  CHECK(wait_applied(t, 0).stats.steps == 0);
  CHECK(wait_applied(t, t.post(cmd::StepOnce{})).stats.steps == 1);
  wait_applied(t, t.post(cmd::SetPaused{false}));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::uint64_t steps = 0;
  while (steps < 5) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    t.acquire();
    steps = t.front().stats.steps;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const SimFrame& f = wait_applied(t, t.post(cmd::SetPaused{true}));
  CHECK(f.stats.paused);
  const std::uint64_t frozen = f.stats.steps;
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(wait_applied(t, t.post(cmd::SetDt{0.002})).stats.steps == frozen);
}

TEST_CASE("sim thread: a System that cannot be built is reported, not thrown") {
  SimConfig cfg = small_config();
  cfg.scene = "no-such-scene";
  SimThread t(cfg, false);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!t.started()) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  t.acquire();
  CHECK(!t.front().stats.has_system);
  REQUIRE(t.startup_error());
  CHECK(t.startup_error()->find("no-such-scene") != std::string::npos);
}

TEST_CASE("sim thread: lessons are measured on request and published") {
  SimThread t(small_config(), true);
  CHECK(!wait_applied(t, 0).stats.lessons);
  LessonOptions o;
  o.sample = 2000;
  o.build_big = false;
  const std::uint64_t seq = t.post(cmd::MeasureLessons{o});
  const SimFrame& f = wait_applied(t, seq);
  REQUIRE(f.stats.lessons);
  CHECK(!f.stats.lessons->empty());
  const CommandResult* r = result_of(f, seq);
  REQUIRE(r);
  CHECK(r->ok);
  for (const Lesson& l : *f.stats.lessons) {
    CAPTURE(l.id);
    CHECK(!l.claim.empty());
    REQUIRE(!l.models.empty());
    for (const ClaimCell& c : l.models) CHECK(!c.verdict.empty());
  }
}

TEST_CASE("sim thread: Save snapshot writes a restartable HDF5 file of the live state") {
  SimConfig cfg = small_config();
  cfg.particles = 300;
  cfg.solver = "direct";
  SimThread t(cfg, true);
  wait_applied(t, 0);
  wait_applied(t, t.post(cmd::StepOnce{}));
  wait_applied(t, t.post(cmd::StepOnce{}));
  const std::string path = std::filesystem::temp_directory_path() /
                           ("slotsim-ui-snap-" + std::to_string(::getpid()) + ".h5");
  std::uint64_t seq = t.post(cmd::SaveSnapshot{path});
  const CommandResult* r = result_of(wait_applied(t, seq), seq);
  REQUIRE(r);
  CHECK(r->ok);
  CHECK(r->text.find("saved " + path + " at step 2") != std::string::npos);
  const RestartSnapshot s = read_restart_h5(path);
  CHECK(s.run.steps == 2);
  CHECK(s.run.particles.size() == 300);
  // The file is the state two steps from the start, as a fresh System shows.
  System ref(cfg);
  ref.step();
  ref.step();
  CHECK(s.state_hash == ref.state_hash());
  std::remove(path.c_str());

  seq = t.post(cmd::SaveSnapshot{"/nonexistent-dir/x.h5"});
  r = result_of(wait_applied(t, seq), seq);
  REQUIRE(r);
  CHECK(!r->ok);
  CHECK(r->text.find("cannot") != std::string::npos);
}

TEST_CASE("sim thread: read-dict and del-attr commands, and the own-dict count in the stats") {
  SimConfig cfg = small_config();
  cfg.layout = Layout::SharedKeys;
  SimThread t(cfg, true);
  const SimFrame& f0 = wait_applied(t, 0);
  CHECK(f0.stats.own_dicts == 0);
  std::uint64_t seq = t.post(cmd::SetAttr{std::size_t(3), "__dict__", 0.0, cmd::AttrOp::ReadDict});
  const SimFrame& f1 = wait_applied(t, seq);
  const CommandResult* r = result_of(f1, seq);
  REQUIRE(r);
  CHECK(r->ok);
  CHECK(r->text.find("1 dict(s) created") != std::string::npos);
  CHECK(f1.stats.own_dicts == 1);
  CHECK(r->bytes_after - r->bytes_before == 32);
  wait_applied(t, t.post(cmd::SetAttr{std::nullopt, "tag", 2.0}));
  seq = t.post(cmd::SetAttr{std::size_t(4), "tag", 0.0, cmd::AttrOp::Delete});
  const SimFrame& f2 = wait_applied(t, seq);
  r = result_of(f2, seq);
  REQUIRE(r);
  CHECK(r->ok);
  CHECK(r->bytes_after == r->bytes_before);  // 3.11+: a deletion makes no dict
  CHECK(f2.stats.own_dicts == 1);
  REQUIRE(f2.stats.dynamic_attrs.size() == 1);
  CHECK(f2.stats.dynamic_attrs[0].count == f2.stats.n - 1);
  // Deleting from all is refused while particle 4 lacks it; then it works.
  seq = t.post(cmd::SetAttr{std::nullopt, "tag", 0.0, cmd::AttrOp::Delete});
  r = result_of(wait_applied(t, seq), seq);
  REQUIRE(r);
  CHECK(!r->ok);
  CHECK(r->text.find("nothing was deleted") != std::string::npos);
  wait_applied(t, t.post(cmd::SetAttr{std::size_t(4), "tag", 1.0}));
  seq = t.post(cmd::SetAttr{std::nullopt, "tag", 0.0, cmd::AttrOp::Delete});
  const SimFrame& f3 = wait_applied(t, seq);
  REQUIRE(result_of(f3, seq));
  CHECK(result_of(f3, seq)->ok);
  CHECK(f3.stats.dynamic_attrs.empty());
  // slots has no __dict__: the error comes back, nothing changes.
  wait_applied(t, t.post(cmd::SwitchLayout{Layout::Slots}));
  seq = t.post(cmd::SetAttr{std::nullopt, "__dict__", 0.0, cmd::AttrOp::ReadDict});
  r = result_of(wait_applied(t, seq), seq);
  REQUIRE(r);
  CHECK(!r->ok);
  CHECK(r->text.find("no attribute '__dict__'") != std::string::npos);
}

TEST_CASE("sim thread: step statistics restart on a layout switch and name their layout") {
  SimThread t(small_config(), /*start_paused=*/true);
  wait_applied(t, 0);
  for (int i = 0; i < 3; ++i) wait_applied(t, t.post(cmd::StepOnce{}));
  const SimFrame& a = wait_applied(t, t.post(cmd::StepOnce{}));
  CHECK(a.stats.timing_layout == Layout::Soa);
  CHECK(a.stats.timing_steps == 4);
  CHECK(a.stats.steps == 4);
  CHECK(a.stats.step_min_ms <= a.stats.median.total_ms);
  CHECK(a.stats.median.total_ms <= a.stats.step_max_ms);
  CHECK(a.stats.sim_time == doctest::Approx(4 * small_config().dt));

  const SimFrame& b = wait_applied(t, t.post(cmd::SwitchLayout{Layout::Dict}));
  CHECK(b.stats.timing_layout == Layout::Dict);
  CHECK(b.stats.timing_steps == 0);
  CHECK(b.stats.steps == 4);  // the run goes on; only the statistics restart
  const CommandResult* r = nullptr;
  for (const auto& x : b.stats.results) r = x.is<cmd::SwitchLayout>() ? &x : r;
  REQUIRE(r);
  CHECK(r->switch_from == Layout::Soa);
  CHECK(r->layout_after == Layout::Dict);
  CHECK(r->n == small_config().particles);
  // Both stores existed at once: the peak is above either alone.
  CHECK(r->peak_heap >= r->bytes_after + r->bytes_before);

  const SimFrame& c = wait_applied(t, t.post(cmd::StepOnce{}));
  CHECK(c.stats.timing_layout == Layout::Dict);
  CHECK(c.stats.timing_steps == 1);
  CHECK(c.stats.median.total_ms == c.stats.last.total_ms);
}

TEST_CASE("sim thread: with --sort-every the step figure carries the sorts, as bench's") {
  // A sort on the first of three steps: a median of whole steps would
  // leave it out; the published figure is step_figure of the window's steps.
  SimConfig cfg = small_config();
  cfg.sort_every = 3;
  SimThread t(cfg, /*start_paused=*/true);
  wait_applied(t, 0);
  std::vector<StepTiming> steps;
  const SimFrame* f = nullptr;
  for (int i = 0; i < 3; ++i) {
    f = &wait_applied(t, t.post(cmd::StepOnce{}));
    steps.push_back(f->stats.last);
  }
  REQUIRE(f->stats.timing_steps == 3);
  CHECK(steps[0].sort_ms > 0);
  CHECK(steps[1].sort_ms == 0);
  CHECK(f->stats.median.total_ms == slotsim::step_figure(steps));
  CHECK(f->stats.median.sort_ms == doctest::Approx(steps[0].sort_ms / 3));
}

TEST_CASE("sim thread: the speed control caps steps per published frame") {
  SimThread t(small_config(), /*start_paused=*/true);
  wait_applied(t, 0);
  wait_applied(t, t.post(cmd::SetSpeed{1}));
  wait_applied(t, t.post(cmd::SetPaused{false}));
  // One step per frame slot: consecutive fresh frames differ by at most one
  // step (without the cap, "none" at 3,000 particles does dozens per slot).
  std::uint64_t last = 0;
  int fresh = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (fresh < 20) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    if (!t.acquire()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      continue;
    }
    const std::uint64_t s = t.front().stats.steps;
    if (fresh++ > 0) CHECK(s - last <= 1);
    last = s;
  }
  CHECK(t.front().stats.steps_per_frame == 1);
}

TEST_CASE("sim thread: the heap sample follows the layout and an energy figure appears") {
  SimThread t(small_config(), /*start_paused=*/true);
  const SimFrame& a = wait_applied(t, 0);
  REQUIRE(a.stats.heap_sample);
  CHECK(a.stats.heap_sample->layout == Layout::Soa);
  const SimFrame& b = wait_applied(t, t.post(cmd::SwitchLayout{Layout::Slots}));
  REQUIRE(b.stats.heap_sample);
  CHECK(b.stats.heap_sample->layout == Layout::Slots);
  CHECK(b.stats.heap_sample->n == small_config().particles);
  // The energy reference is measured right after the start.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    const SimFrame& f = wait_applied(t, t.post(cmd::StepOnce{}));
    if (f.stats.has_energy) {
      CHECK(f.stats.energy_error >= 0);
      CHECK(f.stats.energy_method == "exact");
      break;
    }
    REQUIRE(std::chrono::steady_clock::now() < deadline);
  }
}

TEST_CASE("sim thread: a snapshot without a name goes into the output folder, created then, named in full") {
  const SimConfig cfg = small_config();
  SimThread t(cfg, true);
  wait_applied(t, 0);
  const testing::TempDir tmp;
  const std::filesystem::path dir = std::filesystem::path(tmp.file("out")) / "nested";
  CHECK_FALSE(std::filesystem::exists(dir));  // nothing is created before the first save
  const std::uint64_t seq = t.post(cmd::SaveSnapshot{"", dir.string()});
  const CommandResult* r = result_of(wait_applied(t, seq), seq);
  REQUIRE(r);
  CHECK(r->ok);
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files.push_back(e.path());
  REQUIRE(files.size() == 1);
  CHECK(files[0].filename().string().rfind("slotsim-step0-", 0) == 0);
  CHECK(files[0].extension() == ".h5");
  // The message names the absolute path, so the file can be found.
  CHECK(r->text.find("saved " + std::filesystem::absolute(files[0]).lexically_normal().string() + " at step 0") !=
        std::string::npos);
}

TEST_CASE("sim thread: the energy is measured before the first step and right after it, and says when") {
  SimConfig cfg = small_config();
  cfg.solver = "direct";
  cfg.particles = 500;
  SimThread t(cfg, true);
  const SimFrame& f0 = wait_applied(t, 0);
  // E0, before any step: the figure is there from the first frame.
  const auto has_energy = [&] {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (;;) {
      t.acquire();
      if (t.front().stats.has_energy) return true;
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  };
  (void)f0;
  REQUIRE(has_energy());
  CHECK(t.front().stats.energy_time == 0.0);
  CHECK(t.front().stats.energy_at_s > 0);
  // One step while paused: the energy follows it at once (t = dt).
  const SimFrame& f1 = wait_applied(t, t.post(cmd::StepOnce{}));
  CHECK(f1.stats.steps == 1);
  CHECK(f1.stats.energy_time == doctest::Approx(cfg.dt));
  CHECK(f1.stats.energy_method == "exact");
}

TEST_CASE("sim thread: the spawn's busy label names the scene, the count and the layout") {
  SimConfig cfg = small_config();
  cfg.layout = Layout::Dict;
  SimThread t(cfg, true);
  wait_applied(t, 0);
  const std::uint64_t seq = t.post(cmd::Respawn{"collision", 2000, 3, 0.05});
  // Caught while it spawns, or after: the label is the handler's own.
  CHECK(spawn_label("collision", 2000, Layout::Dict) == "spawning collision: 2,000 particles in dict");
  const SimFrame& f = wait_applied(t, seq);
  CHECK(f.stats.scene == "collision");
  CHECK(f.stats.dt == 0.05);
  CHECK(f.stats.layout == Layout::Dict);
}
