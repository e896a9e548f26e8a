#include "render/window.hpp"

#include <SFML/System/Err.hpp>
#include <algorithm>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "render/gl.hpp"

namespace slotsim::render {

namespace {
std::string gl_string(GLenum what) {
  const auto* s = reinterpret_cast<const char*>(glGetString(what));
  return s ? s : "";
}
}  // namespace

bool GlInfo::software() const {
  return renderer.find("llvmpipe") != std::string::npos ||
         renderer.find("softpipe") != std::string::npos ||
         renderer.find("swrast") != std::string::npos;
}

std::unique_ptr<sf::Window> open_gl_window(unsigned width, unsigned height,
                                           const std::string& title) {
  sf::ContextSettings settings;
  settings.depthBits = 24;
  settings.majorVersion = 3;
  settings.minorVersion = 3;
  settings.attributeFlags = sf::ContextSettings::Core;
  // SFML reports through sf::err(). Window creation always turns vsync off,
  // and where the driver has no swap control (Xvfb) that prints "Setting
  // vertical sync not supported" although nothing asked for vsync; keep
  // every other message.
  std::ostringstream captured;
  std::streambuf* saved = sf::err().rdbuf(captured.rdbuf());
  std::unique_ptr<sf::Window> win;
  try {
    win = std::make_unique<sf::Window>(sf::VideoMode(width, height), title, sf::Style::Default,
                                       settings);
  } catch (...) {
    sf::err().rdbuf(saved);
    throw;
  }
  sf::err().rdbuf(saved);
  std::istringstream lines(captured.str());
  for (std::string line; std::getline(lines, line);)
    if (line != "Setting vertical sync not supported") sf::err() << line << '\n';
  // Never larger than the screen, and placed on it: without a window
  // manager nothing moves a window, and one bigger than the screen (or
  // placed by a centring that went negative) opened half off it. Asked
  // after the window exists: its connection to the X server stays open, and
  // a connection of our own opened and closed first made Xvfb reset (it
  // does when its last client leaves) just as the window connected, which
  // failed one start in three when several ran at once.
  const sf::VideoMode desktop = sf::VideoMode::getDesktopMode();
  if (desktop.width > 0 && desktop.height > 0 && (width > desktop.width || height > desktop.height)) {
    std::printf("slotsim gui: the screen is %ux%u; the window is made %ux%u instead of %ux%u\n", desktop.width,
                desktop.height, std::min(width, desktop.width), std::min(height, desktop.height), width, height);
    width = std::min(width, desktop.width);
    height = std::min(height, desktop.height);
    win->setSize(sf::Vector2u(width, height));
  }
  win->setPosition(sf::Vector2i(std::max(0, (int(desktop.width) - int(width)) / 2),
                                std::max(0, (int(desktop.height) - int(height)) / 2)));
  if (!win->setActive(true)) throw std::runtime_error("cannot make the OpenGL context current");
  const sf::ContextSettings got = win->getSettings();
  if (got.majorVersion * 10 + got.minorVersion < 33)
    throw std::runtime_error("OpenGL 3.3 core profile needed, got " +
                             std::to_string(got.majorVersion) + "." +
                             std::to_string(got.minorVersion) + " (" +
                             gl_string(GL_RENDERER) + ")");
  return win;
}

GlInfo gl_info() {
  GlInfo i;
  i.renderer = gl_string(GL_RENDERER);
  i.version = gl_string(GL_VERSION);
  i.vendor = gl_string(GL_VENDOR);
  glGetIntegerv(GL_MAJOR_VERSION, &i.major);
  glGetIntegerv(GL_MINOR_VERSION, &i.minor);
  return i;
}

}  // namespace slotsim::render
