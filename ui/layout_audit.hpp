#pragma once
// The clipping check: after a frame is built, is any text cut off?
//
// ImGui keeps no list of the items a window drew, but it keeps, for the
// frame just built, what every layout decision needs: each window's
// furthest item edge (CursorMaxPos, and IdealMaxPos, where an item wanted to
// reach before a container narrowed it), each table column's widest content
// and the width it was given, and each tab bar's ideal width beside its
// real one. audit_layout() compares these with the regions they had to fit
// in:
//  - a window's items against its work region (the content area inside
//    the padding and any scroll bar): text past it is clipped;
//  - a window's title against its title bar;
//  - every table column's content (cells and header) against the column's
//    work width, and a column scrolled out of view or a table that scrolls
//    sideways (the Compare ratio column was "hidden behind a scroll bar");
//  - a tab bar whose tabs had to shrink (their labels are then cut);
//  - items registered with require_visible() against their window's
//    visible area (a claim's details, when clicked, must be on screen).
//  - a window, or a table of fixed height, whose content is taller than
//    its visible region: its last lines or rows are out of view, behind a
//    scroll bar (issue 19 counts that as cut, as text past the right edge).
//
// Windows that size themselves to their content (the banners, tooltips)
// are skipped: they cannot clip, and while their text changes every frame
// their size lags it by one frame.
#include <string>
#include <vector>

namespace slotsim::ui {

struct LayoutFinding {
  std::string where;  // "window 'Memory'", "table 'compare' column 'x dict, x soa'", ...
  std::string what;   // "content reaches 23 px past the right edge"
};

struct LayoutAudit {
  std::vector<LayoutFinding> clipped;  // failures
  int windows = 0, tables = 0, columns = 0;  // what was checked
};

// Call after the frame's last End() and before ImGui::Render().
LayoutAudit audit_layout();

// Registers the last item submitted as one that must lie entirely inside
// its window's visible area in this frame.
void require_visible(const char* name);

}  // namespace slotsim::ui
