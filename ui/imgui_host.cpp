#include "ui/imgui_host.hpp"

#include <imgui.h>

#include <backends/imgui_impl_opengl3.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

namespace slotsim::ui {

float default_ui_scale(unsigned width, unsigned height) {
  const float r = std::min(float(width) / 1280.0f, float(height) / 800.0f);
  return std::clamp(std::round(r * 20.0f) / 20.0f, 1.0f, kMaxUiScale);
}

std::string find_ui_font() {
  // Debian's fonts-dejavu-core path first; the others are where other
  // distributions put the same file.
  for (const char* p : {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans.ttf",
                        "/usr/share/fonts/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf"}) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(p, ec)) return p;
  }
  return {};
}

ImGuiHost::ImGuiHost(const sf::Window& window, float scale)
    : window_(window), scale_(std::clamp(scale, kMinUiScale, kMaxUiScale)) {
  IMGUI_CHECKVERSION();
  ctx_ = ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  // No imgui.ini: panels open where the code puts them on every run (the
  // GUI test looks for them there), and nothing is written to the cwd.
  io.IniFilename = nullptr;
  font_file_ = find_ui_font();
  if (font_file_.empty()) {
    std::fprintf(stderr, "slotsim gui: DejaVuSans.ttf not found (apt install fonts-dejavu-core); "
                         "using ImGui's built-in font\n");
  }
  build_font_and_style();
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

void ImGuiHost::build_font_and_style() {
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  const float px = std::round(kBaseFontPx * scale_);
  ImFont* font = nullptr;
  if (!font_file_.empty()) {
    ImFontConfig cfg;
    // stb_truetype (ImGui's built-in rasteriser) at the final pixel size;
    // 2x horizontal oversampling is what ImGui recommends for a sans font.
    cfg.OversampleH = 2;
    cfg.OversampleV = 1;
    font = io.Fonts->AddFontFromFileTTF(font_file_.c_str(), px, &cfg);
  }
  if (!font) {
    ImFontConfig cfg;
    cfg.SizePixels = px;
    font = io.Fonts->AddFontDefault(&cfg);
  }
  io.FontDefault = font;
  // Sizes from the defaults every time, so scaling twice never compounds.
  ImGuiStyle style;
  ImGui::StyleColorsDark(&style);
  style.WindowRounding = 4;
  style.ScaleAllSizes(scale_);
  ImGui::GetStyle() = style;
}

void ImGuiHost::set_scale(float scale) {
  scale = std::clamp(scale, kMinUiScale, kMaxUiScale);
  if (scale == scale_) return;
  scale_ = scale;
  rebuild_ = true;
}

void ImGuiHost::process(const sf::Event& e) { input_->process(e); }
bool ImGuiHost::wants_mouse() const { return ImGui::GetIO().WantCaptureMouse; }
bool ImGuiHost::wants_keyboard() const { return ImGui::GetIO().WantCaptureKeyboard; }

void ImGuiHost::begin_frame() {
  if (rebuild_) {
    // Between frames: the atlas may not change while a frame uses it.
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    build_font_and_style();
    ImGui_ImplOpenGL3_CreateFontsTexture();
    rebuild_ = false;
  }
  input_->new_frame(window_);
  ImGui_ImplOpenGL3_NewFrame();
  ImGui::NewFrame();
}

void ImGuiHost::end_frame() {
  ImGui::Render();
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

}  // namespace slotsim::ui
