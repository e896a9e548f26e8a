// The clipping check (ui/layout_audit.hpp) on frames built here, headless
// (ImGui needs no window or GL to lay out a frame): each kind of cut it
// must report, and a frame that fits reports nothing. The real panels are
// checked at 1280x800 and 1920x1080 by tests/ui/e2e/gui_layout.cpp.
#include "ui/layout_audit.hpp"

#include <doctest/doctest.h>
#include <imgui.h>

#include <functional>
#include <string>

#include "ui/headless_imgui.hpp"

using namespace slotsim::ui;

namespace {

struct Headless : testing::HeadlessImGui {
  // A few frames (tables size their columns from the frame before), the
  // audit on the last.
  LayoutAudit run(const std::function<void()>& draw) {
    LayoutAudit a;
    for (int f = 0; f < 4; ++f) {
      ImGui::NewFrame();
      draw();
      a = audit_layout();
      ImGui::EndFrame();
    }
    return a;
  }
};

void fixed_window(float w, float h) {
  ImGui::SetNextWindowPos(ImVec2(10, 10));
  ImGui::SetNextWindowSize(ImVec2(w, h));
}

void text_rows_for_test(int r) {
  ImGui::TableNextRow();
  ImGui::TableSetColumnIndex(0);
  ImGui::Text("layout %d", r);
  ImGui::TableSetColumnIndex(1);
  ImGui::TextUnformatted("288");
  ImGui::TableSetColumnIndex(2);
  ImGui::TextUnformatted("1.00");
}

std::string all(const LayoutAudit& a) {
  std::string s;
  for (const auto& f : a.clipped) s += f.where + ": " + f.what + "\n";
  return s;
}

}  // namespace

TEST_CASE("layout audit: a frame whose text fits reports nothing") {
  Headless h;
  const LayoutAudit a = h.run([] {
    fixed_window(300, 200);
    ImGui::Begin("Fits");
    ImGui::TextUnformatted("short line");
    ImGui::TextWrapped("a long paragraph that wraps at the window's edge instead of running past it, however long it is");
    if (ImGui::BeginTable("t", 2, ImGuiTableFlags_SizingFixedFit)) {
      ImGui::TableSetupColumn("a");
      ImGui::TableSetupColumn("b");
      ImGui::TableHeadersRow();
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      ImGui::TextUnformatted("1.00");
      ImGui::TableSetColumnIndex(1);
      ImGui::TextUnformatted("2.00");
      ImGui::EndTable();
    }
    ImGui::End();
  });
  INFO(all(a));
  CHECK(a.clipped.empty());
  CHECK(a.windows >= 1);
  CHECK(a.tables == 1);
  CHECK(a.columns == 2);
}

TEST_CASE("layout audit: a line longer than its window is cut, and reported with the window's name") {
  Headless h;
  const LayoutAudit a = h.run([] {
    fixed_window(150, 200);
    ImGui::Begin("Narrow");
    ImGui::TextUnformatted("energy |E - E0| / |E0| = 2.04e-03 (at t = 23.1; potential est. error 6.7e-02)");
    ImGui::End();
  });
  INFO(all(a));
  REQUIRE(a.clipped.size() == 1);
  CHECK(a.clipped[0].where == "window 'Narrow'");
  CHECK(a.clipped[0].what.find("past the right edge") != std::string::npos);
}

TEST_CASE("layout audit: a row of buttons running off the panel is cut") {
  Headless h;
  const LayoutAudit a = h.run([] {
    fixed_window(220, 200);
    ImGui::Begin("Buttons");
    ImGui::Button("Pause (Space)");
    ImGui::SameLine();
    ImGui::Button("Step (.)");
    ImGui::SameLine();
    ImGui::Button("Save snapshot");  // "Save sna"
    ImGui::End();
  });
  INFO(all(a));
  CHECK(a.clipped.size() == 1);
}

TEST_CASE("layout audit: a table column narrower than its text, and one scrolled out of view") {
  Headless h;
  LayoutAudit a = h.run([] {
    fixed_window(400, 200);
    ImGui::Begin("Cells");
    if (ImGui::BeginTable("claims", 2, ImGuiTableFlags_SizingFixedFit)) {
      ImGui::TableSetupColumn("claim", ImGuiTableColumnFlags_WidthFixed, 60);
      ImGui::TableSetupColumn("verdict");
      ImGui::TableHeadersRow();
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      ImGui::TextUnformatted("attribute access is faster on slotted instances");
      ImGui::TableSetColumnIndex(1);
      ImGui::TextUnformatted("holds");
      ImGui::EndTable();
    }
    ImGui::End();
  });
  INFO(all(a));
  REQUIRE(a.clipped.size() == 1);
  CHECK(a.clipped[0].where == "table in 'Cells' column 'claim'");

  // The old Compare table: fixed-fit columns in a scrolling table wider
  // than its window, the ratio column behind the horizontal scroll bar.
  a = h.run([] {
    fixed_window(300, 200);
    ImGui::Begin("Scroll");
    if (ImGui::BeginTable("compare", 4, ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_ScrollX, ImVec2(0, 150))) {
      for (const char* c : {"layout", "MiB (peak), convert ms", "step ms med (min-max)", "x dict, x soa"})
        ImGui::TableSetupColumn(c);
      ImGui::TableHeadersRow();
      ImGui::EndTable();
    }
    ImGui::End();
  });
  INFO(all(a));
  bool scroll = false, hidden = false;
  for (const auto& f : a.clipped) {
    scroll = scroll || f.what.find("horizontal scroll bar") != std::string::npos;
    hidden = hidden || (f.where.find("'x dict, x soa'") != std::string::npos && f.what.find("out of view") != std::string::npos);
  }
  CHECK(scroll);
  CHECK(hidden);
}

