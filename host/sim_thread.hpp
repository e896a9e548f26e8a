#pragma once
// The simulation thread. It owns the System; everything that touches it
// (steps, layout conversion, respawn, solver changes, set-attr, the
// inheritance preset) runs here, between steps, so the window thread never
// waits for a step and a conversion of millions of particles only shows as
// a progress bar.
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "sim/memory/tracker.hpp"
#include "sim/system.hpp"
#include "host/energy_schedule.hpp"
#include "host/frame_exchange.hpp"
#include "host/sim_command.hpp"
#include "host/sim_frame.hpp"

namespace slotsim::host {

struct SimProgress {
  bool busy = false;
  double fraction = 0;
  std::string label;
  // What the simulation thread is doing between commands (a step, an energy
  // measurement) and for how long so far; empty when idle. The window shows
  // a banner once it has taken more than a second.
  std::string activity;
  double activity_s = 0;
};

class SimThread {
 public:
  // Starts the thread, which first builds a System from `cfg`.
  SimThread(const SimConfig& cfg, bool start_paused);
  // Stops after the step or command in progress and joins.
  ~SimThread();
  SimThread(const SimThread&) = delete;
  SimThread& operator=(const SimThread&) = delete;

  // Queues a command; returns its sequence number (1, 2, ...).
  std::uint64_t post(SimCommand c);
  std::uint64_t last_posted() const { return posted_.load(); }

  // Window thread: takes the newest published frame, if any; front() stays
  // valid and unchanged until the next acquire().
  bool acquire() { return frames_.acquire(); }
  const SimFrame& front() const { return frames_.front(); }

  SimProgress progress() const;
  // Set once the first System exists or building it failed.
  bool started() const { return started_.load(); }
  // The exception text if the first System could not be built.
  std::optional<std::string> startup_error() const;

 private:
  void run();
  // Runs the command's handler (host/command_handlers.hpp) and applies what
  // it asks of the thread: restart the statistics, the clock, the forces.
  void apply(const SimCommand& c, std::uint64_t seq);
  void publish();
  void set_busy(bool busy, const std::string& label);
  // `cancellable`: throw SpawnCancelled out of the work once the window
  // asks to stop (used for spawning only: an abandoned System is simply
  // destroyed, whereas a conversion is left to finish so no store is ever
  // half-moved).
  ProgressFn progress_fn(bool cancellable = false);
  void record(CommandResult r);
  // One step, with its timing kept for the current layout's statistics.
  void do_step();
  // Step statistics restart: new layout, new particles or a new solver.
  void restart_timing();
  // After a (re)spawn: simulated time and the energy reference restart.
  void restart_clock();
  // Returns whether it measured.
  bool maybe_measure_energy(bool force);
  void maybe_sample_heap(bool force);
  void set_activity(std::string what);  // empty = idle

  SimConfig initial_;
  std::unique_ptr<System> system_;

  // Counted as Category::Render: the published position buffers exist only
  // to be drawn. Declared before frames_, which allocates from it.
  mem::CountingResource render_mem_{mem::Category::Render};
  FrameExchange<SimFrame> frames_;

  mutable std::mutex m_;  // guards everything below up to the atomics
  std::condition_variable cv_;
  std::deque<std::pair<std::uint64_t, SimCommand>> queue_;
  bool stop_ = false;
  SimProgress progress_;
  double activity_since_ = 0;  // seconds_now() when progress_.activity was set
  std::optional<std::string> startup_error_;

  std::atomic<std::uint64_t> posted_{0};
  std::atomic<bool> started_{false};

  // Simulation-thread state.
  bool paused_ = false;
  std::uint64_t publish_id_ = 0, spawn_id_ = 0, applied_seq_ = 0;
  std::deque<StepTiming> timings_;
  Layout timing_layout_ = Layout::Soa;
  std::uint64_t timing_steps_ = 0;
  bool first_step_ = true;  // the next step computes forces from scratch
  int steps_per_frame_ = 0;
  int steps_since_publish_ = 0;
  double last_publish_s_ = 0;
  double publish_cost_s_ = 0;  // what the last publish took (gathering the floats to draw)
  double sim_time_ = 0;
  bool has_e0_ = false;
  double e0_ = 0, energy_error_ = 0, energy_time_ = 0;
  std::string energy_method_;
  double energy_potential_error_ = 0;
  double energy_at_s_ = 0;      // when the last measurement started (the figure's age counts from it)
  double energy_checked_time_ = 0;  // the simulated time of that check
  EnergySchedule energy_schedule_;  // when to measure next (host/energy_schedule.hpp)
  double heap_cost_s_ = 0;      // what the last heap sample took
  double last_step_s_ = 0;      // what the last step took
  bool energy_after_step_ = false;  // measure again once the first step is done
  double next_heap_s_ = 0;
  std::shared_ptr<const HeapSample> heap_sample_;
  RankCube cube_;  // bounding cube of the last published positions
  std::deque<std::pair<double, std::uint64_t>> rate_window_;  // (seconds, steps)
  std::deque<CommandResult> results_;
  std::vector<DynamicAttr> dynamic_attrs_;
  std::size_t own_dicts_ = 0;  // particles with their own dict, refreshed with dynamic_attrs_
  std::shared_ptr<const std::vector<Lesson>> lessons_;

  std::thread thread_;  // last: starts once everything above is constructed
};

}  // namespace slotsim::host
