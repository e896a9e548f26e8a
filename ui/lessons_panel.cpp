// Lessons panel: the lecture's claims about __dict__ and __slots__ beside
// what this process measures (sim/lessons, the same numbers `slotsim bench
// --claims` prints). Starts collapsed: measuring builds sample stores and
// takes seconds, so it runs only when asked.
#include <imgui.h>

#include "ui/overlay.hpp"
#include "ui/widgets.hpp"

namespace slotsim::ui {

void lessons_panel(OverlayContext& ctx, OverlayState& st) {
  const SimStats& s = ctx.frame.stats;
  // Drawn into the current window: a tab of the bottom strip (ui/overlay.cpp),
  // which opens on this tab when a measurement arrives. A window of its own
  // covered the particle view once opened.
  if (ImGui::Button(s.lessons ? "Measure again" : "Measure") && !ctx.progress.busy) {
    LessonOptions o;
    o.build_big = st.lessons_build_big;
    ctx.sim.post(cmd::MeasureLessons{o});
  }
  ImGui::SameLine();
  ImGui::Checkbox("build the 10M dict store (GBs)", &st.lessons_build_big);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("otherwise the 10,000,000-instance figure is extrapolated from the sample");
  if (!s.lessons) {
    ImGui::TextDisabled("each claim from the lecture, measured in this process");
    return;
  }
  if (ImGui::BeginTable("lessons", 3,
                        ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit)) {
    // Fits between the side panels of a 1280-pixel window.
    ImGui::TableSetupColumn("claim", ImGuiTableColumnFlags_WidthFixed, 160);
    ImGui::TableSetupColumn("measured here", ImGuiTableColumnFlags_WidthFixed, 250);
    ImGui::TableSetupColumn("verdict", ImGuiTableColumnFlags_WidthFixed, 70);
    ImGui::TableHeadersRow();
    for (const Lesson& l : *s.lessons) {
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      ImGui::TextWrapped("%s", l.claim.c_str());
      ImGui::TableSetColumnIndex(1);
      ImGui::TextWrapped("%s", l.measured.c_str());
      ImGui::TableSetColumnIndex(2);
      const bool holds = l.verdict.rfind("holds", 0) == 0;
      ImGui::PushStyleColor(ImGuiCol_Text, holds ? ImVec4(0.5f, 0.9f, 0.5f, 1) : ImVec4(1, 0.7f, 0.3f, 1));
      ImGui::TextWrapped("%s", l.verdict.c_str());
      ImGui::PopStyleColor();
    }
    ImGui::EndTable();
  }
}

}  // namespace slotsim::ui
