#pragma once
// Entry point of the desktop front end (`slotsim gui`).
#include <string>
#include <vector>

#include "sim/system.hpp"
#include "host/script.hpp"

namespace slotsim::ui {

// ui is the layer above host/ (the simulation thread, its commands and
// frames, scripts): the panels use the host's types by name.
using namespace slotsim::host;

enum class RenderChoice { Auto, Points, Splat };

struct GuiOptions {
  SimConfig sim;
  unsigned width = 1280, height = 800;
  unsigned fps = 30;  // window frame rate cap (--fps)
  float ui_scale = 0;  // text and panel scale (--ui-scale); 0: from the window size
  std::string out_dir;  // where the window's Screenshot, Save snapshot and Export write (--out-dir)
  long frames = 0;  // quit after this many frames (0 = when the window closes)
  std::string screenshot;  // saved from the last frame
  std::string frame_log;   // CSV, one row per frame
  std::string widget_map;  // where the main controls are, for input tools (ui/widget_map.hpp)
  std::vector<ScriptAction> script;
  // Auto: splat on a software rasteriser (llvmpipe, softpipe), else points.
  RenderChoice render = RenderChoice::Auto;
};

// Opens the window and runs until it is closed or --frames is reached.
// Returns the process exit code; errors are printed as one line to stderr.
int run_gui(const GuiOptions& opts);

}  // namespace slotsim::ui
