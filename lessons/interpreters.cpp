#include "lessons/interpreters.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <stdexcept>

namespace slotsim {
namespace fs = std::filesystem;
namespace {

bool executable(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec) && access(p.c_str(), X_OK) == 0;
}

// python, python2, python3, python2.7, python3.10 (not python3-config,
// python3.11m-config, pythonw...).
bool python_name(const std::string& n) {
  if (n.rfind("python", 0) != 0) return false;
  const std::string rest = n.substr(6);
  if (rest.empty()) return true;
  if (rest != "2" && rest != "3" && rest.rfind("2.", 0) != 0 && rest.rfind("3.", 0) != 0) return false;
  for (std::size_t i = 2; i < rest.size(); ++i)
    if (rest[i] < '0' || rest[i] > '9') return false;
  return rest.size() != 2;  // "3." alone is not a name
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

struct Collector {
  std::set<std::string> seen;  // canonical paths
  std::vector<std::string> out;
  void add(const fs::path& p) {
    if (!executable(p)) return;
    std::error_code ec;
    const fs::path real = fs::canonical(p, ec);
    if (ec || !seen.insert(real.string()).second) return;
    out.push_back(p.string());
  }
  // A managed installation's bin folder: its python3, else its python.
  void add_bin(const fs::path& bin) {
    if (executable(bin / "python3"))
      add(bin / "python3");
    else
      add(bin / "python");
  }
};

std::vector<fs::path> sorted_children(const fs::path& dir) {
  std::vector<fs::path> v;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) v.push_back(it->path());
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

InterpreterSearch InterpreterSearch::from_environment() {
  InterpreterSearch w;
  w.path = env("PATH");
  w.home = env("HOME");
  w.pyenv_root = env("PYENV_ROOT");
  w.conda_prefix = env("CONDA_PREFIX");
  return w;
}

std::vector<std::string> find_interpreters(const InterpreterSearch& where) {
  Collector c;
  const fs::path pyenv = !where.pyenv_root.empty() ? fs::path(where.pyenv_root)
                         : !where.home.empty()     ? fs::path(where.home) / ".pyenv"
                                                   : fs::path();
  std::error_code ec;
  const fs::path shims = pyenv.empty() ? fs::path() : fs::weakly_canonical(pyenv / "shims", ec);
  // PATH first, in its order: what the user gets by typing the name.
  std::size_t start = 0;
  while (start <= where.path.size()) {
    std::size_t end = where.path.find(':', start);
    if (end == std::string::npos) end = where.path.size();
    const fs::path dir = where.path.substr(start, end - start);
    start = end + 1;
    if (dir.empty()) continue;
    if (!shims.empty() && fs::weakly_canonical(dir, ec) == shims) continue;
    for (const fs::path& p : sorted_children(dir))
      if (python_name(p.filename().string())) c.add(p);
  }
  if (!pyenv.empty())
    for (const fs::path& v : sorted_children(pyenv / "versions")) c.add_bin(v / "bin");
  std::vector<fs::path> conda;
  if (!where.conda_prefix.empty()) conda.push_back(where.conda_prefix);
  if (!where.home.empty())
    for (const char* d : {"miniconda3", "anaconda3", "miniforge3"}) conda.push_back(fs::path(where.home) / d);
  for (const std::string& r : where.extra_conda_roots) conda.push_back(r);
  for (const fs::path& root : conda) {
    c.add_bin(root / "bin");
    for (const fs::path& e : sorted_children(root / "envs")) c.add_bin(e / "bin");
  }
  return c.out;
}

std::vector<std::string> interpreters_for(const std::string& spec) {
  if (spec.empty()) return {"python3"};
  if (spec == "all") return find_interpreters(InterpreterSearch::from_environment());
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= spec.size()) {
    std::size_t end = spec.find(',', start);
    if (end == std::string::npos) end = spec.size();
    const std::string name = spec.substr(start, end - start);
    start = end + 1;
    if (name.empty()) throw std::invalid_argument("--python: an empty name in the list '" + spec + "'");
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  }
  return out;
}

}  // namespace slotsim
