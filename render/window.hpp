#pragma once
// Opening the window and its OpenGL context.
#include <memory>
#include <string>

#include <SFML/Window/Window.hpp>

namespace slotsim::render {

struct GlInfo {
  std::string renderer, version, vendor;
  int major = 0, minor = 0;
  // llvmpipe / softpipe / swrast: rasterising is done on the CPU.
  bool software() const;
};

// A window with a 3.3 core-profile context, made current on this thread.
// Core rather than compatibility: it is what the shaders in assets/ are
// written against and what every driver (including llvmpipe) offers.
// Throws std::runtime_error with one line if the context is older than 3.3.
std::unique_ptr<sf::Window> open_gl_window(unsigned width, unsigned height,
                                           const std::string& title);

// Strings of the current context.
GlInfo gl_info();

}  // namespace slotsim::render
