#include "ui/overlay.hpp"

#include <imgui.h>

#include <imgui_internal.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>

#include "render/gl.hpp"
#include "sim/io/output_file.hpp"

namespace slotsim::ui {

void request_layout(SimThread& sim, Layout to) { sim.post(cmd::SwitchLayout{to}); }

bool folding_header(const OverlayState& st, const char* label, bool default_open) {
  if (st.expand_all) ImGui::SetNextItemOpen(true);
  return ImGui::CollapsingHeader(label, default_open ? ImGuiTreeNodeFlags_DefaultOpen : 0);
}

void start_tour(SimThread& sim, const SimStats& s, OverlayState& st, std::uint64_t steps_per_layout, int rounds) {
  if (s.paused) sim.post(cmd::SetPaused{false});
  st.compare.discard_steps();  // Re-measure: no figure of an older stretch of time stays
  st.tour.emplace(s.layout, steps_per_layout, rounds);
  st.compare_status = "measuring: " + std::to_string(rounds) + " rounds of " + std::to_string(kNumLayouts) +
                      " layouts, " + std::to_string(steps_per_layout) + " steps each";
}

std::string export_compare(const OverlayState& st, const std::string& path) {
  const ExportFormat f = export_format_for(path).value_or(ExportFormat::Csv);
  const std::string full = std::filesystem::absolute(path).lexically_normal().string();
  io::write_file_atomic(full, export_table(st.compare, f));  // temporary + rename (sim/io/output_file.hpp)
  return "wrote " + full + " (" + std::to_string(st.compare.visited()) + " layouts)";
}

void take_mark(OverlayState& st) { st.mark = mem::take_snapshot(); }

void release_overlay_gl(OverlayState& st) {
  for (unsigned* t : {&st.heap_texture, &st.strip_texture}) {
    if (*t) glDeleteTextures(1, t);
    *t = 0;
  }
}

namespace {
// At the top of the particle view: the bottom centre belongs to the
// Compare strip, and the view is where the eye is while waiting.
void begin_banner(const OverlayContext& ctx, const char* id) {
  const Rect& v = ctx.layout.view;
  const ImGuiIO& io = ImGui::GetIO();
  const float x = v.w > 0 ? v.x + v.w * 0.5f : io.DisplaySize.x * 0.5f;
  ImGui::SetNextWindowPos(ImVec2(x, v.y + 4), ImGuiCond_Always, ImVec2(0.5f, 0));
  ImGui::SetNextWindowBgAlpha(0.9f);
  ImGui::Begin(id, nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize |
                   ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav |
                   ImGuiWindowFlags_NoInputs);
}

// While the simulation thread converts or spawns, the picture is the last
// published one; this says why it stands still.
void busy_banner(const OverlayContext& ctx) {
  begin_banner(ctx, "##busy");
  const std::string label = ctx.progress.label.empty() ? "working" : ctx.progress.label;
  ImGui::Text("%s...", label.c_str());
  if (ctx.progress.fraction >= 0) {  // negative: no fraction known
    char pct[32];
    std::snprintf(pct, sizeof pct, "%.0f%%", ctx.progress.fraction * 100);
    ImGui::ProgressBar(static_cast<float>(ctx.progress.fraction), ImVec2(em(20), 0), pct);
  }
  ImGui::End();
}

// Commands run between steps, so one posted during a long step (pm or bh at
// a million particles: a second or more on two cores) waits for it; without
// this a key press would seem to have been ignored.
void queued_banner(const OverlayContext& ctx) {
  begin_banner(ctx, "##queued");
  ImGui::Text("queued: runs when this ends: %s (%.1f s so far)...", ctx.progress.activity.c_str(),
              ctx.progress.activity_s);
  ImGui::End();
}

// A step or an energy measurement that has taken more than a second (the
// first step at a million particles builds the solver's structures): say
// what it is, so "0 done" does not look like a hang.
void activity_banner(const OverlayContext& ctx) {
  begin_banner(ctx, "##activity");
  ImGui::Text("%s... (%.1f s)", ctx.progress.activity.c_str(), ctx.progress.activity_s);
  ImGui::End();
}

// The bottom strip: Compare and Lessons as tabs, so an open Lessons table
// takes the strip's place instead of covering the particles.
void bottom_strip(OverlayContext& ctx, OverlayState& st) {
  const SimStats& s = ctx.frame.stats;
  dock_next_window(ctx.layout.bottom);
  // A new lessons measurement opens the strip on its tab.
  const bool new_lessons = s.lessons && s.lessons.get() != st.lessons_shown;
  const bool to_compare = st.show_tab == 0, to_lessons = new_lessons || st.show_tab == 1;
  if (to_lessons || to_compare) ImGui::SetNextWindowCollapsed(false, ImGuiCond_Always);
  const bool open = ImGui::Begin("Compare layouts | Lessons", nullptr, kDockedFlags);
  st.bottom_open = open;
  if (!open) {
    ImGui::End();
    return;
  }
  // The shown tab's blocks, paged to the strip's height, and what the
  // strip asks for: all of them on one page. So the strip is as tall as its
  // content where that leaves the side columns room for their tallest
  // block (panel_layout()), and pages otherwise.
  float want = 0, least = 0;
  if (ImGui::BeginTabBar("##bottom")) {
    if (ImGui::BeginTabItem("Compare", nullptr, to_compare ? ImGuiTabItemFlags_SetSelected : 0)) {
      std::vector<PageBlock> blocks;
      compare_blocks(ctx, st, blocks);
      const float y0 = ImGui::GetCursorPosY();
      want = y0 + paged_content("Compare", "compare-page", blocks, st.compare_pages, st.force_page);
      least = y0 + st.compare_pages.need();
      st.strip_tab = 0;
      ImGui::EndTabItem();
    }
    if (ImGui::BeginTabItem("Lessons: __dict__ vs __slots__", nullptr,
                            to_lessons ? ImGuiTabItemFlags_SetSelected : 0)) {
      std::vector<PageBlock> blocks;
      lessons_blocks(ctx, st, blocks);
      const float y0 = ImGui::GetCursorPosY();
      want = y0 + paged_content("Lessons", "lessons-page", blocks, st.lessons_pages, st.force_page);
      least = y0 + st.lessons_pages.need();
      st.strip_tab = 1;
      ImGui::EndTabItem();
    }
    ImGui::EndTabBar();
  }
  const ImGuiWindow* win = ImGui::GetCurrentWindowRead();
  const float pad = ImGui::GetStyle().WindowPadding.y + win->WindowBorderSize;
  st.want.bottom = want > 0 ? std::ceil(want + pad) : content_want();
  st.want.bottom_min = least > 0 ? std::ceil(least + pad) : 0;
  if (new_lessons) st.lessons_shown = s.lessons.get();
  st.show_tab = -1;
  ImGui::End();
}
}  // namespace

void draw_overlay(OverlayContext& ctx, OverlayState& st) {
  const bool queued = ctx.sim.last_posted() > ctx.frame.stats.applied_seq;
  if (ctx.progress.busy) busy_banner(ctx);
  // Not for the usual few milliseconds a command waits for the step to end.
  else if (queued && ctx.progress.activity_s > 0.3) queued_banner(ctx);
  else if (ctx.progress.activity_s > 1.0) activity_banner(ctx);
  if (!st.visible) return;
  std::vector<PageBlock> left, right;
  memory_blocks(ctx, st, left);
  time_blocks(ctx, st, left);
  controls_blocks(ctx, st, right);
  attributes_blocks(ctx, st, right);
  paged_column("Memory and time", ctx.layout.left, left, st.left_pages, st.force_page);
  if (!right.empty()) paged_column("Controls and attributes", ctx.layout.right, right, st.right_pages, st.force_page);
  // What the side columns need: a page line and their tallest block, in a
  // window's padding (the strip leaves them that, panel_layout()).
  const ImGuiStyle& style = ImGui::GetStyle();
  st.want.side = std::ceil(std::max(st.left_pages.need(), st.right_pages.need()) + 2 * style.WindowPadding.y +
                           2 * style.WindowBorderSize);
  bottom_strip(ctx, st);
  st.expand_all = false;  // SetNextItemOpen keeps each header open from now on
}

}  // namespace slotsim::ui
