#pragma once
// Feeds SFML window events into Dear ImGui 1.86's input state (the pre-1.87
// API: io.KeysDown/KeyMap, MousePos/MouseDown/MouseWheel). There is no SFML
// backend among the ones Debian ships, and ImGui-SFML itself is built on
// sf::RenderWindow's legacy GL, which a core-profile context cannot use.
//
// Events are queued, not written into the IO state as they arrive: ImGui
// 1.86 samples MouseDown once per frame, so a press and a release that fall
// between the same two frames (a quick click, a touchpad tap) left no trace
// and the click was lost. new_frame() applies the queue in order but at most
// one transition per mouse button and per key in a frame; the rest (and
// every event after it, so a click stays where it happened) waits for the
// next frame. ImGui 1.87 added the same "input queue trickling" itself;
// 1.86 has none.
#include <deque>
#include <string>

#include <SFML/System/Clock.hpp>
#include <SFML/Window/Event.hpp>
#include <SFML/Window/Window.hpp>

namespace slotsim::ui {

class ImGuiSfmlInput {
 public:
  // Needs a current ImGui context; sets the key map and clipboard hooks.
  ImGuiSfmlInput();

  // Queues the event (only the kinds ImGui reads).
  void process(const sf::Event& e);
  // Once per frame before ImGui::NewFrame(): applies queued events (see
  // above), then the display size and delta time.
  void new_frame(const sf::Window& window);
  // Events still waiting for a later frame: the window must keep drawing
  // frames until they are applied.
  bool pending() const { return !queue_.empty(); }

 private:
  void apply(const sf::Event& e);
  std::deque<sf::Event> queue_;
  sf::Clock clock_;
  std::string clipboard_;  // keeps the text returned to ImGui alive
  static const char* get_clipboard(void* self);
  static void set_clipboard(void* self, const char* text);
};

}  // namespace slotsim::ui
