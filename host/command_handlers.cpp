#include "host/command_handlers.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "lessons/inheritance.hpp"
#include "sim/limits.hpp"
#include "sim/io/hdf5_snapshot.hpp"
#include "sim/memory/tracker.hpp"
#include "sim/memory_plan.hpp"
#include "host/format.hpp"
#include "host/output_dir.hpp"

namespace slotsim::host {

namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

template <class T>
CommandResult result_for() {
  CommandResult r;
  r.command = command_index_v<T>;
  r.command_name = T::kName;
  return r;
}

Report report_of(const CommandResult& r) {
  Report out = Report::Plain;
  // The variant's alternatives in order; index -> that type's kReport.
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    ((r.command == I ? (out = std::variant_alternative_t<I, SimCommand>::kReport, 0) : 0), ...);
  }(std::make_index_sequence<std::variant_size_v<SimCommand>>{});
  return out;
}

// The suffix each report kind asks for, per particle with the N the command
// ran on.
void append_figures(CommandResult& r) {
  char buf[128];
  std::snprintf(buf, sizeof buf, " (%.0f ms)", r.ms);
  r.text += buf;
  const double n = r.n ? double(r.n) : 1.0;
  switch (report_of(r)) {
    case Report::Inherit:
      std::snprintf(buf, sizeof buf, ": %.1f -> %.1f -> %.1f B/particle", double(r.bytes_before) / n,
                    double(r.bytes_subclass) / n, double(r.bytes_after) / n);
      r.text += buf;
      break;
    case Report::Delta:
      std::snprintf(buf, sizeof buf, ": %+lld B, now %.2f B/particle", r.bytes_after - r.bytes_before,
                    double(r.bytes_after) / n);
      r.text += buf;
      break;
    case Report::Transition:
      std::snprintf(buf, sizeof buf, ": %.1f -> %.1f B/particle", double(r.bytes_before) / n,
                    double(r.bytes_after) / n);
      r.text += buf;
      break;
    case Report::Plain:
    case Report::Silent:
      break;
  }
}

}  // namespace

std::string action_name(const SimCommand& c) {
  if (const auto* a = std::get_if<cmd::SetAttr>(&c))
    return a->op == cmd::AttrOp::Delete ? "del-attr" : a->op == cmd::AttrOp::ReadDict ? "read-dict" : "set-attr";
  return std::string(command_name(c));
}

std::string spawn_label(const std::string& scene, std::size_t n, Layout l) {
  return "spawning " + scene + ": " + grouped(n) + " particles in " + std::string(layout_name(l));
}

CommandResult handle(const cmd::SwitchLayout& c, CommandContext& ctx) {
  CommandResult r = result_for<cmd::SwitchLayout>();
  System& s = *ctx.system;
  const Layout from = s.layout();
  ctx.set_busy("converting");
  // The peak while both stores exist, for the Compare panel (and the Memory
  // panel's "peak" column: since the last conversion).
  mem::reset_peak();
  s.switch_layout(c.to, ctx.progress_fn());
  r.peak_heap = mem::heap_stats().peak_requested;
  r.switch_from = from;
  ctx.restart_timing = true;
  r.text = "layout " + std::string(layout_name(from)) + " -> " + std::string(layout_name(c.to));
  return r;
}

