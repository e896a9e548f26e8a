// Compare panel (a tab of the bottom strip): every layout visited since the
// particles were spawned, side by side: a stacked bar of bytes per instance
// by category, total and conversion peak, step time median (min-max),
// conversion time and ratios to dict and soa. The data lives in
// host/compare.hpp and is filled by the window loop every frame; this file
// only draws it and starts the tour and the export.
#include <imgui.h>
#include <imgui_stdlib.h>

#include <cstdio>
#include <iterator>
#include <stdexcept>
#include <string>

#include "host/format.hpp"
#include "host/output_dir.hpp"
#include "ui/overlay.hpp"
#include "ui/widget_map.hpp"
#include "ui/widgets.hpp"

namespace slotsim::ui {

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

// One colour per LayoutBytes category, by position in kByteCategories: a
// palette of clearly different hues (objects blue, tables orange, index
// grey, columns green, shared keys magenta, py headers yellow, floats
// cyan-teal, ...), at least as long as the category list, so no two
// categories share a colour (with six colours, floats came back round to
// objects' blue).
constexpr ImU32 kCategoryPalette[] = {IM_COL32(80, 140, 255, 255),  IM_COL32(255, 140, 50, 255),
                                      IM_COL32(170, 170, 180, 255), IM_COL32(80, 200, 100, 255),
                                      IM_COL32(220, 90, 220, 255),  IM_COL32(240, 220, 60, 255),
                                      IM_COL32(40, 210, 210, 255),  IM_COL32(200, 60, 60, 255)};
static_assert(std::size(kCategoryPalette) >= kByteCategories.size(),
              "a byte category was added: give it a colour of its own");
ImU32 category_colour(std::size_t k) { return kCategoryPalette[k % std::size(kCategoryPalette)]; }

void stacked_bar(const CompareRow& r, double max_per_instance, float width) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float h = ImGui::GetTextLineHeight();
  const double n = r.n ? double(r.n) : 1.0;
  float x = p.x;
  for (std::size_t k = 0; k < kByteCategories.size(); ++k) {
    const double v = double(r.bytes.*kByteCategories[k].field) / n;
    const float w = max_per_instance > 0 ? static_cast<float>(v / max_per_instance) * width : 0.0f;
    if (w > 0) dl->AddRectFilled(ImVec2(x, p.y + 1), ImVec2(x + w, p.y + h - 1), category_colour(k));
    x += w;
  }
  ImGui::Dummy(ImVec2(width, h));
  if (ImGui::IsItemHovered()) {
    std::string tip;
    for (const ByteCategory& k : kByteCategories) {
      char line[64];
      std::snprintf(line, sizeof line, "%s %.2f B\n", std::string(k.name).c_str(), double(r.bytes.*k.field) / n);
      tip += line;
    }
    ImGui::SetTooltip("%s", tip.c_str());
  }
  ImGui::SameLine();
  ImGui::Text("%.1f B", r.per_instance());
}

// Step times from 0.03 ms (none, 20,000 particles) to seconds (pm at a
// million in dict): three significant digits without an exponent.
std::string ms_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
  return buf;
}

std::string ratio_text(const std::optional<double>& a, const std::optional<double>& b) {
  char buf[48];
  auto one = [](const std::optional<double>& v) {
    char s[16];
    if (v) std::snprintf(s, sizeof s, "%.2f", *v);
    else std::snprintf(s, sizeof s, "-");
    return std::string(s);
  };
  std::snprintf(buf, sizeof buf, "%s/%s", one(a).c_str(), one(b).c_str());
  return buf;
}

}  // namespace

