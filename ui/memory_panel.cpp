// Memory panel: the bytes each particle costs in the current layout, the
// process heap, RSS, bytes per category with a tracemalloc-style mark and
// diff, the heap map (where the particles' memory lives, host/heap_map.hpp),
// and a heap plot where a layout switch shows up as a step.
#include <imgui.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "render/gl.hpp"
#include "host/format.hpp"
#include "host/heap_map.hpp"
#include "host/script.hpp"
#include "ui/overlay.hpp"
#include "ui/pager.hpp"
#include "ui/widgets.hpp"

namespace slotsim::ui {

namespace {
std::string per(long long bytes, std::size_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f B", n ? double(bytes) / double(n) : 0.0);
  return buf;
}

const char* category_note(std::string_view name) {
  if (name == "objects") return "per-particle heap objects";
  if (name == "tables") return "attribute hash tables";
  if (name == "index") return "pointers to the objects";
  if (name == "columns") return "contiguous arrays";
  if (name == "shared keys") return "one keys object per class (shared-keys)";
  if (name == "py headers") return "CPython's object and GC headers (--python-objects)";
  if (name == "floats") return "a 24-byte float object per value (--python-objects)";
  return "";
}

std::string signed_bytes(std::int64_t b) {
  std::string s = human_bytes(double(b));
  if (b > 0) s.insert(s.begin(), '+');
  return s;
}
std::string signed_count(std::int64_t c) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+lld", static_cast<long long>(c));
  return c == 0 ? std::string("0") : std::string(buf);
}

void upload(unsigned& tex, int w, int h, const std::uint32_t* rgba) {
  if (!tex) tex = render::new_pixel_texture();
  glBindTexture(GL_TEXTURE_2D, tex);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, w, h, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
  glBindTexture(GL_TEXTURE_2D, 0);
}

// The picture: kMapW x kMapH cells, drawn as wide as the panel; rebuilt
// only when a new sample arrives (every 2 s, or after a command).
constexpr int kMapW = 160, kMapH = 64, kStripW = 320;

// The Morton ramp as a bar, with its two ends named.
void ramp_legend() {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float w = std::min(em(8), ImGui::GetContentRegionAvail().x * 0.4f), h = ImGui::GetTextLineHeight() * 0.7f;
  constexpr int kSteps = 24;
  for (int i = 0; i < kSteps; ++i) {
    const float x0 = p.x + w * float(i) / kSteps, x1 = p.x + w * float(i + 1) / kSteps;
    dl->AddRectFilled(ImVec2(x0, p.y + 0.15f * h), ImVec2(x1, p.y + 1.15f * h),
                      rank_colour(float(i) / float(kSteps - 1)));
  }
  ImGui::Dummy(ImVec2(w, ImGui::GetTextLineHeight()));
  ImGui::SameLine();
  disabled_wrapped("colour: where the particle is in space, along a Z-order (Morton) curve: blue at its start, red at its end");
}

// Uploads a new sample's picture (before either half is drawn: the two may
// be on different pages, drawn in either order).
void heap_map_update(const SimStats& s, OverlayState& st) {
  const HeapSample* hs = s.heap_sample.get();
  if (!hs || hs == st.heap_texture_sample) return;
  const HeapRaster r = rasterise(*hs, kMapW, kMapH);
  upload(st.heap_texture, r.width, r.height, r.rgba.data());
  const std::vector<std::uint32_t> strip = index_strip(*hs, kStripW);
  upload(st.strip_texture, kStripW, 1, strip.data());
  st.heap_texture_sample = hs;
  st.heap_regions = r.regions;
  st.heap_lo = r.lo;
  st.heap_hi = r.hi;
  st.heap_span_bytes = r.span_bytes;
}

// The legend and the index-order strip.
void heap_map_index(const SimStats& s, const OverlayState& st) {
  section("heap map");
  if (!s.heap_sample || s.heap_sample.get() != st.heap_texture_sample) {
    ImGui::TextDisabled("no sample yet");
    return;
  }
  ramp_legend();
}

// The index-order strip.
void heap_map_strip(const SimStats& s, const OverlayState& st) {
  if (!s.heap_sample || s.heap_sample.get() != st.heap_texture_sample) return;
  const float w = std::floor(ImGui::GetContentRegionAvail().x);
  disabled_wrapped("index order: the sampled particles in the order a loop over them visits them");
  ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(st.strip_texture)), ImVec2(w, em(0.8f)));
}

// The address-order map.
void heap_map_addresses(const SimStats& s, const OverlayState& st) {
  const HeapSample* hs = s.heap_sample.get();
  if (!hs || hs != st.heap_texture_sample) return;
  const std::string per_row = human_bytes(double(st.heap_span_bytes) / kMapH);
  char rows[256];
  std::snprintf(rows, sizeof rows,
                "address order: where their bytes are, row by row from the lowest address (top left) like a hex dump, "
                "%s a row; %s; grey: a gap over 1 MiB left out",
                per_row.c_str(),
                std::string(host::span_legend(*hs)).c_str());
  disabled_wrapped(rows);
}

