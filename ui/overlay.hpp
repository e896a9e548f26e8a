#pragma once
// The ImGui overlay: what the current memory layout costs, how long steps
// take, and the controls. Each panel is its own function (and file); they
// read the published SimFrame and post commands, never touching the System.
#include <cstdint>
#include <string>

#include "ui/history.hpp"
#include "ui/sim_frame.hpp"
#include "ui/sim_thread.hpp"

namespace slotsim::ui {

enum class RenderMode { Points, Splat };

// Per-window UI state that outlives a frame: plot histories and the
// contents of the input widgets.
struct OverlayState {
  bool visible = true;  // F1
  History heap_mib{600};
  History step_ms{300};
  History frame_ms{300};
  std::uint64_t last_steps_seen = 0;  // step_ms gets one sample per new step

  // Controls panel inputs, seeded from the first published frame.
  bool controls_seeded = false;
  int scene = 0;
  int particles = 0;
  int seed = 1;
  int solver = 0;
  float dt = 0, softening = 0, theta = 0;
  int grid = 0;
  int threads = 0;

  // Attributes panel inputs and the command whose result it shows.
  std::string attr_name = "charge";
  double attr_value = 1.0;
  int attr_id = 0;
  bool attr_all = true;
  std::uint64_t attr_seq = 0;
  std::uint64_t inherit_seq = 0;  // the subclass-without-__slots__ preset

  // Lessons panel: build the real 10M-instance dict store (GBs) or
  // extrapolate from the sample.
  bool lessons_build_big = false;
  const void* lessons_shown = nullptr;  // the measurement last opened the panel for

  // Requests back to the window loop.
  bool want_screenshot = false;
  bool want_render_mode = false;
  RenderMode render_mode_request = RenderMode::Splat;
};

struct OverlayContext {
  const SimFrame& frame;
  const SimProgress& progress;
  SimThread& sim;
  RenderMode render_mode;
  const std::string& gl_renderer;
  double frame_ms = 0;
  long frame_number = 0;
  std::string status;  // last window-side message (screenshot saved, ...)
};

void draw_overlay(OverlayContext& ctx, OverlayState& st);

// Panels (one file each).
void memory_panel(OverlayContext& ctx, OverlayState& st);
void time_panel(OverlayContext& ctx, OverlayState& st);
void controls_panel(OverlayContext& ctx, OverlayState& st);
void attributes_panel(OverlayContext& ctx, OverlayState& st);
void lessons_panel(OverlayContext& ctx, OverlayState& st);

// Shared by the controls panel and the 1-5 keys.
void request_layout(SimThread& sim, Layout to);

}  // namespace slotsim::ui
