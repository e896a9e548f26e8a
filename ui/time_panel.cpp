// Time panel: step time (median over the last steps) by phase, steps per
// second and the window's frame time, with rolling plots.
#include <imgui.h>

#include "ui/overlay.hpp"
#include "ui/widgets.hpp"

namespace slotsim::ui {

void time_panel(OverlayContext& ctx, OverlayState& st) {
  const SimStats& s = ctx.frame.stats;
  pin_next_window(kMargin, ImGui::GetIO().DisplaySize.y - kMargin, 0, 1);
  fixed_width_next_window(kSideWidth);
  ImGui::Begin("Time", nullptr, kPanelFlags);
  ImGui::Text("step %.2f ms  %.1f/s  %llu done%s", s.median.total_ms, s.steps_per_s,
              static_cast<unsigned long long>(s.steps), s.paused ? " [paused]" : "");
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("median over the last %zu steps; * marks the phases whose cost depends on "
                      "the layout",
                      kTimingWindow);
  if (ImGui::BeginTable("phases", 3, ImGuiTableFlags_SizingFixedFit)) {
    auto phase = [](const char* name, double ms, const char* what) {
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      ImGui::TextUnformatted(name);
      ImGui::TableSetColumnIndex(1);
      ImGui::Text("%8.2f ms", ms);
      ImGui::TableSetColumnIndex(2);
      ImGui::TextDisabled("%s", what);
    };
    phase("gather", s.median.gather_ms, "store -> solver arrays*");
    phase("build", s.median.build_ms, "tree build / deposit");
    phase("solve", s.median.solve_ms, "walk / FFT / pair sum");
    phase("interpolate", s.median.interpolate_ms, "mesh -> particles");
    phase("kick", s.median.kick_ms, "velocity update*");
    phase("drift", s.median.drift_ms, "position update*");
    ImGui::EndTable();
  }
  char label[48];
  std::snprintf(label, sizeof label, "step %.1f ms", st.step_ms.latest());
  ImGui::PlotLines("##step", st.step_ms.data(), st.step_ms.size(), st.step_ms.offset(), label, 0.0f,
                   st.step_ms.max() * 1.1f + 0.01f, ImVec2(kPlotWidth, 40));
  section("window");
  ImGui::Text("frame %.1f ms (%.0f fps)   frame #%ld", ctx.frame_ms,
              ctx.frame_ms > 0 ? 1000.0 / ctx.frame_ms : 0.0, ctx.frame_number);
  std::snprintf(label, sizeof label, "frame %.1f ms", st.frame_ms.latest());
  ImGui::PlotLines("##frame", st.frame_ms.data(), st.frame_ms.size(), st.frame_ms.offset(), label,
                   0.0f, st.frame_ms.max() * 1.1f + 0.01f, ImVec2(kPlotWidth, 40));
  ImGui::End();
}

}  // namespace slotsim::ui
