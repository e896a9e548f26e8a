#include "sim/memory_plan.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <mutex>
#include <tuple>

#include "sim/layouts/errors.hpp"
#include "sim/layouts/particle_store.hpp"
#include "sim/memory/tracker.hpp"
#include "sim/solvers/solver_memory.hpp"
#include "sim/units.hpp"

namespace slotsim {

std::string human_bytes_plan(double b) { return format_bytes(b); }  // sim/units.hpp: MiB, as everywhere

double PlanPhase::total() const {
  double t = 0;
  for (const auto& i : items) t += i.bytes;
  return t;
}

const PlanPhase& MemoryPlan::peak() const {
  return *std::max_element(phases.begin(), phases.end(),
                           [](const PlanPhase& a, const PlanPhase& b) { return a.total() < b.total(); });
}

std::string MemoryPlan::describe() const {
  std::string s = "memory plan (largest phase is what the run needs):\n";
  for (const auto& p : phases) {
    s += "  " + p.name + ": " + human_bytes_plan(p.total()) + "\n";
    for (const auto& i : p.items) s += "      " + human_bytes_plan(i.bytes) + "  " + i.what + "\n";
  }
  s += "  needs " + human_bytes_plan(peak().total()) + " (" + peak().name + "); limit " +
       (available > 0 ? human_bytes_plan(limit()) + " (90% of " + human_bytes_plan(available) + " available)"
                      : std::string("unknown")) +
       (fits() ? ": fits\n" : ": REFUSED\n");
  return s;
}

void MemoryPlan::check(const std::string& what, const std::string& hint) const {
  if (fits()) return;
  const PlanPhase& p = peak();
  std::string parts;
  for (const auto& i : p.items) {
    if (i.bytes < 0.01 * p.total()) continue;
    parts += (parts.empty() ? "" : " + ") + human_bytes_plan(i.bytes) + " " + i.what;
  }
  throw MemoryRefused(what + " needs " + human_bytes_plan(p.total()) + " at '" + p.name + "' (" + parts +
                      ") but the limit is " + human_bytes_plan(limit()) + " (90% of available); refused " +
                      "before allocating" + (hint.empty() ? "" : " (" + hint + ")"));
}

double dict_read_bytes_per_particle(Layout l, bool python_objects, PyVersion version) {
  static std::mutex mu;
  static std::map<std::tuple<int, bool, int, int>, double> cache;
  std::lock_guard lock(mu);
  auto [it, fresh] = cache.try_emplace({static_cast<int>(l), python_objects, version.major, version.minor}, 0.0);
  if (!fresh) return it->second;
  constexpr std::size_t kSample = 1024;
  ParticleStore s(l, python_objects, version);
  s.reserve(kSample);
  for (std::size_t i = 0; i < kSample; ++i) s.push(ParticleRecord{double(i), 0, 0, 0, 0, 0, 1});
  const LayoutBytes before = s.bytes();
  try {
    s.read_dict_all();
  } catch (const AttributeError&) {
    return it->second;  // no __dict__ to read
  }
  const LayoutBytes after = s.bytes();
  it->second = double(after.usable_total - before.usable_total + 8 * (after.blocks - before.blocks)) / double(kSample);
  return it->second;
}

namespace {

// Priced at committed bytes, and says so beside the requested bytes every
// report prints (--dry-run showed dict at 328 B where batch said 288 B,
// without a word on why).
PlanItem layout_item(Layout l, std::size_t n, bool py, PyVersion v) {
  const LayoutCost c = measured_layout_cost(l, py, v);
  char per[160];
  std::snprintf(per, sizeof per, "%.0f B committed: %.0f B requested, %.0f B usable, %.0f B malloc headers",
                c.committed(), c.requested, c.usable, 8 * c.blocks);
  return {"particles in " + std::string(layout_name(l)) + " (" + std::to_string(n) + " x " + per +
              (py ? ", --python-objects=" + py_version_text(v) : "") + ")",
          c.committed() * double(n)};
}

// What every step holds besides the particles.
std::vector<PlanItem> run_items(const RunShape& s) {
  const double n = double(s.particles);
  std::vector<PlanItem> v;
  if (s.has_forces) {
    v.push_back({"solver arrays (x, y, z, m, ax, ay, az: 56 B/particle)", 56 * n});
    if (s.solver_items.empty())
      v.push_back({"solver '" + s.solver + "' buffers (estimate" +
                       (s.pm_occupancy && s.solver == "pm" && !s.force.periodic
                            ? ", by the occupancy of the starting positions: " +
                                  std::to_string(s.pm_occupancy->spectrum_rows()) + " of " +
                                  std::to_string(std::size_t(s.force.grid) * std::size_t(s.force.grid)) + " rows)"
                            : ")"),
                   solver_bytes_estimate(s.solver, s.force, s.particles, s.pm_occupancy ? &*s.pm_occupancy : nullptr)});
    else
      v.insert(v.end(), s.solver_items.begin(), s.solver_items.end());
  }
  if (s.sort_every > 0) {
    // sim/ordering/reorder.cpp: keys and permutation with their radix
    // scratch (8 + 8 + 4 + 4 B) and the two id maps (4 + 4 B); the store's
    // own scratch while it permutes, for the costliest layout the run holds;
    // with forces one acceleration column turned through the three, without
    // them the solver arrays the reorder gathers the positions into (which
    // the step of a run without forces never allocates). It was a flat 64 B
    // a particle, under what soa held (112 B) before its columns turned
    // through one scratch column and what aos still holds (96 B).
    Layout widest = s.initial;
    for (const auto& sw : s.switches)
      if (reorder_scratch_bytes(sw.second) > reorder_scratch_bytes(widest)) widest = sw.second;
    const std::size_t store = reorder_scratch_bytes(widest), arrays = s.has_forces ? 8 : 56;
    const std::size_t per = 32 + store + arrays;
    v.push_back({"Morton reorder (keys, permutation, ids 32 B, " + std::string(layout_name(widest)) + "'s scratch " +
                     std::to_string(store) + " B, " + (s.has_forces ? "accelerations 8 B" : "solver arrays 56 B") +
                     ": " + std::to_string(per) + " B/particle)",
                 double(per) * n});
  }
  if (s.read_dict_all)
    if (const double d = dict_read_bytes_per_particle(s.initial, s.python_objects, s.python_version); d > 0)
      v.push_back({"__dict__ read on every particle (" + human_bytes_plan(d) + "/particle)", d * n});
  if (s.steps > 0)
    v.push_back({"per-step timings for the report (" + std::to_string(s.steps) + " steps x 72 B)",
                 72.0 * double(s.steps)});
  return v;
}

}  // namespace

MemoryPlan plan_store(const std::string& phase, Layout l, std::size_t n, bool python_objects,
                      std::vector<PlanItem> extra, PyVersion python_version) {
  MemoryPlan plan;
  plan.available = double(mem::available_bytes());
  PlanPhase p{phase, {layout_item(l, n, python_objects, python_version)}};
  for (auto& i : extra)
    if (i.bytes > 0) p.items.push_back(std::move(i));
  plan.phases.push_back(std::move(p));
  return plan;
}

MemoryPlan plan_run(const RunShape& s) {
  MemoryPlan plan;
  plan.available = double(mem::available_bytes());
  const double n = double(s.particles);
  const auto common = run_items(s);
  // What the process holds already, in every phase.
  auto resident = [&](PlanPhase& p) {
    if (s.resident_bytes > 0) p.items.push_back({"slotsim itself (code, libraries, threads: resident now)", s.resident_bytes});
  };
  if (s.load.read_bytes_per_particle > 0 || s.load.read_fixed_bytes > 0) {
    PlanPhase p{"reading " + s.load.what, {}};
    if (s.load.read_bytes_per_particle > 0)
      p.items.push_back({"what is read, with its scratch (" + human_bytes_plan(s.load.read_bytes_per_particle) +
                             "/particle)",
                         s.load.read_bytes_per_particle * n});
    if (s.load.read_fixed_bytes > 0) p.items.push_back({"the HDF5 reader's process", s.load.read_fixed_bytes});
    resident(p);
    plan.phases.push_back(p);
  }
  {
    const Layout first = s.load.restored_layout.value_or(s.initial);
    PlanPhase p{"start", {layout_item(first, s.particles, s.python_objects, s.python_version)}};
    if (s.load.held_bytes_per_particle > 0)
      p.items.push_back({s.load.what + " as read, while the store fills (" +
                             human_bytes_plan(s.load.held_bytes_per_particle) + "/particle)",
                         s.load.held_bytes_per_particle * n});
    if (s.has_forces) p.items.push_back({"solver arrays (56 B/particle)", 56 * n});
    resident(p);
    plan.phases.push_back(p);
    if (first != s.initial) {
      PlanPhase sw{"restart: switch " + std::string(layout_name(first)) + " -> " + std::string(layout_name(s.initial)),
                   {layout_item(first, s.particles, s.python_objects, s.python_version),
                    layout_item(s.initial, s.particles, s.python_objects, s.python_version)}};
      if (s.has_forces) sw.items.push_back({"solver arrays (56 B/particle)", 56 * n});
      resident(sw);
      plan.phases.push_back(sw);
    }
  }
  {
    PlanPhase p{"steps in " + std::string(layout_name(s.initial)), {layout_item(s.initial, s.particles, s.python_objects, s.python_version)}};
    p.items.insert(p.items.end(), common.begin(), common.end());
    plan.phases.push_back(p);
  }
  {
    // Everything a step holds stays allocated while the diagnostic runs
    // (the solver keeps its buffers between calls, the report its per-step
    // records), plus its own gather; above the exact limit bh and isolated
    // pm give the potential from those same buffers (System::diagnostics),
    // 8 B/particle more.
    PlanPhase p{"energy diagnostic", {layout_item(s.initial, s.particles, s.python_objects, s.python_version)}};
    p.items.insert(p.items.end(), common.begin(), common.end());
    p.items.push_back({"gathered x, y, z, m (32 B/particle)", 32 * n});
    if (s.particles > s.exact_potential_max && s.has_forces && solver_has_potentials(s.solver, s.force))
      p.items.push_back({"solver potential (8 B/particle)", 8 * n});
    plan.phases.push_back(p);
  }
  Layout prev = s.initial;
  for (const auto& [at, to] : s.switches) {
    if (to == prev) continue;
    PlanPhase sw{"switch at step " + std::to_string(at) + " " + std::string(layout_name(prev)) + " -> " +
                     std::string(layout_name(to)),
                 {layout_item(prev, s.particles, s.python_objects, s.python_version), layout_item(to, s.particles, s.python_objects, s.python_version)}};
    sw.items.insert(sw.items.end(), common.begin(), common.end());
    plan.phases.push_back(sw);
    PlanPhase st{"steps in " + std::string(layout_name(to)), {layout_item(to, s.particles, s.python_objects, s.python_version)}};
    st.items.insert(st.items.end(), common.begin(), common.end());
    plan.phases.push_back(st);
    prev = to;
  }
  if (s.output_bytes_per_particle > 0) {
    PlanPhase p{"writing outputs", {layout_item(prev, s.particles, s.python_objects, s.python_version)}};
    p.items.push_back({"output buffers", s.output_bytes_per_particle * n});
    plan.phases.push_back(p);
  }
  for (PlanPhase& p : plan.phases)
    if (p.name != "start" && p.name.rfind("reading ", 0) != 0 && p.name.rfind("restart: switch", 0) != 0) resident(p);
  return plan;
}

MemoryPlan plan_bench(const RunShape& s, const std::vector<Layout>& layouts, bool bandwidth_buffer) {
  MemoryPlan plan;
  plan.available = double(mem::available_bytes());
  const double n = double(s.particles);
  // The triad runs beside each layout's store, right before its timed
  // steps (app/bench_command.cpp), so its buffers count in every phase.
  for (Layout l : layouts) {
    RunShape one = s;  // each row is a run of its own layout (the reorder's scratch depends on it)
    one.initial = l;
    one.switches.clear();
    const auto common = run_items(one);
    PlanPhase p{"bench " + std::string(layout_name(l)), {layout_item(l, s.particles, s.python_objects, s.python_version)}};
    p.items.insert(p.items.end(), common.begin(), common.end());
    if (bandwidth_buffer) p.items.push_back({"bandwidth floor: triad buffers (N 56-byte records)", 56 * n});
    if (s.resident_bytes > 0) p.items.push_back({"slotsim itself (code, libraries, threads: resident now)", s.resident_bytes});
    plan.phases.push_back(p);
  }
  return plan;
}

}  // namespace slotsim
