// The side columns' pages (ui/pager.hpp), headless: how blocks are packed
// into pages, and a paged column whose blocks are several times its height
// fits on every page, shows only the selected page's blocks, and reports
// nothing cut, where the same blocks stacked in one window are cut; the
// bottom strip's paging (a tab's blocks, panel_layout()'s cap). The real
// panels are checked on every page by tests/ui/e2e/gui_layout.cpp.
#include "ui/pager.hpp"

#include <doctest/doctest.h>
#include <imgui.h>

#include <cmath>
#include <set>
#include <string>

#include "ui/headless_imgui.hpp"
#include "ui/layout_audit.hpp"

using namespace slotsim::ui;

TEST_CASE("pager: blocks are packed in order into pages as tall as the room") {
  CHECK(page_starts({}, 100) == std::vector<int>{});
  CHECK(page_starts({40, 40, 40}, 100) == std::vector<int>{0, 2});
  CHECK(page_starts({50, 50, 50, 50}, 100) == std::vector<int>{0, 2});
  // A block taller than the room gets a page of its own (and is cut there).
  CHECK(page_starts({30, 150, 30}, 100) == std::vector<int>{0, 1, 2});
  CHECK(page_starts({150}, 100) == std::vector<int>{0});
  // More room, fewer pages.
  CHECK(page_starts({40, 40, 40, 40}, 200) == std::vector<int>{0});
}

TEST_CASE("pager: a column of blocks taller than its window fits on every page, and only one page is shown") {
  const testing::HeadlessImGui imgui;

  // 30 blocks of three wrapped lines in a 250x200 column: ~10 times its height.
  std::set<int> drawn_visible;
  std::vector<PageBlock> blocks;
  for (int i = 0; i < 30; ++i)
    blocks.push_back({"part " + std::to_string(i / 10), [i, &drawn_visible] {
                        ImGui::TextWrapped("block %d: a line of text long enough to wrap in a narrow column, twice over", i);
                        if (!is_measure_window(ImGui::GetCurrentWindowRead())) drawn_visible.insert(i);
                      }});
  const Rect r{10, 10, 250, 200};
  PagerState ps;
  int pages = 0;
  std::set<int> seen;
  for (int page = 0; page < 40 && (pages == 0 || page < pages); ++page) {
    LayoutAudit a;
    for (int f = 0; f < 4; ++f) {
      drawn_visible.clear();
      ImGui::NewFrame();
      paged_column("column", r, blocks, ps, page);
      a = audit_layout();
      ImGui::EndFrame();
    }
    pages = ps.pages();
    INFO("page " << page + 1 << " of " << pages);
    CHECK(a.clipped.empty());
    CHECK(!drawn_visible.empty());
    for (int i : drawn_visible) CHECK(seen.insert(i).second);  // no block on two pages
  }
  CHECK(pages >= 5);
  CHECK(seen.size() == blocks.size());  // every block on some page
  CHECK(ps.labels.front() == "part 0");
  CHECK(ps.labels[1] == "part 0 2");  // a section over several pages is numbered

  // The same blocks stacked in one window of that size: cut.
  LayoutAudit stacked;
  for (int f = 0; f < 4; ++f) {
    ImGui::NewFrame();
    dock_next_window(r);
    ImGui::Begin("stacked", nullptr, kDockedFlags);
    for (const PageBlock& b : blocks) b.draw();
    ImGui::End();
    stacked = audit_layout();
    ImGui::EndFrame();
  }
  CHECK(!stacked.clipped.empty());
}

TEST_CASE("pager: a column needs its page line and its tallest block") {
  PagerState ps;
  CHECK(ps.need() == 0);
  ps.chrome = 30;
  ps.heights = {40, 150, 20};
  CHECK(ps.need() == 180);
}

TEST_CASE("pager: the bottom strip is as tall as its content unless that leaves a side column too little") {
  const float font = 22;  // scale 1.5
  const float m = std::round(0.5f * font);
  PanelWants want;
  want.bottom = 590;  // all the strip's blocks on one page
  // Nothing known of the side columns: the strip takes what it asks.
  CHECK(panel_layout(1280, 800, font, true, want).bottom.h == doctest::Approx(590));
  // A side column needs 240 px for its tallest block: the strip pages.
  want.side = 240;
  PanelLayout p = panel_layout(1280, 800, font, true, want);
  CHECK(p.left.h >= 240);
  CHECK(p.right.h >= 240);
  CHECK(p.bottom.h == doctest::Approx(800 - 3 * m - 240));
  // Room for both: the strip is as tall as its content (one page).
  want.bottom = 300;
  p = panel_layout(1280, 800, font, true, want);
  CHECK(p.bottom.h == doctest::Approx(300));
  CHECK(p.left.h > 240);
  // Not both: the strip keeps its own tallest block.
  want.bottom = 590;
  want.side = 700;
  want.bottom_min = 200;
  p = panel_layout(1280, 800, font, true, want);
  CHECK(p.bottom.h == doctest::Approx(200));
}

