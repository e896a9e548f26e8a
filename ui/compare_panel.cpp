// Compare panel (a tab of the bottom strip): every layout visited since the
// particles were spawned, side by side: a stacked bar of bytes per instance
// by category, total and conversion peak, step time median (min-max),
// conversion time and ratios to dict and soa. The data lives in
// host/compare.hpp and is filled by the window loop every frame; this file
// only draws it and starts the tour and the export.
#include <imgui.h>
#include <imgui_stdlib.h>

#include <cstdio>
#include <stdexcept>
#include <string>

#include "host/format.hpp"
#include "ui/overlay.hpp"
#include "ui/widgets.hpp"

namespace slotsim::ui {

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

// One colour per LayoutBytes category, by position in kByteCategories (a
// category beyond the palette reuses it from the start).
ImU32 category_colour(std::size_t k) {
  static constexpr ImU32 palette[] = {IM_COL32(90, 150, 255, 255), IM_COL32(255, 140, 60, 255),
                                      IM_COL32(180, 180, 190, 255), IM_COL32(90, 210, 120, 255),
                                      IM_COL32(220, 100, 220, 255), IM_COL32(240, 220, 80, 255)};
  return palette[k % (sizeof palette / sizeof palette[0])];
}

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
  std::snprintf(buf, sizeof buf, "%s / %s", one(a).c_str(), one(b).c_str());
  return buf;
}

}  // namespace

void compare_panel(OverlayContext& ctx, OverlayState& st) {
  const SimStats& s = ctx.frame.stats;
  if (!s.has_system) return;
  const CompareTable& t = st.compare;

  if (st.tour) {
    if (ImGui::Button("Stop tour")) {
      st.tour.reset();
      st.compare_status = "tour stopped";
    } else {
      ImGui::SameLine();
      ImGui::Text("touring: %s (%d of %d), %llu of %llu steps", std::string(layout_name(st.tour->target())).c_str(),
                  st.tour->stop() + 1, kNumLayouts,
                  static_cast<unsigned long long>(s.timing_layout == st.tour->target() ? s.timing_steps : 0),
                  static_cast<unsigned long long>(st.tour->steps_per_layout()));
    }
  } else {
    if (ImGui::Button("Tour") && !ctx.progress.busy)
      start_tour(ctx.sim, s, st, static_cast<std::uint64_t>(std::max(1, st.tour_steps)));
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("visit every layout for K steps and fill the table (like bench, live)");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(80);
    ImGui::InputInt("K steps", &st.tour_steps);
    st.tour_steps = std::clamp(st.tour_steps, 1, 10000);
  }
  ImGui::SameLine();
  ImGui::TextDisabled("|");
  ImGui::SameLine();
  static const char* formats[] = {"CSV", "JSON", "Markdown"};
  static const char* exts[] = {".csv", ".json", ".md"};
  ImGui::SetNextItemWidth(90);
  ImGui::Combo("##fmt", &st.export_format, formats, 3);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(130);
  ImGui::InputText("##file", &st.export_base);
  ImGui::SameLine();
  if (ImGui::Button("Export") && !st.export_base.empty()) {
    const std::string path = st.export_base + exts[std::clamp(st.export_format, 0, 2)];
    try {
      st.compare_status = export_compare(st, path);
    } catch (const std::exception& e) {
      st.compare_status = e.what();
    }
    std::printf("slotsim gui: %s\n", st.compare_status.c_str());
    std::fflush(stdout);
  }
  if (!st.compare_status.empty()) ImGui::TextDisabled("%s", st.compare_status.c_str());

  // Legend: one swatch per category.
  for (std::size_t k = 0; k < kByteCategories.size(); ++k) {
    if (k) ImGui::SameLine();
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float h = ImGui::GetTextLineHeight();
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, p.y + 2), ImVec2(p.x + h - 4, p.y + h - 2), category_colour(k));
    ImGui::Dummy(ImVec2(h - 2, h));
    ImGui::SameLine();
    ImGui::TextUnformatted(std::string(kByteCategories[k].name).c_str());
  }

  const double max_pi = t.max_per_instance();
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingFixedFit |
                                ImGuiTableFlags_ScrollX | ImGuiTableFlags_ScrollY;
  // Five columns, so the table fits the strip of a 1280-pixel window; the
  // step-time ratios and the conversion's source are in the tooltips and
  // in every export.
  if (ImGui::BeginTable("compare", 5, flags, ImVec2(0, ImGui::GetContentRegionAvail().y))) {
    ImGui::TableSetupScrollFreeze(1, 1);
    ImGui::TableSetupColumn("layout");
    ImGui::TableSetupColumn("B/instance");
    ImGui::TableSetupColumn("MiB (peak), convert ms");
    ImGui::TableSetupColumn("step ms med (min-max)");
    ImGui::TableSetupColumn("x dict, x soa");
    ImGui::TableHeadersRow();
    for (const CompareRow& r : t.rows()) {
      ImGui::TableNextRow();
      const bool current = t.current() == r.layout;
      if (current) ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, IM_COL32(60, 80, 140, 200));
      ImGui::TableSetColumnIndex(0);
      ImGui::Text("%s%s", current ? "> " : "  ", std::string(layout_name(r.layout)).c_str());
      if (!r.visited) {
        ImGui::TableSetColumnIndex(1);
        ImGui::TextDisabled("not visited yet");
        continue;
      }
      ImGui::TableSetColumnIndex(1);
      stacked_bar(r, max_pi, 50);
      ImGui::TableSetColumnIndex(2);
      if (r.converted)
        ImGui::Text("%.1f (%.1f), %.0f", double(r.bytes.total()) / kMiB, double(r.peak_heap) / kMiB, r.convert_ms);
      else ImGui::Text("%.1f, start", double(r.bytes.total()) / kMiB);
      if (ImGui::IsItemHovered()) {
        if (r.converted)
          ImGui::SetTooltip("the store's MiB; in brackets the process heap's peak while converting from %s", std::string(layout_name(r.converted_from)).c_str());
        else
          ImGui::SetTooltip("the store's MiB; the layout it started in (no conversion)");
      }
      ImGui::TableSetColumnIndex(3);
      if (r.steps.steps) {
        ImGui::Text("%s (%s-%s)", ms_text(r.steps.median_ms).c_str(), ms_text(r.steps.min_ms).c_str(),
                    ms_text(r.steps.max_ms).c_str());
        if (ImGui::IsItemHovered())
          ImGui::SetTooltip("over the last %llu steps in this layout; step time %s (x dict, x soa)",
                            static_cast<unsigned long long>(r.steps.steps),
                            ratio_text(t.step_ratio(r.layout, Layout::Dict), t.step_ratio(r.layout, Layout::Soa)).c_str());
      } else {
        ImGui::TextDisabled("no steps");
      }
      ImGui::TableSetColumnIndex(4);
      ImGui::TextUnformatted(ratio_text(t.bytes_ratio(r.layout, Layout::Dict), t.bytes_ratio(r.layout, Layout::Soa)).c_str());
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("bytes per instance as a multiple of dict's and of soa's");
    }
    ImGui::EndTable();
  }
}

}  // namespace slotsim::ui
