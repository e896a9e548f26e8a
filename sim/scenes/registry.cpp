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
  double default_dt;
};

// Order is the order the CLI help and the GUI list them in.
// Default time steps (the GUI's; batch keeps --dt's 1e-3 default) are
// picked for what the GUI shows on two cores, a million particles with pm:
// the cold cube's free fall (t ~ 1.5) comes in ~150 steps at 0.01, the
// disk's inner edge (period 0.56) turns in ~56 at 0.01 and R = 1 in ~630.
// The collision (the GUI's opening scene) runs at 0.08: its first pericentre
// (t ~ 14.6) in ~180 steps, which a million dict particles reach within a
// minute. Measured at 100,000 particles, pm grid 128 (bench/gui_figures.sh,
// docs/GUI.md): the pericentre comes at t = 14.57 for every dt from 0.02 to
// 0.08, and the energy error to t = 20 is 3.1e-3 at 0.08 against 2.9e-3 at
// 0.02: the mesh, not the step, sets the error at these sizes, although
// 0.08 is only 8 steps per dynamical time of a sphere's core
// (sqrt(a^3 / M) ~ 0.64). 1e-3 everywhere (the old default) put the
// collision ~14,500 steps away.
constexpr std::array<Entry, 4> kScenes = {{
    {"plummer", "Plummer sphere in virial equilibrium, total mass 1, Henon units (E = -1/4)",
     detail::generate_plummer, 0.02},
    {"cold-cube", "uniform cube of side 2 at rest, total mass 1 (cold collapse)",
     detail::generate_cold_cube, 0.01},
    {"collision", "two Plummer spheres of mass 1/2 on a bound, merging orbit",
     detail::generate_collision, 0.08},
    {"disk", "thin exponential disk (mass 0.05) orbiting a central mass 1 (particle 0)",
     detail::generate_disk, 0.01},
}};


}  // namespace

const std::vector<SceneInfo>& scene_list() {
  static const std::vector<SceneInfo> list = [] {
    std::vector<SceneInfo> v;
    for (const Entry& e : kScenes)
      v.push_back({std::string(e.name), std::string(e.description), e.default_dt});
    return v;
  }();
  return list;
}

std::string scene_names_text() {
  std::string s;
  for (const Entry& e : kScenes) s += (s.empty() ? "" : ", ") + std::string(e.name);
  return s;
}

std::string unknown_scene_text(std::string_view name) {
  return "unknown scene '" + std::string(name) + "' (choose: " + scene_names_text() + ")";
}

void generate_scene(std::string_view name, const SceneParams& p, ParticleSink& sink) {
  for (const Entry& e : kScenes) {
    if (e.name != name) continue;
    if (p.n == 0)
      throw std::invalid_argument("scene '" + std::string(name) + "' needs at least 1 particle");
    e.generate(p, sink);
    return;
  }
  throw std::invalid_argument(unknown_scene_text(name));
}

}  // namespace slotsim
