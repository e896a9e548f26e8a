#include "render/screenshot.hpp"

#include <SFML/Graphics/Image.hpp>

#include <cctype>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "render/gl.hpp"
#include "sim/io/output_file.hpp"

namespace slotsim::render {

void save_screenshot(const std::string& path, int width, int height) {
  if (width <= 0 || height <= 0) throw std::runtime_error("screenshot: empty window");
  const std::size_t row = static_cast<std::size_t>(width) * 4;
  std::vector<std::uint8_t> px(row * height), flipped(row * height);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadBuffer(GL_BACK);
  glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, px.data());
  // GL's row 0 is the bottom; image files start at the top.
  for (int y = 0; y < height; ++y)
    std::memcpy(flipped.data() + row * y, px.data() + row * (height - 1 - y), row);
  // The overlay's blending leaves partial alpha in the framebuffer; on screen
  // it is ignored, in a PNG it would make the picture translucent.
  for (std::size_t i = 3; i < flipped.size(); i += 4) flipped[i] = 255;
  sf::Image img;
  img.create(static_cast<unsigned>(width), static_cast<unsigned>(height), flipped.data());
  // Through a temporary renamed into place, like every output: a signal or a
  // full disk never leaves half an image under the user's name.
  io::write_file_atomic_with(path, [&](const std::string& tmp) {
    if (!img.saveToFile(tmp)) throw std::runtime_error("cannot write screenshot " + path);
  });
}

void check_screenshot_name(const std::string& path) { io::check_image_name(path); }

}  // namespace slotsim::render
