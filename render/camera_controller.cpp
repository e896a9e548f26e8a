#include "render/camera_controller.hpp"

namespace slotsim::render {

bool CameraController::handle(const sf::Event& e, int viewport_h) {
  switch (e.type) {
    case sf::Event::MouseButtonPressed:
      if (e.mouseButton.button == sf::Mouse::Left) orbiting_ = true;
      else if (e.mouseButton.button == sf::Mouse::Right) panning_ = true;
      else return false;
      last_x_ = e.mouseButton.x;
      last_y_ = e.mouseButton.y;
      return true;
    case sf::Event::MouseButtonReleased:
      if (e.mouseButton.button == sf::Mouse::Left) orbiting_ = false;
      else if (e.mouseButton.button == sf::Mouse::Right) panning_ = false;
      else return false;
      return true;
    case sf::Event::MouseMoved: {
      if (!dragging()) return false;
      const float dx = static_cast<float>(e.mouseMove.x - last_x_);
      const float dy = static_cast<float>(e.mouseMove.y - last_y_);
      last_x_ = e.mouseMove.x;
      last_y_ = e.mouseMove.y;
      if (orbiting_) cam_.orbit(dx, dy);
      else cam_.pan(dx, dy, viewport_h);
      return true;
    }
    case sf::Event::MouseWheelScrolled:
      if (e.mouseWheelScroll.wheel != sf::Mouse::VerticalWheel) return false;
      cam_.zoom(e.mouseWheelScroll.delta);
      return true;
    case sf::Event::KeyPressed:
      if (e.key.code != sf::Keyboard::R) return false;
      cam_.reset();
      return true;
    case sf::Event::LostFocus:
      cancel_drag();
      return false;
    default:
      return false;
  }
}

}  // namespace slotsim::render
