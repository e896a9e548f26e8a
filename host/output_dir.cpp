#include "host/output_dir.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <stdexcept>

namespace slotsim::host {

namespace fs = std::filesystem;

std::string default_output_dir() {
  const char* home = std::getenv("HOME");
  if (home && *home) return (fs::path(home) / "slotsim-output").string();
  std::error_code ec;
  const fs::path tmp = fs::temp_directory_path(ec);
  return ((ec ? fs::path("/tmp") : tmp) / ("slotsim-output-" + std::to_string(::getuid()))).string();
}

void check_output_dir(const std::string& dir, const std::string& flag) {
  if (dir.empty()) throw std::invalid_argument(flag + ": empty folder name");
  std::error_code ec;
  fs::path p = fs::absolute(dir, ec);
  if (ec) throw std::invalid_argument(flag + " '" + dir + "': " + ec.message());
  if (fs::exists(p, ec)) {
    if (!fs::is_directory(p, ec)) throw std::invalid_argument(flag + " '" + dir + "': exists and is not a folder");
    if (::access(p.c_str(), W_OK | X_OK) != 0) {
      const int err = errno;  // before the message's allocations, which may change it
      throw std::invalid_argument(flag + " '" + dir + "': cannot write there (" + std::strerror(err) + ")");
    }
    return;
  }
  // Created on first use: the nearest existing ancestor must let us.
  fs::path up = p.parent_path();
  while (!up.empty() && !fs::exists(up, ec) && up != up.parent_path()) up = up.parent_path();
  if (!fs::is_directory(up, ec))
    throw std::invalid_argument(flag + " '" + dir + "': '" + up.string() + "' is not a folder");
  if (::access(up.c_str(), W_OK | X_OK) != 0) {
    const int err = errno;
    throw std::invalid_argument(flag + " '" + dir + "': cannot create it in '" + up.string() + "' (" +
                                std::strerror(err) + ")");
  }
}

fs::path ensure_output_dir(const std::string& dir) {
  if (dir.empty()) throw std::runtime_error("no output folder set");
  std::error_code ec;
  const fs::path p = fs::absolute(dir, ec).lexically_normal();
  if (ec) throw std::runtime_error("output folder '" + dir + "': " + ec.message());
  fs::create_directories(p, ec);
  if (ec || !fs::is_directory(p)) throw std::runtime_error("cannot create the output folder " + p.string() + ": " +
                                                           (ec ? ec.message() : std::string("not a folder")));
  return p;
}

std::string new_output_file(const std::string& dir, const std::string& stem, const std::string& ext) {
  const fs::path d = ensure_output_dir(dir);
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  const std::string base = stem + "-" + stamp;
  std::error_code ec;
  fs::path p = d / (base + ext);
  for (int k = 2; fs::exists(p, ec); ++k) p = d / (base + "-" + std::to_string(k) + ext);
  return p.string();
}

std::string output_file(const std::string& dir, const std::string& name) {
  const fs::path n(name);
  if (n.is_absolute()) return n.lexically_normal().string();
  return (ensure_output_dir(dir) / n).lexically_normal().string();
}

}  // namespace slotsim::host
