// One source for every list: each message that names layouts, solvers or
// scenes is compared here with the table that defines them (the layout
// traits, the solver and scene registries), so a new entry that a message
// leaves out fails a test instead of misleading a user.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sim/fixtures.hpp"
#include "sim/layouts/particle_store.hpp"
#include "sim/layouts/traits.hpp"
#include "sim/scenes/scene.hpp"
#include "sim/solvers/solver.hpp"

using namespace slotsim;
using slotsim::testing::check_clean_error;
using slotsim::testing::run_cli;
using slotsim::testing::TempDir;

namespace {

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) {
    if (!s.empty()) s += ", ";
    s += x;
  }
  return s;
}

// The names straight from each table, spelt out here independently of the
// helpers the messages use.
std::string layouts_where(bool (*keep)(const LayoutTraits&)) {
  std::vector<std::string> v;
  for (const LayoutTraits& t : kLayoutTraits)
    if (keep(t)) v.emplace_back(t.name);
  return joined(v);
}
std::string all_scenes() {
  std::vector<std::string> v;
  for (const SceneInfo& s : scene_list()) v.push_back(s.name);
  return joined(v);
}

}  // namespace

TEST_CASE("lists: unknown layout, solver and scene name every entry of their table") {
  TempDir d;
  check_clean_error(run_cli(d, "batch --layout vector"),
                    "(choose: " + layouts_where([](const LayoutTraits&) { return true; }) + ")");
  check_clean_error(run_cli(d, "batch --solver fmm"), "(choose: " + joined(solver_names()) + ")");
  check_clean_error(run_cli(d, "batch --scene galaxy"), "(choose: " + all_scenes() + ")");
  check_clean_error(run_cli(d, "bench --layouts dict,vector"),
                    "(choose: " + layouts_where([](const LayoutTraits&) { return true; }) + ")");
}

TEST_CASE("lists: --python-objects names exactly the heap-object layouts, in its refusal and its help") {
  const std::string heap = layouts_where([](const LayoutTraits& t) { return t.heap_objects; });
  for (const LayoutTraits& t : kLayoutTraits) {
    if (t.heap_objects) continue;
    CAPTURE(t.name);
    CHECK(python_objects_refusal(t.id).find("(" + heap + ")") != std::string::npos);
    TempDir d;
    check_clean_error(run_cli(d, "batch --python-objects --layout " + std::string(t.name)), "(" + heap + ")");
  }
  TempDir d;
  const auto help = run_cli(d, "batch --help");
  CHECK(help.out.find("(" + heap + " only)") != std::string::npos);
}

TEST_CASE("lists: a solver flag says which solvers it applies to, from the registry") {
  const struct {
    const char* flag;
    SolverParam param;
    const char* value;
  } flags[] = {{"--theta", SolverParam::Theta, "0.5"},
               {"--grid", SolverParam::Grid, "32"},
               {"--softening", SolverParam::Softening, "0.1"}};
  TempDir d;
  const auto help = run_cli(d, "batch --help");
  for (const auto& f : flags) {
    CAPTURE(f.flag);
    const auto users = solvers_using(f.param);
    REQUIRE(!users.empty());
    std::string note = "(";
    note += joined(users);
    note += users.size() == 1 ? " only)" : ")";
    CHECK(help.out.find(note) != std::string::npos);
    for (const std::string& s : solver_names()) {
      if (std::find(users.begin(), users.end(), s) != users.end()) continue;
      check_clean_error(run_cli(d, "batch -n 10 --steps 1 --solver " + s + " " + f.flag + " " + f.value),
                        "(it applies to " + joined(users) + ")");
    }
  }
  CHECK(help.out.find("gravity solver: " + joined(solver_names())) != std::string::npos);
  CHECK(help.out.find("initial conditions: " + all_scenes()) != std::string::npos);
}
