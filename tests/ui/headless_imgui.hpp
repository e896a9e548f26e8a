#pragma once
// An ImGui context for headless tests of the panels' layout (ImGui needs no
// window or GL to lay out a frame): the UI font at 15 px (ImGui's own font
// when the file is missing) and its atlas built, so text has its real size.
// One per test case; the destructor drops the context.
#include <imgui.h>

#include <string>

#include "ui/imgui_host.hpp"

namespace slotsim::ui::testing {

struct HeadlessImGui {
  ImGuiContext* ctx;
  HeadlessImGui() {
    ctx = ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = ImVec2(800, 600);
    io.DeltaTime = 1.0f / 30;
    const std::string ttf = find_ui_font();
    if (ttf.empty() || !io.Fonts->AddFontFromFileTTF(ttf.c_str(), 15.0f)) io.Fonts->AddFontDefault();
    unsigned char* px = nullptr;
    int w = 0, h = 0;
    io.Fonts->GetTexDataAsRGBA32(&px, &w, &h);  // builds the atlas: no renderer needed
  }
  ~HeadlessImGui() { ImGui::DestroyContext(ctx); }
  HeadlessImGui(const HeadlessImGui&) = delete;
  HeadlessImGui& operator=(const HeadlessImGui&) = delete;
};

}  // namespace slotsim::ui::testing