// The address-order map itself.
void heap_map_picture(const SimStats& s, const OverlayState& st) {
  const HeapSample* hs = s.heap_sample.get();
  if (!hs || hs != st.heap_texture_sample) return;
  const float w = std::floor(ImGui::GetContentRegionAvail().x);
  // As wide as the panel, or less where a page is not that tall.
  float h = std::floor(w * float(kMapH) / float(kMapW));
  if (const float room = page_room(); room > 0 && h > room - ImGui::GetStyle().ItemSpacing.y)
    h = std::max(em(2), std::floor(room - ImGui::GetStyle().ItemSpacing.y));
  ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(st.heap_texture)),
               ImVec2(std::floor(h * float(kMapW) / float(kMapH)), h));
}

// How the sample was taken.
void heap_map_sampling(const SimStats& s, const OverlayState& st) {
  const HeapSample* hs = s.heap_sample.get();
  if (!hs || hs != st.heap_texture_sample) return;
  char line[160];
  std::snprintf(line, sizeof line, "1 in %s particles sampled (%.1f ms every 2 s); %s in %d region%s",
                grouped(hs->stride).c_str(), hs->sample_ms, human_bytes(double(st.heap_span_bytes)).c_str(),
                st.heap_regions, st.heap_regions == 1 ? "" : "s");
  disabled_wrapped(line);
}

void mark_section(const SimStats& s, OverlayState& st) {
  if (ImGui::Button(st.mark ? "Mark again" : "Mark")) take_mark(st);
  if (!st.mark) {
    flow_text_disabled("records the heap now; then shows what changed");
    return;
  }
  if (flow_button("Clear")) {
    st.mark.reset();
    return;
  }
  const mem::Snapshot now = mem::take_snapshot();
  const mem::SnapshotDiff d = mem::compare(*st.mark, now);
  char since[48];
  std::snprintf(since, sizeof since, "%.0f s since the mark", d.seconds);
  flow_text_disabled(since);
  if (ImGui::BeginTable("diff", 3, ImGuiTableFlags_SizingFixedFit)) {
    ImGui::TableSetupColumn("since the mark");
    ImGui::TableSetupColumn("bytes");
    ImGui::TableSetupColumn("blocks");
    ImGui::TableHeadersRow();
    auto line = [](const char* label, std::int64_t bytes, std::int64_t blocks) {
      text_row({label, signed_bytes(bytes).c_str(), signed_count(blocks).c_str()});
    };
    for (int c = 0; c < static_cast<int>(mem::Category::kCount); ++c)
      line(mem::category_name(static_cast<mem::Category>(c)), d.categories[c].requested, d.categories[c].blocks);
    line("process heap", d.requested, d.blocks);
    ImGui::EndTable();
  }
  (void)s;
}
}  // namespace

