#include "app/sim_options.hpp"

#include <iostream>

#include "sim/io/csv.hpp"
#include "sim/layouts/errors.hpp"
#include "sim/scenes/scene.hpp"

namespace slotsim::app {

void add_sim_options(CLI::App* cmd, SimOptions& o) {
  SimConfig& c = o.cfg;
  cmd->add_option("--scene", c.scene, "initial conditions: plummer, cold-cube, collision, disk")
      ->capture_default_str();
  cmd->add_option("--ic", c.ic_file, "load particles from a CSV file (x,y,z,vx,vy,vz,mass) instead of --scene");
  // CLI11 2.1 reads "-1" into an unsigned as 2^64-1: check the text first.
  cmd->add_option("-n,--particles", c.particles, "number of particles")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--layout", o.layout, "particle layout: " + layout_names())
      ->capture_default_str();
  cmd->add_option("--solver", c.solver, "gravity solver: direct, none, bh, pm")->capture_default_str();
  cmd->add_option("--dt", c.dt, "time step")->capture_default_str();
  cmd->add_option("--softening", c.force.softening, "Plummer softening length")->capture_default_str();
  cmd->add_option("--theta", c.force.theta, "Barnes-Hut opening angle")->capture_default_str();
  cmd->add_option("--grid", c.force.grid, "particle-mesh cells per side")->capture_default_str();
  cmd->add_flag("--periodic", c.force.periodic, "particle-mesh: periodic box instead of isolated");
  cmd->add_option("--box", c.force.box, "periodic box side (0 = fit to the particles)")->capture_default_str();
  cmd->add_option("--seed", c.seed, "random seed of the scene")->check(CLI::NonNegativeNumber)->capture_default_str();
  cmd->add_option("--threads", c.threads, "OpenMP threads (0 = all cores)")->capture_default_str();
  cmd->add_option("--sort-every", c.sort_every, "reorder particles along a Morton curve every K steps (0 = never)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
}

Layout layout_or_throw(const std::string& name) {
  if (auto l = parse_layout(name)) return *l;
  throw std::invalid_argument(unknown_layout_text(name));
}

void finish_sim_options(SimOptions& o) {
  o.cfg.layout = layout_or_throw(o.layout);
  if (o.cfg.ic_file.empty()) {
    bool known = false;
    std::string names;
    for (const auto& s : scene_list()) {
      known |= s.name == o.cfg.scene;
      names += (names.empty() ? "" : ", ") + s.name;
    }
    if (!known) throw std::invalid_argument("unknown scene '" + o.cfg.scene + "' (choose: " + names + ")");
  }
  make_solver(o.cfg.solver, o.cfg.force);  // throws for an unknown name or bad parameters
}

int run_guarded(const char* cmd, const std::function<int()>& body) {
  try {
    return body();
  } catch (const std::invalid_argument& e) {
    std::cerr << "slotsim " << cmd << ": error: " << e.what() << "\n";
    return 2;
  } catch (const CsvError& e) {
    std::cerr << "slotsim " << cmd << ": error: " << e.what() << "\n";
    return 2;
  } catch (const std::bad_alloc&) {
    std::cerr << "slotsim " << cmd << ": error: out of memory\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "slotsim " << cmd << ": error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace slotsim::app
