// Attributes panel: set an attribute on one particle or on all of them and
// see what it costs, or the AttributeError the layout raises.
#include <imgui.h>
#include <imgui_stdlib.h>

#include <string>

#include "ui/format.hpp"
#include "ui/overlay.hpp"
#include "ui/widgets.hpp"

namespace slotsim::ui {

void attributes_panel(OverlayContext& ctx, OverlayState& st) {
  const SimStats& s = ctx.frame.stats;
  if (!s.has_system) return;
  const ImGuiIO& io = ImGui::GetIO();
  pin_next_window(io.DisplaySize.x - kMargin, io.DisplaySize.y - kMargin, 1, 1);
  fixed_width_next_window(kSideWidth);
  ImGui::Begin("Attributes", nullptr, kPanelFlags);
  ImGui::SetNextItemWidth(140);
  ImGui::InputText("name", &st.attr_name);
  ImGui::SetNextItemWidth(140);
  ImGui::InputDouble("value", &st.attr_value, 0, 0, "%.6g");
  ImGui::Checkbox("all particles", &st.attr_all);
  if (!st.attr_all) {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(120);
    ImGui::InputInt("id", &st.attr_id);
    st.attr_id = std::max(st.attr_id, 0);
  }
  if (ImGui::Button("Set") && !st.attr_name.empty() && !ctx.progress.busy) {
    cmd::SetAttr c{std::nullopt, st.attr_name, st.attr_value};
    if (!st.attr_all) c.id = static_cast<std::size_t>(st.attr_id);
    st.attr_seq = ctx.sim.post(c);
  }

  // The latest set-attr, from this panel or a script.
  const CommandResult* r = nullptr;
  for (const auto& x : s.results)
    if (x.set_attr) r = &x;
  const bool waiting = st.attr_seq && (!r || r->seq < st.attr_seq);
  if (r || waiting) {
    section("result");
    if (waiting) {
      ImGui::TextDisabled("waiting for the simulation thread...");
    } else {
      if (r->ok) ImGui::TextWrapped("%s", r->text.c_str());
      else error_text(r->text.c_str());
      // Exact integers: one particle's new table is invisible in a
      // per-particle figure rounded to a tenth of a byte.
      const double n = s.n ? double(s.n) : 1.0;
      ImGui::Text("before %s B (%.2f B/particle)",
                  grouped(static_cast<std::uint64_t>(r->bytes_before)).c_str(), double(r->bytes_before) / n);
      ImGui::Text("after  %s B (%.2f B/particle)",
                  grouped(static_cast<std::uint64_t>(r->bytes_after)).c_str(), double(r->bytes_after) / n);
      ImGui::Text("change %+lld B", r->bytes_after - r->bytes_before);
    }
  }

  section("dynamic attributes");
  if (s.dynamic_attrs.empty()) ImGui::TextDisabled("none");
  for (const auto& d : s.dynamic_attrs)
    ImGui::TextWrapped("%s on %s particle%s", d.name.c_str(), grouped(d.count).c_str(),
                       d.count == 1 ? "" : "s");
  ImGui::End();
}

}  // namespace slotsim::ui
