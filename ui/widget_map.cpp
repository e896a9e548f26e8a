#include "ui/widget_map.hpp"

#include <imgui.h>
#include <imgui_internal.h>

#include <cmath>
#include <cstdio>
#include <map>

#include "sim/io/output_file.hpp"

namespace slotsim::ui {

namespace {
struct Map {
  std::string path;
  std::map<std::string, ImVec4> rects, written;
  const ImVec4* via = nullptr;  // the page button of the blocks being drawn off screen
};
Map& map() {
  static Map m;
  return m;
}
}  // namespace

void widget_map_path(const std::string& path) { map().path = path; }

void mark_widget(const std::string& name) {
  Map& m = map();
  if (m.path.empty()) return;
  // On a page not shown: "@NAME" at the button that shows its page.
  if (m.via) {
    m.rects["@" + name] = *m.via;
    return;
  }
  // Only what can be clicked now: a control scrolled (even partly) out of
  // its panel is left out, and a tool scrolls the panel until it appears.
  const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  const ImRect clip = ImGui::GetCurrentWindowRead()->ClipRect;
  if (a.x < clip.Min.x || a.y < clip.Min.y || b.x > clip.Max.x || b.y > clip.Max.y) return;
  m.rects[name] = ImVec4(a.x, a.y, b.x, b.y);
}

void widget_map_via(const ImVec4* page_button) { map().via = page_button; }

void widget_map_flush() {
  Map& m = map();
  if (m.path.empty() || m.rects.empty()) return;
  bool same = m.rects.size() == m.written.size();
  for (auto it = m.rects.begin(), jt = m.written.begin(); same && it != m.rects.end(); ++it, ++jt)
    same = it->first == jt->first && it->second.x == jt->second.x && it->second.y == jt->second.y &&
           it->second.z == jt->second.z && it->second.w == jt->second.w;
  if (!same) {
    std::string text;
    for (const auto& [name, r] : m.rects) {
      char line[256];
      std::snprintf(line, sizeof line, "%s %.0f %.0f %.0f %.0f\n", name.c_str(), std::floor(r.x), std::floor(r.y),
                    std::ceil(r.z), std::ceil(r.w));
      text += line;
    }
    io::write_file_atomic(m.path, text);  // a reader never sees half a map
    m.written = m.rects;
  }
  m.rects.clear();  // what the next frame draws; a control not drawn then drops out
}

}  // namespace slotsim::ui
