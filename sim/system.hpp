#pragma once
// A running simulation: one particle store (in any layout), one solver, the
// leapfrog integrator and the diagnostics. Not thread-safe: one thread owns a
// System (the GUI runs it on its simulation thread and publishes copies).
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "sim/exit_status.hpp"  // NonFiniteRun, Diverged's kind
#include "sim/layouts/layout.hpp"
#include "sim/layouts/python_era.hpp"
#include "sim/limits.hpp"  // kMaxThreads, kMaxParticles, kMaxSteps
#include "sim/memory_plan.hpp"
#include "sim/particle.hpp"
#include "sim/progress.hpp"
#include "sim/solvers/solver.hpp"

namespace slotsim {

class ParticleStore;


struct SimConfig {
  std::string scene = "plummer";
  std::string ic_file;  // if set, particles come from this CSV instead of `scene`
  std::size_t particles = 10000;
  std::uint64_t seed = 1;
  Layout layout = Layout::Soa;
  std::string solver = "direct";
  ForceParams force;
  double dt = 1e-3;
  int threads = 0;  // 0 = OpenMP default
  // Reorder particles along a Morton (Z-order) curve every K steps, 0 =
  // never. Solvers read neighbours together when neighbours sit together in
  // memory; for the heap-object layouts only the pointer index moves.
  std::uint64_t sort_every = 0;
  // Seconds the exact pair sums of one energy diagnostic may take (sets
  // the size of the sampled potential, or of the check of the solver's).
  double diagnostic_budget_s = 1.0;
  // Particles up to which the energy diagnostic sums every pair. Not a
  // flag: tests lower it to reach the other two methods at a size where
  // they can also afford the exact sum to compare with.
  std::size_t exact_potential_max = kExactPotentialMax;
  // --python-objects: CPython-faithful headers and a boxed float per value
  // (heap-object layouts only; see sim/layouts/heap_objects.hpp).
  bool python_objects = false;
  PyVersion python_version = kDefaultPyVersion;  // whose sizes (--python-objects=VERSION)
};

// Milliseconds spent in each phase of the last step (kick-drift-kick).
struct StepTiming {
  double total_ms = 0;
  double gather_ms = 0;       // store -> solver arrays (layout cost)
  double build_ms = 0;        // solver: tree build / deposit
  double solve_ms = 0;        // solver: walk / FFT / pair sum
  double interpolate_ms = 0;  // solver: mesh -> particles
  double kick_ms = 0;         // both half kicks (layout cost)
  double drift_ms = 0;        // (layout cost)
  double sort_ms = 0;         // spatial reorder, on steps where it runs
};

struct SwitchRecord {
  Layout from, to;
  std::uint64_t at_step;
  double ms;
  long long bytes_before, bytes_after;
};

struct Diagnostics {
  double kinetic = 0;
  double potential = 0;
  // How `potential` was computed (see System::diagnostics()):
  //   "exact"  N <= SimConfig::exact_potential_max: every pair;
  //   "bh tree (est. error E%, rms R% per particle, K targets)",
  //   "pm mesh (...)"  the run's solver's own potential, checked against
  //            the exact pair sum of K targets;
  //   "sampled(K of N, est. error E%)"  the exact potential of K evenly
  //            spaced particles (by id) against all N, scaled by N/K.
  std::string potential_method;
  // Estimated relative error |potential - exact| / |exact|: 0 for exact;
  // for the solver's potential the relative error over the K targets plus
  // its standard error; for the sampled one the standard error of the
  // sample mean. Estimates, not bounds.
  double potential_error = 0;
  // Solver's potential only: sqrt(mean over the K targets of
  // ((phi_i - exact_i) / exact_i)^2), the per-particle figure.
  double potential_error_rms = 0;
  std::size_t potential_targets = 0;  // K (0 for exact)
  double total() const { return kinetic + potential; }
  double px = 0, py = 0, pz = 0;  // total momentum
};

// A step produced a non-finite position, velocity or acceleration. Thrown by
// System::step at the first phase that shows it; what() names the step, the
// particle id and the quantity (or the two coincident particles when the
// softening is zero). The System stays usable for reports (its state is the
// diverged one), but steps_done() does not count the failed step.
class Diverged : public NonFiniteRun {
 public:
  Diverged(const std::string& what, std::uint64_t step, std::size_t id, bool located = true)
      : NonFiniteRun(what), step_(step), id_(id), located_(located) {}
  std::uint64_t step() const { return step_; }
  std::size_t id() const { return id_; }
  // False when no particle of this System holds the non-finite value
  // (id() is then 0): in a distributed run, another rank's particle did.
  bool located() const { return located_; }
  // Where the located particle sits when its acceleration is what went
  // non-finite at softening 0: a coincident partner is the likely cause,
  // and in a distributed run it may be another rank's, which only a search
  // of every rank can name (DistSystem::step). Unset otherwise.
  const std::optional<std::array<double, 3>>& unsoftened_at() const { return unsoftened_at_; }
  void set_unsoftened_at(const std::array<double, 3>& at) { unsoftened_at_ = at; }

