#pragma once
// Small ImGui helpers the panels share.
#include <imgui.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <initializer_list>

namespace slotsim::ui {

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

// For the next window: exactly `width` wide, height fitted to the content.
// AlwaysAutoResize alone lets a long message widen a right-anchored panel
// past the screen edge; wrapped text then wraps at the fixed width.
inline void fixed_width_next_window(float width) {
  ImGui::SetNextWindowSizeConstraints(ImVec2(width, 0), ImVec2(width, FLT_MAX));
}

// Panels are pinned to the window's corners (re-placed every frame, so a
// resize or a panel growing never pushes one off screen) and sized to their
// content; they can be collapsed but not dragged.
inline constexpr ImGuiWindowFlags kPanelFlags =
    ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoMove;
inline void pin_next_window(float x, float y, float pivot_x, float pivot_y) {
  ImGui::SetNextWindowPos(ImVec2(x, y), ImGuiCond_Always, ImVec2(pivot_x, pivot_y));
  ImGui::SetNextWindowBgAlpha(0.85f);
}
inline constexpr float kMargin = 8;
inline constexpr float kSideWidth = 350;  // the left and right panel columns
// Full inner width of a side panel (explicit: a negative "fill" width
// collapses to nothing in an auto-resizing window).
inline constexpr float kPlotWidth = kSideWidth - 16;

// The fixed regions the panels are docked to, recomputed every frame from
// the window size: a column on each side (Memory over Time, Controls over
// Attributes), a strip at the bottom centre (Compare and Lessons, as tabs)
// and the particle view in the rest. Every panel has a fixed size and
// scrolls inside it, so none grows into another (auto-sizing windows did:
// the Attributes panel ran over the Controls messages) and the view is
// never covered; the particles are drawn into the view rectangle only, so
// the camera's fit keeps them out from under the panels.
struct Rect {
  float x = 0, y = 0, w = 0, h = 0;
};
struct PanelLayout {
  Rect memory, time, controls, attributes, bottom, view;
};
// `bottom_open`: the bottom strip is expanded (else only its title bar).
inline PanelLayout panel_layout(float width, float height, bool bottom_open) {
  PanelLayout p;
  const float m = kMargin, title = 22;
  const float col_h = height - 3 * m;
  const float left_x = m, right_x = width - m - kSideWidth;
  const float mem_h = std::floor(col_h * 0.6f);
  p.memory = {left_x, m, kSideWidth, mem_h};
  p.time = {left_x, 2 * m + mem_h, kSideWidth, col_h - mem_h};
  const float ctl_h = std::floor(col_h * 0.55f);
  p.controls = {right_x, m, kSideWidth, ctl_h};
  p.attributes = {right_x, 2 * m + ctl_h, kSideWidth, col_h - ctl_h};
  const float cx = 2 * m + kSideWidth, cw = std::max(0.0f, width - 2 * cx);
  const float bh = bottom_open ? std::clamp(std::floor(height * 0.36f), 220.0f, 380.0f) : title;
  p.bottom = {cx, height - m - bh, cw, bh};
  p.view = {cx, m, cw, std::max(0.0f, height - 3 * m - bh)};
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
