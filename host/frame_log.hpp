#pragma once
// Per-frame record of the GUI run (--frame-log FILE.csv), and the summary
// printed at exit: how long frames took, and how long while the simulation
// thread was busy converting or respawning (the number that shows whether
// the window stayed interactive).
#include <array>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "sim/layouts/layout.hpp"

namespace slotsim::host {

struct FrameRecord {
  long frame = 0;
  double frame_ms = 0;     // wall time of this frame, display to display
  double sim_step_ms = 0;  // the latest step the shown frame came from
  Layout layout = Layout::Soa;
  double bytes_per_particle = 0;  // LayoutBytes::total() / N, as System::bytes() reports
  bool busy = false;              // simulation thread converting / spawning / setting
  std::size_t particles = 0;
  long long layout_bytes = 0;  // LayoutBytes::total()
  long long heap_bytes = 0;    // process heap, requested bytes
  std::uint64_t steps = 0;     // steps the shown frame's System had done
  // For the input test (tests/ui/e2e/gui_input.cpp): what the keys and the
  // mouse changed.
  bool paused = false;
  bool overlay = true;  // F1
  float cam_yaw = 0, cam_pitch = 0, cam_distance = 0;
  std::array<float, 3> cam_target{};
  Layout timing_layout = Layout::Soa;  // the layout the step statistics belong to
  std::uint64_t timing_steps = 0;
  double sim_time = 0;
  double dt = 0;  // the System's time step (the input test checks Respawn changes it)
  // Whether the window drew this frame: with nothing new to show (no new
  // positions, no input, no progress) it only polls events and sleeps,
  // leaving the CPU to the simulation (docs/GUI.md).
  bool drawn = true;
  double work_ms = 0;  // what the frame itself took, without the sleep to the next frame slot
  // Seconds between the shown energy figure's measurement and this frame,
  // -1 before the first one (bench/frame_times.py reports its maximum).
  double energy_age_s = -1;
  double load = -1;  // the 1-minute load average (read every second), for figures quoted with their load
};

struct FrameSummary {
  long frames = 0;
  double median_ms = 0, p95_ms = 0, max_ms = 0;
  long busy_frames = 0;
  double busy_max_ms = 0;
};

class FrameLog {
 public:
  // With an empty path only the summary is kept. Throws std::runtime_error
  // (one line) if the file cannot be created.
  explicit FrameLog(const std::string& path);
  void add(const FrameRecord& r);
  FrameSummary summary() const;
  // Flushes the file; throws std::runtime_error if writing failed.
  void close();

 private:
  std::string path_;
  std::ofstream out_;
  std::vector<double> frame_ms_;
  long busy_frames_ = 0;
  double busy_max_ms_ = 0;
};

}  // namespace slotsim::host