void memory_blocks(OverlayContext& ctx, OverlayState& st, std::vector<PageBlock>& out) {
  const SimStats& s = ctx.frame.stats;
  if (!s.has_system) {
    out.push_back({"Memory", [] { ImGui::TextUnformatted("no particles yet"); }});
    return;
  }
  heap_map_update(s, st);
  out.push_back({"Memory", [&s] {
                   ImGui::Text("layout %s", std::string(layout_name(s.layout)).c_str());
                   flow_text_disabled(("N = " + grouped(s.n)).c_str());
                 }});
  // The categories this layout uses (a zero row would only push the
  // figures that matter down the panel); the Compare bars show them all.
  struct Row {
    std::string label, value;
    const char* note;
  };
  std::vector<Row> rows;
  const LayoutBytes& b = s.bytes;
  for (const ByteCategory& k : kByteCategories)
    if (b.*k.field != 0) rows.push_back({std::string(k.name), per(b.*k.field, s.n), category_note(k.name)});
  rows.push_back({"total", per(b.total(), s.n), "requested: what the objects ask malloc for"});
  rows.push_back({"usable", per(b.usable_total, s.n), "what malloc set aside for them (malloc_usable_size)"});
  char blocks[32];
  std::snprintf(blocks, sizeof blocks, "%.3f", s.n ? double(b.blocks) / double(s.n) : 0.0);
  rows.push_back({"blocks", blocks, "allocations per particle"});
  std::vector<std::string> labels, values;
  for (const Row& r : rows) {
    labels.push_back(r.label);
    values.push_back(r.value);
  }
  table_row_blocks(
      out, "Memory", "bytes per instance", "per", 3,
      [labels, values] {
        ImGui::TableSetupColumn("category", ImGuiTableColumnFlags_WidthFixed, column_w("category", labels));
        ImGui::TableSetupColumn("B", ImGuiTableColumnFlags_WidthFixed, column_w("B", values));
        ImGui::TableSetupColumn("what", ImGuiTableColumnFlags_WidthStretch);
      },
      false, static_cast<int>(rows.size()), [rows](int i) {
        const Row& r = rows[std::size_t(i)];
        ImGui::TableSetColumnIndex(0);
        ImGui::TextUnformatted(r.label.c_str());
        ImGui::TableSetColumnIndex(1);
        ImGui::TextUnformatted(r.value.c_str());
        ImGui::TableSetColumnIndex(2);
        disabled_wrapped(r.note);  // the column stretches; a long note wraps
      });
  out.push_back({"Memory", [&s] {
                   const LayoutBytes& lb = s.bytes;
                   char store[128];
                   std::snprintf(store, sizeof store, "the store: %s requested, %s usable",
                                 human_bytes(double(lb.total())).c_str(), human_bytes(double(lb.usable_total)).c_str());
                   disabled_wrapped(store);
                   if (traits(s.layout).has_dict)
                     disabled_wrapped(
                         ("own __dict__ on " + grouped(s.own_dicts) + " of " + grouped(s.n) + " particles").c_str());
                 }});
  out.push_back({"heap map", [&s, &st] { heap_map_index(s, st); }});
  out.push_back({"heap map", [&s, &st] { heap_map_addresses(s, st); }});
  out.push_back({"heap map", [&s, &st] { heap_map_strip(s, st); }});
  out.push_back({"heap map", [&s, &st] { heap_map_picture(s, st); }, std::string(kHeapMapBlock)});  // `show heap-map`
  out.push_back({"heap map", [&s, &st] { heap_map_sampling(s, st); }});
  out.push_back({"process heap", [&s] {
                   section("process heap");
                   if (ImGui::BeginTable("heap", 3, ImGuiTableFlags_SizingFixedFit)) {
                     ImGui::TableSetupColumn("");
                     ImGui::TableSetupColumn("current");
                     ImGui::TableSetupColumn("peak*");
                     ImGui::TableHeadersRow();
                     auto two = [](const char* label, double cur, double peak) {
                       text_row({label, human_bytes(cur).c_str(), human_bytes(peak).c_str()});
                     };
                     two("requested", double(s.heap.current_requested), double(s.heap.peak_requested));
                     two("usable", double(s.heap.current_usable), double(s.heap.peak_usable));
                     ImGui::EndTable();
                   }
                 }});
  out.push_back({"process heap", [&s] {
                   disabled_wrapped("* since the start or the last conversion");
                   ImGui::TextWrapped("live blocks %s, RSS %s",
                                      grouped(static_cast<std::uint64_t>(s.heap.live_blocks)).c_str(),
                                      human_bytes(double(s.rss)).c_str());
                   disabled_wrapped(("available " + human_bytes(double(s.available))).c_str());
                 }});
  out.push_back({"process heap", [&st] {
                   // Sampled live every frame (window thread), unlike the figures above:
                   // during a conversion no frame is published, and the transient peak
                   // while both stores exist is exactly what the plot should show.
                   ImGui::PlotLines("##heap", st.heap_mib.data(), st.heap_mib.size(), st.heap_mib.offset(), nullptr,
                                    0.0f, st.heap_mib.max() * 1.1f + 1.0f,
                                    ImVec2(ImGui::GetContentRegionAvail().x, em(3)));
                 }});
  out.push_back({"process heap", [&st] {
                   char overlay[48];
                   std::snprintf(overlay, sizeof overlay, "heap %.1f MiB, sampled every frame", st.heap_mib.latest());
                   disabled_wrapped(overlay);
                 }});
  std::vector<std::string> cat[3];
  for (int c = 0; c < static_cast<int>(mem::Category::kCount); ++c) {
    const mem::CategoryStats& cs = s.categories[c];
    cat[0].push_back(mem::category_name(static_cast<mem::Category>(c)));
    cat[1].push_back(human_bytes(double(cs.requested)));
    cat[2].push_back(grouped(static_cast<std::uint64_t>(cs.blocks)));
  }
  table_row_blocks(
      out, "by category", "by category", "cat", 3,
      [cat] {
        ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthFixed, column_w("", cat[0]));
        ImGui::TableSetupColumn("requested", ImGuiTableColumnFlags_WidthFixed, column_w("requested", cat[1]));
        ImGui::TableSetupColumn("blocks", ImGuiTableColumnFlags_WidthFixed, column_w("blocks", cat[2]));
      },
      true, static_cast<int>(mem::Category::kCount), [cat](int c) {
        for (int k = 0; k < 3; ++k) {
          ImGui::TableSetColumnIndex(k);
          ImGui::TextUnformatted(cat[k][std::size_t(c)].c_str());
        }
      });
  out.push_back({"mark and diff", [&s, &st] {
                   section("mark and diff");
                   mark_section(s, st);
                 }});
}

}  // namespace slotsim::ui
