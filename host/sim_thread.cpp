#include "host/sim_thread.hpp"

#include "sim/memory_plan.hpp"
#include "sim/stats.hpp"
#include "sim/step_phases.hpp"

#include <omp.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "sim/io/hdf5_snapshot.hpp"
#include "sim/layouts/errors.hpp"
#include "sim/layouts/particle_store.hpp"
#include "host/format.hpp"
#include "host/heap_map.hpp"
#include "sim/inheritance.hpp"

namespace slotsim::host {

namespace {
using Clock = std::chrono::steady_clock;

double seconds_now() {
  return std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
}
double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// Deliberately not a std::exception: it must pass every handler that turns
// command failures into messages and end the thread.
struct SpawnCancelled {};

// The one median rule (sim/stats.hpp), over the sliding window.
double median_of(const std::deque<StepTiming>& ts, double StepTiming::*field) {
  std::vector<double> v;
  v.reserve(ts.size());
  for (const StepTiming& t : ts) v.push_back(t.*field);
  return median(std::move(v));
}

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

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
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
  system_->step();
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
  next_energy_s_ = 0;
  first_step_ = true;
  rate_window_.clear();  // the step count restarts at zero
  restart_timing();
}

void SimThread::maybe_measure_energy(bool force) {
  const double now = seconds_now();
  if (!force && now < next_energy_s_) return;
  const std::size_t n = system_->size();
  // Says which of the diagnostic's three methods runs (System::diagnostics).
  const std::string solver(system_->solver().name());
  set_activity(n <= system_->config().exact_potential_max
                   ? "measuring the energy: exact potential of " + grouped(n) + " particles"
               : system_->solver().has_potentials()
                   ? "measuring the energy: " + solver + " potential of " + grouped(n) +
                         " particles, checked against exact sums"
                   : "measuring the energy: sampled potential against " + grouped(n) + " particles");
  const Diagnostics d = system_->diagnostics();
  set_activity("");
  const double cost = seconds_now() - now;
  if (!has_e0_) {
    e0_ = d.total();
    has_e0_ = true;
  }
  energy_error_ = e0_ != 0 ? std::fabs(d.total() - e0_) / std::fabs(e0_) : 0.0;
  energy_time_ = sim_time_;
  energy_method_ = d.potential_method;
  energy_potential_error_ = d.potential_error;
  // At most ~3% of the simulation thread's time (the sampled potential of a
  // million particles takes a second or two on two cores), and not more
  // often than every 5 s. Measuring every step was rejected for that cost;
  // never re-measuring would leave a stale figure on screen.
  next_energy_s_ = seconds_now() + std::max(5.0, 30.0 * cost);
}

void SimThread::maybe_sample_heap(bool force) {
  const double now = seconds_now();
  if (!force && now < next_heap_s_) return;
  HeapSample h = sample_heap(system_->store(), kHeapSampleMax, cube_);
  // Shown beside the map, so its cost (against the once-a-second interval)
  // is on screen rather than asserted.
  h.sample_ms = (seconds_now() - now) * 1000.0;
  heap_sample_ = std::make_shared<const HeapSample>(std::move(h));
  next_heap_s_ = now + kHeapSampleInterval;
}

std::optional<std::string> SimThread::startup_error() const {
  std::lock_guard lock(m_);
  return startup_error_;
}

void SimThread::set_busy(bool busy, const char* label) {
  std::lock_guard lock(m_);
  progress_.busy = busy;
  progress_.fraction = 0;
  progress_.label = label ? label : "";
}

ProgressFn SimThread::progress_fn(bool cancellable) {
  return [this, cancellable](double fraction, const char* what) {
    std::lock_guard lock(m_);
    if (cancellable && stop_) throw SpawnCancelled{};
    progress_.fraction = std::clamp(fraction, 0.0, 1.0);
    if (what) progress_.label = what;
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
  // cycle the window leaves: the window is capped at 60 frames/s and sleeps
  // between frames. Linux-only (per-thread nice); if it fails nothing else
  // changes.
  setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 5);
  set_busy(true, "spawning");
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
  set_busy(false, nullptr);  // after the publish, as for commands (below)
  started_.store(true);
  if (!system_) return;
  // The energy reference, after the particles are on screen (a second or
  // two at a million particles: the banner says what it is doing).
  maybe_measure_energy(true);

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
        set_busy(false, nullptr);
        return;
      }
      maybe_sample_heap(true);
      publish();
      // Busy until the outcome is published, not just until the work is
      // done: after a conversion to dict, scanning the tables for dynamic
      // attributes and gathering positions from a million objects take a
      // few frames, and the frame log's busy rows should cover them.
      set_busy(false, nullptr);
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
    maybe_measure_energy(false);
    maybe_sample_heap(false);
    do_step();
    // Slow steps publish every step; the speed control only caps fast ones.
    if (seconds_now() - last_publish_s_ >= kPublishInterval) publish();
  }
}

