// Controls panel: layout (live), pause/step, solver parameters, respawn with
// another scene or particle count, threads, render mode, and the results of
// recent commands.
#include <imgui.h>

#include <algorithm>
#include <string>
#include <vector>

#include "sim/scenes/scene.hpp"
#include "sim/solvers/solver.hpp"
#include "host/format.hpp"
#include "ui/overlay.hpp"
#include "ui/widgets.hpp"

namespace slotsim::ui {

namespace {
constexpr int kMaxParticles = 10'000'000;

template <class V, class Name>
int index_of(const V& v, const std::string& s, Name name) {
  for (std::size_t i = 0; i < v.size(); ++i)
    if (name(v[i]) == s) return static_cast<int>(i);
  return 0;
}

void seed_inputs(const SimStats& s, OverlayState& st) {
  st.scene = index_of(scene_list(), s.scene, [](const SceneInfo& i) { return i.name; });
  st.solver = index_of(solver_names(), s.solver, [](const std::string& n) { return n; });
  st.particles = static_cast<int>(std::min<std::size_t>(s.n, kMaxParticles));
  st.seed = static_cast<int>(s.seed);
  st.dt = static_cast<float>(s.dt);
  st.softening = static_cast<float>(s.force.softening);
  st.theta = static_cast<float>(s.force.theta);
  st.grid = s.force.grid;
  st.threads = s.threads;
  st.speed = s.steps_per_frame;
  st.controls_seeded = true;
}

void disabled_wrapped(const char* text) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("%s", text);
  ImGui::PopStyleColor();
}

void layout_section(OverlayContext& ctx, const SimStats& s) {
  section(("layout (" + layout_key_range() + ")").c_str());
  for (int i = 0; i < kNumLayouts; ++i) {
    const Layout l = kAllLayouts[i];
    if (i % 3) ImGui::SameLine();  // rows of three fit the panel's width
    const std::string name(layout_name(l));
    if (ImGui::RadioButton(name.c_str(), s.layout == l) && s.layout != l && !ctx.progress.busy)
      request_layout(ctx.sim, l);
    // What it models and which CPython versions it stands for, from the
    // layout table.
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("key %c: %s (%s)", traits(l).key, std::string(traits(l).models).c_str(),
                        std::string(traits(l).cpython).c_str());
  }
  disabled_wrapped((std::string(traits(s.layout).cpython) + ": " + std::string(layout_capabilities(s.layout))).c_str());
}

void run_section(OverlayContext& ctx, const SimStats& s, OverlayState& st) {
  section("run");
  if (ImGui::Button(s.paused ? "Resume (Space)" : "Pause (Space)"))
    ctx.sim.post(cmd::SetPaused{!s.paused});
  ImGui::SameLine();
  if (ImGui::Button("Step (.)")) ctx.sim.post(cmd::StepOnce{});
  ImGui::SameLine();
  if (ImGui::Button("Screenshot")) st.want_screenshot = true;
  ImGui::SameLine();
  // Named by the step it holds, in the working directory like screenshots;
  // the result line in the log says where it went (or why it failed).
  if (ImGui::Button("Save snapshot")) ctx.sim.post(cmd::SaveSnapshot{});
  // Speed and time step up front: they decide whether anything visibly
  // moves (each scene starts with its own dt, sim/scenes/registry.cpp).
  ImGui::SetNextItemWidth(150);
  ImGui::SliderInt("speed", &st.speed, 0, 64, st.speed == 0 ? "max steps/frame" : "%d steps/frame");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("at most this many steps per 1/60 s (the simulation's own clock, whatever the window's --fps); 0 = as fast as the machine goes");
  // On release, not per pixel of the drag (each post is a queued command).
  if (ImGui::IsItemDeactivatedAfterEdit()) ctx.sim.post(cmd::SetSpeed{st.speed});
  ImGui::SetNextItemWidth(150);
  ImGui::InputFloat("dt", &st.dt, 0, 0, "%.3g");
  ImGui::SameLine();
  if (ImGui::Button("Apply dt") && st.dt > 0) ctx.sim.post(cmd::SetDt{st.dt});
}

void solver_section(OverlayContext& ctx, const SimStats& s, OverlayState& st) {
  const auto solvers = solver_names();
  std::vector<const char*> items;
  for (const auto& n : solvers) items.push_back(n.c_str());
  ImGui::SetNextItemWidth(120);
  ImGui::Combo("solver", &st.solver, items.data(), static_cast<int>(items.size()));
  ImGui::SetNextItemWidth(120);
  ImGui::InputFloat("softening", &st.softening, 0, 0, "%.4g");
  ImGui::SetNextItemWidth(120);
  ImGui::SliderFloat("theta (bh)", &st.theta, 0.1f, 1.5f, "%.2f");
  ImGui::SetNextItemWidth(120);
  ImGui::InputInt("grid (pm)", &st.grid, 16, 64);
  st.grid = std::clamp(st.grid, kPmMinGrid, kPmMaxGrid);  // the solver's own limits
  if (ImGui::Button("Apply solver")) {
    ForceParams f = s.force;
    f.softening = std::max(0.0f, st.softening);
    f.theta = st.theta;
    f.grid = st.grid;
    ctx.sim.post(cmd::SetSolver{solvers[static_cast<std::size_t>(st.solver)], f});
  }
}

void scene_section(OverlayContext& ctx, OverlayState& st) {
  const auto& scenes = scene_list();
  std::vector<const char*> items;
  for (const auto& sc : scenes) items.push_back(sc.name.c_str());
  ImGui::SetNextItemWidth(120);
  ImGui::Combo("scene", &st.scene, items.data(), static_cast<int>(items.size()));
  if (st.scene >= 0 && st.scene < static_cast<int>(scenes.size()))
    disabled_wrapped(scenes[static_cast<std::size_t>(st.scene)].description.c_str());
  ImGui::SetNextItemWidth(120);
  ImGui::InputInt("particles", &st.particles, 10000, 100000);
  st.particles = std::clamp(st.particles, 1, kMaxParticles);
  for (int preset : {100'000, 1'000'000, 10'000'000}) {
    ImGui::SameLine();
    const std::string label = preset >= 1'000'000 ? std::to_string(preset / 1'000'000) + "M"
                                                  : std::to_string(preset / 1000) + "k";
    if (ImGui::SmallButton(label.c_str())) st.particles = preset;
  }
  ImGui::SetNextItemWidth(120);
  ImGui::InputInt("seed", &st.seed);
  st.seed = std::max(st.seed, 0);
  if (ImGui::Button("Respawn") && !ctx.progress.busy)
    ctx.sim.post(cmd::Respawn{scenes[static_cast<std::size_t>(st.scene)].name,
                              static_cast<std::size_t>(st.particles),
                              static_cast<std::uint64_t>(st.seed), scenes[static_cast<std::size_t>(st.scene)].default_dt});
  ImGui::SameLine();
  ImGui::TextDisabled("with the scene's dt (%.3g)", scenes[static_cast<std::size_t>(std::max(0, st.scene))].default_dt);
}

void threads_section(OverlayContext& ctx, const SimStats& s, OverlayState& st) {
  ImGui::SetNextItemWidth(120);
  ImGui::InputInt("##threads", &st.threads);
  st.threads = std::clamp(st.threads, 0, 256);
  ImGui::SameLine();
  if (ImGui::Button("Apply threads")) ctx.sim.post(cmd::SetThreads{st.threads});
  ImGui::SameLine();
  ImGui::TextDisabled("sim uses %d (0 = all cores)", s.threads);

  int mode = ctx.render_mode == RenderMode::Points ? 0 : 1;
  if (ImGui::RadioButton("points", mode == 0)) mode = 0;
  ImGui::SameLine();
  if (ImGui::RadioButton("splat", mode == 1)) mode = 1;
  const RenderMode wanted = mode == 0 ? RenderMode::Points : RenderMode::Splat;
  if (wanted != ctx.render_mode) {
    st.want_render_mode = true;
    st.render_mode_request = wanted;
  }
  disabled_wrapped(ctx.gl_renderer.c_str());
}

void messages_section(const OverlayContext& ctx, const SimStats& s) {
  section("messages");
  if (!ctx.status.empty()) ImGui::TextWrapped("%s", ctx.status.c_str());
  // A fixed-height scrolling region rather than the last few messages in
  // full: conversion messages wrap to two or three lines, and a growing
  // Controls panel ran into the Attributes panel below it.
  ImGui::BeginChild("##messages", ImVec2(kPlotWidth, ImGui::GetTextLineHeightWithSpacing() * 5.5f));
  // Follows the newest message unless the user scrolled up to read older ones.
  const bool follow = ImGui::GetScrollY() >= ImGui::GetScrollMaxY();
  for (const CommandResult& r : s.results) {
    if (r.ok) ImGui::TextWrapped("%s", r.text.c_str());
    else error_text(r.text.c_str());
  }
  if (follow) ImGui::SetScrollHereY(1.0f);
  ImGui::EndChild();
}
}  // namespace

void controls_panel(OverlayContext& ctx, OverlayState& st) {
  const SimStats& s = ctx.frame.stats;
  if (!s.has_system) return;
  if (!st.controls_seeded) seed_inputs(s, st);
  dock_next_window(ctx.layout.controls);
  if (!ImGui::Begin("Controls", nullptr, kDockedFlags)) {
    ImGui::End();
    return;
  }
  layout_section(ctx, s);
  run_section(ctx, s, st);
  // The less frequent controls fold away, for the same reason.
  if (ImGui::CollapsingHeader("solver")) solver_section(ctx, s, st);
  if (ImGui::CollapsingHeader("scene and particle count")) scene_section(ctx, st);
  if (ImGui::CollapsingHeader("threads and drawing")) threads_section(ctx, s, st);
  disabled_wrapped("drag: orbit   right-drag: pan   wheel: zoom   R: reset view   F1: hide overlay");
  messages_section(ctx, s);
  ImGui::End();
}

}  // namespace slotsim::ui
