#pragma once
// A running simulation: one particle store (in any layout), one solver, the
// leapfrog integrator and the diagnostics. Not thread-safe: one thread owns a
// System (the GUI runs it on its simulation thread and publishes copies).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/layouts/layout.hpp"
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
  // "exact" for N <= kExactPotentialMax, otherwise "sampled(K of N)": the
  // potential of K evenly spaced particles (K = 1000 up to 1M particles,
  // falling to 100 at 10M) against all N, scaled by N/K.
  std::string potential_method;
  double total() const { return kinetic + potential; }
  double px = 0, py = 0, pz = 0;  // total momentum
};
inline constexpr std::size_t kExactPotentialMax = 20000;


class System {
 public:
  // Builds the particles. Throws std::invalid_argument (unknown scene or
  // solver, bad sizes), CsvError (bad --ic file) or MemoryRefused (the
  // layout's measured per-instance cost times N exceeds available memory).
  explicit System(const SimConfig& cfg, ProgressFn progress = {});
  // Starts from the given particles (cfg.scene, cfg.ic_file and
  // cfg.particles are ignored); used for tests and for CSV initial conditions.
  System(const SimConfig& cfg, const std::vector<ParticleRecord>& initial);
  ~System();
  System(const System&) = delete;
  System& operator=(const System&) = delete;

  void step();
  std::uint64_t steps_done() const { return steps_; }

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
  void set_dt(double dt) { cfg_.dt = dt; }

  Diagnostics diagnostics() const;
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

  ParticleStore& store() { return *store_; }
  const ParticleStore& store() const { return *store_; }

 private:
  void init_common();
  void load(const std::vector<ParticleRecord>& initial, const std::string& what);
  void compute_forces();
  void reorder();
  std::size_t index_of(std::size_t id) const;
  SimConfig cfg_;
  std::unique_ptr<ParticleStore> store_;
  std::unique_ptr<Solver> solver_;
  struct Scratch;
  std::unique_ptr<Scratch> scratch_;
  StepTiming timing_;
  std::vector<SwitchRecord> switches_;
  std::uint64_t steps_ = 0;
  bool have_forces_ = false;  // accelerations valid for the current positions
  // After the first reorder: id_at_[k] is the id of the particle stored at
  // index k, index_of_[id] its inverse. Empty while particles are in id order.
  std::vector<std::uint32_t> id_at_, index_of_;
};

}  // namespace slotsim