CommandResult handle(const cmd::Respawn& c, CommandContext& ctx) {
  CommandResult r = result_for<cmd::Respawn>();
  std::unique_ptr<System>& sys = ctx.system;
  SimConfig next = sys->config();
  next.layout = sys->layout();
  next.scene = c.scene;
  next.particles = c.particles;
  next.seed = c.seed;
  next.ic_file.clear();
  if (c.dt) next.dt = *c.dt;
  // Decide with the memory plan before touching anything: a refused
  // respawn must leave the running simulation exactly as it was (its step
  // count, layout and dynamic attributes). The old store counts as
  // available, since it is freed first when the new one needs its room.
  MemoryPlan plan = plan_run(run_shape(next, next.particles));
  const bool fits_beside = plan.fits();
  plan.available += double(sys->bytes().usable_total);
  plan.check("respawn " + c.scene + " with " + std::to_string(c.particles) + " particles");
  ctx.set_busy(spawn_label(c.scene, c.particles, next.layout));
  if (fits_beside) {
    sys = std::make_unique<System>(next, ctx.progress_fn(true));  // a throw leaves it as it was
  } else {
    SimConfig prev = sys->config();
    prev.layout = sys->layout();
    sys.reset();
    try {
      sys = std::make_unique<System>(next, ctx.progress_fn(true));
    } catch (const std::exception& e) {
      // The plan said it fits; if the allocator disagrees, the old particles
      // are gone already, so the previous scene is rebuilt (and says so).
      sys = std::make_unique<System>(prev, ctx.progress_fn());
      ctx.respawned = true;
      throw std::runtime_error(std::string(e.what()) + " (previous scene restarted)");
    }
  }
  ctx.respawned = true;
  r.text = "respawned " + c.scene + " with " + std::to_string(c.particles) + " particles";
  return r;
}

CommandResult handle(const cmd::SetSolver& c, CommandContext& ctx) {
  CommandResult r = result_for<cmd::SetSolver>();
  ctx.system->set_solver(c.name, c.force);
  ctx.restart_timing = true;
  ctx.forces_stale = true;
  // The softening travels with the solver and changes the energy itself;
  // above the exact limit the potential is also the solver's own (or
  // sampled), whose error differs between solvers. An old E0 would show
  // either as an energy error that no step made.
  ctx.energy_stale = true;
  r.text = "solver " + c.name;
  return r;
}

CommandResult handle(const cmd::SetDt& c, CommandContext& ctx) {
  CommandResult r = result_for<cmd::SetDt>();
  ctx.system->set_dt(c.dt);  // checks it (check_dt)
  r.text = "dt " + num(c.dt);
  return r;
}

CommandResult handle(const cmd::SetAttr& c, CommandContext& ctx) {
  CommandResult r = result_for<cmd::SetAttr>();
  System& s = *ctx.system;
  ctx.set_busy("set-attr");
  const std::string on = c.id ? " on particle " + std::to_string(*c.id) : " on all particles";
  switch (c.op) {
    case cmd::AttrOp::Delete:
      if (c.id) s.del_attr(*c.id, c.name);
      else s.del_attr_all(c.name);
      r.text = "del " + c.name + on;
      break;
    case cmd::AttrOp::ReadDict: {
      const std::size_t made = c.id ? std::size_t(s.read_dict(*c.id)) : s.read_dict_all();
      r.text = "read __dict__" + on + ": " + std::to_string(made) + " dict(s) created, " +
               std::to_string(s.own_dicts()) + " particle(s) now have one";
      break;
    }
    case cmd::AttrOp::Set:
      if (c.id) s.set_attr(*c.id, c.name, c.value);
      else s.set_attr_all(c.name, c.value);
      r.text = "set " + c.name + " = " + num(c.value) + on;
      break;
  }
  return r;
}

CommandResult handle(const cmd::Inherit& c, CommandContext& ctx) {
  CommandResult r = result_for<cmd::Inherit>();
  System& s = *ctx.system;
  r.inherit_from = s.layout();
  r.attr = c.name;
  // The panel shows a refused preset beside its starting figures, so this
  // handler keeps them on failure instead of letting the exception drop
  // them.
  r.bytes_subclass = s.bytes().total();
  try {
    ctx.set_busy("subclassing");
    const InheritOutcome o = subclass_without_slots(s, c.name, c.value, ctx.progress_fn());
    ctx.restart_timing = true;
    r.bytes_subclass = o.subclass.total();
    r.text = "subclass without __slots__: " + std::string(layout_name(o.from)) + " -> slots+dict, __init__ sets " +
             c.name + " = " + num(c.value) + " on all particles";
  } catch (const std::exception& e) {
    r.ok = false;
    r.text = e.what();
  }
  return r;
}

