#pragma once
// Locating files under assets/ at run time.
#include <filesystem>
#include <string>

namespace slotsim::render {

// Full path of `relative` (e.g. "shaders/points.vert"). Looks next to the
// executable first (assets/, ../assets/, ../share/slotsim/assets/) so an
// installed or copied binary uses its own copy, then the source tree the
// binary was built from. Throws std::runtime_error with a one-line message
// listing every place it looked.
std::filesystem::path find_asset(const std::string& relative);

// The whole file as a string; throws std::runtime_error naming the file.
std::string read_asset(const std::string& relative);

}  // namespace slotsim::render