namespace {
void compare_controls(OverlayContext& ctx, OverlayState& st) {
  const SimStats& s = ctx.frame.stats;
  const CompareTable& t = st.compare;

  // The measurement: K steps of every layout, in rounds (A B C ... A B C),
  // so every row is timed in the same stretch of the machine's time.
  if (st.tour) {
    if (ImGui::Button("Stop")) {
      st.tour.reset();
      st.compare_status = "measurement stopped";
    } else {
      char line[160];
      std::snprintf(line, sizeof line, "measuring: round %d of %d, %s (%d of %d visits)", st.tour->round() + 1,
                    st.tour->rounds(), std::string(layout_name(st.tour->target())).c_str(), st.tour->visit() + 1,
                    st.tour->visits());
      flow_text_disabled(line);
    }
  } else {
    bool any = false;
    for (const CompareRow& r : t.rows()) any = any || r.rounds > 0;
    const bool measure = ImGui::Button(any ? "Re-measure" : "Measure (tour)");
    mark_widget("measure");
    if (measure && !ctx.progress.busy)
      start_tour(ctx.sim, s, st, static_cast<std::uint64_t>(std::clamp(st.tour_steps, 1, int(kTimingWindow))),
                 std::clamp(st.tour_rounds, 1, 100));
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("discard the step figures, then visit every layout for K steps, R times over, interleaved\n"
                        "(A B C ... A B C), so every row is timed in the same stretch of time");
    flow(em(5) + text_w("K steps"));
    ImGui::SetNextItemWidth(em(5));
    ImGui::InputInt("K steps", &st.tour_steps);
    st.tour_steps = std::clamp(st.tour_steps, 1, int(kTimingWindow));
    flow(em(5) + text_w("R rounds"));
    ImGui::SetNextItemWidth(em(5));
    ImGui::InputInt("R rounds", &st.tour_rounds);
    st.tour_rounds = std::clamp(st.tour_rounds, 1, 100);
  }
  static const char* formats[] = {"CSV", "JSON", "Markdown"};
  static const char* exts[] = {".csv", ".json", ".md"};
  flow(em(6));
  ImGui::SetNextItemWidth(em(6));
  ImGui::Combo("##fmt", &st.export_format, formats, 3);
  flow(em(10));
  ImGui::SetNextItemWidth(em(10));
  ImGui::InputText("##file", &st.export_base);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("file name, in the output folder (Controls) unless absolute");
  const bool do_export = flow_button("Export");
  mark_widget("export");
  if (do_export && !st.export_base.empty()) {
    try {
      st.compare_status = export_compare(st, output_file(st.out_dir, st.export_base + exts[std::clamp(st.export_format, 0, 2)]));
    } catch (const std::exception& e) {
      st.compare_status = e.what();
    }
    std::printf("slotsim gui: %s\n", st.compare_status.c_str());
    std::fflush(stdout);
  }
  if (!st.compare_status.empty()) disabled_wrapped(st.compare_status.c_str());

  // Legend: one swatch per category.
  for (std::size_t k = 0; k < kByteCategories.size(); ++k) {
    const std::string name(kByteCategories[k].name);
    const float h = ImGui::GetTextLineHeight();
    if (k) flow(h + ImGui::GetStyle().ItemSpacing.x + text_w(name.c_str()));
    const ImVec2 p = ImGui::GetCursorScreenPos();
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, p.y + 2), ImVec2(p.x + h - 4, p.y + h - 2), category_colour(k));
    ImGui::Dummy(ImVec2(h - 2, h));
    ImGui::SameLine();
    ImGui::TextUnformatted(name.c_str());
  }

  // A load warning, as bench gives: a row timed while the load average
  // passed the core count shares the machine with other work.
  std::string loaded;
  for (const CompareRow& r : t.rows())
    if (r.steps.steps && t.loaded(r)) loaded += (loaded.empty() ? "" : ", ") + std::string(layout_name(r.layout));
  if (!loaded.empty()) {
    char warn[256];
    std::snprintf(warn, sizeof warn, "load above the %u cores while timing the rows marked !: not the machine's own times",
                  t.cores());
    error_text(warn);
  }

}