TEST_CASE("layout audit: tabs squeezed below their labels, and a title wider than its window") {
  Headless h;
  const LayoutAudit a = h.run([] {
    fixed_window(120, 200);
    ImGui::Begin("A window title far too long for it");
    if (ImGui::BeginTabBar("bar")) {
      if (ImGui::BeginTabItem("Compare")) ImGui::EndTabItem();
      if (ImGui::BeginTabItem("Lessons: __dict__ vs __slots__")) ImGui::EndTabItem();
      ImGui::EndTabBar();
    }
    ImGui::End();
  });
  INFO(all(a));
  bool title = false, tabs = false;
  for (const auto& f : a.clipped) {
    title = title || f.what.find("title is cut") != std::string::npos;
    tabs = tabs || f.where == "tab bar";
  }
  CHECK(title);
  CHECK(tabs);
}

TEST_CASE("layout audit: an item that must be on screen, scrolled out of its window, is reported") {
  Headless h;
  const LayoutAudit a = h.run([] {
    fixed_window(300, 120);
    ImGui::Begin("Details");
    for (int i = 0; i < 30; ++i) ImGui::Text("line %d", i);
    ImGui::TextUnformatted("why it changed");
    require_visible("the note");
    ImGui::End();
  });
  INFO(all(a));
  // Both: the note is out of view, and the window is taller than it shows.
  REQUIRE(a.clipped.size() == 2);
  bool note = false, taller = false;
  for (const auto& f : a.clipped) {
    note = note || f.where == "'the note' in 'Details'";
    taller = taller || (f.where == "window 'Details'" && f.what.find("taller than its visible region") != std::string::npos);
  }
  CHECK(note);
  CHECK(taller);
}

TEST_CASE("layout audit: a panel whose last item is below its visible region is cut") {
  Headless h;
  const auto panel = [](int lines) {
    return [lines] {
      fixed_window(300, 160);
      ImGui::Begin("Memory");
      for (int i = 0; i < lines; ++i) ImGui::Text("bytes per particle, line %d", i);
      ImGui::End();
    };
  };
  // Three lines fit in 160 px; thirty do not: the last ones need the scroll bar.
  LayoutAudit a = h.run(panel(3));
  INFO(all(a));
  CHECK(a.clipped.empty());
  a = h.run(panel(30));
  INFO(all(a));
  REQUIRE(a.clipped.size() == 1);
  CHECK(a.clipped[0].where == "window 'Memory'");
  CHECK(a.clipped[0].what.find("taller than its visible region") != std::string::npos);
}

TEST_CASE("layout audit: a table whose last row is under its scroll bar is cut") {
  Headless h;
  // The old Compare strip: a table of a fixed height with a horizontal
  // scroll bar, sized for its rows without the bar, so the bar covers the
  // last row; and the same table given the height its rows need.
  const auto table = [](float height, int rows) {
    return [height, rows] {
      fixed_window(700, 400);
      ImGui::Begin("Compare");
      if (ImGui::BeginTable("compare", 3, ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_ScrollX | ImGuiTableFlags_ScrollY,
                            ImVec2(0, height))) {
        for (const char* c : {"layout", "bytes", "x dict"}) ImGui::TableSetupColumn(c);
        ImGui::TableSetupScrollFreeze(0, 1);
        ImGui::TableHeadersRow();
        for (int r = 0; r < rows; ++r) text_rows_for_test(r);
        ImGui::EndTable();
      }
      ImGui::End();
    };
  };
  const float row = 24.0f;  // a generous row for the 15-px font (text and cell padding)
  LayoutAudit a = h.run(table(row * 10, 4));
  INFO(all(a));
  CHECK(a.clipped.empty());
  a = h.run(table(row * 4, 8));
  INFO(all(a));
  bool rows = false;
  for (const auto& f : a.clipped)
    rows = rows || (f.where == "table in 'Compare'" && f.what.find("rows hidden") != std::string::npos);
  CHECK(rows);
}
