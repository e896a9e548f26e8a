#pragma once
// Where the window's main controls are, for tools that drive it with real
// input (--widget-map FILE; tests/ui/e2e/input_driver.sh clicks through it).
// The panels' sizes follow the UI scale and the window, so a test cannot
// know where "Step (.)" is from fixed pixels; the panels name their
// controls here as they draw them, and after each drawn frame the map is
// written (atomically, when it changed) as lines "NAME X0 Y0 X1 Y1", window
// pixels. A control on a page of a side column that is not shown
// (ui/pager.hpp) is listed as "@NAME" with the rectangle of the button that
// shows its page. Costs nothing unless the flag is given.
#include <imgui.h>

#include <string>

namespace slotsim::ui {

// Records the last item drawn under `name` (no-op unless enabled).
void mark_widget(const std::string& name);
// While set, mark_widget() records "@NAME" at *page_button (the page
// button of the blocks being drawn off screen); nullptr: back to normal.
void widget_map_via(const ImVec4* page_button);
// Enables the map (empty path: off).
void widget_map_path(const std::string& path);
// After a frame is built: writes the file if a rectangle changed. Throws
// std::runtime_error (one line) if it cannot be written.
void widget_map_flush();

}  // namespace slotsim::ui
