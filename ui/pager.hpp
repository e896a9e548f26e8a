#pragma once
// A side column of the overlay, paged: its sections are cut into blocks
// (a table, a plot, a few lines), and the blocks are packed, in order, into
// pages as tall as the column has room for; a row of page buttons at the
// top selects the one shown. So nothing in a column needs a scroll bar, and
// the number of pages follows the window and the UI scale (a bigger window
// shows more per page).
//
// The packing needs every block's height, also of the blocks on pages not
// shown: those are drawn, the same frame and at the same width, into a
// window of their own outside the screen (is_measure_window()), where
// nothing is visible or clickable and the clipping check does not look. A
// block is drawn once a frame either way, so a page costs what the stacked
// panels cost. Rejected: packing from last frame's heights of the shown
// blocks only (a page never shown has no heights, so the pages changed as
// the user visited them), and fixed pages per section (at scale 1.5 and
// 1280x800 a single section such as the heap map is taller than a column).
//
// A block taller than the whole column gets a page of its own and is cut
// there; the check reports it.
#include <algorithm>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "ui/widgets.hpp"

namespace slotsim::ui {

struct PageBlock {
  std::string section;          // names the page it starts ("heap map", "heap map 2" for a second page)
  std::function<void()> draw;   // draws the block into the current window
  // A name a script's `show` turns the column to (PagerState::turn_to):
  // kHeapMapBlock (host/script.hpp) for the heap map's picture. Empty for
  // most blocks.
  std::string key = {};
};

struct PagerState {
  int selected = 0;             // the page shown
  std::vector<float> heights;   // each block's height, measured last frame
  std::vector<std::string> labels;  // the pages' names, last frame
  float chrome = 0;             // the page line above the blocks (px), last frame
  std::size_t measured = 0;     // blocks measured last frame (heights is theirs when it equals the count)
  // A block key to turn to: once every block has been measured and the
  // target draws something (the heap map's picture waits for its first
  // sample), the next frame shows the page holding that block, and the
  // request is cleared when a frame shows it; a column without such a
  // block clears it too. Not the page's number or label: those follow the
  // window size and the scale.
  std::string turn_to;
  int turn_tries = 0;           // frames turned without showing it (given up after 8)
  // The tallest block and the page line: the least height that shows every
  // block whole (panel_layout() keeps it for the side columns).
  float need() const {
    float m = 0;
    for (float h : heights) m = std::max(m, h);
    return chrome + m;
  }
  int pages() const { return labels.empty() ? 1 : static_cast<int>(labels.size()); }
};

// One block per row of a table, so that a page can end between two rows:
// each block draws a table of its one row under the same id, which ImGui
// keeps at the same column widths within a window. The first block starts
// with the section's title (`title`, if any) and the header row (if
// `headers`). The columns' widths must not depend on which rows a window
// shows (the page's and the measuring window's tables are two tables):
// `setup` gives the fixed ones from all the rows' text (column_w()). `setup` declares the columns (TableSetupColumn), `row(i)` fills
// the cells of row i (after TableNextRow).
void table_row_blocks(std::vector<PageBlock>& out, const std::string& page, const char* title, const char* id,
                      int columns, std::function<void()> setup, bool headers, int rows, std::function<void(int)> row);

// The width of a fixed column holding `header` and `cells`.
inline float column_w(const char* header, const std::vector<std::string>& cells) {
  float w = ImGui::CalcTextSize(header, nullptr, true).x;
  for (const std::string& c : cells) w = std::max(w, text_w(c.c_str()));
  return std::ceil(w);
}

// Draws the column `id` docked to `r`: its page buttons, then the selected
// page (force_page >= 0: that page, or the last), and measures the other
// blocks off screen.
void paged_column(const char* id, const Rect& r, const std::vector<PageBlock>& blocks, PagerState& ps,
                  int force_page);

// The same, drawn into the current window from its cursor down (a tab of
// the bottom strip); `mark` names the page buttons in the widget map
// ("MARK:previous", "MARK:next"). Returns the height all the blocks and the
// page line take stacked (px, from the cursor): what the window needs to
// show them on one page.
float paged_content(const char* id, const char* mark, const std::vector<PageBlock>& blocks, PagerState& ps,
                    int force_page);

// Which pages `heights` make in a column with `room` px for a page: the
// first block of each page. A block starts
// a new page when it would run past the room (a block taller than the room
// gets a page of its own).
std::vector<int> page_starts(const std::vector<float>& heights, float room);

// The height of a page of the column being drawn (for a block that can
// shrink to fit, such as a picture); 0 outside paged_column().
float page_room();

// The off-screen window (and its children) the hidden blocks are measured in.
bool is_measure_window(const ImGuiWindow* w);

}  // namespace slotsim::ui
