#include "render/assets.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace slotsim::render {

namespace fs = std::filesystem;

namespace {
std::vector<fs::path> asset_roots() {
  std::vector<fs::path> roots;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path dir = exe.parent_path();
    roots.push_back(dir / "assets");
    roots.push_back(dir.parent_path() / "assets");
    roots.push_back(dir.parent_path() / "share" / "slotsim" / "assets");
  }
#ifdef SLOTSIM_ASSETS_DIR
  roots.emplace_back(SLOTSIM_ASSETS_DIR);
#endif
  return roots;
}
}  // namespace

fs::path find_asset(const std::string& relative) {
  std::string looked;
  for (const fs::path& root : asset_roots()) {
    const fs::path p = root / relative;
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) return p;
    looked += (looked.empty() ? "" : ", ") + root.string();
  }
  throw std::runtime_error("asset '" + relative + "' not found (looked in: " + looked + ")");
}

std::string read_asset(const std::string& relative) {
  const fs::path p = find_asset(relative);
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace slotsim::render