void SimThread::apply(const SimCommand& c, std::uint64_t seq) {
  CommandResult res;
  res.seq = seq;
  res.bytes_before = system_->bytes().total();
  bool log_it = true;
  bool changes_bytes = false;  // a layout or attribute change: report bytes/particle
  const auto t0 = Clock::now();
  try {
    std::visit(
        [&](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, cmd::SwitchLayout>) {
            const Layout from = system_->layout();
            changes_bytes = true;
            set_busy(true, "converting");
            // The peak while both stores exist, for the Compare panel (and
            // the Memory panel's "peak" column: since the last conversion).
            mem::reset_peak();
            system_->switch_layout(x.to, progress_fn());
            res.peak_heap = mem::heap_stats().peak_requested;
            res.layout_switch = true;
            res.switch_from = from;
            restart_timing();
            res.text = "layout " + std::string(layout_name(from)) + " -> " +
                       std::string(layout_name(x.to));
          } else if constexpr (std::is_same_v<T, cmd::Respawn>) {
            respawn(x, res);
          } else if constexpr (std::is_same_v<T, cmd::SetSolver>) {
            system_->set_solver(x.name, x.force);
            restart_timing();
            first_step_ = true;
            // Above the exact limit the potential is the solver's own (or
            // sampled), whose error differs between solvers: an E0 taken
            // the old way would show that difference as an energy change.
            // The state is unchanged here, so a new E0 is the same energy.
            if (system_->size() > system_->config().exact_potential_max) {
              has_e0_ = false;
              next_energy_s_ = 0;
            }
            res.text = "solver " + x.name;
          } else if constexpr (std::is_same_v<T, cmd::SetDt>) {
            system_->set_dt(x.dt);  // checks it (check_dt)
            res.text = "dt " + num(x.dt);
          } else if constexpr (std::is_same_v<T, cmd::SetAttr>) {
            changes_bytes = true;
            res.set_attr = true;
            set_busy(true, "set-attr");
            const std::string on = x.id ? " on particle " + std::to_string(*x.id) : " on all particles";
            if (x.op == cmd::AttrOp::Delete) {
              if (x.id) system_->del_attr(*x.id, x.name);
              else system_->del_attr_all(x.name);
              res.text = "del " + x.name + on;
            } else if (x.op == cmd::AttrOp::ReadDict) {
              const std::size_t made = x.id ? std::size_t(system_->read_dict(*x.id)) : system_->read_dict_all();
              res.text = "read __dict__" + on + ": " + std::to_string(made) + " dict(s) created, " +
                         std::to_string(system_->own_dicts()) + " particle(s) now have one";
            } else {
              if (x.id) system_->set_attr(*x.id, x.name, x.value);
              else system_->set_attr_all(x.name, x.value);
              res.text = "set " + x.name + " = " + num(x.value) + on;
            }
          } else if constexpr (std::is_same_v<T, cmd::Inherit>) {
            changes_bytes = true;
            res.inherit = true;
            res.inherit_from = system_->layout();
            res.attr = x.name;
            res.bytes_subclass = res.bytes_before;  // kept if refused or the conversion fails
            set_busy(true, "subclassing");
            const InheritOutcome o = subclass_without_slots(*system_, x.name, x.value, progress_fn());
            restart_timing();
            res.bytes_subclass = o.subclass.total();
            res.text = "subclass without __slots__: " + std::string(layout_name(o.from)) +
                       " -> slots+dict, __init__ sets " + x.name + " = " + num(x.value) +
                       " on all particles";
          } else if constexpr (std::is_same_v<T, cmd::SetThreads>) {
            // Only this thread's OpenMP setting: the System's kernels run
            // here, and the window thread keeps its own.
            omp_set_num_threads(x.threads > 0 ? x.threads : omp_get_num_procs());
            res.text = "threads " + std::to_string(omp_get_max_threads());
          } else if constexpr (std::is_same_v<T, cmd::SetPaused>) {
            paused_ = x.paused;
            log_it = false;
          } else if constexpr (std::is_same_v<T, cmd::MeasureLessons>) {
            set_busy(true, "measuring the lessons' claims");
            {
              // No fraction to report: negative means "indeterminate".
              std::lock_guard lock(m_);
              progress_.fraction = -1;
            }
            lessons_ = std::make_shared<const std::vector<Lesson>>(measure_lessons(x.options));
            res.text = "lessons measured";
          } else if constexpr (std::is_same_v<T, cmd::SaveSnapshot>) {
            set_busy(true, "saving snapshot");
            const std::string path =
                x.path.empty() ? "slotsim-step" + std::to_string(system_->steps_done()) + ".h5" : x.path;
            const long long bytes = save_snapshot_h5(path, *system_);
            res.text = "saved " + path + " at step " + std::to_string(system_->steps_done()) + ", " +
                       num(double(bytes) / 1e6) + " MB";
          } else if constexpr (std::is_same_v<T, cmd::StepOnce>) {
            do_step();
            log_it = false;
          } else if constexpr (std::is_same_v<T, cmd::SetSpeed>) {
            steps_per_frame_ = std::max(0, x.steps_per_frame);
            res.text = steps_per_frame_ ? "speed " + std::to_string(steps_per_frame_) + " steps/frame"
                                        : std::string("speed: as fast as possible");
          }
        },
        c);
    res.ok = true;
  } catch (const std::exception& e) {
    res.ok = false;
    res.text = e.what();
  }
  if (!system_) {  // a respawn failed and so did restoring the previous scene
    record(std::move(res));
    return;
  }
  res.bytes_after = system_->bytes().total();
  res.n = system_->size();
  res.layout_after = system_->layout();
  res.ms = ms_since(t0);
  if (!log_it) return;
  if (res.ok) {
    char buf[128];
    std::snprintf(buf, sizeof buf, " (%.0f ms)", res.ms);
    res.text += buf;
    const double n = double(system_->size());
    if (res.inherit) {
      std::snprintf(buf, sizeof buf, ": %.1f -> %.1f -> %.1f B/particle", double(res.bytes_before) / n,
                    double(res.bytes_subclass) / n, double(res.bytes_after) / n);
      res.text += buf;
    } else if (changes_bytes && res.set_attr) {
      std::snprintf(buf, sizeof buf, ": %+lld B, now %.2f B/particle",
                    res.bytes_after - res.bytes_before, double(res.bytes_after) / n);
      res.text += buf;
    } else if (changes_bytes) {
      std::snprintf(buf, sizeof buf, ": %.1f -> %.1f B/particle", double(res.bytes_before) / n,
                    double(res.bytes_after) / n);
      res.text += buf;
    }
  }
  dynamic_attrs_ = system_->store().dynamic_attrs();
  own_dicts_ = system_->own_dicts();
  record(std::move(res));
}

