#pragma once
// What the simulation thread publishes for the window thread: the particle
// positions to draw and, taken at the same moment, every figure the overlay
// shows, so the bytes per instance on screen belong to the positions on
// screen and equal System::bytes() (what `slotsim batch` prints).
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <memory_resource>
#include <string>
#include <string_view>
#include <vector>

#include "sim/layouts/layout.hpp"
#include "sim/layouts/particle_store.hpp"
#include "lessons/lessons.hpp"
#include "sim/memory/tracker.hpp"
#include "sim/system.hpp"
#include "host/heap_map.hpp"
#include "host/sim_command.hpp"

namespace slotsim::host {

// The outcome of one command, for the overlay's messages and the attribute
// panel's before/after figures. It names its command (command_index_v and
// kName in host/sim_command.hpp), so a consumer asks is<cmd::SetAttr>()
// instead of keeping one flag per command.
struct CommandResult {
  std::uint64_t seq = 0;
  std::size_t command = 0;         // the SimCommand variant index
  std::string_view command_name;   // its kName: "switch-layout", "set-attr", ...
  bool ok = true;
  std::string text;  // "layout dict -> slots (412 ms): ..." or the exception's what()
  long long bytes_before = 0, bytes_after = 0;
  std::size_t n = 0;  // particles when it ran, so per-particle figures stay its own
  Layout layout_after = Layout::Soa;  // the layout once it had run
  double ms = 0;      // how long it took on the simulation thread
  // A switch-layout command: switch_from -> layout_after, and the process
  // heap's peak (requested bytes) while both stores existed, for the
  // Compare panel.
  Layout switch_from = Layout::Soa;
  long long peak_heap = 0;
  // An inherit command (the panel shows the latest): the layout it started
  // from and the bytes once the particles were subclass instances but
  // before the subclass's __init__ ran; before/after bracket the command.
  Layout inherit_from = Layout::Slots;
  long long bytes_subclass = 0;
  std::string attr;  // the attribute its __init__ set
  // What the user asked for, as the script writes it: "set-attr",
  // "del-attr", "read-dict" (all three are cmd::SetAttr), "inherit", ...
  // The Attributes panel labels its result with it.
  std::string action;

  template <class T>
  bool is() const {
    return command == command_index_v<T>;
  }
};

struct SimStats {
  std::uint64_t publish_id = 0;   // increments with every publish
  std::uint64_t spawn_id = 0;     // increments with every (re)spawn: refit the camera
  std::uint64_t applied_seq = 0;  // last command applied (or failed)
  bool has_system = false;

  std::size_t n = 0;
  Layout layout = Layout::Soa;
  LayoutBytes bytes;
  std::string scene;
  std::uint64_t seed = 0;
  std::string solver;
  ForceParams force;
  double dt = 0;
  int threads = 0;  // OpenMP threads of the simulation thread
  bool paused = false;

  mem::HeapStats heap;
  std::array<mem::CategoryStats, static_cast<int>(mem::Category::kCount)> categories{};
  std::int64_t rss = 0, available = 0;

  std::uint64_t steps = 0;
  StepTiming last;    // the latest step
  // Step statistics of the current layout only: they restart on every
  // layout switch, respawn and solver change, so a median never mixes two
  // layouts (the Compare panel keeps each layout's own).
  Layout timing_layout = Layout::Soa;  // the layout the figures below belong to
  std::uint64_t timing_steps = 0;      // steps since the restart (not capped)
  StepTiming median;  // per field, median over the last kTimingWindow of them
  // total_ms of those steps, oldest first (at most kTimingWindow): step k
  // of the layout (0-based) is recent_ms[k - (timing_steps - size)]. The
  // Compare tour takes each visit's steps from here.
  std::vector<double> recent_ms;
  double step_min_ms = 0, step_max_ms = 0;  // total_ms over the same window
  double steps_per_s = 0;
  int steps_per_frame = 0;  // speed control; 0 = as fast as the machine goes

  // Simulated time since the spawn (sum of dt over the steps), and the
  // relative energy change |E - E0| / |E0| at the last energy measurement
  // (System::diagnostics(), re-measured every few seconds; see sim_thread).
  double sim_time = 0;
  bool has_energy = false;
  double energy_error = 0;
  double energy_time = 0;  // sim_time of that measurement
  double energy_at_s = 0;  // when it was taken (steady clock, seconds): the window shows its age
  std::string energy_method;  // Diagnostics::potential_method: "exact", "bh tree (...)", "pm mesh (...)", "sampled(...)"
  double energy_potential_error = 0;  // Diagnostics::potential_error of the last check (0: exact)
  double energy_checked_time = 0;     // sim_time of that check (taken every half minute or so)

  // Refreshed after commands only: on a 1M-particle dict it scans every table.
  std::vector<DynamicAttr> dynamic_attrs;
  std::size_t own_dicts = 0;  // particles with their own dict (System::own_dicts)
  std::vector<CommandResult> results;  // newest last, at most kMaxResults
  // The latest MeasureLessons outcome (null until one ran); shared, not
  // copied, by every publish.
  std::shared_ptr<const std::vector<Lesson>> lessons;
  // The heap map's latest sample (host/heap_map.hpp), recomputed every second
  // or so on the simulation thread; null until the first one.
  std::shared_ptr<const HeapSample> heap_sample;
};

inline constexpr std::size_t kTimingWindow = 64;

// Seconds on the steady clock, the time base of SimStats::energy_at_s (both
// threads read it).
inline double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
inline constexpr std::size_t kMaxResults = 16;

struct SimFrame {
  explicit SimFrame(std::pmr::memory_resource* mr) : xyz(mr), speed(mr) {}
  std::pmr::vector<float> xyz;    // 3 per particle
  std::pmr::vector<float> speed;  // |v| per particle
  float speed_ref = 1;            // top of the colour ramp: 2 x rms speed
  SimStats stats;
};

}  // namespace slotsim::host
