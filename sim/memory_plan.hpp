#pragma once
// One memory plan per run, computed before the first allocation that scales
// with the input, so a run that cannot fit is refused in one line instead of
// dying minutes (or hours) in. A plan is a list of phases; each phase is what
// is alive at once (e.g. during a layout switch both layouts are), and the
// run needs the largest phase. `--dry-run` prints the plan; a refusal quotes
// its largest phase.
//
// Per-particle layout costs come from measured_bytes_per_particle (a real
// store of 1024 particles, malloc headers included), solver buffers from
// solver_bytes_estimate, everything else from the sizes of the buffers the
// code allocates (named in each item).
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/layouts/layout.hpp"
#include "sim/layouts/python_era.hpp"
#include "sim/solvers/pm/occupancy.hpp"
#include "sim/solvers/solver.hpp"

namespace slotsim {

struct PlanItem {
  std::string what;
  double bytes = 0;
};

struct PlanPhase {
  std::string name;
  std::vector<PlanItem> items;
  double total() const;
};

struct MemoryPlan {
  std::vector<PlanPhase> phases;
  double available = 0;   // MemAvailable, bytes (0 if unknown)
  double limit() const { return 0.9 * available; }
  const PlanPhase& peak() const;
  bool fits() const { return available <= 0 || peak().total() <= limit(); }
  // A table, one line per phase and item, for --dry-run.
  std::string describe() const;
  // Throws MemoryRefused, one line quoting the largest phase, if !fits().
  // `hint` (e.g. "--dry-run shows the plan") ends the line in brackets: only
  // the CLI has a --dry-run, so the plan itself names none.
  void check(const std::string& what, const std::string& hint = "") const;
};

// What a run will hold. run_shape() (sim/system.hpp) fills in what the
// configuration fixes; batch and bench add what only their flags know
// (switches, steps, outputs).
struct RunShape {
  std::size_t particles = 0;
  Layout initial = Layout::Soa;
  std::vector<std::pair<std::uint64_t, Layout>> switches;  // at step, to
  std::string solver = "direct";
  ForceParams force;
  bool has_forces = true;
  std::uint64_t sort_every = 0;
  std::uint64_t steps = 0;           // per-step records kept for the report
  // Loading an input (--ic, --restart), in two phases: while the file is
  // read (the records arriving, the scratch of sorting them or of a
  // restart's ids, the HDF5 reader's process), and while the store is
  // filled from what was read (only the records and the restart state
  // remain). `what` names the input ("--ic FILE"). Empty for a scene.
  struct Load {
    std::string what;
    double read_bytes_per_particle = 0, read_fixed_bytes = 0;
    double held_bytes_per_particle = 0;
    // A restart restores in the snapshot's layout and then switches to the
    // run's: both stores are alive during that switch.
    std::optional<Layout> restored_layout;
  } load;
  // What this process holds already (code, libraries, threads): the CLI
  // counts its RSS at plan time; 0 elsewhere (the GUI's respawn counts its
  // running state as available instead).
  double resident_bytes = 0;
  double output_bytes_per_particle = 0;  // snapshot formatting / copies
  bool python_objects = false;           // --python-objects: the larger per-particle cost
  PyVersion python_version = kDefaultPyVersion;  // ... of that CPython's sizes
  // `p.__dict__` read on every particle before the first step (--read-dict
  // all): each particle's own dict, where the layout makes one on that read.
  bool read_dict_all = false;
  // Above this many particles the energy diagnostic takes the solver's own
  // potential where it has one (SimConfig::exact_potential_max).
  std::size_t exact_potential_max = kExactPotentialMax;
  // When set, what the solver holds beyond the System's arrays, in place of
  // solver_bytes_estimate's figure: a distributed run's per-rank solver
  // (dist/), whose buffers are not the serial solver's on `particles`.
  std::vector<PlanItem> solver_items;
  // What an isolated pm mesh touches on the positions the run starts from,
  // where they are known before it (a restart, an --ic file): the plan
  // prices the mesh by it (solver_bytes_estimate) instead of by every row.
  std::optional<PmOccupancy> pm_occupancy;
};

MemoryPlan plan_run(const RunShape& s);
// One phase: a new store of `n` particles in layout `l`, plus `extra` items,
// beside what is already allocated (ParticleStore::convert_to).
MemoryPlan plan_store(const std::string& phase, Layout l, std::size_t n, bool python_objects,
                      std::vector<PlanItem> extra = {}, PyVersion python_version = kDefaultPyVersion);
// bench: every layout in turn (one alive at a time), each beside the
// bandwidth buffer of N 56-byte records (its triad is measured while the
// layout's store exists).
MemoryPlan plan_bench(const RunShape& s, const std::vector<Layout>& layouts, bool bandwidth_buffer);

std::string human_bytes_plan(double b);

// What reading `p.__dict__` on every particle adds per particle in layout
// l (a new dict each on shared-keys and slots+dict, nothing on dict, 0
// where there is no __dict__), measured on a real store of 1024 particles
// as measured_bytes_per_particle is, malloc headers included.
double dict_read_bytes_per_particle(Layout l, bool python_objects, PyVersion version = kDefaultPyVersion);

}  // namespace slotsim
