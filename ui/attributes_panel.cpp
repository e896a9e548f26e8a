// Attributes panel: set an attribute on one particle or on all of them and
// see what it costs, or the AttributeError the layout raises; and the
// inheritance rule (ui/inherit_preset.hpp) with its bytes before and after.
#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "ui/format.hpp"
#include "ui/inherit_preset.hpp"
#include "ui/overlay.hpp"
#include "ui/widgets.hpp"

namespace slotsim::ui {

namespace {

// The latest result with `flag` set, from this panel or a script.
const CommandResult* latest(const SimStats& s, bool CommandResult::*flag) {
  const CommandResult* r = nullptr;
  for (const auto& x : s.results)
    if (x.*flag) r = &x;
  return r;
}

bool waiting_for(std::uint64_t posted, const CommandResult* r) { return posted && (!r || r->seq < posted); }

void set_attr_result(const SimStats& s, const OverlayState& st) {
  const CommandResult* r = latest(s, &CommandResult::set_attr);
  const bool waiting = waiting_for(st.attr_seq, r);
  if (!r && !waiting) return;
  section("result");
  if (waiting) {
    ImGui::TextDisabled("waiting for the simulation thread...");
    return;
  }
  if (r->ok) ImGui::TextWrapped("%s", r->text.c_str());
  else error_text(r->text.c_str());
  // Exact integers: one particle's new table is invisible in a
  // per-particle figure rounded to a tenth of a byte.
  const double n = s.n ? double(s.n) : 1.0;
  if (r->bytes_after == r->bytes_before) {
    ImGui::Text("bytes unchanged: %s B (%.2f B/particle)",
                grouped(static_cast<std::uint64_t>(r->bytes_before)).c_str(), double(r->bytes_before) / n);
    return;
  }
  ImGui::Text("before %s B (%.2f B/particle)", grouped(static_cast<std::uint64_t>(r->bytes_before)).c_str(),
              double(r->bytes_before) / n);
  ImGui::Text("after  %s B (%.2f B/particle)", grouped(static_cast<std::uint64_t>(r->bytes_after)).c_str(),
              double(r->bytes_after) / n);
  ImGui::Text("change %+lld B", r->bytes_after - r->bytes_before);
}

void stage_row(const char* stage, long long bytes, long long prev, double n, const char* why) {
  ImGui::TableNextRow();
  ImGui::TableSetColumnIndex(0);
  ImGui::TextUnformatted(stage);
  ImGui::TableSetColumnIndex(1);
  ImGui::Text("%.2f", double(bytes) / n);
  ImGui::TableSetColumnIndex(2);
  if (prev >= 0) ImGui::Text("%+.2f", double(bytes - prev) / n);
  ImGui::TableSetColumnIndex(3);
  ImGui::TextUnformatted(grouped(static_cast<std::uint64_t>(bytes)).c_str());
  if (why && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", why);
}

void inherit_section(OverlayContext& ctx, const SimStats& s, OverlayState& st) {
  section("inheritance rule");
  const std::string name = st.attr_name.empty() ? "tag" : st.attr_name;
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  if (has_slotted_base(s.layout)) {
    ImGui::TextWrapped("class Sub(Particle) without __slots__, whose __init__ sets self.%s = %g on "
                       "every instance",
                       name.c_str(), st.attr_value);
    ImGui::PopStyleColor();
    if (ImGui::Button("Subclass without __slots__") && !ctx.progress.busy)
      st.inherit_seq = ctx.sim.post(cmd::Inherit{name, st.attr_value});
  } else {
    ImGui::TextWrapped("%s instances already have a __dict__: switch to slots (key 2) to run it",
                       std::string(layout_name(s.layout)).c_str());
    ImGui::PopStyleColor();
  }

  const CommandResult* r = latest(s, &CommandResult::inherit);
  if (waiting_for(st.inherit_seq, r)) {
    ImGui::TextDisabled("waiting for the simulation thread...");
    return;
  }
  if (!r) return;
  if (!r->ok) {
    error_text(r->text.c_str());
    return;
  }
  const double n = s.n ? double(s.n) : 1.0;
  if (ImGui::BeginTable("inherit", 4, ImGuiTableFlags_SizingFixedFit)) {
    ImGui::TableSetupColumn("instances of");
    ImGui::TableSetupColumn("B/inst");
    ImGui::TableSetupColumn("change");
    ImGui::TableSetupColumn("total B");
    ImGui::TableHeadersRow();
    char base[48];
    std::snprintf(base, sizeof base, "base (%s)", std::string(layout_name(r->inherit_from)).c_str());
    stage_row(base, r->bytes_before, -1, n, nullptr);
    stage_row("Sub", r->bytes_subclass, r->bytes_before, n,
              "slots+dict: each object gains a __dict__ pointer (and the layout's index)");
    const std::string with = "Sub + " + r->attr;
    stage_row(with.c_str(), r->bytes_after, r->bytes_subclass, n,
              "a dict table on every instance, created by the first undeclared attribute");
    ImGui::EndTable();
  }
  ImGui::TextWrapped("one class in the chain without __slots__ brings the __dict__ back");
}

}  // namespace

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
  // `del p.name` and `p.__dict__` on the same particle(s): the second is
  // what gives a shared-keys particle its own dict.
  ImGui::SameLine();
  if (ImGui::Button("Delete") && !st.attr_name.empty() && !ctx.progress.busy) {
    cmd::SetAttr c{std::nullopt, st.attr_name, 0.0, cmd::AttrOp::Delete};
    if (!st.attr_all) c.id = static_cast<std::size_t>(st.attr_id);
    st.attr_seq = ctx.sim.post(c);
  }
  ImGui::SameLine();
  if (ImGui::Button("Read __dict__") && !ctx.progress.busy) {
    cmd::SetAttr c{std::nullopt, "__dict__", 0.0, cmd::AttrOp::ReadDict};
    if (!st.attr_all) c.id = static_cast<std::size_t>(st.attr_id);
    st.attr_seq = ctx.sim.post(c);
  }
  ImGui::TextDisabled("own __dict__: %s of %s particles", grouped(s.own_dicts).c_str(), grouped(s.n).c_str());
  set_attr_result(s, st);
  inherit_section(ctx, s, st);

  section("dynamic attributes");
  if (s.dynamic_attrs.empty()) ImGui::TextDisabled("none");
  for (const auto& d : s.dynamic_attrs)
    ImGui::TextWrapped("%s on %s particle%s", d.name.c_str(), grouped(d.count).c_str(),
                       d.count == 1 ? "" : "s");
  ImGui::End();
}

}  // namespace slotsim::ui
