#include "app/sim_options.hpp"

#include "app/exit_status.hpp"

#include <cmath>
#include <iostream>
#include <thread>

#include "sim/io/csv.hpp"
#include "sim/layouts/errors.hpp"
#include "sim/layouts/particle_store.hpp"
#include "sim/limits.hpp"
#include "sim/message.hpp"
#include "sim/scenes/scene.hpp"

namespace slotsim::app {
namespace {

// The one rule for a whole number on the command line, for both kinds of
// integer flag (parse_count's text, whole_number()'s CLI11 options):
// decimal digits only, leading zeros allowed and read in decimal.
bool decimal_digits(const std::string& text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

// The solver-specific flags and the parameter each sets; which solvers use
// it is the registry's to say (solvers_using), not this table's.
struct SolverFlag {
  const char* flag;
  SolverParam param;
};
constexpr SolverFlag kSolverFlags[] = {{"--softening", SolverParam::Softening},
                                       {"--theta", SolverParam::Theta},
                                       {"--grid", SolverParam::Grid},
                                       {"--periodic", SolverParam::Periodic},
                                       {"--box", SolverParam::Box}};

// "(bh only)" or "(direct, bh, pm)" for a flag's help.
std::string applies_to(SolverParam p) {
  const auto v = solvers_using(p);
  return "(" + joined(v) + (v.size() == 1 ? " only)" : ")");
}


void check_finite(double v, const char* flag) {
  if (!std::isfinite(v)) throw std::invalid_argument(std::string(flag) + " must be a finite number");
}

}  // namespace

CLI::Validator decimal_number() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        // sign, digits with at most one point (at least one digit), exponent
        std::size_t i = 0, digits = 0;
        if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
        bool point = false;
        for (; i < text.size(); ++i) {
          if (text[i] >= '0' && text[i] <= '9') {
            ++digits;
          } else if (text[i] == '.' && !point) {
            point = true;
          } else {
            break;
          }
        }
        bool ok = digits > 0;
        if (ok && i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
          ++i;
          if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
          std::size_t exp = 0;
          for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) ++exp;
          ok = exp > 0;
        }
        if (ok && i == text.size()) return {};
        return "'" + one_line(text) + "' is not a decimal number";
      },
      "", "decimal_number");
}

CLI::Validator whole_number(std::uint64_t hi) {
  return CLI::Validator(
      [hi](std::string& text) -> std::string {
        if (!decimal_digits(text)) return "'" + one_line(text) + "' is not a whole number (decimal digits)";
        if (hi != UINT64_MAX) {
          // Compared as digit strings, so no conversion can wrap.
          const std::string max = std::to_string(hi);
          const std::size_t lead = std::min(text.find_first_not_of('0'), text.size() - 1);
          const std::string v = text.substr(lead);
          if (v.size() > max.size() || (v.size() == max.size() && v > max))
            return "'" + one_line(text) + "' is more than " + max;
        }
        // Leading zeros dropped before CLI11 converts: it converts with
        // base 0, so "020" was octal 16 and "08" no number at all. Read in
        // decimal, as parse_count reads --steps 020, instead of refused (an
        // earlier rule here), which made the two kinds of integer flag
        // disagree on the same text.
        text.erase(0, std::min(text.find_first_not_of('0'), text.size() - 1));
        return {};
      },
      "", "whole_number");
}

std::uint64_t parse_count(const std::string& text, const std::string& flag, std::uint64_t lo, std::uint64_t hi) {
  auto bad = [&] {
    return std::invalid_argument(flag + " '" + text + "': expected a whole number from " + std::to_string(lo) +
                                 " to " + std::to_string(hi));
  };
  if (!decimal_digits(text)) throw bad();
  std::uint64_t v = 0;
  for (char c : text) {
    const std::uint64_t d = static_cast<std::uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) throw bad();
    v = v * 10 + d;
  }
  if (v < lo || v > hi) throw bad();
  return v;
}

CLI::Validator not_empty(const std::string& expected) {
  return CLI::Validator(
      [expected](std::string& text) -> std::string { return text.empty() ? "an empty value; expected " + expected : ""; },
      "", "not empty");
}

