#pragma once
// Small ImGui helpers the panels share.
#include <imgui.h>

#include <cfloat>

namespace slotsim::ui {

// A titled separator (ImGui::SeparatorText only arrived in 1.89).
inline void section(const char* title) {
  ImGui::Spacing();
  ImGui::TextColored(ImVec4(0.55f, 0.75f, 1.0f, 1.0f), "%s", title);
  ImGui::Separator();
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
inline constexpr float kSideWidth = 370;  // the left and right panel columns
// Full inner width of a side panel (explicit: a negative "fill" width
// collapses to nothing in an auto-resizing window).
inline constexpr float kPlotWidth = kSideWidth - 16;

inline void error_text(const char* text) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.45f, 0.4f, 1.0f));
  ImGui::TextWrapped("%s", text);
  ImGui::PopStyleColor();
}

}  // namespace slotsim::ui
