#pragma once
// The ImGui context for one window: creation, the text font at the UI scale,
// the OpenGL3 renderer backend (compiled into Debian's libimgui.a), our SFML
// input adapter, and the per-frame begin/end. Needs the window's GL context
// current.
#include <optional>
#include <string>

#include <SFML/Window/Event.hpp>
#include <SFML/Window/Window.hpp>

#include "ui/imgui_sfml_input.hpp"

struct ImGuiContext;

namespace slotsim::ui {

// Text size at UI scale 1.0, in pixels. DejaVu Sans at 15 px is a little
// larger than ImGui's built-in 13-px bitmap font, whose glyphs it replaces.
inline constexpr float kBaseFontPx = 15.0f;
inline constexpr float kMinUiScale = 0.75f, kMaxUiScale = 3.0f;

// The scale a window of this size opens at when --ui-scale is not given: 1.0
// at 1280x800 (a laptop), growing with the smaller of the two ratios, so a
// 1920x1080 projector gets 1.35 and text stays the same fraction of the
// screen. Rounded to 0.05.
float default_ui_scale(unsigned width, unsigned height);

// The TTF the text is drawn from: Debian's fonts-dejavu-core, or empty if
// it is not installed (then ImGui's built-in font, scaled).
std::string find_ui_font();

class ImGuiHost {
 public:
  ImGuiHost(const sf::Window& window, float scale);
  ~ImGuiHost();
  ImGuiHost(const ImGuiHost&) = delete;
  ImGuiHost& operator=(const ImGuiHost&) = delete;

  void process(const sf::Event& e);
  // Whether the overlay wants this kind of input (the camera should not
  // also react to it).
  bool wants_mouse() const;
  bool wants_keyboard() const;
  // Input events queued for later frames (see ImGuiSfmlInput).
  bool input_pending() const { return input_->pending(); }

  // The scale takes effect before the next begin_frame(): the font is
  // rasterised again at kBaseFontPx * scale (a real TTF size, not a
  // magnified bitmap) and every style size is scaled from the defaults.
  void set_scale(float scale);
  float scale() const { return scale_; }
  const std::string& font_file() const { return font_file_; }

  void begin_frame();
  void end_frame();  // renders the overlay into the current framebuffer

 private:
  void build_font_and_style();
  const sf::Window& window_;
  ImGuiContext* ctx_ = nullptr;
  float scale_ = 1.0f;
  bool rebuild_ = false;
  std::string font_file_;
  // Emplaced once the context exists (its constructor writes to the IO).
  std::optional<ImGuiSfmlInput> input_;
};

}  // namespace slotsim::ui
