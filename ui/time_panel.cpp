// Time panel: the current layout's step times (median, min, max and the
// latest, each named; they restart on every layout switch), simulated time
// and energy error, the phases, steps per second and the window's frame
// time, with rolling plots.
#include <imgui.h>

#include <string>

#include "sim/step_phases.hpp"
#include "ui/overlay.hpp"
#include "ui/widgets.hpp"

namespace slotsim::ui {

void time_panel(OverlayContext& ctx, OverlayState& st) {
  const SimStats& s = ctx.frame.stats;
  dock_next_window(ctx.layout.time);
  if (!ImGui::Begin("Time", nullptr, kDockedFlags)) {
    ImGui::End();
    return;
  }
  const std::string lay(layout_name(s.timing_layout));
  ImGui::Text("steps in %s: %llu since the switch%s", lay.c_str(),
              static_cast<unsigned long long>(s.timing_steps), s.paused ? "  [paused]" : "");
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("step statistics restart on every layout switch, respawn and solver change;\n"
                      "median, min and max cover the last %zu steps of this layout",
                      kTimingWindow);
  if (s.timing_steps > 0) {
    ImGui::Text("step ms  median %.2f  min %.2f  max %.2f", s.median.total_ms, s.step_min_ms, s.step_max_ms);
    ImGui::Text("latest step %.2f ms   %.1f steps/s   %llu steps in all", s.last.total_ms, s.steps_per_s,
                static_cast<unsigned long long>(s.steps));
  } else {
    ImGui::TextDisabled("no step in this layout yet (%llu steps in all)", static_cast<unsigned long long>(s.steps));
  }
  ImGui::Text("simulated time t = %.3f   dt %.3g", s.sim_time, s.dt);
  // The potential's own estimated error beside the change, so a change
  // below it is not read as conservation (or its violation).
  if (s.has_energy && s.energy_potential_error > 0)
    ImGui::Text("energy |E - E0| / |E0| = %.2e  (at t = %.2f; potential est. error %.1e)", s.energy_error,
                s.energy_time, s.energy_potential_error);
  else if (s.has_energy)
    ImGui::Text("energy |E - E0| / |E0| = %.2e  (at t = %.2f)", s.energy_error, s.energy_time);
  else
    ImGui::TextDisabled("energy: not measured yet");
  if (s.has_energy && ImGui::IsItemHovered())
    ImGui::SetTooltip("potential: %s; re-measured every few seconds (at most ~3%% of the time)",
                      s.energy_method.c_str());

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
    // Medians over this layout's window, one row per phase of the table
    // every report uses (sim/step_phases.hpp).
    for (const StepPhase& p : kStepPhases) {
      const std::string name(p.name), what = std::string(p.what) + (p.cost == PhaseCost::Layout ? "*" : "");
      phase(name.c_str(), s.median.*p.field, what.c_str());
    }
    ImGui::EndTable();
  }
  ImGui::TextDisabled("* cost depends on the layout");
  char label[64];
  std::snprintf(label, sizeof label, "%s: latest step %.1f ms", lay.c_str(), st.step_ms.latest());
  ImGui::PlotLines("##step", st.step_ms.data(), st.step_ms.size(), st.step_ms.offset(), label, 0.0f,
                   st.step_ms.max() * 1.1f + 0.01f, ImVec2(kPlotWidth, 40));
  section("window");
  ImGui::Text("frame %.1f ms (%.0f fps)   frame #%ld", ctx.frame_ms,
              ctx.frame_ms > 0 ? 1000.0 / ctx.frame_ms : 0.0, ctx.frame_number);
  std::snprintf(label, sizeof label, "latest frame %.1f ms", st.frame_ms.latest());
  ImGui::PlotLines("##frame", st.frame_ms.data(), st.frame_ms.size(), st.frame_ms.offset(), label,
                   0.0f, st.frame_ms.max() * 1.1f + 0.01f, ImVec2(kPlotWidth, 40));
  ImGui::End();
}

}  // namespace slotsim::ui
