#pragma once
// Small ImGui helpers the panels share, and the panels' regions.
//
// Every size here is in units of the current font (em()), never in fixed
// pixels: the UI scale (--ui-scale, the View section's slider) rasterises
// the font at another size, and every width and height follows it. Widths
// that depend on text are measured from that text (text_w()).
#include <imgui.h>
#include <imgui_internal.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <initializer_list>

namespace slotsim::ui {

// n times the current font size in pixels.
inline float em(float n = 1.0f) { return n * ImGui::GetFontSize(); }
inline float text_w(const char* s) { return ImGui::CalcTextSize(s).x; }
// Width of a button showing `label` (up to a "##" suffix).
inline float button_w(const char* label) {
  return ImGui::CalcTextSize(label, nullptr, true).x + 2 * ImGui::GetStyle().FramePadding.x;
}

// Wrapped greyed text (notes that must not run off a narrow panel).
inline void disabled_wrapped(const char* text) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("%s", text);
  ImGui::PopStyleColor();
}

// Puts the next item on the current line if `width` pixels still fit
// before the window's right edge, else leaves it to start a new line. So a
// row of buttons wraps instead of running off the panel (where "Save
// snapshot" was cut to "Save sna").
// The right edge items must stay inside: the window's work area (inside
// its padding and its scroll bar), or the table cell's. ImGui's public
// GetWindowContentRegionMax() ignores the scroll bar, and a row that fitted
// by it ran under the bar.
inline float right_edge() { return ImGui::GetCurrentWindowRead()->WorkRect.Max.x; }
inline bool fits_after_item(float width) {
  return ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + width <= right_edge();
}
inline void flow(float width) {
  if (fits_after_item(width)) ImGui::SameLine();
}
// A button after another one: on the same line if it fits.
inline bool flow_button(const char* label) {
  flow(button_w(label));
  return ImGui::Button(label);
}
// Greyed text after an item: on the same line if it fits, else on a line
// of its own, wrapped.
inline void flow_text_disabled(const char* text) {
  if (fits_after_item(text_w(text))) {
    ImGui::SameLine();
    ImGui::TextDisabled("%s", text);
  } else {
    disabled_wrapped(text);
  }
}

// For a labelled input: the widget `want` wide, or narrower so that its
// label (drawn to its right) still fits the panel.
inline void item_width_for(const char* label, float want) {
  const float label_w = ImGui::CalcTextSize(label, nullptr, true).x;
  const float room = ImGui::GetContentRegionAvail().x - label_w - (label_w > 0 ? ImGui::GetStyle().ItemInnerSpacing.x : 0);
  ImGui::SetNextItemWidth(std::max(em(3), std::min(want, room)));
}

// A titled separator (ImGui::SeparatorText only arrived in 1.89).
inline void section(const char* title) {
  ImGui::Spacing();
  ImGui::TextColored(ImVec4(0.55f, 0.75f, 1.0f, 1.0f), "%s", title);
  ImGui::Separator();
}

// One table row of plain-text cells, left to right.
inline void text_row(std::initializer_list<const char*> cells) {
  ImGui::TableNextRow();
  int column = 0;
  for (const char* text : cells) {
    ImGui::TableSetColumnIndex(column++);
    ImGui::TextUnformatted(text);
  }
}


