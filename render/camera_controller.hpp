#pragma once
// Mouse and keyboard onto the orbit camera: left drag orbits, right drag
// pans, the wheel zooms, R resets to the fitted view. The caller decides
// which events reach it (the overlay keeps the ones over its panels).
#include <SFML/Window/Event.hpp>

#include "render/camera.hpp"

namespace slotsim::render {

class CameraController {
 public:
  explicit CameraController(Camera& cam) : cam_(cam) {}

  // Returns true if the event moved the camera or started/ended a drag.
  bool handle(const sf::Event& e, int viewport_h);
  // Drags end when the window loses focus or the overlay takes the mouse,
  // otherwise a release outside the window would leave one stuck.
  void cancel_drag() { orbiting_ = panning_ = false; }
  bool dragging() const { return orbiting_ || panning_; }

 private:
  Camera& cam_;
  bool orbiting_ = false, panning_ = false;
  int last_x_ = 0, last_y_ = 0;
};

}  // namespace slotsim::render
