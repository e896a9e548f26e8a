#include "ui/pager.hpp"

#include <imgui.h>
#include <imgui_internal.h>

#include <algorithm>
#include <map>

#include "ui/widget_map.hpp"

namespace slotsim::ui {

namespace {
constexpr const char* kMeasurePrefix = "##measure ";
float g_room = 0;
}

float page_room() { return g_room; }

std::vector<int> page_starts(const std::vector<float>& heights, float room) {
  std::vector<int> starts;
  float used = 0;
  for (std::size_t i = 0; i < heights.size(); ++i) {
    // A block's height counts the spacing after it, which the last block on
    // a page does not need: a few pixels to spare, rather than a page that
    // runs over by a few where a block ends below its cursor.
    if (starts.empty() || (used > 0 && used + heights[i] > room)) {
      starts.push_back(static_cast<int>(i));
      used = 0;
    }
    used += heights[i];
  }
  return starts;
}

void table_row_blocks(std::vector<PageBlock>& out, const std::string& page, const char* title, const char* id,
                      int columns, std::function<void()> setup, bool headers, int rows, std::function<void(int)> row) {
  for (int i = 0; i < rows; ++i)
    out.push_back({page, [=] {
                     if (i == 0 && title) section(title);
                     if (!ImGui::BeginTable(id, columns, ImGuiTableFlags_SizingFixedFit)) return;
                     setup();
                     if (i == 0 && headers) ImGui::TableHeadersRow();
                     ImGui::TableNextRow();
                     row(i);
                     ImGui::EndTable();
                   }});
}

bool is_measure_window(const ImGuiWindow* w) {
  const ImGuiWindow* root = w->RootWindow ? w->RootWindow : w;
  return std::string(root->Name).rfind(kMeasurePrefix, 0) == 0;
}

void paged_column(const char* id, const Rect& r, const std::vector<PageBlock>& blocks, PagerState& ps,
                  int force_page) {
  dock_next_window(r);
  // No scroll bar (the wheel still scrolls): one that came and went would
  // change the width, so the wrapping, so the heights the pages are cut by.
  ImGui::Begin(id, nullptr, kDockedFlags | ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoScrollbar);
  paged_content(id, "page", blocks, ps, force_page);
  ImGui::End();
}

float paged_content(const char* id, const char* mark, const std::vector<PageBlock>& blocks, PagerState& ps,
                    int force_page) {
  const ImGuiStyle& style = ImGui::GetStyle();
  ps.heights.resize(blocks.size(), 0.0f);
  if (force_page >= 0) ps.selected = force_page;
  ps.selected = std::clamp(ps.selected, 0, ps.pages() - 1);
  const ImGuiWindow* host = ImGui::GetCurrentWindowRead();
  const float top = ImGui::GetCursorPosY();
  const float width = ImGui::GetContentRegionAvail().x;

  // One line, whatever the number of pages: the previous and next page
  // buttons and which page this is. Rejected: a button per page (a tab
  // bar), whose rows took a third of a column at scale 1.5 when the pages
  // were many, and a tab bar, whose labels are cut when they do not fit.
  const int n = ps.pages();
  ImGui::PushID(id);
  if (ImGui::ArrowButton("##prev", ImGuiDir_Left)) ps.selected = (ps.selected + n - 1) % n;
  mark_widget(std::string(mark) + ":previous");
  ImGui::SameLine(0, style.ItemInnerSpacing.x);
  if (ImGui::ArrowButton("##next", ImGuiDir_Right)) ps.selected = (ps.selected + 1) % n;
  mark_widget(std::string(mark) + ":next");
  ImGui::PopID();
  const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  const ImVec4 next_button(a.x, a.y, b.x, b.y);
  ImGui::SameLine();
  const std::string& name = ps.labels.empty() ? std::string() : ps.labels[std::size_t(ps.selected)];
  ImGui::TextWrapped("%d/%d %s", ps.selected + 1, n, name.c_str());
  ImGui::Separator();
  const float room = ImGui::GetContentRegionAvail().y;
  ps.chrome = ImGui::GetCursorPosY() - top;
  g_room = room;
  const std::vector<int> starts = page_starts(ps.heights, room);
  std::vector<int> page_of(blocks.size(), 0);
  for (std::size_t k = 0; k < starts.size(); ++k)
    for (std::size_t i = std::size_t(starts[k]); i < (k + 1 < starts.size() ? std::size_t(starts[k + 1]) : blocks.size()); ++i)
      page_of[i] = static_cast<int>(k);
  const int shown = std::min(ps.selected, static_cast<int>(starts.size()) - 1);
  if (!ps.turn_to.empty()) {
    // This frame's pages (this room): the block's page is selected for the
    // next frame, and the request kept until a frame shows it (the page
    // line's wrap, which sets the room, follows the page's label), or for
    // a few frames where the pages keep moving.
    const auto k = std::find_if(blocks.begin(), blocks.end(), [&](const PageBlock& blk) { return blk.key == ps.turn_to; });
    const auto i = static_cast<std::size_t>(k - blocks.begin());
    if (k == blocks.end() || ps.turn_tries >= 8) {
      ps.turn_to.clear();
      ps.turn_tries = 0;
    } else if (ps.measured == blocks.size() && ps.heights[i] > 0) {
      if (page_of[i] == shown) {
        ps.turn_to.clear();
        ps.turn_tries = 0;
      } else {
        ps.selected = page_of[i];
        ++ps.turn_tries;
      }
    }
  }
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    if (page_of[i] != shown) continue;
    const float y0 = ImGui::GetCursorPosY();
    blocks[i].draw();
    ps.heights[i] = ImGui::GetCursorPosY() - y0;
  }

  // The other pages' blocks, outside the screen, at the same width (a
  // window of its own, begun inside the host's: a separate top-level window).
  ImGui::SetNextWindowPos(ImVec2(-2 * host->Size.x - 1000, host->Pos.y), ImGuiCond_Always);
  ImGui::SetNextWindowSize(ImVec2(width + 2 * style.WindowPadding.x, host->Size.y), ImGuiCond_Always);
  ImGui::Begin((std::string(kMeasurePrefix) + id).c_str(), nullptr,
               kDockedFlags | ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoInputs |
                   ImGuiWindowFlags_NoNav | ImGuiWindowFlags_NoFocusOnAppearing |
                   ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoBackground);
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    if (page_of[i] == shown) continue;
    // A control on a hidden page is found in the widget map through the
    // next-page button (a tool clicks it until the control appears).
    widget_map_via(&next_button);
    const float y0 = ImGui::GetCursorPosY();
    blocks[i].draw();
    ps.heights[i] = ImGui::GetCursorPosY() - y0;
    widget_map_via(nullptr);
  }
  ImGui::End();
  g_room = 0;

  // The pages' names for the next frame: the section each starts with,
  // numbered when a section runs over several pages.
  std::map<std::string, int> seen;
  ps.labels.clear();
  for (int s : starts) {
    const std::string& section = blocks[std::size_t(s)].section;
    const int count = ++seen[section];
    ps.labels.push_back(count == 1 ? section : section + " " + std::to_string(count));
  }
  if (ps.labels.empty()) ps.labels.push_back("");
  ps.selected = std::min(ps.selected, ps.pages() - 1);
  ps.measured = blocks.size();
  float all = ps.chrome;
  for (float h : ps.heights) all += h;
  return all;
}

}  // namespace slotsim::ui

