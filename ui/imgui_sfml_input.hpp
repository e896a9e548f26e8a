#pragma once
// Feeds SFML window events into Dear ImGui 1.86's input state (the pre-1.87
// API: io.KeysDown/KeyMap, MousePos/MouseDown/MouseWheel). There is no SFML
// backend among the ones Debian ships, and ImGui-SFML itself is built on
// sf::RenderWindow's legacy GL, which a core-profile context cannot use.
#include <string>

#include <SFML/System/Clock.hpp>
#include <SFML/Window/Event.hpp>
#include <SFML/Window/Window.hpp>

namespace slotsim::ui {

class ImGuiSfmlInput {
 public:
  // Needs a current ImGui context; sets the key map and clipboard hooks.
  ImGuiSfmlInput();

  void process(const sf::Event& e);
  // Once per frame before ImGui::NewFrame(): display size and delta time.
  void new_frame(const sf::Window& window);

 private:
  sf::Clock clock_;
  std::string clipboard_;  // keeps the text returned to ImGui alive
  static const char* get_clipboard(void* self);
  static void set_clipboard(void* self, const char* text);
};

}  // namespace slotsim::ui
