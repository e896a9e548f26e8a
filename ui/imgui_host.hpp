#pragma once
// The ImGui context for one window: creation, the OpenGL3 renderer backend
// (compiled into Debian's libimgui.a), our SFML input adapter, and the
// per-frame begin/end. Needs the window's GL context current.
#include <optional>

#include <SFML/Window/Event.hpp>
#include <SFML/Window/Window.hpp>

#include "ui/imgui_sfml_input.hpp"

struct ImGuiContext;

namespace slotsim::ui {

class ImGuiHost {
 public:
  explicit ImGuiHost(const sf::Window& window);
  ~ImGuiHost();
  ImGuiHost(const ImGuiHost&) = delete;
  ImGuiHost& operator=(const ImGuiHost&) = delete;

  void process(const sf::Event& e);
  // Whether the overlay wants this kind of input (the camera should not
  // also react to it).
  bool wants_mouse() const;
  bool wants_keyboard() const;

  void begin_frame();
  void end_frame();  // renders the overlay into the current framebuffer

 private:
  const sf::Window& window_;
  ImGuiContext* ctx_ = nullptr;
  // Emplaced once the context exists (its constructor writes to the IO).
  std::optional<ImGuiSfmlInput> input_;
};

}  // namespace slotsim::ui
