#pragma once
// Saving what is on screen.
#include <string>

namespace slotsim::render {

// Reads the current back buffer (call after drawing, before display()) and
// writes it as an image; the format follows the extension (.png, .bmp, ...).
// Throws std::runtime_error with one line if the file cannot be written.
void save_screenshot(const std::string& path, int width, int height);

// Throws std::invalid_argument (one line) unless the extension is one the
// image writer knows (.png, .bmp, .tga, .jpg), so a typo fails before a run.
void check_screenshot_name(const std::string& path);

}  // namespace slotsim::render