CommandResult handle(const cmd::SetThreads& c, CommandContext&) {
  CommandResult r = result_for<cmd::SetThreads>();
  // Only the calling thread's OpenMP setting: the System's kernels run on
  // the simulation thread, and the window thread keeps its own.
  // 0 = every core, within the same limit as --threads (a script's
  // `threads 100000` is refused here, not handed to libgomp).
  const std::int64_t n = c.threads > 0 ? c.threads : std::min<std::int64_t>(omp_get_num_procs(), kMaxThreads);
  omp_set_num_threads(checked_team_size(n, "threads"));
  r.text = "threads " + std::to_string(omp_get_max_threads());
  return r;
}

CommandResult handle(const cmd::SetPaused& c, CommandContext& ctx) {
  CommandResult r = result_for<cmd::SetPaused>();
  ctx.paused = c.toggle ? !ctx.paused : c.paused;
  r.text = ctx.paused ? "paused" : "running";
  return r;
}

CommandResult handle(const cmd::StepOnce&, CommandContext& ctx) {
  CommandResult r = result_for<cmd::StepOnce>();
  if (ctx.step) ctx.step();
  else ctx.system->step();
  r.text = "step " + std::to_string(ctx.system->steps_done());
  return r;
}

CommandResult handle(const cmd::MeasureLessons& c, CommandContext& ctx) {
  CommandResult r = result_for<cmd::MeasureLessons>();
  ctx.set_busy("measuring the lessons' claims");
  if (ctx.indeterminate) ctx.indeterminate();
  ctx.lessons = std::make_shared<const std::vector<Lesson>>(measure_lessons(c.options));
  r.text = "lessons measured";
  return r;
}

CommandResult handle(const cmd::SaveSnapshot& c, CommandContext& ctx) {
  CommandResult r = result_for<cmd::SaveSnapshot>();
  System& s = *ctx.system;  // save_snapshot_h5 gathers through the store
  ctx.set_busy("saving snapshot");
  // Named by the step it holds and the time, in the output folder; the
  // message gives the full path, so the file can be found.
  const std::string path =
      c.path.empty()
          ? new_output_file(c.dir.empty() ? default_output_dir() : c.dir, "slotsim-step" + std::to_string(s.steps_done()), ".h5")
          : std::filesystem::absolute(c.path).lexically_normal().string();
  const long long bytes = save_snapshot_h5(path, s);
  r.text = "saved " + path + " at step " + std::to_string(s.steps_done()) + ", " + human_bytes(double(bytes));
  return r;
}

CommandResult handle(const cmd::SetSpeed& c, CommandContext& ctx) {
  CommandResult r = result_for<cmd::SetSpeed>();
  ctx.steps_per_frame = std::max(0, c.steps_per_frame);
  r.text = ctx.steps_per_frame ? "speed " + std::to_string(ctx.steps_per_frame) + " steps/frame"
                               : std::string("speed: as fast as possible");
  return r;
}

bool logged(const CommandResult& r) { return report_of(r) != Report::Silent; }

CommandResult apply_command(const SimCommand& c, std::uint64_t seq, CommandContext& ctx) {
  const long long before = ctx.system->bytes().total();
  const auto t0 = std::chrono::steady_clock::now();
  CommandResult r;
  try {
    r = std::visit([&](const auto& x) { return handle(x, ctx); }, c);
  } catch (const std::exception& e) {
    r = CommandResult{};
    r.command = c.index();
    r.command_name = command_name(c);
    r.ok = false;
    r.text = e.what();
  }
  r.seq = seq;
  r.action = action_name(c);
  r.bytes_before = before;
  r.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  // A respawn failed and so did restoring the previous scene: nothing
  // left to measure.
  if (!ctx.system) return r;
  r.bytes_after = ctx.system->bytes().total();
  r.n = ctx.system->size();
  r.layout_after = ctx.system->layout();
  if (r.ok && logged(r)) append_figures(r);
  return r;
}

}  // namespace slotsim::host
