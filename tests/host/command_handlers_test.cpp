// The command handlers on a plain System, without the simulation thread:
// each result names its command, failures become results, and the flags
// tell the thread what to restart.
#include <doctest/doctest.h>
#include <omp.h>

#include <memory>
#include <string>

#include "host/command_handlers.hpp"
#include "sim/system.hpp"

using namespace slotsim;
using namespace slotsim::host;

namespace {
SimConfig handler_config() {
  SimConfig c;
  c.particles = 500;
  c.layout = Layout::Slots;
  c.solver = "none";
  return c;
}
}  // namespace

TEST_CASE("command handlers: a layout switch names its command, reports bytes and restarts the statistics") {
  auto sys = std::make_unique<System>(handler_config());
  const long long slots_bytes = sys->bytes().total();
  CommandContext ctx(sys);
  const CommandResult r = apply_command(SimCommand{cmd::SwitchLayout{Layout::Dict}}, 7, ctx);
  CHECK(r.ok);
  CHECK(r.seq == 7);
  CHECK(r.is<cmd::SwitchLayout>());
  CHECK(!r.is<cmd::SetAttr>());
  CHECK(r.command_name == "switch-layout");
  CHECK(r.switch_from == Layout::Slots);
  CHECK(r.layout_after == Layout::Dict);
  CHECK(r.bytes_before == slots_bytes);
  CHECK(r.bytes_after == sys->bytes().total());
  CHECK(r.bytes_after > r.bytes_before);
  CHECK(r.n == 500);
  CHECK(ctx.restart_timing);
  CHECK(!ctx.respawned);
  CHECK(r.text.find("layout slots -> dict") == 0);
  CHECK(r.text.find("B/particle") != std::string::npos);
}

TEST_CASE("command handlers: a refused command is a result that still names it") {
  auto sys = std::make_unique<System>(handler_config());
  CommandContext ctx(sys);
  const CommandResult bad_dt = apply_command(SimCommand{cmd::SetDt{-1.0}}, 1, ctx);
  CHECK(!bad_dt.ok);
  CHECK(bad_dt.is<cmd::SetDt>());
  CHECK(bad_dt.text.find('\n') == std::string::npos);
  CHECK(bad_dt.bytes_after == bad_dt.bytes_before);

  // Slots: no __dict__, so a new attribute is AttributeError, and nothing changes.
  const CommandResult bad_attr = apply_command(SimCommand{cmd::SetAttr{std::size_t(3), "charge", 1.0}}, 2, ctx);
  CHECK(!bad_attr.ok);
  CHECK(bad_attr.is<cmd::SetAttr>());
  CHECK(bad_attr.text.find("AttributeError") != std::string::npos);
  CHECK(sys->layout() == Layout::Slots);
}

TEST_CASE("command handlers: a refused inheritance preset keeps its starting figures") {
  auto cfg = handler_config();
  cfg.layout = Layout::Dict;  // already has a __dict__: nothing to demonstrate
  auto sys = std::make_unique<System>(cfg);
  CommandContext ctx(sys);
  const CommandResult r = apply_command(SimCommand{cmd::Inherit{"tag", 1.0}}, 3, ctx);
  CHECK(!r.ok);
  CHECK(r.is<cmd::Inherit>());
  CHECK(r.inherit_from == Layout::Dict);
  CHECK(r.attr == "tag");
  CHECK(r.bytes_subclass == r.bytes_before);
  CHECK(!ctx.restart_timing);
}