 private:
  std::uint64_t step_;
  std::size_t id_;
  bool located_;
  std::optional<std::array<double, 3>> unsoftened_at_;
};

// The message of two particles at one point with softening 0 (ids as the
// user knows them): serial and distributed runs say it in the same words.
std::string coincidence_message(std::uint64_t step, std::size_t id, std::size_t partner,
                                const std::array<double, 3>& at);

// A part of a scene: the particles with ids [first, first + count) of the
// scene's cfg.particles (a rank's share in a distributed run).
struct SceneSlice {
  std::size_t first = 0, count = 0;
};


// Everything a restart needs besides the configuration, in the neutral
// form the snapshot reader produces (sim/io/hdf5_snapshot.cpp). Particles
// are in *storage* order, not id order: the solvers sum in storage order,
// so restoring any other order would change the bits of the next force.
struct RestoredRun {
  std::vector<ParticleRecord> particles;  // storage order
  std::vector<std::uint32_t> ids;         // ids[k] = id of stored particle k; empty = identity
  // The leapfrog's cached accelerations (storage order), empty if the run
  // had none: a restart reuses them exactly as the next step would have.
  std::vector<double> ax, ay, az;
  struct Dynamic {
    std::string name;
    std::vector<double> values;          // storage order; ignored where !present
    std::vector<std::uint8_t> present;   // 1 where the particle carries it
  };
  std::vector<Dynamic> dynamic;
  // Storage order: 1 where the particle had its own __dict__ (empty: none).
  std::vector<std::uint8_t> own_dict;
  std::uint64_t steps = 0;
  double time = 0;
  // The run's E0 and the size of its potential sample (System::initial_energy),
  // absent in snapshots written before they were kept.
  std::optional<double> energy_initial;
  std::size_t energy_sample = 0;
};

// The energy diagnostic's estimates from its per-target sums, shared by
// System::diagnostics and the distributed one (dist/), so both report alike:
//  - potential_sample_size: K for a budget and a measured per-target time;
//  - solver_potential_estimate: the solver's potential, w = sum m_i phi_i
//    over all particles, checked at K targets (their masses, exact and
//    solver's potentials);
//  - sampled_potential_estimate: N particles, mphi = m_t phi_t of K targets.
std::size_t potential_sample_size(double budget_s, double per_target_s);
void solver_potential_estimate(Diagnostics& d, double w, std::string_view solver, const std::vector<double>& m,
                               const std::vector<double>& exact, const std::vector<double>& by_solver);
void sampled_potential_estimate(Diagnostics& d, std::size_t n, const std::vector<double>& mphi);

// The shape `cfg` fixes for `particles` particles: layout, solver and its
// parameters, reordering, --python-objects. The one place a SimConfig
// becomes a RunShape (the memory plan's input, sim/memory_plan.hpp), so
// System, batch, bench and the GUI's respawn plan the same run alike.
RunShape run_shape(const SimConfig& cfg, std::size_t particles);

// The one check of a time step, for flags (before anything is allocated)
// and for System::set_dt: throws std::invalid_argument unless finite and > 0.
void check_dt(double dt);

class System {
 public:
  // Builds the particles. Throws std::invalid_argument (unknown scene or
  // solver, bad sizes), CsvError (bad --ic file) or MemoryRefused (the
  // layout's measured per-instance cost times N exceeds available memory).
  explicit System(const SimConfig& cfg, ProgressFn progress = {});
  // Only `slice` of the scene cfg.scene of cfg.particles particles (ids
  // first..first+count-1 become this System's ids 0..count-1), moved to the
  // centre-of-mass frame of the *whole* scene: the particles are those the
  // full System(cfg) holds at those ids, bit for bit. Every particle of the
  // scene is generated (the sampler is sequential); only the slice is
  // stored. count may be 0. cfg.ic_file must be empty.
  System(const SimConfig& cfg, SceneSlice slice, ProgressFn progress = {});
  // Starts from the given particles (cfg.scene, cfg.ic_file and
  // cfg.particles are ignored); used for tests and for CSV initial conditions.
  System(const SimConfig& cfg, const std::vector<ParticleRecord>& initial);
  ~System();
  // Continues a snapshotted run (cfg comes from the snapshot as well).
  // Throws std::invalid_argument if `r` is inconsistent (sizes, ids not a
  // permutation) or AttributeError if the layout cannot hold a dynamic
  // attribute. `r` may hold no particles (a rank's empty share of a
  // distributed run; the snapshot reader refuses an empty file).
  System(const SimConfig& cfg, const RestoredRun& r);
  System(const System&) = delete;
  System& operator=(const System&) = delete;