TEST_CASE("pager: a tab's blocks paged inside its window fit on every page, and it asks for all of them stacked") {
  const testing::HeadlessImGui imgui;

  // 12 blocks of six lines in a 600x220 window with a tab bar (the strip).
  std::vector<PageBlock> blocks;
  for (int i = 0; i < 12; ++i)
    blocks.push_back({"rows", [i] {
                        for (int k = 0; k < 6; ++k) ImGui::Text("block %d, line %d", i, k);
                      }});
  PagerState ps;
  float want = 0, stacked = 0, top = 0;
  int pages = 0;
  const auto frame = [&](int page) {
    ImGui::NewFrame();
    dock_next_window(Rect{10, 10, 600, 220});
    ImGui::Begin("strip", nullptr, kDockedFlags);
    if (ImGui::BeginTabBar("##tabs")) {
      if (ImGui::BeginTabItem("tab")) {
        top = ImGui::GetCursorPosY();
        want = top + paged_content("tab", "tab-page", blocks, ps, page);
        ImGui::EndTabItem();
      }
      ImGui::EndTabBar();
    }
    ImGui::End();
  };
  for (int page = 0; page < 30 && (pages == 0 || page < pages); ++page) {
    LayoutAudit a;
    for (int f = 0; f < 4; ++f) {
      frame(page);
      a = audit_layout();
      ImGui::EndFrame();
    }
    pages = ps.pages();
    INFO("page " << page + 1 << " of " << pages);
    CHECK(a.clipped.empty());
  }
  CHECK(pages >= 4);
  // What it asks for is what the same blocks take stacked in one window.
  ImGui::NewFrame();
  ImGui::SetNextWindowPos(ImVec2(10, 10));
  ImGui::SetNextWindowSize(ImVec2(600, 5000));
  ImGui::Begin("tall", nullptr, kDockedFlags);
  const float t0 = ImGui::GetCursorPosY();
  for (const PageBlock& b : blocks) b.draw();
  stacked = ImGui::GetCursorPosY() - t0;
  ImGui::End();
  ImGui::EndFrame();
  // (the title, the tab bar and the page line above them)
  CHECK(ps.chrome > 0);
  CHECK(want - top - ps.chrome == doctest::Approx(stacked).epsilon(0.001));
  CHECK(want > 220);  // more than the window: so the strip is given more, or pages
}

// `show heap-map` (PagerState::turn_to): the column turns to the page that
// holds the keyed block, once every block has been measured and the target
// draws something; a column without the key lets the request go.
TEST_CASE("pager: turn_to shows the page holding a keyed block, once it draws something") {
  const testing::HeadlessImGui imgui;
  bool target_ready = false;
  bool target_visible = false;
  std::vector<PageBlock> blocks;
  for (int i = 0; i < 30; ++i) {
    PageBlock b{"part " + std::to_string(i / 10), [i] {
                  ImGui::TextWrapped("block %d: a line of text long enough to wrap in a narrow column, twice over", i);
                }};
    if (i == 23)
      b = {"part 2", [&] {
             if (!target_ready) return;  // as the heap map before its first sample
             ImGui::TextWrapped("the target: a line of text long enough to wrap in a narrow column, twice over");
             if (!is_measure_window(ImGui::GetCurrentWindowRead())) target_visible = true;
           },
           "target"};
    blocks.push_back(std::move(b));
  }
  const Rect r{10, 10, 250, 200};
  PagerState ps;
  auto frames = [&](int n) {
    for (int f = 0; f < n; ++f) {
      target_visible = false;
      ImGui::NewFrame();
      paged_column("column", r, blocks, ps, -1);
      ImGui::EndFrame();
    }
  };
  frames(2);
  REQUIRE(ps.pages() >= 5);
  CHECK(ps.selected == 0);
  ps.turn_to = "target";
  frames(3);
  CHECK(ps.selected == 0);  // nothing drawn yet: the request waits
  CHECK(ps.turn_to == "target");
  target_ready = true;
  frames(3);
  CHECK(ps.turn_to.empty());
  CHECK(ps.selected > 0);
  CHECK(target_visible);  // the shown page is the one holding it
  CHECK(ps.labels[std::size_t(ps.selected)].rfind("part 2", 0) == 0);
  // A column without that key: the request is dropped, the page kept.
  PagerState other;
  std::vector<PageBlock> plain(blocks.begin(), blocks.begin() + 10);
  other.turn_to = "target";
  for (int f = 0; f < 3; ++f) {
    ImGui::NewFrame();
    paged_column("plain", r, plain, other, -1);
    ImGui::EndFrame();
  }
  CHECK(other.turn_to.empty());
  CHECK(other.selected == 0);
}
