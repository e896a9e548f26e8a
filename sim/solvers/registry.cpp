#include <array>
#include <stdexcept>
#include <string>

#include "sim/solvers/builtin.hpp"
#include "sim/solvers/solver.hpp"

namespace slotsim {
namespace {

struct Entry {
  std::string_view name;
  std::unique_ptr<Solver> (*make)(const ForceParams&);
};

// Order is the order the CLI help and the GUI list them in.
constexpr std::array<Entry, 4> kSolvers = {{
    {"direct", detail::make_direct_solver},
    {"none", detail::make_none_solver},
    {"bh", detail::make_barnes_hut_solver},
    {"pm", detail::make_particle_mesh_solver},
}};

std::string choices() {
  std::string s;
  for (const Entry& e : kSolvers) {
    if (!s.empty()) s += ", ";
    s += e.name;
  }
  return s;
}

}  // namespace

std::unique_ptr<Solver> make_solver(std::string_view name, const ForceParams& p) {
  for (const Entry& e : kSolvers)
    if (e.name == name) return e.make(p);
  throw std::invalid_argument("unknown solver '" + std::string(name) + "' (choose: " + choices() +
                              ")");
}

std::vector<std::string> solver_names() {
  std::vector<std::string> v;
  for (const Entry& e : kSolvers) v.emplace_back(e.name);
  return v;
}

}  // namespace slotsim