TEST_CASE("command handlers: settings go back through the context, pause and step are not logged") {
  auto sys = std::make_unique<System>(handler_config());
  CommandContext ctx(sys);
  const CommandResult p = apply_command(SimCommand{cmd::SetPaused{true}}, 1, ctx);
  CHECK(ctx.paused);
  CHECK(!logged(p));
  const CommandResult sp = apply_command(SimCommand{cmd::SetSpeed{-4}}, 2, ctx);
  CHECK(ctx.steps_per_frame == 0);  // clamped
  CHECK(logged(sp));
  int steps = 0;
  ctx.step = [&] { ++steps; sys->step(); };
  const CommandResult st = apply_command(SimCommand{cmd::StepOnce{}}, 3, ctx);
  CHECK(steps == 1);
  CHECK(sys->steps_done() == 1);
  CHECK(!logged(st));
  const CommandResult so = apply_command(SimCommand{cmd::SetSolver{"direct", ForceParams{}}}, 4, ctx);
  CHECK(so.ok);
  CHECK(ctx.forces_stale);
  CHECK(ctx.energy_stale);
  CHECK(sys->config().solver == "direct");
}

TEST_CASE("command handlers: a respawn replaces the System and asks for a clock restart") {
  auto sys = std::make_unique<System>(handler_config());
  const System* old = sys.get();
  CommandContext ctx(sys);
  const CommandResult r = apply_command(SimCommand{cmd::Respawn{"plummer", 300, 9}}, 1, ctx);
  REQUIRE(r.ok);
  CHECK(r.is<cmd::Respawn>());
  CHECK(ctx.respawned);
  CHECK(sys.get() != old);
  CHECK(sys->size() == 300);
  CHECK(r.n == 300);
  CHECK(sys->layout() == Layout::Slots);  // the layout stays
}

TEST_CASE("command handlers: a thread count above the limit is refused, not handed to libgomp (issue 20)") {
  auto sys = std::make_unique<System>(handler_config());
  CommandContext ctx(sys);
  const int before = omp_get_max_threads();
  const CommandResult r = apply_command(SimCommand{cmd::SetThreads{100000}}, 1, ctx);
  CHECK(!r.ok);
  CHECK(r.text.find("threads is 100000; expected 0 to 256") != std::string::npos);
  CHECK(omp_get_max_threads() == before);
  const CommandResult ok = apply_command(SimCommand{cmd::SetThreads{1}}, 2, ctx);
  CHECK(ok.ok);
  CHECK(omp_get_max_threads() == 1);
  omp_set_num_threads(before);
}

TEST_CASE("command handlers: a pause toggle flips the state it finds, so two quick ones cancel out") {
  auto sys = std::make_unique<System>(handler_config());
  CommandContext ctx(sys);
  apply_command(SimCommand{cmd::SetPaused{false, true}}, 1, ctx);
  CHECK(ctx.paused);
  apply_command(SimCommand{cmd::SetPaused{false, true}}, 2, ctx);
  CHECK(!ctx.paused);
  apply_command(SimCommand{cmd::SetPaused{true}}, 3, ctx);  // an explicit state is just set
  apply_command(SimCommand{cmd::SetPaused{true}}, 4, ctx);
  CHECK(ctx.paused);
}

TEST_CASE("command handlers: every result names the action as the script writes it, failed ones too") {
  auto cfg = handler_config();
  cfg.layout = Layout::Slots;
  auto sys = std::make_unique<System>(cfg);
  CommandContext ctx(sys);
  const CommandResult set = apply_command(SimCommand{cmd::SetAttr{std::nullopt, "charge", 1.0}}, 1, ctx);
  CHECK(!set.ok);  // AttributeError on slots
  CHECK(set.action == "set-attr");
  const CommandResult del = apply_command(SimCommand{cmd::SetAttr{0, "x", 0.0, cmd::AttrOp::Delete}}, 2, ctx);
  CHECK(del.action == "del-attr");
  const CommandResult rd = apply_command(SimCommand{cmd::SetAttr{0, "__dict__", 0.0, cmd::AttrOp::ReadDict}}, 3, ctx);
  CHECK(rd.action == "read-dict");
  const CommandResult inh = apply_command(SimCommand{cmd::Inherit{"tag", 1.0}}, 4, ctx);
  CHECK(inh.action == "inherit");
  const CommandResult dt = apply_command(SimCommand{cmd::SetDt{0.01}}, 5, ctx);
  CHECK(dt.action == "set-dt");
}
