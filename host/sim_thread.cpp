#include "host/sim_thread.hpp"

#include "sim/stats.hpp"
#include "sim/step_phases.hpp"

#include <omp.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

#include "sim/layouts/errors.hpp"
#include "sim/layouts/particle_store.hpp"
#include "host/command_handlers.hpp"
#include "host/format.hpp"
#include "host/heap_map.hpp"

namespace slotsim::host {

namespace {
using Clock = std::chrono::steady_clock;

double seconds_now() { return steady_seconds(); }

// Deliberately not a std::exception: it must pass every handler that turns
// command failures into messages and end the thread.
struct SpawnCancelled {};

// The heap map's sample: about one particle per cell of the panel's
// 160 x 64 picture, every 2 s. 32,768 every second cost the simulation
// thread 8% at a million soa particles on the loaded two-core machine (the
// cost is shown beside the map); this is an eighth of that.
constexpr std::size_t kHeapSampleMax = 8192;
constexpr double kHeapSampleInterval = 2.0;  // seconds

double min_of(const std::deque<StepTiming>& ts) {
  double m = ts.empty() ? 0 : ts.front().total_ms;
  for (const StepTiming& t : ts) m = std::min(m, t.total_ms);
  return m;
}
double max_of(const std::deque<StepTiming>& ts) {
  double m = 0;
  for (const StepTiming& t : ts) m = std::max(m, t.total_ms);
  return m;
}

}  // namespace

SimThread::SimThread(const SimConfig& cfg, bool start_paused)
    : initial_(cfg), frames_(static_cast<std::pmr::memory_resource*>(&render_mem_)),
      paused_(start_paused), thread_([this] { run(); }) {}

SimThread::~SimThread() {
  {
    std::lock_guard lock(m_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

std::uint64_t SimThread::post(SimCommand c) {
  std::uint64_t seq;
  {
    std::lock_guard lock(m_);
    seq = posted_.load() + 1;
    posted_.store(seq);
    queue_.emplace_back(seq, std::move(c));
  }
  cv_.notify_all();
  return seq;
}

SimProgress SimThread::progress() const {
  std::lock_guard lock(m_);
  SimProgress p = progress_;
  p.activity_s = p.activity.empty() ? 0 : seconds_now() - activity_since_;
  return p;
}

void SimThread::set_activity(std::string what) {
  const double now = seconds_now();
  std::lock_guard lock(m_);
  progress_.activity = std::move(what);
  activity_since_ = now;
}

void SimThread::do_step() {
  const std::size_t n = system_->size();
  const std::string solver = system_->config().solver;
  if (first_step_)
    set_activity("first step: computing forces for " + grouped(n) + " particles (" + solver + ")");
  else
    set_activity("step " + std::to_string(system_->steps_done() + 1) + ": " + grouped(n) + " particles in " +
                 std::string(layout_name(system_->layout())) + " (" + solver + ")");
  const double t0 = seconds_now();
  system_->step();
  last_step_s_ = seconds_now() - t0;
  energy_schedule_.stepped(last_step_s_);
  set_activity("");
  first_step_ = false;
  sim_time_ += system_->config().dt;
  timings_.push_back(system_->last_timing());
  while (timings_.size() > kTimingWindow) timings_.pop_front();
  ++timing_steps_;
  ++steps_since_publish_;
}

void SimThread::restart_timing() {
  timings_.clear();
  timing_steps_ = 0;
  if (system_) timing_layout_ = system_->layout();
}

void SimThread::restart_clock() {
  sim_time_ = 0;
  has_e0_ = false;
  energy_error_ = energy_time_ = energy_potential_error_ = 0;
  energy_schedule_.restart();
  energy_after_step_ = true;
  first_step_ = true;
  rate_window_.clear();  // the step count restarts at zero
  restart_timing();
}

// The energy figure on screen is never more than 2 s of wall time behind
// the simulation: it is measured right after the step after which the next
// chance would come too late, and published at once (host/energy_schedule.hpp
// says how the step, the measurement of the kind due then and the publish
// are predicted), and right after the first step. The measurement's own
// cost is kept small by the GUI's diagnostic budget (app/gui_command.cpp:
// the exact sums that check the solver's potential take ~0.1 s), so at a
// million particles this costs the simulation about a tenth of its time
// (docs/GUI.md). Rejected: a fixed interval of max(5 s, 30 x its cost),
// the old rule, under which a million particles showed 0.00e+00 for the
// first half minute and then a figure a minute old. Where one step alone
// takes longer than the limit (bh at 10M), it is measured after every step.
constexpr double kEnergyCheckInterval = 30.0;  // seconds between checks of the potential's error

bool SimThread::maybe_measure_energy(bool force) {
  const double now = seconds_now();
  if (!force && has_e0_ && !(energy_after_step_ && timing_steps_ > 0)) {
    // What comes between a measurement's start and its figure on screen
    // besides the measurement: the publish, a heap sample, the window's
    // frame (up to 1/30 s at the default --fps) and its hand-over.
    const double overhead = publish_cost_s_ + heap_cost_s_ + 0.1;
    if (!energy_schedule_.measure_now(now, overhead)) return false;
  }
  if (has_e0_ && energy_after_step_ && timing_steps_ > 0) energy_after_step_ = false;
  const std::size_t n = system_->size();
  // Says which of the diagnostic's three methods runs (System::diagnostics).
  const std::string solver(system_->solver().name());
  set_activity(n <= system_->config().exact_potential_max
                   ? "measuring the energy: exact potential of " + grouped(n) + " particles"
               : system_->solver().has_potentials()
                   ? "measuring the energy: " + solver + " potential of " + grouped(n) +
                         " particles, checked against exact sums"
                   : "measuring the energy: sampled potential against " + grouped(n) + " particles");
  // The check of the solver's potential against exact sums (its error
  // estimate) is most of a measurement's cost at a million particles and
  // changes slowly: taken with E0 and then every kEnergyCheckInterval, the
  // estimate shown between checks is the last one (the panel says when it
  // was taken). Its larger cost is predicted when it is due.
  const bool check = !has_e0_ || energy_schedule_.check_due(now);
  const Diagnostics d = system_->diagnostics({}, check);
  set_activity("");
  energy_schedule_.measured(now, seconds_now(), check);
  // The age counts from the start: the figure describes the state the
  // measurement began on.
  energy_at_s_ = now;
  if (d.potential_error >= 0) {
    energy_checked_time_ = sim_time_;
    energy_potential_error_ = d.potential_error;
    // The method as the check described it (with its error estimate); an
    // unchecked measurement uses the same method.
    energy_method_ = d.potential_method;
  }
  if (!has_e0_) {
    e0_ = d.total();
    has_e0_ = true;
  }
  energy_error_ = e0_ != 0 ? std::fabs(d.total() - e0_) / std::fabs(e0_) : 0.0;
  energy_time_ = sim_time_;
  return true;
}

void SimThread::maybe_sample_heap(bool force) {
  const double now = seconds_now();
  if (!force && now < next_heap_s_) return;
  HeapSample h = sample_heap(system_->store(), kHeapSampleMax, cube_);
  // Shown beside the map, so its cost (against the once-a-second interval)
  // is on screen rather than asserted.
  heap_cost_s_ = seconds_now() - now;
  h.sample_ms = heap_cost_s_ * 1000.0;
  heap_sample_ = std::make_shared<const HeapSample>(std::move(h));
  next_heap_s_ = now + kHeapSampleInterval;
}

std::optional<std::string> SimThread::startup_error() const {
  std::lock_guard lock(m_);
  return startup_error_;
}

void SimThread::set_busy(bool busy, const std::string& label) {
  std::lock_guard lock(m_);
  progress_.busy = busy;
  progress_.fraction = 0;
  progress_.label = label;
}

ProgressFn SimThread::progress_fn(bool cancellable) {
  return [this, cancellable](double fraction, const char* what) {
    std::lock_guard lock(m_);
    if (cancellable && stop_) throw SpawnCancelled{};
    progress_.fraction = std::clamp(fraction, 0.0, 1.0);
    // The System's word ("spawning") does not replace a label that says
    // more ("spawning collision: 1,000,000 particles in dict").
    if (what && progress_.label.rfind(what, 0) != 0) progress_.label = what;
  };
}

void SimThread::record(CommandResult r) {
  results_.push_back(std::move(r));
  while (results_.size() > kMaxResults) results_.pop_front();
}

void SimThread::run() {
  // A slightly lower CPU priority for this thread and the OpenMP team it
  // spawns (created on its first parallel region, so they inherit it): on a
  // machine with few cores the window thread's next frame then preempts a
  // step instead of queueing behind it. The simulation still gets every
  // cycle the window leaves: the window is capped (gui --fps, 30 frames/s by
  // default) and sleeps between frames. Linux-only (per-thread nice); if it fails nothing else
  // changes.
  setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 5);
  set_busy(true, spawn_label(initial_.ic_file.empty() ? initial_.scene : initial_.ic_file, initial_.particles,
                             initial_.layout));
  try {
    system_ = std::make_unique<System>(initial_, progress_fn(true));
    ++spawn_id_;
    dynamic_attrs_ = system_->store().dynamic_attrs();
    own_dicts_ = system_->own_dicts();
  } catch (const SpawnCancelled&) {
    started_.store(true);
    return;
  } catch (const std::exception& e) {
    std::lock_guard lock(m_);
    startup_error_ = e.what();
  }
  if (system_) {
    restart_clock();
    maybe_sample_heap(true);
  }
  publish();
  set_busy(false, "");  // after the publish, as for commands (below)
  started_.store(true);
  if (!system_) return;
  // The energy reference, after the particles are on screen (a second or
  // two at a million particles: the banner says what it is doing).
  maybe_measure_energy(true);
  publish();  // E0 on screen now, also when the run starts paused

  for (;;) {
    std::optional<std::pair<std::uint64_t, SimCommand>> next;
    {
      std::unique_lock lock(m_);
      cv_.wait(lock, [&] { return stop_ || !queue_.empty() || !paused_; });
      if (stop_) return;
      if (!queue_.empty()) {
        next.emplace(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    if (next) {
      try {
        apply(next->second, next->first);
      } catch (const SpawnCancelled&) {
        return;  // the window is closing; nothing will read another frame
      }
      applied_seq_ = next->first;
      if (!system_) {
        publish();
        set_busy(false, "");
        return;
      }
      maybe_sample_heap(true);
      publish();
      // Busy until the outcome is published, not just until the work is
      // done: after a conversion to dict, scanning the tables for dynamic
      // attributes and gathering positions from a million objects take a
      // few frames, and the frame log's busy rows should cover them.
      set_busy(false, "");
      if (!system_) return;
      continue;
    }
    // Drawing faster than the display refreshes is wasted work:
    // positions_float() over a million particles is a full sweep.
    static constexpr double kPublishInterval = 1.0 / 60;
    if (steps_per_frame_ > 0 && steps_since_publish_ >= steps_per_frame_) {
      // The speed control: this frame's steps are done; wait for the next
      // frame slot (or a command) instead of stepping on.
      {
        std::unique_lock lock(m_);
        const auto until = Clock::time_point(std::chrono::duration_cast<Clock::duration>(
            std::chrono::duration<double>(last_publish_s_ + kPublishInterval)));
        cv_.wait_until(lock, until, [&] { return stop_ || !queue_.empty(); });
        if (stop_) return;
        if (!queue_.empty()) continue;
      }
      publish();
      continue;
    }
    // E0 before the first step of a new reference (spawn, solver change).
    if (!has_e0_) maybe_measure_energy(true);
    maybe_sample_heap(false);
    do_step();
    // After the step, and published at once: the figure on screen is then
    // the state on screen, and is seen a measurement after it was taken
    // rather than a step or two later (host/energy_schedule.hpp).
    if (maybe_measure_energy(false)) {
      publish();
      continue;
    }
    // At most 60 a second, and no more often than keeps publishing under
    // ~1/7 of this thread's time: gathering a million dict particles' floats
    // takes 20-40 ms, so after every 100-ms step it cost the simulation a
    // quarter of its speed; now about every other step (6-7 new pictures a
    // second: still smooth motion). The speed control only caps fast steps.
    if (seconds_now() - last_publish_s_ >= std::max(kPublishInterval, 6.0 * publish_cost_s_)) publish();
  }
}

void SimThread::apply(const SimCommand& c, std::uint64_t seq) {
  // The handlers (host/command_handlers.cpp) see the thread only through
  // this context: its services as callbacks, its settings as values copied
  // in and back.
  CommandContext ctx{system_};
  ctx.busy = [this](const std::string& label) { set_busy(true, label); };
  ctx.indeterminate = [this] {
    std::lock_guard lock(m_);
    progress_.fraction = -1;  // negative means "indeterminate"
  };
  ctx.progress = [this](bool cancellable) { return progress_fn(cancellable); };
  ctx.step = [this] { do_step(); };
  ctx.paused = paused_;
  ctx.steps_per_frame = steps_per_frame_;
  ctx.lessons = lessons_;

  CommandResult res = apply_command(c, seq, ctx);

  paused_ = ctx.paused;
  steps_per_frame_ = ctx.steps_per_frame;
  lessons_ = ctx.lessons;
  if (ctx.respawned) {
    ++spawn_id_;
    restart_clock();
  }
  if (ctx.restart_timing) restart_timing();
  if (ctx.forces_stale) first_step_ = true;
  // A single step while paused: the energy follows it (the loop does not
  // measure while paused).
  if (std::holds_alternative<cmd::StepOnce>(c) && system_ && has_e0_) maybe_measure_energy(true);
  if (ctx.energy_stale) {
    has_e0_ = false;
    energy_schedule_.restart();
    energy_after_step_ = true;
  }
  if (!system_) {  // a respawn failed and so did restoring the previous scene
    record(std::move(res));
    return;
  }
  if (!logged(res)) return;
  dynamic_attrs_ = system_->store().dynamic_attrs();
  own_dicts_ = system_->own_dicts();
  record(std::move(res));
}

void SimThread::publish() {
  const double t0 = seconds_now();
  SimFrame& f = frames_.back();
  SimStats& s = f.stats;
  s.publish_id = ++publish_id_;
  s.spawn_id = spawn_id_;
  s.applied_seq = applied_seq_;
  s.has_system = system_ != nullptr;
  s.paused = paused_;
  s.threads = omp_get_max_threads();
  s.results.assign(results_.begin(), results_.end());
  s.lessons = lessons_;
  s.heap = mem::heap_stats();
  for (int c = 0; c < static_cast<int>(mem::Category::kCount); ++c)
    s.categories[c] = mem::category_stats(static_cast<mem::Category>(c));
  s.rss = mem::rss_bytes();
  s.available = mem::available_bytes();
  if (system_) {
    const std::size_t n = system_->size();
    f.xyz.resize(3 * n);
    f.speed.resize(n);
    system_->positions_float(f.xyz.data(), f.speed.data());
    // Serial, so the colour scale is the same on every run.
    double sum2 = 0;
    for (float v : f.speed) sum2 += double(v) * v;
    const double rms = n ? std::sqrt(sum2 / double(n)) : 0;
    // The heap map ranks its sample in the cube of all particles, the way
    // detail::bounding_cube does for --sort-every (same margin), so after a
    // sort its index strip is the sorted order. From the floats just
    // gathered: one more sweep, no store access.
    if (n) {
      float lo[3] = {f.xyz[0], f.xyz[1], f.xyz[2]}, hi[3] = {lo[0], lo[1], lo[2]};
      for (std::size_t i = 0; i < n; ++i)
        for (int a = 0; a < 3; ++a) {
          lo[a] = std::min(lo[a], f.xyz[3 * i + a]);
          hi[a] = std::max(hi[a], f.xyz[3 * i + a]);
        }
      double side = 0, mag = 1;
      for (int a = 0; a < 3; ++a) {
        cube_.lo[a] = lo[a];
        side = std::max(side, double(hi[a]) - double(lo[a]));
        mag = std::max(mag, std::abs(double(lo[a])));
      }
      cube_.side = side * (1 + 1e-9) + mag * 1e-12;
    }
    f.speed_ref = rms > 0 ? static_cast<float>(2 * rms) : 1.0f;

    const SimConfig& cfg = system_->config();
    s.n = n;
    s.layout = system_->layout();
    s.bytes = system_->bytes();
    s.scene = cfg.scene;
    s.seed = cfg.seed;
    s.solver = cfg.solver;
    s.force = cfg.force;
    s.dt = cfg.dt;
    s.steps = system_->steps_done();
    s.last = system_->last_timing();
    s.timing_layout = timing_layout_;
    s.timing_steps = timing_steps_;
    s.step_min_ms = min_of(timings_);
    s.recent_ms.clear();
    for (const StepTiming& t : timings_) s.recent_ms.push_back(t.total_ms);
    s.step_max_ms = max_of(timings_);
    s.steps_per_frame = steps_per_frame_;
    s.sim_time = sim_time_;
    s.has_energy = has_e0_;
    s.energy_error = energy_error_;
    s.energy_time = energy_time_;
    s.energy_at_s = energy_at_s_;
    s.energy_method = energy_method_;
    s.energy_potential_error = energy_potential_error_;
    s.energy_checked_time = energy_checked_time_;
    s.heap_sample = heap_sample_;
    // bench's figures (sim/step_phases.hpp): the step is its median without
    // the sort plus the sort's mean, as every phase is its median but the
    // sort its mean. The median of whole steps, used here before, left a
    // --sort-every sort out of the Time panel and the Compare table.
    s.median.total_ms = step_figure(timings_);
    for (const StepPhase& p : kStepPhases) s.median.*p.field = phase_figure(timings_, p);
    s.dynamic_attrs = dynamic_attrs_;
    s.own_dicts = own_dicts_;
  }
  const double now = seconds_now();
  rate_window_.emplace_back(now, s.steps);
  // Ten seconds: long enough to see a step when one takes seconds (bh at 1M).
  while (rate_window_.size() > 2 && now - rate_window_.front().first > 10.0) rate_window_.pop_front();
  const double span = now - rate_window_.front().first;
  s.steps_per_s = !paused_ && span > 0 && s.steps >= rate_window_.front().second
                      ? double(s.steps - rate_window_.front().second) / span
                      : 0;
  frames_.publish();
  last_publish_s_ = now;
  publish_cost_s_ = now - t0;
  steps_since_publish_ = 0;
}

}  // namespace slotsim::host
