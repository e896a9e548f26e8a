// Memory panel: the bytes each particle costs in the current layout, the
// process heap, RSS, bytes per category, and a heap plot where a layout
// switch shows up as a step.
#include <imgui.h>

#include <string>

#include "ui/format.hpp"
#include "ui/overlay.hpp"
#include "ui/widgets.hpp"

namespace slotsim::ui {

namespace {
void row(const char* label, const std::string& value, const char* note = nullptr) {
  ImGui::TableNextRow();
  ImGui::TableSetColumnIndex(0);
  ImGui::TextUnformatted(label);
  ImGui::TableSetColumnIndex(1);
  ImGui::TextUnformatted(value.c_str());
  if (note) {
    ImGui::TableSetColumnIndex(2);
    ImGui::TextDisabled("%s", note);
  }
}

std::string per(long long bytes, std::size_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f B", n ? double(bytes) / double(n) : 0.0);
  return buf;
}
}  // namespace

void memory_panel(OverlayContext& ctx, OverlayState& st) {
  const SimStats& s = ctx.frame.stats;
  pin_next_window(kMargin, kMargin, 0, 0);
  fixed_width_next_window(kSideWidth);
  ImGui::Begin("Memory", nullptr, kPanelFlags);
  if (!s.has_system) {
    ImGui::TextUnformatted("no particles yet");
    ImGui::End();
    return;
  }
  ImGui::Text("layout  %s", std::string(layout_name(s.layout)).c_str());
  ImGui::SameLine();
  ImGui::TextDisabled("  N = %s", grouped(s.n).c_str());

  const LayoutBytes& b = s.bytes;
  section("bytes per instance");
  if (ImGui::BeginTable("per", 3, ImGuiTableFlags_SizingFixedFit)) {
    row("objects", per(b.objects, s.n), "per-particle heap objects");
    row("tables", per(b.tables, s.n), "attribute hash tables");
    row("index", per(b.index, s.n), "pointers to the objects");
    row("columns", per(b.columns, s.n), "contiguous arrays");
    row("shared keys", per(b.shared_keys, s.n), "one keys object per class");
    row("total", per(b.total(), s.n), "requested");
    row("usable", per(b.usable_total, s.n), "what malloc set aside");
    char blocks[32];
    std::snprintf(blocks, sizeof blocks, "%.3f", s.n ? double(b.blocks) / double(s.n) : 0.0);
    row("blocks", blocks, "allocations per particle");
    ImGui::EndTable();
  }

  if (traits(s.layout).has_dict)
    ImGui::TextDisabled("own __dict__ on %s of %s particles", grouped(s.own_dicts).c_str(), grouped(s.n).c_str());

  section("process heap");
  if (ImGui::BeginTable("heap", 3, ImGuiTableFlags_SizingFixedFit)) {
    ImGui::TableSetupColumn("");
    ImGui::TableSetupColumn("current");
    ImGui::TableSetupColumn("peak");
    ImGui::TableHeadersRow();
    auto two = [](const char* label, double cur, double peak) {
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      ImGui::TextUnformatted(label);
      ImGui::TableSetColumnIndex(1);
      ImGui::TextUnformatted(human_bytes(cur).c_str());
      ImGui::TableSetColumnIndex(2);
      ImGui::TextUnformatted(human_bytes(peak).c_str());
    };
    two("requested", double(s.heap.current_requested), double(s.heap.peak_requested));
    two("usable", double(s.heap.current_usable), double(s.heap.peak_usable));
    ImGui::EndTable();
  }
  ImGui::Text("live blocks %s   RSS %s", grouped(static_cast<std::uint64_t>(s.heap.live_blocks)).c_str(),
              human_bytes(double(s.rss)).c_str());
  ImGui::TextDisabled("available %s", human_bytes(double(s.available)).c_str());

  section("by category");
  if (ImGui::BeginTable("cat", 3, ImGuiTableFlags_SizingFixedFit)) {
    ImGui::TableSetupColumn("");
    ImGui::TableSetupColumn("requested");
    ImGui::TableSetupColumn("blocks");
    ImGui::TableHeadersRow();
    for (int c = 0; c < static_cast<int>(mem::Category::kCount); ++c) {
      const mem::CategoryStats& cs = s.categories[c];
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      ImGui::TextUnformatted(mem::category_name(static_cast<mem::Category>(c)));
      ImGui::TableSetColumnIndex(1);
      ImGui::TextUnformatted(human_bytes(double(cs.requested)).c_str());
      ImGui::TableSetColumnIndex(2);
      ImGui::TextUnformatted(grouped(static_cast<std::uint64_t>(cs.blocks)).c_str());
    }
    ImGui::EndTable();
  }

  // Sampled live every frame (window thread), unlike the figures above:
  // during a conversion no frame is published, and the transient peak while
  // both stores exist is exactly what the plot should show.
  char overlay[48];
  std::snprintf(overlay, sizeof overlay, "heap %.1f MiB", st.heap_mib.latest());
  ImGui::PlotLines("##heap", st.heap_mib.data(), st.heap_mib.size(), st.heap_mib.offset(), overlay,
                   0.0f, st.heap_mib.max() * 1.1f + 1.0f, ImVec2(kPlotWidth, 50));
  ImGui::End();
}

}  // namespace slotsim::ui