void SimThread::respawn(const cmd::Respawn& r, CommandResult& res) {
  SimConfig next = system_->config();
  next.layout = system_->layout();
  next.scene = r.scene;
  next.particles = r.particles;
  next.seed = r.seed;
  next.ic_file.clear();
  if (r.dt) next.dt = *r.dt;
  // Decide with the memory plan before touching anything: a refused
  // respawn must leave the running simulation exactly as it was (its step
  // count, layout and dynamic attributes). The old store counts as
  // available, since it is freed first when the new one needs its room.
  RunShape shape;
  shape.particles = next.particles;
  shape.initial = next.layout;
  shape.solver = next.solver;
  shape.force = next.force;
  shape.has_forces = next.solver != "none";
  shape.sort_every = next.sort_every;
  MemoryPlan plan = plan_run(shape);
  const bool fits_beside = plan.fits();
  plan.available += double(system_->bytes().usable_total);
  plan.check("respawn " + r.scene + " with " + std::to_string(r.particles) + " particles");
  set_busy(true, "spawning");
  if (fits_beside) {
    system_ = std::make_unique<System>(next, progress_fn(true));  // a throw leaves system_ as it was
  } else {
    SimConfig prev = system_->config();
    prev.layout = system_->layout();
    system_.reset();
    try {
      system_ = std::make_unique<System>(next, progress_fn(true));
    } catch (const std::exception& e) {
      // The plan said it fits; if the allocator disagrees, the old particles
      // are gone already, so the previous scene is rebuilt (and says so).
      system_ = std::make_unique<System>(prev, progress_fn());
      ++spawn_id_;
      restart_clock();
      throw std::runtime_error(std::string(e.what()) + " (previous scene restarted)");
    }
  }
  ++spawn_id_;
  restart_clock();
  res.text = "respawned " + r.scene + " with " + std::to_string(r.particles) + " particles";
}

void SimThread::publish() {
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
    s.step_max_ms = max_of(timings_);
    s.steps_per_frame = steps_per_frame_;
    s.sim_time = sim_time_;
    s.has_energy = has_e0_;
    s.energy_error = energy_error_;
    s.energy_time = energy_time_;
    s.energy_method = energy_method_;
    s.energy_potential_error = energy_potential_error_;
    s.heap_sample = heap_sample_;
    s.median.total_ms = median_of(timings_, &StepTiming::total_ms);
    for (const StepPhase& p : kStepPhases) s.median.*p.field = median_of(timings_, p.field);
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
  steps_since_publish_ = 0;
}

}  // namespace slotsim::host
