// Controls panel: layout (live), pause/step, solver parameters, respawn with
// another scene or particle count, threads, render mode, and the results of
// recent commands.
#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cfloat>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/scenes/scene.hpp"
#include "sim/solvers/solver.hpp"
#include "host/format.hpp"
#include "ui/imgui_host.hpp"
#include "ui/overlay.hpp"
#include "ui/pager.hpp"
#include "ui/widget_map.hpp"
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
  st.controls_spawn = s.spawn_id;
}

void layout_section(OverlayContext& ctx, const SimStats& s, int part) {
  if (part == 1) {
    disabled_wrapped((std::string(traits(s.layout).cpython) + ": " + std::string(layout_capabilities(s.layout))).c_str());
    return;
  }
  section(("layout (" + layout_key_range() + ")").c_str());
  for (int i = 0; i < kNumLayouts; ++i) {
    const Layout l = kAllLayouts[i];
    const std::string name(layout_name(l));
    // As many to a row as fit the panel.
    if (i) flow(ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x + text_w(name.c_str()));
    if (ImGui::RadioButton(name.c_str(), s.layout == l) && s.layout != l && !ctx.progress.busy)
      request_layout(ctx.sim, l);
    // What it models and which CPython versions it stands for, from the
    // layout table.
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("key %c: %s (%s)", traits(l).key, std::string(traits(l).models).c_str(),
                        std::string(traits(l).cpython).c_str());
  }
}

void run_section(OverlayContext& ctx, const SimStats& s, OverlayState& st, int part) {
  if (part == 0) {
  section("run");
  // A toggle, not "pause if the frame shows it running": two quick clicks
  // are then a pause and a resume even before the first is shown.
  if (ImGui::Button(s.paused ? "Resume (Space)" : "Pause (Space)")) ctx.sim.post(cmd::SetPaused{false, true});
  mark_widget("pause");
  if (flow_button("Step (.)")) ctx.sim.post(cmd::StepOnce{});
  mark_widget("step");
  if (flow_button("Screenshot")) st.want_screenshot = true;
  mark_widget("screenshot");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("a PNG of the window, in the output folder (below)");
  // Named by the step it holds, in the output folder; the result line in
  // the messages gives the full path (or why it failed).
  if (flow_button("Save snapshot")) ctx.sim.post(cmd::SaveSnapshot{"", st.out_dir});
  mark_widget("save-snapshot");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("an HDF5 restart file (docs/SNAPSHOTS.md), in the output folder");
  return;
  }
  if (part == 1) {
  // Speed and time step up front: they decide whether anything visibly
  // moves (each scene starts with its own dt, sim/scenes/registry.cpp).
  item_width_for("speed", em(12));
  ImGui::SliderInt("speed", &st.speed, 0, 64, st.speed == 0 ? "max steps/frame" : "%d steps/frame");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("at most this many steps per 1/60 s (the simulation's own clock, whatever the window's --fps); 0 = as fast as the machine goes");
  // On release, not per pixel of the drag (each post is a queued command).
  if (ImGui::IsItemDeactivatedAfterEdit()) ctx.sim.post(cmd::SetSpeed{st.speed});
  return;
  }
  ImGui::SetNextItemWidth(em(6));
  ImGui::InputFloat("dt", &st.dt, 0, 0, "%.3g");
  mark_widget("dt");
  if (flow_button("Apply dt") && st.dt > 0) ctx.sim.post(cmd::SetDt{st.dt});
  mark_widget("apply-dt");
}

void output_section(OverlayState& st, int part) {
  if (part == 0) {
  section("output folder");
  ImGui::SetNextItemWidth(-FLT_MIN);
  ImGui::InputText("##outdir", &st.out_dir);
  mark_widget("out-dir");
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Screenshot, Save snapshot and Export write here; created on first use (--out-dir)");
  return;
  }
  std::error_code ec;
  const std::string full = std::filesystem::absolute(st.out_dir, ec).lexically_normal().string();
  const bool exists = std::filesystem::is_directory(full, ec);
  disabled_wrapped((full + (exists ? "" : " (created on the first save)")).c_str());
}

