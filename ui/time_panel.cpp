// Time panel: the current layout's step times (median, min, max and the
// latest, each named; they restart on every layout switch), simulated time
// and energy error, the phases, steps per second and the window's frame
// time, with rolling plots. Long lines wrap: the panel is as narrow as a
// fifth of the window at a large UI scale.
#include <imgui.h>

#include <cstdio>
#include <string>

#include "host/format.hpp"
#include "sim/step_phases.hpp"
#include "ui/overlay.hpp"
#include "ui/pager.hpp"
#include "ui/widgets.hpp"

namespace slotsim::ui {

namespace {

void wrapped(const char* fmt, ...) IM_FMTARGS(1);
void wrapped(const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  ImGui::TextWrappedV(fmt, args);
  va_end(args);
}

// The energy line: the relative change, when it was measured (it is
// re-measured before it falls 2 s behind, host/sim_thread.cpp), and the
// potential's own estimated error, so a change below it is not read as
// conservation (or its violation).
void energy_lines(const SimStats& s) {
  if (!s.has_energy) {
    ImGui::TextDisabled("energy: measuring E0...");
    return;
  }
  wrapped("energy |E - E0| / |E0| = %.2e", s.energy_error);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("potential: %s\nmeasured again before the figure is 2 s behind the simulation;\n"
                      "its error estimate (exact sums at a few particles) every 30 s",
                      s.energy_method.c_str());
  const double age = steady_seconds() - s.energy_at_s;
  char when[96];
  if (s.energy_time == s.sim_time) std::snprintf(when, sizeof when, "at t = %.2f (now)", s.energy_time);
  else std::snprintf(when, sizeof when, "at t = %.2f, %.1f s ago", s.energy_time, age);
  if (s.energy_potential_error > 0) {
    // The estimate of the potential's error (exact sums at a few targets)
    // is taken every half minute; between, the last one stands.
    char line[200];
    std::snprintf(line, sizeof line, "%s; potential est. error %.1e (checked at t = %.2f)", when,
                  s.energy_potential_error, s.energy_checked_time);
    disabled_wrapped(line);
  } else {
    disabled_wrapped((std::string(when) + "; exact potential").c_str());
  }
}

}  // namespace

void time_blocks(OverlayContext& ctx, OverlayState& st, std::vector<PageBlock>& out) {
  const SimStats& s = ctx.frame.stats;
  // While particles are made (the first ones, or a Respawn), the figures
  // below would be the defaults or the old run's: say what is happening.
  const bool spawning = ctx.progress.busy && ctx.progress.label.rfind("spawning", 0) == 0;
  out.push_back({"Time", [&ctx, &s, spawning] {
                   if (!s.has_system || spawning) {
                     wrapped("%s...", ctx.progress.label.empty() ? "starting" : ctx.progress.label.c_str());
                     if (!s.has_system) return;
                     ImGui::Separator();
                     ImGui::TextDisabled("until then, the previous run:");
                   }
                   const std::string lay(layout_name(s.timing_layout));
                   wrapped("steps in %s: %llu since the switch%s", lay.c_str(),
                           static_cast<unsigned long long>(s.timing_steps), s.paused ? "  [paused]" : "");
                   if (ImGui::IsItemHovered())
                     ImGui::SetTooltip("step statistics restart on every layout switch, respawn and solver change;\n"
                                       "median, min and max cover the last %zu steps of this layout",
                                       kTimingWindow);
                 }});
  if (!s.has_system) return;
  out.push_back({"Time", [&s] {
                   if (s.timing_steps > 0) {
                     // With sorts in the window the figure is not a plain
                     // median (host/sim_thread.cpp): it says what it is.
                     const bool sorted = s.median.sort_ms > 0;
                     wrapped("step ms: %s%.2f%s, min %.2f, max %.2f", sorted ? "" : "median ", s.median.total_ms,
                             sorted ? " (median without the sort + the sort's mean)" : "", s.step_min_ms,
                             s.step_max_ms);
                     wrapped("latest %.2f ms; %.1f steps/s; %s steps in all", s.last.total_ms, s.steps_per_s,
                             grouped(s.steps).c_str());
                   } else {
                     ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
                     wrapped("no step in this layout yet (%s steps in all)", grouped(s.steps).c_str());
                     ImGui::PopStyleColor();
                   }
                 }});
  out.push_back({"Time", [&s] {
                   wrapped("t = %.3f, dt %.3g (%s)", s.sim_time, s.dt, s.scene.c_str());
                   energy_lines(s);
                 }});
  // Medians over this layout's window, one row per phase of the table
  // every report uses (sim/step_phases.hpp); the third column wraps.
  std::vector<std::string> names, ms;
  for (const StepPhase& p : kStepPhases) {
    names.emplace_back(p.name);
    char v[32];
    std::snprintf(v, sizeof v, "%.2f", s.median.*p.field);
    ms.emplace_back(v);
  }
  table_row_blocks(
      out, "step phases", "step phases", "phases", 3,
      [names, ms] {
        ImGui::TableSetupColumn("phase", ImGuiTableColumnFlags_WidthFixed, column_w("phase", names));
        ImGui::TableSetupColumn("ms", ImGuiTableColumnFlags_WidthFixed, column_w("ms", ms));
        ImGui::TableSetupColumn("what", ImGuiTableColumnFlags_WidthStretch);
      },
      false, static_cast<int>(std::size(kStepPhases)), [names, ms](int i) {
        const StepPhase& p = kStepPhases[std::size_t(i)];
        ImGui::TableSetColumnIndex(0);
        ImGui::TextUnformatted(names[std::size_t(i)].c_str());
        ImGui::TableSetColumnIndex(1);
        ImGui::TextUnformatted(ms[std::size_t(i)].c_str());
        ImGui::TableSetColumnIndex(2);
        disabled_wrapped((std::string(p.what) + (p.cost == PhaseCost::Layout ? "*" : "")).c_str());
      });
  out.push_back({"step phases", [] { disabled_wrapped("ms: medians; * cost depends on the layout"); }});
  out.push_back({"step phases", [&s, &st] {
                   const std::string lay(layout_name(s.timing_layout));
                   char label[64];
                   std::snprintf(label, sizeof label, "%s: latest step %.1f ms", lay.c_str(), st.step_ms.latest());
                   ImGui::PlotLines("##step", st.step_ms.data(), st.step_ms.size(), st.step_ms.offset(), nullptr, 0.0f,
                                    st.step_ms.max() * 1.1f + 0.01f,
                                    ImVec2(ImGui::GetContentRegionAvail().x, em(2.5f)));
                   disabled_wrapped(label);
                 }});
  out.push_back({"window", [&ctx, &st] {
                   section("window");
                   wrapped("frame %.1f ms (%.0f fps), frame #%ld", ctx.frame_ms,
                           ctx.frame_ms > 0 ? 1000.0 / ctx.frame_ms : 0.0, ctx.frame_number);
                 }});
  out.push_back({"window", [&st] {
                   ImGui::PlotLines("##frame", st.frame_ms.data(), st.frame_ms.size(), st.frame_ms.offset(), nullptr,
                                    0.0f, st.frame_ms.max() * 1.1f + 0.01f,
                                    ImVec2(ImGui::GetContentRegionAvail().x, em(2.5f)));
                 }});
}

}  // namespace slotsim::ui