  // One kick-drift-kick step. Throws Diverged (see above).
  void step();
  std::uint64_t steps_done() const { return steps_; }
  // Simulated time: the sum of every step's dt (the GUI may change dt).
  double sim_time() const { return time_; }

  // Snapshot export. Particle k in storage order (store().record(k)) has id
  // stored_id(k). cached_acceleration(c) is the leapfrog's force cache for
  // axis c in storage order, valid while forces_cached(); ensure_forces()
  // fills it now if the solver has forces (the next step would compute the
  // very same values, so calling it never changes the run).
  std::uint32_t stored_id(std::size_t k) const { return id_at_.empty() ? std::uint32_t(k) : id_at_[k]; }
  bool forces_cached() const { return have_forces_; }
  void ensure_forces();
  const double* cached_acceleration(int axis) const;

  // Moves every particle to another layout and frees the old storage.
  // Throws ConvertError (naming the attribute) if the target cannot hold
  // something, or MemoryRefused; in both cases the old store is untouched.
  void switch_layout(Layout to, ProgressFn progress = {});
  Layout layout() const;
  std::size_t size() const;
  LayoutBytes bytes() const;

  const StepTiming& last_timing() const { return timing_; }
  const std::vector<SwitchRecord>& switches() const { return switches_; }
  const SimConfig& config() const { return cfg_; }

  // Replaces the solver (e.g. from the GUI); throws std::invalid_argument.
  void set_solver(const std::string& name, const ForceParams& p);
  // Throws std::invalid_argument unless dt is finite and > 0.
  void set_dt(double dt);

  // Energy and momentum. Up to SimConfig::exact_potential_max particles the
  // potential is the exact pair sum. Above, if the solver computes one
  // (Solver::has_potentials: bh, isolated pm), it is the solver's, at the
  // cost of about one force call, with its error estimated against the
  // exact potential of K targets; otherwise it is sampled from K targets.
  // K (64 to 1000) is sized so the exact sums take about
  // SimConfig::diagnostic_budget_s on this machine, and is fixed at the
  // first call, as are the targets (chosen by id), so every later call
  // samples the same particles (an energy error between two different
  // samples would be sampling noise). The solver's potential never changes
  // the run: it reuses scratch that every force call rebuilds. `progress`
  // is called, every second or so, only once a call has run for 2 s.
  //
  // check_potential = false skips that check where the solver gives the
  // potential (the exact sums are most of the cost: 64 targets against a
  // million particles take longer than the solver's potential itself); the
  // result then has potential_targets = 0 and potential_error = -1 (not
  // known), and its method says "not checked". The GUI measures the energy
  // every second or two that way and checks it every half minute.
  Diagnostics diagnostics(const ProgressFn& progress = {}, bool check_potential = true) const;
  // The energy the run started with (E0), for the energy error: recorded
  // by the first diagnostics() call, re-taken after set_solver (a new
  // solver or softening is a new Hamiltonian), and carried by a snapshot so
  // that a restarted run's error is the whole run's. energy_sample() is the
  // size of the sampled potential fixed at that first call (0 = exact or
  // not yet), carried alike so the restart samples the same particles.
  std::optional<double> initial_energy() const { return e0_; }
  std::size_t energy_sample() const { return sample_k_; }
  // FNV-1a over the bits of every declared attribute, particles in id order.
  std::uint64_t state_hash() const;
  ParticleRecord particle(std::size_t id) const;

