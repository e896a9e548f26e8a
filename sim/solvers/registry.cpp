#include <algorithm>
#include <initializer_list>
#include <stdexcept>
#include <string>

#include "sim/solvers/builtin.hpp"
#include "sim/solvers/solver.hpp"

namespace slotsim {
namespace {

using P = SolverParam;

struct Entry {
  std::string_view name;
  std::unique_ptr<Solver> (*make)(const ForceParams&);
  std::initializer_list<SolverParam> params;  // the ForceParams fields it reads
};

// Order is the order the CLI help and the GUI list them in.
const Entry kSolvers[] = {
    {"direct", detail::make_direct_solver, {P::Softening}},
    {"none", detail::make_none_solver, {}},
    {"bh", detail::make_barnes_hut_solver, {P::Softening, P::Theta}},
    {"pm", detail::make_particle_mesh_solver, {P::Softening, P::Grid, P::Periodic, P::Box}},
};

}  // namespace

std::unique_ptr<Solver> make_solver(std::string_view name, const ForceParams& p) {
  for (const Entry& e : kSolvers)
    if (e.name == name) return e.make(p);
  throw std::invalid_argument("unknown solver '" + std::string(name) + "' (choose: " + solver_names_text() + ")");
}

std::vector<std::string> solver_names() {
  std::vector<std::string> v;
  for (const Entry& e : kSolvers) v.emplace_back(e.name);
  return v;
}

std::string solver_names_text() {
  std::string s;
  for (const Entry& e : kSolvers) s += (s.empty() ? "" : ", ") + std::string(e.name);
  return s;
}

std::vector<std::string> solvers_using(SolverParam p) {
  std::vector<std::string> v;
  for (const Entry& e : kSolvers)
    if (std::find(e.params.begin(), e.params.end(), p) != e.params.end()) v.emplace_back(e.name);
  return v;
}

bool solver_uses(const std::string& name, SolverParam p) {
  const auto v = solvers_using(p);
  return std::find(v.begin(), v.end(), name) != v.end();
}

}  // namespace slotsim
