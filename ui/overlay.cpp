#include "ui/overlay.hpp"

#include <imgui.h>

#include <cstdio>
#include <string>

namespace slotsim::ui {

void request_layout(SimThread& sim, Layout to) { sim.post(cmd::SwitchLayout{to}); }

namespace {
// Bottom centre: the top centre belongs to the Lessons panel's title.
void begin_banner(const char* id) {
  const ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x * 0.5f, io.DisplaySize.y - 12), ImGuiCond_Always,
                          ImVec2(0.5f, 1));
  ImGui::SetNextWindowBgAlpha(0.9f);
  ImGui::Begin(id, nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize |
                   ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav);
}

// While the simulation thread converts or spawns, the picture is the last
// published one; this says why it stands still.
void busy_banner(const OverlayContext& ctx) {
  begin_banner("##busy");
  const std::string label = ctx.progress.label.empty() ? "working" : ctx.progress.label;
  ImGui::Text("%s...", label.c_str());
  if (ctx.progress.fraction >= 0) {  // negative: no fraction known
    char pct[32];
    std::snprintf(pct, sizeof pct, "%.0f%%", ctx.progress.fraction * 100);
    ImGui::ProgressBar(static_cast<float>(ctx.progress.fraction), ImVec2(320, 0), pct);
  }
  ImGui::End();
}

// Commands run between steps, so one posted during a long step (pm or bh at
// a million particles: a second or more on two cores) waits for it; without
// this a key press would seem to have been ignored.
void queued_banner() {
  begin_banner("##queued");
  ImGui::TextUnformatted("queued: runs when the step in progress ends...");
  ImGui::End();
}
}  // namespace

void draw_overlay(OverlayContext& ctx, OverlayState& st) {
  if (ctx.progress.busy) busy_banner(ctx);
  else if (ctx.sim.last_posted() > ctx.frame.stats.applied_seq) queued_banner();
  if (!st.visible) return;
  memory_panel(ctx, st);
  time_panel(ctx, st);
  controls_panel(ctx, st);
  attributes_panel(ctx, st);
  lessons_panel(ctx, st);
}

}  // namespace slotsim::ui