// The regions the panels are docked to, recomputed every frame from the
// window size, the font size and the height the bottom strip's content took
// the frame before: a strip along the whole bottom (Compare and Lessons, as
// tabs), above it a column on each side (Memory and Time on the left,
// Controls and Attributes on the right, each column paged: ui/pager.hpp)
// and the particle view between them. The strip is as tall as its content
// asks, up to kStripShare of the window and never so tall that a side
// column's tallest block no longer fits a page (the strip pages instead,
// with the same pager); each side column takes all the height
// above it, and shows one page of its sections at a time, the pages cut to
// fit that height (so a bigger window or a smaller scale shows more per
// page). None grows into another and the view is never covered; the
// particles are drawn into the view rectangle only, so the camera's fit
// keeps them out from under the panels. Where the window is too small for
// even one section (800x600 at scale 2), the clipping check
// (ui/layout_audit.hpp) reports what is cut.
//
// Rejected: stacked panels sized by their content (Memory over Time,
// Controls over Attributes, each as tall as it asks): with every section
// open their content is several times the room (Memory asked ~1040 px where
// it got ~300 at 1280x800 and scale 1.0, ~2050 px for ~170 at 1.5), so they
// scrolled. Before that, fixed shares of the height (55/45 in each column),
// under which the Memory and Controls panels scrolled while the panels
// under them had room to spare.
//
// The bottom strip is as wide as the window because the Compare table's
// columns are: at 1280x800 a strip between the side columns (the old
// layout) had ~500 px for them and scrolled the ratio column out of view.
struct Rect {
  float x = 0, y = 0, w = 0, h = 0;
};
struct PanelLayout {
  Rect left, right, bottom, view;
};
// The height (px, title bar and padding included) the bottom strip's
// content took last frame; 0: not known yet.
struct PanelWants {
  float bottom = 0;
  // The height (px, padding included) a side column needs for its page line
  // and its tallest block; 0: not known yet.
  float side = 0;
  // The least the strip needs: its title, tabs, page line and tallest block.
  float bottom_min = 0;
};
// The height of the current window's content as laid out so far: its title
// bar, its items (wherever it is scrolled to) and the bottom padding. Called
// just before End(), it is what the window asks of panel_layout().
inline float content_want() {
  const ImGuiWindow* w = ImGui::GetCurrentWindowRead();
  const float bottom = w->DC.CursorMaxPos.y - w->Pos.y + w->Scroll.y;
  return std::ceil(bottom + ImGui::GetStyle().WindowPadding.y + w->WindowBorderSize);
}
// The most of the window's height the bottom strip may take.
inline constexpr float kStripShare = 0.75f;
// `font`: the font size in pixels; `bottom_open`: the bottom strip is
// expanded (else only its title bar); `want`: what the strip asked for.
inline PanelLayout panel_layout(float width, float height, float font, bool bottom_open, const PanelWants& want) {
  PanelLayout p;
  const float m = std::round(0.5f * font);
  const float title = std::round(font + 0.6f * font);
  // Side columns: 25 em (about 45 characters) on a wide window, never
  // less than a fifth nor more than 30% of the width, so the view keeps
  // at least 40% of it.
  const float side = std::floor(std::clamp(25.0f * font, 0.2f * width, 0.3f * width));
  // The strip: what its shown tab's content asks for, up to kStripShare of
  // the height (the side columns keep the rest); 36% before it has asked.
  // Never so tall that a side column's tallest block no longer fits a page
  // of it (their blocks are not cut further: one is a table or a group of
  // radio buttons); the strip pages instead (ui/pager.hpp).
  float cap = kStripShare * height;
  if (want.side > 0) cap = std::min(cap, height - 3 * m - want.side);
  // ... but not below the strip's own tallest block (where both cannot fit,
  // the strip keeps its block and the clipping check reports the column's).
  cap = std::max(cap, std::min(want.bottom_min, kStripShare * height));
  const float strip = want.bottom > 0 ? std::min(want.bottom, cap) : std::min(0.36f * height, cap);
  const float bh = bottom_open ? std::ceil(std::max(strip, title)) : title;
  p.bottom = {m, height - m - bh, std::max(0.0f, width - 2 * m), bh};
  const float col_h = std::max(0.0f, p.bottom.y - 2 * m);
  p.left = {m, m, side, col_h};
  p.right = {width - m - side, m, side, col_h};
  const float cx = 2 * m + side, cw = std::max(0.0f, width - 2 * cx);
  p.view = {cx, m, cw, col_h};
  return p;
}
inline void dock_next_window(const Rect& r) {
  ImGui::SetNextWindowPos(ImVec2(r.x, r.y), ImGuiCond_Always);
  ImGui::SetNextWindowSize(ImVec2(r.w, r.h), ImGuiCond_Always);
  ImGui::SetNextWindowBgAlpha(0.85f);
}
inline constexpr ImGuiWindowFlags kDockedFlags =
    ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoSavedSettings;

inline void error_text(const char* text) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.45f, 0.4f, 1.0f));
  ImGui::TextWrapped("%s", text);
  ImGui::PopStyleColor();
}

}  // namespace slotsim::ui