void compare_table(OverlayState& st) {
  const CompareTable& t = st.compare;
  const double max_pi = t.max_per_instance();
  // Every column visible at once (the strip is the window's width), and
  // every row: the table has no height or scrolling of its own, so it is as
  // tall as its rows, and the strip is sized from what its content took
  // last frame (st.want.bottom, panel_layout()). Rejected: a table of a
  // computed pixel height that scrolled its rows (ScrollY), whose estimate
  // of a row missed the bars' height and hid the last row under the scroll
  // bar. No horizontal scrolling: a column out of view is what the ratios
  // suffered at 1280x800 before.
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingFixedFit;
  if (ImGui::BeginTable("compare", 8, flags)) {
    // Short headers (each is explained in its cells' tooltips): all eight
    // columns fit the strip of a 1280-pixel window at UI scale 1.5.
    ImGui::TableSetupColumn("layout");
    ImGui::TableSetupColumn("B/instance");
    ImGui::TableSetupColumn("MiB (peak)");
    ImGui::TableSetupColumn("conv. ms");
    ImGui::TableSetupColumn("step ms (min-max)");
    ImGui::TableSetupColumn("B x dict/soa");
    ImGui::TableSetupColumn("step x dict/soa");
    ImGui::TableSetupColumn("load");
    ImGui::TableHeadersRow();
    const float bar_w = em(3);
    for (const CompareRow& r : t.rows()) {
      ImGui::TableNextRow();
      const bool current = t.current() == r.layout;
      if (current) ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, IM_COL32(60, 80, 140, 200));
      ImGui::TableSetColumnIndex(0);
      ImGui::Text("%s%s", current ? "> " : "  ", std::string(layout_name(r.layout)).c_str());
      if (!r.visited) {
        ImGui::TableSetColumnIndex(1);
        ImGui::TextDisabled("not visited");
        continue;
      }
      ImGui::TableSetColumnIndex(1);
      stacked_bar(r, max_pi, bar_w);
      ImGui::TableSetColumnIndex(2);
      if (r.converted) ImGui::Text("%.1f (%.1f)", double(r.bytes.total()) / kMiB, double(r.peak_heap) / kMiB);
      else ImGui::Text("%.1f", double(r.bytes.total()) / kMiB);
      if (ImGui::IsItemHovered()) {
        if (r.converted)
          ImGui::SetTooltip("the store's MiB (requested); in brackets the process heap's peak while converting from %s",
                            std::string(layout_name(r.converted_from)).c_str());
        else
          ImGui::SetTooltip("the store's MiB (requested); the layout it started in (no conversion)");
      }
      ImGui::TableSetColumnIndex(3);
      if (r.converted) ImGui::Text("%.0f", r.convert_ms);
      else ImGui::TextDisabled("start");
      ImGui::TableSetColumnIndex(4);
      if (r.steps.steps) {
        const std::string v = ms_text(r.steps.median_ms) + " (" + ms_text(r.steps.min_ms) + "-" + ms_text(r.steps.max_ms) + ")";
        if (r.live) ImGui::TextDisabled("%s", v.c_str());
        else ImGui::TextUnformatted(v.c_str());
        if (ImGui::IsItemHovered()) {
          if (r.live)
            ImGui::SetTooltip("step time median (min-max), greyed: live, the last %llu steps of this visit, not a "
                              "measurement; Measure times every layout interleaved",
                              static_cast<unsigned long long>(r.steps.steps));
          else
            ImGui::SetTooltip("step time median (min-max) of %llu steps from %d interleaved visits",
                              static_cast<unsigned long long>(r.steps.steps), r.rounds);
        }
      } else {
        ImGui::TextDisabled("no steps");
      }
      ImGui::TableSetColumnIndex(5);
      ImGui::TextUnformatted(ratio_text(t.bytes_ratio(r.layout, Layout::Dict), t.bytes_ratio(r.layout, Layout::Soa)).c_str());
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("bytes per instance as a multiple of dict's and of soa's");
      ImGui::TableSetColumnIndex(6);
      ImGui::TextUnformatted(ratio_text(t.step_ratio(r.layout, Layout::Dict), t.step_ratio(r.layout, Layout::Soa)).c_str());
      if (ImGui::IsItemHovered())
        ImGui::SetTooltip("median step time as a multiple of dict's and of soa's (measured rows with measured rows)");
      ImGui::TableSetColumnIndex(7);
      if (r.steps.steps) {
        char load[32];
        std::snprintf(load, sizeof load, "%.2f%s", r.load, t.loaded(r) ? " !" : "");
        if (t.loaded(r)) ImGui::TextColored(ImVec4(1.0f, 0.45f, 0.4f, 1.0f), "%s", load);
        else ImGui::TextUnformatted(load);
        if (ImGui::IsItemHovered())
          ImGui::SetTooltip("1-minute load average while this row was timed (the highest at the end of its visits); "
                            "%u cores",
                            t.cores());
      }
    }
    ImGui::EndTable();
  }
}
}  // namespace

void compare_blocks(OverlayContext& ctx, OverlayState& st, std::vector<PageBlock>& out) {
  if (!ctx.frame.stats.has_system) return;
  // Two blocks for the strip's pager: the controls with the legend, and the
  // table whole. Both fit one page at 1280x800 and 1920x1080, scales 1.0 and
  // 1.5; a smaller window pages between them. Rejected: a block per row
  // (ui/pager.hpp table_row_blocks()): a page starting mid-table would need
  // the header again, so a row's height would depend on where its page
  // starts, and the packing would chase its own tail.
  out.push_back({"Compare", [&ctx, &st] { compare_controls(ctx, st); }});
  out.push_back({"Compare table", [&st] { compare_table(st); }});
}

}  // namespace slotsim::ui
