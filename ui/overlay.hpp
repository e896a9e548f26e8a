#pragma once
// The ImGui overlay: what the current memory layout costs, how long steps
// take, and the controls. Each panel is its own function (and file); they
// read the published SimFrame and post commands, never touching the System.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/memory/tracker.hpp"
#include "host/compare.hpp"
#include "host/history.hpp"
#include "host/sim_frame.hpp"
#include "host/sim_thread.hpp"
#include "ui/pager.hpp"
#include "ui/widgets.hpp"

namespace slotsim::ui {

// ui is the layer above host/ (the simulation thread, its commands and
// frames, scripts): the panels use the host's types by name.
using namespace slotsim::host;

enum class RenderMode { Points, Splat };

// Per-window UI state that outlives a frame: plot histories and the
// contents of the input widgets.
struct OverlayState {
  bool visible = true;  // F1
  History heap_mib{600};
  History step_ms{300};
  History frame_ms{300};
  std::uint64_t last_steps_seen = 0;  // step_ms gets one sample per new step
  // step_ms restarts with the step statistics (new layout, spawn, solver).
  Layout plot_layout = Layout::Soa;
  std::uint64_t plot_timing_steps = 0;

  // Compare panel: the table (filled by the window loop every frame, shown
  // or not), the tour in progress, and the export inputs.
  CompareTable compare;
  std::uint64_t compare_spawn = 0, compare_seq = 0;
  std::optional<Tour> tour;
  int tour_steps = 10;
  int tour_rounds = 3;
  int export_format = 0;  // 0 CSV, 1 JSON, 2 Markdown
  std::string export_base = "slotsim-compare";
  std::string compare_status;
  bool bottom_open = true;  // last frame's state of the bottom strip
  // The height each docked panel's content asked for last frame (the
  // strip's: its shown tab's), from which panel_layout() sizes the regions.
  PanelWants want;
  // The side columns' pages (ui/pager.hpp), and the page the script's
  // check-layout shows in both (-1: the user's choice).
  PagerState left_pages, right_pages;
  // The bottom strip's tabs, paged the same way (the shown tab's is turned
  // by check-layout too).
  PagerState compare_pages, lessons_pages;
  int strip_tab = 0;  // the tab shown last frame: 0 Compare, 1 Lessons
  const PagerState& strip_pages() const { return strip_tab == 1 ? lessons_pages : compare_pages; }
  int force_page = -1;
  // The 1-minute load average (/proc/loadavg), read every second: the
  // Compare rows keep the load they were timed under.
  double load = 0;
  double load_read_s = -1;

  // The UI scale: what the View slider shows, and a change for the window
  // loop to apply (it rebuilds the font between frames).
  float ui_scale = 1.0f;
  bool want_ui_scale = false;
  // The output folder (--out-dir, the field in Controls).
  std::string out_dir;
  // Script and keyboard requests: open every folded section (the next
  // frame); select a bottom tab (0 Compare, 1 Lessons) and a claim.
  bool expand_all = false;
  int show_tab = -1;
  int show_claim = -1;

  // Memory panel: the tracemalloc-style mark, and the heap map's texture.
  std::optional<mem::Snapshot> mark;
  unsigned heap_texture = 0, strip_texture = 0;
  const void* heap_texture_sample = nullptr;  // the HeapSample it shows
  int heap_regions = 0;
  std::uintptr_t heap_lo = 0, heap_hi = 0;
  std::uint64_t heap_span_bytes = 0;

  // Controls panel inputs, seeded from the first published frame and again
  // from every new spawn (a Respawn changes the scene, its dt, ...).
  std::uint64_t controls_spawn = 0;
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
  std::uint64_t attr_since = 0;   // results before this command (the last respawn) are another run's

  // Lessons panel: build the real 10M-instance dict store (GBs) or
  // extrapolate from the sample.
  bool lessons_build_big = false;
  const void* lessons_shown = nullptr;  // the measurement last opened the panel for

  // Controls panel: the speed control's slider (steps per frame, 0 = max).
  int speed = 0;

  // Requests back to the window loop.
  bool want_quit = false;
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
  PanelLayout layout;  // where each panel is docked this frame
  const std::string& font_file;  // the TTF the text is drawn from ("" = ImGui's own)
};

void draw_overlay(OverlayContext& ctx, OverlayState& st);

// Panels (one file each). The side columns' panels give their sections as
// blocks for the column's pages (ui/pager.hpp); the blocks draw this frame.
void memory_blocks(OverlayContext& ctx, OverlayState& st, std::vector<PageBlock>& out);
void time_blocks(OverlayContext& ctx, OverlayState& st, std::vector<PageBlock>& out);
void controls_blocks(OverlayContext& ctx, OverlayState& st, std::vector<PageBlock>& out);
void attributes_blocks(OverlayContext& ctx, OverlayState& st, std::vector<PageBlock>& out);
// The bottom strip's tabs, paged the same way.
void lessons_blocks(OverlayContext& ctx, OverlayState& st, std::vector<PageBlock>& out);
void compare_blocks(OverlayContext& ctx, OverlayState& st, std::vector<PageBlock>& out);

// A CollapsingHeader that an `expand` request opens.
bool folding_header(const OverlayState& st, const char* label, bool default_open = false);

// Shared by the controls panel and the 1..N keys.
void request_layout(SimThread& sim, Layout to);
// Starts the Compare panel's measurement from the current layout (the
// button and the script's `tour K R`): the old step figures are discarded,
// then every layout runs K steps, in R interleaved rounds; resumes the
// simulation if it was paused.
void start_tour(SimThread& sim, const SimStats& s, OverlayState& st, std::uint64_t steps_per_layout, int rounds);
// Writes the Compare table to `path` (format from its extension, CSV when
// none fits); returns the message to show, with the full path. Throws
// std::runtime_error.
std::string export_compare(const OverlayState& st, const std::string& path);
// The Memory panel's Mark (and the script's `mark`).
void take_mark(OverlayState& st);
// Frees the heap map's GL textures (needs the GL context; before it goes).
void release_overlay_gl(OverlayState& st);

}  // namespace slotsim::ui
