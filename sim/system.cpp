#include "sim/system.hpp"

#include "sim/system_internal.hpp"

#include <omp.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory_resource>
#include <stdexcept>

#include "sim/io/csv.hpp"
#include "sim/io/gadget_read.hpp"
#include "sim/kernels.hpp"
#include "sim/layouts/particle_store.hpp"
#include "sim/limits.hpp"
#include "sim/memory_plan.hpp"
#include "sim/scenes/scene.hpp"
#include "sim/ordering/morton.hpp"

namespace slotsim {
namespace {

// Streams scene particles straight into the store, reporting progress:
// those of the slice only, while the moments (for the centre-of-mass
// frame) sum every particle of the scene, in id order.
class StoreSink final : public ParticleSink {
 public:
  StoreSink(ParticleStore& s, std::size_t n, SceneSlice slice, const ProgressFn& p)
      : s_(s), n_(n), slice_(slice), p_(p) {}
  void push(const ParticleRecord& r) override {
    moments.add(r.mass, r.x, r.y, r.z, r.vx, r.vy, r.vz);
    if (k_ - slice_.first < slice_.count) s_.push(r);  // unsigned: false below first
    ++k_;
    if (p_ && k_ % (n_ / 100 + 1) == 0) p_(double(k_) / double(n_), "spawning");
  }
  kernels::Moments moments;

