// Attributes panel: set an attribute on one particle or on all of them and
// see what it costs, or the AttributeError the layout raises; and the
// inheritance rule (lessons/inheritance.hpp) with its bytes before and after.
#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "host/format.hpp"
#include "lessons/inheritance.hpp"
#include "ui/overlay.hpp"
#include "ui/pager.hpp"
#include "ui/widgets.hpp"

namespace slotsim::ui {

namespace {

// The latest attribute action (Set, Delete, Read __dict__ or the
// inheritance preset), from this panel or a script, since the particles were
// last respawned: a result about the old particles is not about these. One
// result slot for all, so an older Set's AttributeError cannot sit beside a
// newer preset's table (it did).
const CommandResult* latest_attr_action(const SimStats& s) {
  const CommandResult* r = nullptr;
  for (const auto& x : s.results) {
    if (x.is<cmd::Respawn>() && x.ok) r = nullptr;
    if (x.is<cmd::SetAttr>() || x.is<cmd::Inherit>()) r = &x;
  }
  return r;
}

// The name a result is shown under: what the user did.
const char* action_title(const CommandResult& r) {
  if (r.action == "inherit") return "subclass without __slots__";
  if (r.action == "del-attr") return "del (Delete)";
  if (r.action == "read-dict") return "read __dict__";
  return "set-attr (Set)";
}

// A conversion after `r`, if any: its figures are then from an earlier layout.
const CommandResult* later_switch(const SimStats& s, const CommandResult& r) {
  const CommandResult* w = nullptr;
  for (const auto& x : s.results)
    if (x.seq > r.seq && x.is<cmd::SwitchLayout>() && x.ok) w = &x;
  return w;
}

bool waiting_for(std::uint64_t posted, const CommandResult* r, const SimStats& s) {
  return posted && posted > s.applied_seq && (!r || r->seq < posted);
}

void set_attr_result(const CommandResult& r) {
  if (r.ok) ImGui::TextWrapped("%s", r.text.c_str());
  else error_text(r.text.c_str());
  // Exact integers: one particle's new table is invisible in a
  // per-particle figure rounded to a tenth of a byte. Per particle with the
  // N the command ran on.
  const double n = r.n ? double(r.n) : 1.0;
  if (r.bytes_after == r.bytes_before) {
    ImGui::TextWrapped("bytes unchanged: %s B (%.2f B/particle)",
                       grouped(static_cast<std::uint64_t>(r.bytes_before)).c_str(), double(r.bytes_before) / n);
    return;
  }
  ImGui::TextWrapped("before %s B (%.2f B/particle)", grouped(static_cast<std::uint64_t>(r.bytes_before)).c_str(),
                     double(r.bytes_before) / n);
  ImGui::TextWrapped("after %s B (%.2f B/particle)", grouped(static_cast<std::uint64_t>(r.bytes_after)).c_str(),
                     double(r.bytes_after) / n);
  ImGui::TextWrapped("change %+lld B", r.bytes_after - r.bytes_before);
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

void inherit_result(const CommandResult& r) {
  if (!r.ok) {
    error_text(r.text.c_str());
    return;
  }
  const double n = r.n ? double(r.n) : 1.0;
  if (ImGui::BeginTable("inherit", 4, ImGuiTableFlags_SizingFixedFit)) {
    ImGui::TableSetupColumn("of");
    ImGui::TableSetupColumn("B/inst");
    ImGui::TableSetupColumn("+");
    ImGui::TableSetupColumn("total B");
    ImGui::TableHeadersRow();
    char base[48];
    std::snprintf(base, sizeof base, "%s", std::string(layout_name(r.inherit_from)).c_str());
    stage_row(base, r.bytes_before, -1, n, nullptr);
    stage_row("Sub", r.bytes_subclass, r.bytes_before, n,
              "slots+dict: each object gains a __dict__ pointer (and the layout's index)");
    const std::string with = "Sub." + r.attr;
    stage_row(with.c_str(), r.bytes_after, r.bytes_subclass, n,
              "a dict table on every instance, created by the first undeclared attribute");
    ImGui::EndTable();
  }
  ImGui::TextWrapped("one class in the chain without __slots__ brings the __dict__ back");
  disabled_wrapped("B/inst: bytes per instance; total B: the whole store");
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
    ImGui::TextWrapped("%s instances already have a __dict__: switch to slots (key %c) to run it",
                       std::string(layout_name(s.layout)).c_str(), traits(Layout::Slots).key);
    ImGui::PopStyleColor();
  }
}

// The result of the latest attribute action, named, with its layout; greyed
// with a note once a later conversion made its figures history.
void action_result(const SimStats& s, const OverlayState& st) {
  const CommandResult* r = latest_attr_action(s);
  const std::uint64_t posted = std::max(st.attr_seq, st.inherit_seq);
  const bool waiting = waiting_for(posted, r, s);
  if (!r && !waiting) return;
  section("result of the last attribute action");
  if (waiting) {
    ImGui::TextDisabled("waiting for the simulation thread...");
    return;
  }
  disabled_wrapped((std::string(action_title(*r)) + ", in layout " + std::string(layout_name(r->layout_after))).c_str());
  if (const CommandResult* w = later_switch(s, *r))
    disabled_wrapped(("since then: " + w->text.substr(0, w->text.find(" ("))).c_str());
  if (r->is<cmd::Inherit>()) inherit_result(*r);
  else set_attr_result(*r);
}

}  // namespace

void attributes_blocks(OverlayContext& ctx, OverlayState& st, std::vector<PageBlock>& out) {
  const SimStats& s = ctx.frame.stats;
  if (!s.has_system) return;
  out.push_back({"Attributes", [&ctx, &s, &st] {
                   section("attributes");
                   item_width_for("name", em(9));
                   ImGui::InputText("name", &st.attr_name);
                   item_width_for("value", em(9));
                   ImGui::InputDouble("value", &st.attr_value, 0, 0, "%.6g");
                   ImGui::Checkbox("all particles", &st.attr_all);
                   if (!st.attr_all) {
                     flow(em(7) + text_w("id"));
                     item_width_for("id", em(6));
                     ImGui::InputInt("id", &st.attr_id);
                     st.attr_id = std::max(st.attr_id, 0);
                   }
                 }});
  out.push_back({"Attributes", [&ctx, &s, &st] {
                   if (ImGui::Button("Set") && !st.attr_name.empty() && !ctx.progress.busy) {
                     cmd::SetAttr c{std::nullopt, st.attr_name, st.attr_value};
                     if (!st.attr_all) c.id = static_cast<std::size_t>(st.attr_id);
                     st.attr_seq = ctx.sim.post(c);
                   }
                   // `del p.name` and `p.__dict__` on the same particle(s): the second is
                   // what gives a shared-keys particle its own dict.
                   if (flow_button("Delete") && !st.attr_name.empty() && !ctx.progress.busy) {
                     cmd::SetAttr c{std::nullopt, st.attr_name, 0.0, cmd::AttrOp::Delete};
                     if (!st.attr_all) c.id = static_cast<std::size_t>(st.attr_id);
                     st.attr_seq = ctx.sim.post(c);
                   }
                   if (flow_button("Read __dict__") && !ctx.progress.busy) {
                     cmd::SetAttr c{std::nullopt, "__dict__", 0.0, cmd::AttrOp::ReadDict};
                     if (!st.attr_all) c.id = static_cast<std::size_t>(st.attr_id);
                     st.attr_seq = ctx.sim.post(c);
                   }
                   disabled_wrapped(
                       ("own __dict__: " + grouped(s.own_dicts) + " of " + grouped(s.n) + " particles").c_str());
                 }});
  out.push_back({"inheritance", [&ctx, &s, &st] { inherit_section(ctx, s, st); }});
  out.push_back({"result", [&s, &st] { action_result(s, st); }});
  out.push_back({"dynamic attributes", [&s] {
                   section("dynamic attributes");
                   if (s.dynamic_attrs.empty()) ImGui::TextDisabled("none");
                   for (const auto& d : s.dynamic_attrs)
                     ImGui::TextWrapped("%s on %s particle%s", d.name.c_str(), grouped(d.count).c_str(),
                                        d.count == 1 ? "" : "s");
                 }});
}

}  // namespace slotsim::ui