std::vector<Layout> parse_layout_list(const std::string& list) {
  if (list.empty()) throw std::invalid_argument("--layouts: no layout given");
  std::vector<Layout> out;
  for (std::size_t at = 0;;) {
    const std::size_t comma = list.find(',', at);
    const std::string item = list.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
    if (item.empty())
      throw std::invalid_argument("--layouts '" + one_line(list) + "': an empty name (separate the layouts by single commas)");
    out.push_back(layout_or_throw(item));
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
  return out;
}

void check_not_empty(const SimOptions& o, const std::string& flag, const std::string& value) {
  if (o.given(flag) && value.empty()) throw std::invalid_argument(flag + ": empty file name");
}

void add_sim_options(CLI::App* cmd, SimOptions& o) {
  SimConfig& c = o.cfg;
  o.cmd = cmd;
  o.particles = std::to_string(c.particles);
  o.seed = std::to_string(c.seed);
  o.threads = std::to_string(c.threads);
  o.sort_every = std::to_string(c.sort_every);
  cmd->add_option("--scene", c.scene, "initial conditions: " + scene_names_text())->capture_default_str();
  cmd->add_option("--ic", c.ic_file,
                  "load particles from FILE instead of --scene: CSV (x,y,z,vx,vy,vz,mass) or a Gadget-style "
                  "HDF5 file (.h5); excludes --scene, --particles, --seed");
  cmd->add_option("-n,--particles", o.particles, "number of particles (1 to 2^32-1)")->capture_default_str();
  cmd->add_option("--layout", o.layout, "particle layout: " + layout_names_with_versions())->capture_default_str();
  cmd->add_option("--solver", c.solver, "gravity solver: " + solver_names_text())->capture_default_str();
  cmd->add_option("--dt", c.dt, "time step (> 0)")->capture_default_str()->check(decimal_number());
  cmd->add_option("--softening", c.force.softening, "Plummer softening length " + applies_to(SolverParam::Softening))
      ->capture_default_str()
      ->check(decimal_number());
  cmd->add_option("--theta", c.force.theta, "Barnes-Hut opening angle " + applies_to(SolverParam::Theta))
      ->capture_default_str()
      ->check(decimal_number());
  // The range here as well as in the solver's own check: a value past an
  // int's range failed CLI11's conversion first ("Could not convert: --grid
  // = 1000000000000"), with no word of what --grid takes.
  cmd->add_option("--grid", c.force.grid, "particle-mesh cells per side " + applies_to(SolverParam::Grid))
      ->capture_default_str()
      ->transform(whole_number())
      ->check(CLI::Range(kPmMinGrid, kPmMaxGrid));
  cmd->add_flag("--periodic", c.force.periodic, "periodic box instead of isolated " + applies_to(SolverParam::Periodic));
  cmd->add_option("--box", c.force.box, "periodic box side, 0 = fit to the particles; with --periodic " + applies_to(SolverParam::Box))
      ->capture_default_str()
      ->check(decimal_number());
  cmd->add_option("--seed", o.seed, "random seed of the scene (0 to 2^64-1)")->capture_default_str();
  cmd->add_option("--threads", o.threads, "OpenMP threads (0 = all cores, at most " + std::to_string(kMaxThreads) + ")")
      ->capture_default_str();
  cmd->add_option("--python-objects", o.python_objects,
                  "[=VERSION] CPython-faithful objects with the sizes of CPython VERSION (" + py_version_range_text() +
                      ", default " + py_version_text(kDefaultPyVersion) +
                      "): object, GC and dict headers and a 24-B float per value, allocated for real (" +
                      heap_object_layout_names() + " only)")
      ->expected(0, 1);
  cmd->add_option("--sort-every", o.sort_every, "reorder particles along a Morton curve every K steps (0 = never)")
      ->capture_default_str();
}

void check_read_dict_layout(const std::string& read_dict, Layout l) {
  if (read_dict.empty() || traits(l).has_dict) return;
  throw std::invalid_argument("--read-dict: layout " + std::string(layout_name(l)) +
                              " has no __dict__ (AttributeError); layouts with one: " +
                              layout_names_if([](const LayoutTraits& t) { return t.has_dict; }));
}

void drop_layout_option(CLI::App* cmd) { cmd->remove_option(cmd->get_option("--layout")); }

Layout layout_or_throw(const std::string& name) {
  if (auto l = parse_layout(name)) return *l;
  throw std::invalid_argument(unknown_layout_text(name));
}

void finish_sim_options(SimOptions& o) {
  SimConfig& c = o.cfg;
  c.layout = layout_or_throw(o.layout);
  c.python_objects = o.given("--python-objects");
  if (c.python_objects && !o.python_objects.empty()) {
    const auto v = parse_py_version(o.python_objects);
    if (!v)
      throw std::invalid_argument("--python-objects: unknown CPython version '" + o.python_objects + "' (choose " +
                                  py_version_range_text() + ")");
    c.python_version = *v;
  }
  // An explicit column layout is refused here for every command; batch also
  // refuses the default (soa), which bench (--layouts) does not use.
  if (c.python_objects && o.given("--layout") && !traits(c.layout).heap_objects)
    throw std::invalid_argument(python_objects_refusal(c.layout));
  c.particles = parse_count(o.particles, "--particles", 1, kMaxParticles);
  c.seed = parse_count(o.seed, "--seed", 0, UINT64_MAX);
  c.threads = static_cast<int>(parse_count(o.threads, "--threads", 0, std::uint64_t(kMaxThreads)));
  c.sort_every = parse_count(o.sort_every, "--sort-every", 0, UINT64_MAX);
  check_dt(c.dt);
  check_finite(c.force.softening, "--softening");
  check_finite(c.force.theta, "--theta");
  check_finite(c.force.box, "--box");

  if (o.given("--ic")) {
    if (c.ic_file.empty()) throw std::invalid_argument("--ic: empty file name");
    for (const char* f : {"--scene", "--particles", "--seed"})
      if (o.given(f))
        throw std::invalid_argument(std::string("--ic and ") + f + " conflict: the particles come from the file");
  } else {
    bool known = false;
    for (const auto& s : scene_list()) known |= s.name == c.scene;
    if (!known) throw std::invalid_argument(unknown_scene_text(c.scene));
  }

  bool solver_known = false;
  for (const auto& n : solver_names()) solver_known |= n == c.solver;
  if (!solver_known) make_solver(c.solver, c.force);  // throws the registry's own message

  // Which solvers each flag belongs to (the registry says). A flag given
  // for another solver is refused (batch, bench) or checked against its own
  // solvers (gui). Not with --restart: the solver is the snapshot's, not
  // --solver's default, and batch refuses each of these flags there with
  // the reason that holds (check_restart_flags: the snapshot fixes it);
  // checked here first, a bh snapshot's restart with --theta was told
  // "--theta means nothing for --solver direct".
  const bool restart = o.given("--restart");
  for (const auto& [flag, param] : kSolverFlags) {
    if (!o.given(flag)) continue;
    const auto solvers = solvers_using(param);
    if (!solver_uses(c.solver, param) && o.strict_solver_flags && !restart)
      throw std::invalid_argument(std::string(flag) + " means nothing for --solver " + c.solver + " (it applies to " +
                                  joined(solvers) + ")");
    for (const auto& s : solvers) make_solver(s, c.force);  // checks the value where it is used
  }
  if (o.given("--box") && !c.force.periodic && !restart)
    throw std::invalid_argument("--box needs --periodic (an isolated mesh fits itself to the particles)");
  // Everything else a run's configuration must satisfy, in the one check
  // a restart snapshot and the GUI pass through as well; and an
  // OMP_NUM_THREADS beyond the limit is refused like --threads would be.
  // --python-objects is left to each command, against the layouts it will
  // really hold: bench's --layouts, or a restart snapshot's layout.
  SimConfig checked = c;
  checked.python_objects = false;
  check_config(checked);
  checked_team_size(c.threads);
}

int run_guarded(const char* cmd, const std::function<int()>& body) {
  auto say = [&](const char* what) { std::cerr << "slotsim " << cmd << ": error: " << one_line(what) << "\n"; };
  try {
    return body();
  } catch (const std::bad_alloc&) {
    say("out of memory");
    return kExitFailed;
  } catch (const std::exception& e) {
    say(e.what());
    return exit_status_of(e);
  } catch (...) {
    say("unknown error");
    return kExitFailed;
  }
}

}  // namespace slotsim::app
