#include "ui/imgui_host.hpp"

#include <imgui.h>

#include <backends/imgui_impl_opengl3.h>

#include <stdexcept>

namespace slotsim::ui {

ImGuiHost::ImGuiHost(const sf::Window& window) : window_(window) {
  IMGUI_CHECKVERSION();
  ctx_ = ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  // No imgui.ini: panels open where the code puts them on every run (the
  // GUI test looks for them there), and nothing is written to the cwd.
  io.IniFilename = nullptr;
  ImGui::StyleColorsDark();
  ImGui::GetStyle().WindowRounding = 4;
  input_.emplace();
  if (!ImGui_ImplOpenGL3_Init("#version 330 core")) {
    ImGui::DestroyContext(ctx_);
    throw std::runtime_error("ImGui OpenGL3 backend failed to initialise");
  }
}

ImGuiHost::~ImGuiHost() {
  ImGui_ImplOpenGL3_Shutdown();
  input_.reset();
  ImGui::DestroyContext(ctx_);
}

void ImGuiHost::process(const sf::Event& e) { input_->process(e); }
bool ImGuiHost::wants_mouse() const { return ImGui::GetIO().WantCaptureMouse; }
bool ImGuiHost::wants_keyboard() const { return ImGui::GetIO().WantCaptureKeyboard; }

void ImGuiHost::begin_frame() {
  input_->new_frame(window_);
  ImGui_ImplOpenGL3_NewFrame();
  ImGui::NewFrame();
}

void ImGuiHost::end_frame() {
  ImGui::Render();
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

}  // namespace slotsim::ui
