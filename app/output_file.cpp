#include "app/output_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace slotsim::app {

void check_writable(const std::string& path, const char* flag) {
  namespace fs = std::filesystem;
  if (path.empty()) return;
  const fs::path p(path);
  std::error_code ec;
  if (fs::is_directory(p, ec)) throw std::runtime_error(std::string(flag) + ": '" + path + "' is a directory");
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  if (!fs::is_directory(dir, ec))
    throw std::runtime_error(std::string(flag) + ": directory '" + dir.string() + "' does not exist");
  // Probe with the temporary name the final write uses, then remove it.
  const std::string probe = path + ".tmp";
  std::FILE* f = std::fopen(probe.c_str(), "w");
  if (!f) throw std::runtime_error(std::string(flag) + ": cannot write '" + path + "': " + std::strerror(errno));
  std::fclose(f);
  std::remove(probe.c_str());
}

void write_file_atomic(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      throw std::runtime_error("cannot write '" + path + "'");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw std::runtime_error("cannot rename '" + tmp + "' to '" + path + "': " + std::strerror(errno));
  }
}

}  // namespace slotsim::app