  // Dynamic attributes. Throws AttributeError on layouts that cannot hold
  // the name (see ParticleStore for the rules per layout).
  void set_attr(std::size_t id, std::string_view name, double v);
  void set_attr_all(std::string_view name, double v);
  double get_attr(std::size_t id, std::string_view name) const;
  // `del p.name` on one particle or all (all-or-nothing); declared
  // attributes cannot be deleted. Throws AttributeError.
  void del_attr(std::size_t id, std::string_view name);
  void del_attr_all(std::string_view name);
  // `p.__dict__` read on one particle or all: creates the particle's own
  // dict where the layout makes one on that access (see ParticleStore).
  // Returns whether one was created / how many were.
  bool read_dict(std::size_t id);
  std::size_t read_dict_all();
  // Particles that have their own dict.
  std::size_t own_dicts() const;

  // xyz as float, 3 per particle, for drawing; `speed` (optional) gets |v|.
  void positions_float(float* xyz, float* speed = nullptr) const;

  // Hooks for the distributed layer (dist/), which runs one System per
  // rank over that rank's share of the particles; unused in a serial run.
  //  - replace_solver: a solver with the same contract whose forces come
  //    from every rank's particles (make_solver's solvers see only these);
  //    the cached forces are dropped.
  //  - set_agreement: combines each divergence check of step() with every
  //    other rank's (logical and), so all ranks throw Diverged at the same
  //    phase or none does; a rank holding no bad value throws one that is
  //    not located().
  //  - set_id_names: the id a message and Diverged::id() give for this
  //    System's particle id (its global id).
  void replace_solver(std::unique_ptr<Solver> s);
  void set_agreement(std::function<bool(bool)> all_ok) { agree_ = std::move(all_ok); }
  void set_id_names(std::function<std::size_t(std::size_t)> global_id) { id_name_ = std::move(global_id); }

  // The lowest id name (see set_id_names) of a particle of this System at
  // exactly `at`, other than the one named `except`; none if there is none.
  // The rare path of a divergence at softening 0: a scan of every particle.
  std::optional<std::size_t> coincident_with(const std::array<double, 3>& at, std::size_t except) const;

  Solver& solver() { return *solver_; }
  ParticleStore& store() { return *store_; }
  const ParticleStore& store() const { return *store_; }

 private:
  void init_common();
  Diagnostics compute_diagnostics(const ProgressFn& progress, bool check_potential) const;
  void load(const std::vector<ParticleRecord>& initial, const std::string& what, bool allow_empty = false);
  void spawn_scene(SceneSlice slice, const ProgressFn& progress);
  bool all_ok(bool ok) const { return agree_ ? agree_(ok) : ok; }
  std::size_t id_name(std::size_t id) const { return id_name_ ? id_name_(id) : id; }
  // extent: the current positions' extent when the caller has it (the
  // step's drift), handed to the solver (Sources::extent).
  void compute_forces(const Extent* extent = nullptr);
  void reorder();
  std::size_t index_of(std::size_t id) const;
  std::size_t id_at(std::size_t index) const { return id_at_.empty() ? index : id_at_[index]; }
  [[noreturn]] void diverged(const char* phase) const;
  SimConfig cfg_;
  std::unique_ptr<ParticleStore> store_;
  std::unique_ptr<Solver> solver_;
  struct Scratch;
  std::unique_ptr<Scratch> scratch_;
  StepTiming timing_;
  std::vector<SwitchRecord> switches_;
  std::uint64_t steps_ = 0;
  double time_ = 0;
  bool have_forces_ = false;  // accelerations valid for the current positions
  // After the first reorder: id_at_[k] is the id of the particle stored at
  // index k, index_of_[id] its inverse. Empty while particles are in id order.
  std::vector<std::uint32_t> id_at_, index_of_;
  mutable std::size_t sample_k_ = 0;  // sampled-potential targets, fixed at the first diagnostics()
  mutable std::optional<double> e0_;  // initial_energy(), set by the first diagnostics()
  std::function<bool(bool)> agree_;
  std::function<std::size_t(std::size_t)> id_name_;
};

}  // namespace slotsim
