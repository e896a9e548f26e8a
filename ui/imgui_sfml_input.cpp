#include "ui/imgui_sfml_input.hpp"

#include <imgui.h>

#include <SFML/Window/Clipboard.hpp>
#include <cfloat>

namespace slotsim::ui {

ImGuiSfmlInput::ImGuiSfmlInput() {
  ImGuiIO& io = ImGui::GetIO();
  io.BackendPlatformName = "slotsim_sfml";
  // sf::Keyboard::Key values are small non-negative integers, so they index
  // io.KeysDown directly.
  io.KeyMap[ImGuiKey_Tab] = sf::Keyboard::Tab;
  io.KeyMap[ImGuiKey_LeftArrow] = sf::Keyboard::Left;
  io.KeyMap[ImGuiKey_RightArrow] = sf::Keyboard::Right;
  io.KeyMap[ImGuiKey_UpArrow] = sf::Keyboard::Up;
  io.KeyMap[ImGuiKey_DownArrow] = sf::Keyboard::Down;
  io.KeyMap[ImGuiKey_PageUp] = sf::Keyboard::PageUp;
  io.KeyMap[ImGuiKey_PageDown] = sf::Keyboard::PageDown;
  io.KeyMap[ImGuiKey_Home] = sf::Keyboard::Home;
  io.KeyMap[ImGuiKey_End] = sf::Keyboard::End;
  io.KeyMap[ImGuiKey_Insert] = sf::Keyboard::Insert;
  io.KeyMap[ImGuiKey_Delete] = sf::Keyboard::Delete;
  io.KeyMap[ImGuiKey_Backspace] = sf::Keyboard::Backspace;
  io.KeyMap[ImGuiKey_Space] = sf::Keyboard::Space;
  io.KeyMap[ImGuiKey_Enter] = sf::Keyboard::Enter;
  io.KeyMap[ImGuiKey_KeyPadEnter] = sf::Keyboard::Enter;
  io.KeyMap[ImGuiKey_Escape] = sf::Keyboard::Escape;
  io.KeyMap[ImGuiKey_A] = sf::Keyboard::A;
  io.KeyMap[ImGuiKey_C] = sf::Keyboard::C;
  io.KeyMap[ImGuiKey_V] = sf::Keyboard::V;
  io.KeyMap[ImGuiKey_X] = sf::Keyboard::X;
  io.KeyMap[ImGuiKey_Y] = sf::Keyboard::Y;
  io.KeyMap[ImGuiKey_Z] = sf::Keyboard::Z;
  io.ClipboardUserData = this;
  io.GetClipboardTextFn = &ImGuiSfmlInput::get_clipboard;
  io.SetClipboardTextFn = &ImGuiSfmlInput::set_clipboard;
}

const char* ImGuiSfmlInput::get_clipboard(void* self) {
  auto* me = static_cast<ImGuiSfmlInput*>(self);
  const sf::String s = sf::Clipboard::getString();
  const auto utf8 = s.toUtf8();
  me->clipboard_.assign(utf8.begin(), utf8.end());
  return me->clipboard_.c_str();
}

void ImGuiSfmlInput::set_clipboard(void*, const char* text) {
  sf::Clipboard::setString(sf::String::fromUtf8(text, text + std::char_traits<char>::length(text)));
}

void ImGuiSfmlInput::process(const sf::Event& e) {
  switch (e.type) {
    case sf::Event::MouseMoved:
    case sf::Event::MouseLeft:
    case sf::Event::MouseButtonPressed:
    case sf::Event::MouseButtonReleased:
    case sf::Event::MouseWheelScrolled:
    case sf::Event::KeyPressed:
    case sf::Event::KeyReleased:
    case sf::Event::TextEntered:
    case sf::Event::LostFocus:
      queue_.push_back(e);
      break;
    default:
      break;
  }
}

void ImGuiSfmlInput::apply(const sf::Event& e) {
  ImGuiIO& io = ImGui::GetIO();
  switch (e.type) {
    case sf::Event::MouseMoved:
      io.MousePos = ImVec2(static_cast<float>(e.mouseMove.x), static_cast<float>(e.mouseMove.y));
      break;
    case sf::Event::MouseLeft:
      io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
      break;
    case sf::Event::MouseButtonPressed:
    case sf::Event::MouseButtonReleased: {
      const int b = e.mouseButton.button;
      if (b >= 0 && b < 5) io.MouseDown[b] = e.type == sf::Event::MouseButtonPressed;
      io.MousePos = ImVec2(static_cast<float>(e.mouseButton.x), static_cast<float>(e.mouseButton.y));
      break;
    }
    case sf::Event::MouseWheelScrolled:
      if (e.mouseWheelScroll.wheel == sf::Mouse::VerticalWheel) io.MouseWheel += e.mouseWheelScroll.delta;
      else io.MouseWheelH += e.mouseWheelScroll.delta;
      break;
    case sf::Event::KeyPressed:
    case sf::Event::KeyReleased: {
      const int k = e.key.code;
      if (k >= 0 && k < static_cast<int>(IM_ARRAYSIZE(io.KeysDown)))
        io.KeysDown[k] = e.type == sf::Event::KeyPressed;
      io.KeyCtrl = e.key.control;
      io.KeyShift = e.key.shift;
      io.KeyAlt = e.key.alt;
      io.KeySuper = e.key.system;
      break;
    }
    case sf::Event::TextEntered:
      // Control characters (backspace, tab, enter) arrive as keys above.
      if (e.text.unicode >= 32 && e.text.unicode != 127) io.AddInputCharacter(e.text.unicode);
      break;
    case sf::Event::LostFocus:
      // Releases nothing arrives for while unfocused; forget held state.
      for (bool& d : io.MouseDown) d = false;
      for (bool& d : io.KeysDown) d = false;
      io.KeyCtrl = io.KeyShift = io.KeyAlt = io.KeySuper = false;
      break;
    default:
      break;
  }
}

void ImGuiSfmlInput::new_frame(const sf::Window& window) {
  ImGuiIO& io = ImGui::GetIO();
  // One transition per button and per key this frame; the first event that
  // would be a second one stops the drain, and it and everything after it
  // wait (order kept: a later move must not drag a deferred click along).
  bool button_moved[5] = {};
  bool key_moved[sf::Keyboard::KeyCount] = {};
  while (!queue_.empty()) {
    const sf::Event& e = queue_.front();
    if (e.type == sf::Event::MouseButtonPressed || e.type == sf::Event::MouseButtonReleased) {
      const int b = e.mouseButton.button;
      if (b >= 0 && b < 5) {
        if (button_moved[b]) break;
        button_moved[b] = true;
      }
    } else if (e.type == sf::Event::KeyPressed || e.type == sf::Event::KeyReleased) {
      const int k = e.key.code;
      if (k >= 0 && k < sf::Keyboard::KeyCount) {
        if (key_moved[k]) break;
        key_moved[k] = true;
      }
    }
    apply(e);
    queue_.pop_front();
  }
  const sf::Vector2u size = window.getSize();
  io.DisplaySize = ImVec2(static_cast<float>(size.x), static_cast<float>(size.y));
  io.DisplayFramebufferScale = ImVec2(1, 1);
  const float dt = clock_.restart().asSeconds();
  io.DeltaTime = dt > 0 ? dt : 1e-4f;  // ImGui asserts on a zero step
}

}  // namespace slotsim::ui
