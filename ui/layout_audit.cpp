#include "ui/layout_audit.hpp"
#include "ui/pager.hpp"

#include <imgui.h>
#include <imgui_internal.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace slotsim::ui {

namespace {

// One pixel of slack: a wrapped line's measured width can exceed its wrap
// position by a fraction of a glyph advance (0.6 px seen), and text is only
// clipped at the window's clip rectangle, half the window padding further
// out. More than a pixel past the work area is reported.
constexpr float kSlack = 1.0f;

struct Required {
  const ImGuiContext* context;  // frame numbers restart with every context (each headless test has its own)
  int frame;
  std::string name;
  ImGuiWindow* window;
  ImRect rect;
};
std::vector<Required>& required() {
  static std::vector<Required> r;
  return r;
}

std::string shown_name(const char* name) {
  std::string s(name);
  const auto hash = s.find("##");
  return hash == std::string::npos ? s : s.substr(0, hash);
}

std::string px(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f px", std::ceil(v));
  return buf;
}

}  // namespace

void require_visible(const char* name) {
  ImGuiContext& g = *GImGui;
  auto& r = required();
  // Entries of earlier frames are stale.
  std::erase_if(r, [&](const Required& x) { return x.context != &g || x.frame != g.FrameCount; });
  r.push_back({&g, g.FrameCount, name, g.CurrentWindow, ImRect(ImGui::GetItemRectMin(), ImGui::GetItemRectMax())});
}

LayoutAudit audit_layout() {
  ImGuiContext& g = *GImGui;
  const ImGuiStyle& style = g.Style;
  LayoutAudit out;
  auto finding = [&](std::string where, std::string what) { out.clipped.push_back({std::move(where), std::move(what)}); };

  // A table that scrolls has a child window of its own: its rows are
  // judged with the table (below), under the table's name.
  std::vector<const ImGuiWindow*> table_windows;
  for (int i = 0; i < g.Tables.GetMapSize(); ++i)
    if (const ImGuiTable* t = g.Tables.TryGetMapData(i); t && t->InnerWindow && t->InnerWindow != t->OuterWindow)
      table_windows.push_back(t->InnerWindow);

  for (ImGuiWindow* w : g.Windows) {
    if (w->LastFrameActive != g.FrameCount || w->Hidden || w->IsFallbackWindow) continue;
    if (std::find(table_windows.begin(), table_windows.end(), w) != table_windows.end()) continue;
    if (w->Flags & ImGuiWindowFlags_AlwaysAutoResize) continue;
    if (is_measure_window(w)) continue;  // off screen, measuring the pages not shown (ui/pager.hpp)
    ++out.windows;
    const std::string where = std::string(w->Flags & ImGuiWindowFlags_ChildWindow ? "child window '" : "window '") +
                              shown_name(w->Name) + "'";
    if (!(w->Flags & ImGuiWindowFlags_NoTitleBar)) {
      // As RenderWindowTitleBarContents lays it out: padding, the collapse
      // arrow, the title, padding.
      float need = style.FramePadding.x * 2 + ImGui::CalcTextSize(w->Name, nullptr, true).x;
      if (!(w->Flags & ImGuiWindowFlags_NoCollapse)) need += g.FontSize + style.ItemInnerSpacing.x;
      if (need > w->Size.x + kSlack) finding(where, "title is cut: needs " + px(need) + ", has " + px(w->Size.x));
    }
    if (w->Collapsed) continue;
    const float right = std::max(w->DC.CursorMaxPos.x, w->DC.IdealMaxPos.x);
    if (right > w->WorkRect.Max.x + kSlack)
      finding(where, "content reaches " + px(right - w->WorkRect.Max.x) + " past the right edge (" +
                         px(w->WorkRect.GetWidth()) + " wide)");
    // Content taller than the visible region: its last lines are out of
    // view, reachable only with the scroll bar (or not at all without
    // one). The issue counts that as cut, like text past the right edge.
    if (w->ScrollMax.y > kSlack)
      finding(where, "content is " + px(w->ScrollMax.y) + " taller than its visible region (" +
                         px(w->InnerRect.GetHeight()) + " high): the last items need a scroll bar");
  }

  for (int i = 0; i < g.Tables.GetMapSize(); ++i) {
    ImGuiTable* t = g.Tables.TryGetMapData(i);
    if (!t || t->LastFrameActive != g.FrameCount) continue;
    if (t->OuterWindow && (t->OuterWindow->Hidden || is_measure_window(t->OuterWindow))) continue;
    ++out.tables;
    // The table's id is not its name; its window's name and the first
    // column's header say which it is.
    auto column_name = [&](const ImGuiTableColumn& c) {
      return c.NameOffset >= 0 ? std::string(t->ColumnsNames.Buf.Data + c.NameOffset) : std::string("?");
    };
    const std::string where = "table in '" + shown_name(t->OuterWindow ? t->OuterWindow->Name : "?") + "'";
    if ((t->Flags & ImGuiTableFlags_ScrollX) && t->InnerWindow && t->InnerWindow->ScrollMax.x > kSlack)
      finding(where, "columns hidden behind a horizontal scroll bar (" + px(t->InnerWindow->ScrollMax.x) + " out of view)");
    // A table of its own height (ScrollX or ScrollY): rows below it, or
    // under its horizontal scroll bar, are out of view.
    if (t->InnerWindow && t->InnerWindow != t->OuterWindow && t->InnerWindow->ScrollMax.y > kSlack)
      finding(where, "rows hidden: " + px(t->InnerWindow->ScrollMax.y) +
                         " of them below the table's visible region (under its scroll bar)");
    for (int k = 0; k < t->ColumnsCount; ++k) {
      const ImGuiTableColumn& c = t->Columns[k];
      if (!c.IsEnabled) continue;
      ++out.columns;
      const std::string col = where + " column '" + column_name(c) + "'";
      if (!c.IsVisibleX) {
        finding(col, "column is out of view");
        continue;
      }
      const float content = std::max({c.ContentMaxXFrozen, c.ContentMaxXUnfrozen, c.ContentMaxXHeadersIdeal});
      if (content > c.WorkMaxX + kSlack)
        finding(col, "content is " + px(content - c.WorkMaxX) + " wider than the column (" + px(c.WorkMaxX - c.WorkMinX) + ")");
    }
  }

  for (int i = 0; i < g.TabBars.GetMapSize(); ++i) {
    ImGuiTabBar* tb = g.TabBars.TryGetMapData(i);
    if (!tb || tb->CurrFrameVisible != g.FrameCount) continue;
    if (tb->WidthAllTabsIdeal > tb->BarRect.GetWidth() + kSlack)
      finding("tab bar", "tabs need " + px(tb->WidthAllTabsIdeal) + ", have " + px(tb->BarRect.GetWidth()) +
                             ": their labels are cut");
  }

  // Entries of earlier frames or other contexts are stale (their windows
  // may be gone).
  std::erase_if(required(), [&](const Required& x) { return x.context != &g || x.frame != g.FrameCount; });
  for (const Required& r : required()) {
    if (!r.window || is_measure_window(r.window)) continue;
    const ImRect& v = r.window->InnerClipRect;
    if (r.rect.Min.x < v.Min.x - kSlack || r.rect.Max.x > v.Max.x + kSlack || r.rect.Min.y < v.Min.y - kSlack ||
        r.rect.Max.y > v.Max.y + kSlack)
      finding("'" + r.name + "' in '" + shown_name(r.window->Name) + "'", "not entirely in the visible area");
  }
  return out;
}

}  // namespace slotsim::ui