void solver_section(OverlayContext& ctx, const SimStats& s, OverlayState& st, int part) {
  const auto solvers = solver_names();
  if (part == 0) {
  section("solver");
  std::vector<const char*> items;
  for (const auto& n : solvers) items.push_back(n.c_str());
  item_width_for("solver", em(8));
  ImGui::Combo("solver", &st.solver, items.data(), static_cast<int>(items.size()));
  item_width_for("softening", em(8));
  ImGui::InputFloat("softening", &st.softening, 0, 0, "%.4g");
  return;
  }
  item_width_for("theta (bh)", em(8));
  ImGui::SliderFloat("theta (bh)", &st.theta, 0.1f, 1.5f, "%.2f");
  item_width_for("grid (pm)", em(8));
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

void scene_section(OverlayContext& ctx, OverlayState& st, int part) {
  const auto& scenes = scene_list();
  if (part == 0) {
  section("scene and particle count");
  // Radio buttons rather than a combo: four names fit, every choice is in
  // view, and a click picks one (no popup to open first).
  for (int i = 0; i < int(scenes.size()); ++i) {
    const char* name = scenes[std::size_t(i)].name.c_str();
    if (i) flow(ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x + text_w(name));
    if (ImGui::RadioButton(name, st.scene == i)) st.scene = i;
    mark_widget("scene:" + scenes[std::size_t(i)].name);
  }
  return;
  }
  const std::size_t scene = static_cast<std::size_t>(std::clamp(st.scene, 0, int(scenes.size()) - 1));
  if (part == 1) {
  disabled_wrapped(scenes[scene].description.c_str());
  return;
  }
  if (part == 2) {
  item_width_for("particles", em(9));
  ImGui::InputInt("particles", &st.particles, 10000, 100000);
  st.particles = std::clamp(st.particles, 1, kMaxParticles);
  bool first = true;
  for (int preset : {100'000, 1'000'000, 10'000'000}) {
    const std::string label = preset >= 1'000'000 ? std::to_string(preset / 1'000'000) + "M"
                                                  : std::to_string(preset / 1000) + "k";
    if (first) first = false;
    else flow(button_w(label.c_str()));
    if (ImGui::SmallButton(label.c_str())) st.particles = preset;
  }
  return;
  }
  item_width_for("seed", em(9));
  ImGui::InputInt("seed", &st.seed);
  st.seed = std::max(st.seed, 0);
  // The new scene's own dt goes with it; the dt field follows once the
  // particles are there (seed_inputs on the new spawn).
  const bool respawn = ImGui::Button("Respawn");
  mark_widget("respawn");
  if (respawn && !ctx.progress.busy)
    ctx.sim.post(cmd::Respawn{scenes[scene].name, static_cast<std::size_t>(st.particles),
                              static_cast<std::uint64_t>(st.seed), scenes[scene].default_dt});
  char note[64];
  std::snprintf(note, sizeof note, "with the scene's dt (%.3g)", scenes[scene].default_dt);
  flow_text_disabled(note);
}

void view_section(OverlayContext& ctx, const SimStats& s, OverlayState& st, int part) {
  if (part == 0) {
  section("view and threads");
  item_width_for("UI scale", em(8));
  ImGui::SliderFloat("UI scale", &st.ui_scale, kMinUiScale, kMaxUiScale, "%.2f");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("text and panel size (also Ctrl+= and Ctrl+-, and --ui-scale)");
  if (ImGui::IsItemDeactivatedAfterEdit()) st.want_ui_scale = true;
  disabled_wrapped(ctx.font_file.empty() ? "font: ImGui's built-in (DejaVuSans.ttf not found)"
                                         : ("font: " + ctx.font_file).c_str());
  return;
  }
  if (part == 1) {
  item_width_for("threads", em(6));
  ImGui::InputInt("threads", &st.threads);
  st.threads = std::clamp(st.threads, 0, 256);
  if (flow_button("Apply threads")) ctx.sim.post(cmd::SetThreads{st.threads});
  char note[64];
  std::snprintf(note, sizeof note, "sim uses %d (0 = all cores)", s.threads);
  disabled_wrapped(note);
  return;
  }
  if (part == 3) {
    disabled_wrapped("drag: orbit   right-drag: pan   wheel: zoom   R: reset view   F1: hide overlay   "
                     "Ctrl+= / Ctrl+-: UI scale   Esc or Ctrl+Q: quit");
    return;
  }
  int mode = ctx.render_mode == RenderMode::Points ? 0 : 1;
  if (ImGui::RadioButton("points", mode == 0)) mode = 0;
  flow(ImGui::GetFrameHeight() + text_w("splat") + ImGui::GetStyle().ItemInnerSpacing.x);
  if (ImGui::RadioButton("splat", mode == 1)) mode = 1;
  const RenderMode wanted = mode == 0 ? RenderMode::Points : RenderMode::Splat;
  if (wanted != ctx.render_mode) {
    st.want_render_mode = true;
    st.render_mode_request = wanted;
  }
  disabled_wrapped(ctx.gl_renderer.c_str());
}

}  // namespace

void controls_blocks(OverlayContext& ctx, OverlayState& st, std::vector<PageBlock>& out) {
  const SimStats& s = ctx.frame.stats;
  if (!s.has_system) return;
  // Again after every spawn: a Respawn brings its scene's dt, and an "Apply
  // dt" after it must not quietly restore the old one.
  if (st.controls_spawn != s.spawn_id) seed_inputs(s, st);
  // Each section in parts a few lines tall, so that a page can end between
  // them (ui/pager.hpp): at 1280x800 and scale 1.5 a page is ~10 lines.
  for (int part = 0; part < 2; ++part) out.push_back({"Controls", [&ctx, &s, part] { layout_section(ctx, s, part); }});
  for (int part = 0; part < 3; ++part) out.push_back({"run", [&ctx, &s, &st, part] { run_section(ctx, s, st, part); }});
  for (int part = 0; part < 2; ++part) out.push_back({"output folder", [&st, part] { output_section(st, part); }});
  for (int part = 0; part < 2; ++part)
    out.push_back({"solver", [&ctx, &s, &st, part] { solver_section(ctx, s, st, part); }});
  for (int part = 0; part < 4; ++part) out.push_back({"scene", [&ctx, &st, part] { scene_section(ctx, st, part); }});
  for (int part = 0; part < 4; ++part) out.push_back({"view", [&ctx, &s, &st, part] { view_section(ctx, s, st, part); }});
  // The messages, newest first, one block each (a page ends between two),
  // the last kMessages of them (every one is also printed on stdout).
  // Rejected: a fixed-height scrolling log, whose older lines were hidden
  // behind its scroll bar.
  constexpr std::size_t kMessages = 8;
  out.push_back({"messages", [&ctx] {
                   section("messages (newest first)");
                   if (!ctx.status.empty()) ImGui::TextWrapped("%s", ctx.status.c_str());
                 }});
  const std::size_t m = s.results.size();
  for (std::size_t k = 0; k < std::min(m, kMessages); ++k)
    out.push_back({"messages", [&s, i = m - 1 - k] {
                     const CommandResult& r = s.results[i];
                     if (r.ok) ImGui::TextWrapped("%s", r.text.c_str());
                     else error_text(r.text.c_str());
                   }});
}

}  // namespace slotsim::ui