 private:
  ParticleStore& s_;
  std::size_t n_;
  SceneSlice slice_;
  std::size_t k_ = 0;
  const ProgressFn& p_;
};

}  // namespace

void System::init_common() {
  // The same limits as the CLI's flags, whatever the source of cfg_.
  check_config(cfg_);
  apply_threads(cfg_.threads);
  solver_ = make_solver(cfg_.solver, cfg_.force);
  scratch_ = std::make_unique<Scratch>();
}

void System::load(const std::vector<ParticleRecord>& initial, const std::string& what, bool allow_empty) {
  if (initial.empty() && !allow_empty) throw std::invalid_argument(what + ": no particles");
  cfg_.particles = initial.size();
  // The records are in memory already, so the plan counts no --ic input.
  plan_run(run_shape(cfg_, initial.size())).check(what);
  store_ = std::make_unique<ParticleStore>(cfg_.layout, cfg_.python_objects, cfg_.python_version);
  store_->reserve(initial.size());
  for (const auto& r : initial) store_->push(r);
}

System::System(const SimConfig& cfg, const std::vector<ParticleRecord>& initial) : cfg_(cfg) {
  init_common();
  load(initial, "initial particles");
}

System::System(const SimConfig& cfg, ProgressFn progress) : cfg_(cfg) {
  init_common();
  if (!cfg_.ic_file.empty()) {
    if (is_hdf5_path(cfg_.ic_file)) {
      const GadgetParticles g = read_particles_h5(cfg_.ic_file);
      // Merging several Gadget particle types is a choice the user should
      // see; the library has no other channel to the terminal.
      if (!g.note.empty()) std::fprintf(stderr, "note: %s\n", g.note.c_str());
      load(g.particles, "loading " + cfg_.ic_file);
    } else {
      load(read_particles_csv(cfg_.ic_file), "loading " + cfg_.ic_file);
    }
  } else {
    spawn_scene(SceneSlice{0, cfg_.particles}, progress);
  }
  if (progress) progress(1.0, "spawning");
}

System::System(const SimConfig& cfg, SceneSlice slice, ProgressFn progress) : cfg_(cfg) {
  init_common();
  if (!cfg_.ic_file.empty()) throw std::invalid_argument("a scene slice comes from a scene, not --ic");
  if (slice.first > cfg_.particles || slice.count > cfg_.particles - slice.first)
    throw std::invalid_argument("scene slice outside the scene's " + std::to_string(cfg_.particles) + " particles");
  spawn_scene(slice, progress);
  if (progress) progress(1.0, "spawning");
}

void System::spawn_scene(SceneSlice slice, const ProgressFn& progress) {
  if (cfg_.particles == 0) throw std::invalid_argument("--particles must be at least 1");
  if (cfg_.particles > std::size_t(UINT32_MAX)) throw std::invalid_argument("--particles must be below 2^32");
  plan_run(run_shape(cfg_, slice.count)).check("spawning");
  store_ = std::make_unique<ParticleStore>(cfg_.layout, cfg_.python_objects, cfg_.python_version);
  store_->reserve(slice.count);
  StoreSink sink(*store_, cfg_.particles, slice, progress);
  generate_scene(cfg_.scene, SceneParams{cfg_.particles, cfg_.seed}, sink);
  if (store_->size() != slice.count) throw std::logic_error("scene produced the wrong particle count");
  // Scenes are sampled, so their centre of mass drifts by ~1/sqrt(N);
  // moving to the centre-of-mass frame keeps the cluster on screen and
  // makes total momentum start at (rounding-level) zero. The moments are
  // the whole scene's (the sink summed every particle), so a slice moves
  // exactly as its particles do in the whole.
  const kernels::Moments& mo = sink.moments;
  const double d[3] = {-mo.mx / mo.mass, -mo.my / mo.mass, -mo.mz / mo.mass};
  const double w[3] = {-mo.px / mo.mass, -mo.py / mo.mass, -mo.pz / mo.mass};
  store_->visit([&](auto& s) { kernels::shift(s, d, w); });
}

System::System(const SimConfig& cfg, const RestoredRun& r) : cfg_(cfg) {
  init_common();
  const std::size_t n = r.particles.size();
  auto wrong = [](const std::string& what) { throw std::invalid_argument("restart: " + what); };
  if (!r.ids.empty() && r.ids.size() != n) wrong("ids and particles differ in length");
  for (const auto* a : {&r.ax, &r.ay, &r.az})
    if (a->size() != r.ax.size() || (!a->empty() && a->size() != n))
      wrong("cached accelerations have the wrong length");
  // Column layouts hold dynamic attributes as whole columns, which must
  // exist before reserve() sizes them (as in ParticleStore::convert_to).
  const bool columns = traits(cfg_.layout).columns;
  for (const auto& d : r.dynamic) {
    if (d.values.size() != n || d.present.size() != n) wrong("dynamic attribute '" + d.name + "' has the wrong length");
    if (columns && std::find(d.present.begin(), d.present.end(), 0) != d.present.end())
      wrong("dynamic attribute '" + d.name + "' is not on every particle, but layout " +
            std::string(layout_name(cfg_.layout)) + " holds only whole columns");
  }
  load(r.particles, "restoring", /*allow_empty=*/true);
  for (const auto& d : r.dynamic) {
    if (columns) store_->set_attr_all(d.name, 0.0);
    for (std::size_t k = 0; k < n; ++k)
      if (d.present[k]) store_->set_attr(k, d.name, d.values[k]);
  }
  if (!r.ids.empty()) {
    std::vector<std::uint32_t> index(n, UINT32_MAX);
    for (std::size_t k = 0; k < n; ++k) {
      if (r.ids[k] >= n || index[r.ids[k]] != UINT32_MAX) wrong("particle ids are not a permutation of 0..N-1");
      index[r.ids[k]] = static_cast<std::uint32_t>(k);
    }
    bool identity = true;
    for (std::size_t k = 0; k < n && identity; ++k) identity = r.ids[k] == k;
    // Empty maps mean "id order" everywhere; keep that form when it is so.
    if (!identity) {
      id_at_ = r.ids;
      index_of_.swap(index);
    }
  }
  if (!r.ax.empty() && solver_->has_forces()) {
    scratch_->resize(n);
    std::copy(r.ax.begin(), r.ax.end(), scratch_->ax.begin());
    std::copy(r.ay.begin(), r.ay.end(), scratch_->ay.begin());
    std::copy(r.az.begin(), r.az.end(), scratch_->az.begin());
    have_forces_ = true;
  }
  if (!r.own_dict.empty()) {
    if (r.own_dict.size() != n) wrong("the own-dict mask has the wrong length");
    for (std::size_t k = 0; k < n; ++k)
      if (r.own_dict[k]) store_->read_dict(k);  // AttributeError where the layout has no __dict__
  }
  steps_ = r.steps;
  time_ = r.time;
  e0_ = r.energy_initial;
  sample_k_ = r.energy_sample;
}

void System::ensure_forces() {
  if (!have_forces_ && solver_->has_forces()) compute_forces();
}

const double* System::cached_acceleration(int axis) const {
  if (!have_forces_) return nullptr;
  return axis == 0 ? scratch_->ax.data() : axis == 1 ? scratch_->ay.data() : scratch_->az.data();
}

System::~System() = default;

Layout System::layout() const { return store_->layout(); }
std::size_t System::size() const { return store_->size(); }
LayoutBytes System::bytes() const { return store_->bytes(); }

void System::set_solver(const std::string& name, const ForceParams& p) {
  auto next_solver = make_solver(name, p);  // checks the name and parameters; buffers come on first use
  // Checked against the memory plan before anything changes, as a spawn
  // is: a pm grid of 1024 asks for ~56 GB on its first step. What this
  // System holds now (its particles and the solvers' buffers) counts as
  // available, since the plan's phases include the particles and the old
  // solver is freed when the new one replaces it. (Checking on the first
  // step instead would refuse after the old solver was gone.)
  SimConfig next = cfg_;
  next.layout = layout();
  next.solver = name;
  next.force = p;
  MemoryPlan plan = plan_run(run_shape(next, size()));
  plan.available += double(bytes().usable_total) + double(mem::category_stats(mem::Category::Solver).usable);
  plan.check("solver " + name);
  solver_ = std::move(next_solver);
  cfg_.solver = name;
  cfg_.force = p;
  have_forces_ = false;
  e0_.reset();  // another solver or softening: E0 is re-taken by the next diagnostics()
}







void System::replace_solver(std::unique_ptr<Solver> s) {
  if (!s) throw std::invalid_argument("replace_solver: no solver");
  solver_ = std::move(s);
  have_forces_ = false;
}

RunShape run_shape(const SimConfig& cfg, std::size_t particles) {
  RunShape s;
  s.particles = particles;
  s.initial = cfg.layout;
  s.solver = cfg.solver;
  s.force = cfg.force;
  s.has_forces = cfg.solver != "none";
  s.sort_every = cfg.sort_every;
  s.python_objects = cfg.python_objects;
  s.python_version = cfg.python_version;
  s.exact_potential_max = cfg.exact_potential_max;
  return s;
}

void System::switch_layout(Layout to, ProgressFn progress) {
  const Layout from = layout();
  if (to == from) return;
  const long long before = bytes().total();
  const auto t0 = SystemClock::now();
  // The old store is allocated already (MemAvailable excludes it), so the
  // plan is of the new one alone.
  store_->convert_to(to, progress, [](const ConversionNeed& n) {
    const std::string name(layout_name(n.to));
    plan_store("new " + name + " store", n.to, n.particles, n.python_objects,
               {{"dynamic attributes (estimate)", n.dynamic_bytes}}, n.python_version)
        .check("converting to " + name);
  });
  switches_.push_back(SwitchRecord{from, to, steps_, ms_since(t0), before, bytes().total()});
}




namespace {
// Declared attributes feed the physics: a non-finite value (or a mass that
// is not positive) would poison every force, so it is refused here, where
// the user can still be told which value, instead of as a divergence later.
void check_declared_value(std::string_view name, double v) {
  if (declared_attr(name) < 0) return;
  if (!std::isfinite(v)) throw std::invalid_argument("'" + std::string(name) + "' must be a finite number");
  if (name == "mass" && !(v > 0)) throw std::invalid_argument("'mass' must be positive");
}
}  // namespace

void System::set_attr(std::size_t id, std::string_view name, double v) {
  check_declared_value(name, v);
  store_->set_attr(index_of(id), name, v);
  if (declared_attr(name) >= 0) have_forces_ = false;
}
void System::set_attr_all(std::string_view name, double v) {
  check_declared_value(name, v);
  store_->set_attr_all(name, v);
  if (declared_attr(name) >= 0) have_forces_ = false;
}
double System::get_attr(std::size_t id, std::string_view name) const {
  return store_->get_attr(index_of(id), name);
}

void System::del_attr(std::size_t id, std::string_view name) { store_->del_attr(index_of(id), name); }
void System::del_attr_all(std::string_view name) { store_->del_attr_all(name); }
bool System::read_dict(std::size_t id) { return store_->read_dict(index_of(id)); }
std::size_t System::read_dict_all() { return store_->read_dict_all(); }
std::size_t System::own_dicts() const { return store_->own_dicts(); }


}  // namespace slotsim
