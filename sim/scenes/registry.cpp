#include <array>
#include <stdexcept>
#include <string>

#include "sim/scenes/builtin.hpp"
#include "sim/scenes/scene.hpp"

namespace slotsim {
namespace {

struct Entry {
  std::string_view name;
  std::string_view description;
  void (*generate)(const SceneParams&, ParticleSink&);
};

// Order is the order the CLI help and the GUI list them in.
constexpr std::array<Entry, 4> kScenes = {{
    {"plummer", "Plummer sphere in virial equilibrium, total mass 1, Henon units (E = -1/4)",
     detail::generate_plummer},
    {"cold-cube", "uniform cube of side 2 at rest, total mass 1 (cold collapse)",
     detail::generate_cold_cube},
    {"collision", "two Plummer spheres of mass 1/2 on a bound, merging orbit",
     detail::generate_collision},
    {"disk", "thin exponential disk (mass 0.05) orbiting a central mass 1 (particle 0)",
     detail::generate_disk},
}};

std::string choices() {
  std::string s;
  for (const Entry& e : kScenes) {
    if (!s.empty()) s += ", ";
    s += e.name;
  }
  return s;
}

}  // namespace

const std::vector<SceneInfo>& scene_list() {
  static const std::vector<SceneInfo> list = [] {
    std::vector<SceneInfo> v;
    for (const Entry& e : kScenes) v.push_back({std::string(e.name), std::string(e.description)});
    return v;
  }();
  return list;
}

void generate_scene(std::string_view name, const SceneParams& p, ParticleSink& sink) {
  for (const Entry& e : kScenes) {
    if (e.name != name) continue;
    if (p.n == 0)
      throw std::invalid_argument("scene '" + std::string(name) + "' needs at least 1 particle");
    e.generate(p, sink);
    return;
  }
  throw std::invalid_argument("unknown scene '" + std::string(name) + "' (choose: " + choices() +
                              ")");
}

}  // namespace slotsim
