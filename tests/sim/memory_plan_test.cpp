// sim/memory_plan.cpp: the energy diagnostic's phase.
#include "sim/memory_plan.hpp"

#include <doctest/doctest.h>

#include <string>

#include "sim/system.hpp"

using namespace slotsim;

namespace {

const PlanPhase& phase(const MemoryPlan& p, const std::string& name) {
  for (const PlanPhase& ph : p.phases)
    if (ph.name == name) return ph;
  FAIL("no phase " << name);
  return p.phases.front();
}

bool has_item(const PlanPhase& ph, const std::string& prefix) {
  for (const PlanItem& it : ph.items)
    if (it.what.rfind(prefix, 0) == 0) return true;
  return false;
}

}  // namespace

TEST_CASE("memory plan: the energy diagnostic holds the solver's potential where the solver gives one") {
  RunShape s;
  s.particles = kExactPotentialMax + 1;
  struct Case {
    std::string solver;
    bool periodic, has_forces, expect;
  };
  for (const Case& c : {Case{"bh", false, true, true}, Case{"pm", false, true, true}, Case{"pm", true, true, false},
                        Case{"direct", false, true, false}, Case{"none", false, false, false}}) {
    CAPTURE(c.solver);
    CAPTURE(c.periodic);
    s.solver = c.solver;
    s.force.periodic = c.periodic;
    s.has_forces = c.has_forces;
    CHECK(has_item(phase(plan_run(s), "energy diagnostic"), "solver potential") == c.expect);
  }
  // At or below the exact limit every solver's diagnostic is the pair sum.
  s.solver = "bh";
  s.force.periodic = false;
  s.has_forces = true;
  s.particles = kExactPotentialMax;
  CHECK_FALSE(has_item(phase(plan_run(s), "energy diagnostic"), "solver potential"));
}
