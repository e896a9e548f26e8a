#include "sim/system.hpp"

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
#include "sim/io/hdf5_snapshot.hpp"
#include "sim/kernels.hpp"
#include "sim/layouts/particle_store.hpp"
#include "sim/scenes/scene.hpp"
#include "sim/ordering/morton.hpp"

namespace slotsim {
namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// Streams scene particles straight into the store, reporting progress.
class StoreSink final : public ParticleSink {
 public:
  StoreSink(ParticleStore& s, std::size_t n, const ProgressFn& p) : s_(s), n_(n), p_(p) {}
  void push(const ParticleRecord& r) override {
    s_.push(r);
    if (p_ && (++k_ % (n_ / 100 + 1)) == 0) p_(double(k_) / double(n_), "spawning");
  }

 private:
  ParticleStore& s_;
  std::size_t n_, k_ = 0;
  const ProgressFn& p_;
};

}  // namespace

// Solver input/output arrays: 7 doubles per particle, owned by the system
// and counted under the Solver category.
struct System::Scratch {
  mem::CountingResource res{mem::Category::Solver};
  std::pmr::vector<double> x{&res}, y{&res}, z{&res}, m{&res}, ax{&res}, ay{&res}, az{&res};
  void resize(std::size_t n) {
    for (auto* v : {&x, &y, &z, &m, &ax, &ay, &az}) v->assign(n, 0.0);
  }
};

void System::init_common() {
  set_dt(cfg_.dt);
  if (cfg_.force.softening < 0 || !std::isfinite(cfg_.force.softening))
    throw std::invalid_argument("--softening must be >= 0");
  if (cfg_.threads < 0) throw std::invalid_argument("--threads must be >= 0");
  if (cfg_.python_objects && !traits(cfg_.layout).heap_objects)
    throw std::invalid_argument(python_objects_refusal(cfg_.layout));
  if (cfg_.threads > 0) omp_set_num_threads(cfg_.threads);
  solver_ = make_solver(cfg_.solver, cfg_.force);
  scratch_ = std::make_unique<Scratch>();
}

void System::load(const std::vector<ParticleRecord>& initial, const std::string& what) {
  if (initial.empty()) throw std::invalid_argument(what + ": no particles");
  cfg_.particles = initial.size();
  check_memory(cfg_.layout, initial.size(), 0, what, cfg_.python_objects);
  store_ = std::make_unique<ParticleStore>(cfg_.layout, cfg_.python_objects);
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
    if (cfg_.particles == 0) throw std::invalid_argument("--particles must be at least 1");
    if (cfg_.particles > std::size_t(UINT32_MAX))
      throw std::invalid_argument("--particles must be below 2^32");
    check_memory(cfg_.layout, cfg_.particles, solver_->has_forces() ? 56LL * cfg_.particles : 0,
                 "spawning", cfg_.python_objects);
    store_ = std::make_unique<ParticleStore>(cfg_.layout, cfg_.python_objects);
    store_->reserve(cfg_.particles);
    StoreSink sink(*store_, cfg_.particles, progress);
    generate_scene(cfg_.scene, SceneParams{cfg_.particles, cfg_.seed}, sink);
    if (store_->size() != cfg_.particles) throw std::logic_error("scene produced the wrong particle count");
    // Scenes are sampled, so their centre of mass drifts by ~1/sqrt(N);
    // moving to the centre-of-mass frame keeps the cluster on screen and
    // makes total momentum start at (rounding-level) zero.
    store_->visit([](auto& s) {
      const kernels::Moments mo = kernels::moments(s);
      const double d[3] = {-mo.mx / mo.mass, -mo.my / mo.mass, -mo.mz / mo.mass};
      const double w[3] = {-mo.px / mo.mass, -mo.py / mo.mass, -mo.pz / mo.mass};
      kernels::shift(s, d, w);
    });
  }
  if (progress) progress(1.0, "spawning");
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
  const bool columns = cfg_.layout == Layout::Aos || cfg_.layout == Layout::Soa;
  for (const auto& d : r.dynamic) {
    if (d.values.size() != n || d.present.size() != n) wrong("dynamic attribute '" + d.name + "' has the wrong length");
    if (columns && std::find(d.present.begin(), d.present.end(), 0) != d.present.end())
      wrong("dynamic attribute '" + d.name + "' is not on every particle, but layout " +
            std::string(layout_name(cfg_.layout)) + " holds only whole columns");
  }
  load(r.particles, "restoring");
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
  steps_ = r.steps;
  time_ = r.time;
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
  solver_ = make_solver(name, p);
  cfg_.solver = name;
  cfg_.force = p;
  have_forces_ = false;
}

void System::compute_forces() {
  Scratch& s = *scratch_;
  const std::size_t n = size();
  if (s.ax.size() != n) s.resize(n);
  auto t0 = Clock::now();
  store_->visit([&](const auto& st) { kernels::gather(st, s.x.data(), s.y.data(), s.z.data(), s.m.data()); });
  timing_.gather_ms += ms_since(t0);
  Sources src{s.x.data(), s.y.data(), s.z.data(), s.m.data(), n};
  Accels acc{s.ax.data(), s.ay.data(), s.az.data()};
  SolverPhases ph;
  solver_->accelerations(src, acc, ph);
  timing_.build_ms += ph.build_ms;
  timing_.solve_ms += ph.solve_ms;
  timing_.interpolate_ms += ph.interpolate_ms;
  have_forces_ = true;
}

void System::reorder() {
  Scratch& s = *scratch_;
  const std::size_t n = size();
  if (s.ax.size() != n) s.resize(n);
  store_->visit([&](const auto& st) { kernels::gather(st, s.x.data(), s.y.data(), s.z.data(), s.m.data()); });
  const Sources src{s.x.data(), s.y.data(), s.z.data(), s.m.data(), n};
  mem::CountingResource res(mem::Category::Solver);
  detail::SolverBuffer<std::uint64_t> keys(res), tmp_keys(res);
  detail::SolverBuffer<std::uint32_t> perm(res), tmp_perm(res);
  detail::morton_sort(src, detail::bounding_cube(src), keys, perm, tmp_keys, tmp_perm);
  const std::span<const std::uint32_t> order(perm.data(), n);
  // Everything that can throw comes before the first change, so a bad_alloc
  // leaves store, accelerations and ids consistent.
  std::array<std::pmr::vector<double>, 3> acc{std::pmr::vector<double>(&s.res), std::pmr::vector<double>(&s.res),
                                              std::pmr::vector<double>(&s.res)};
  const std::array<std::pmr::vector<double>*, 3> cur = {&s.ax, &s.ay, &s.az};
  if (have_forces_)
    for (int c = 0; c < 3; ++c) {
      acc[c].resize(n);
      for (std::size_t k = 0; k < n; ++k) acc[c][k] = (*cur[c])[order[k]];
    }
  std::vector<std::uint32_t> ids(n), index(n);
  for (std::size_t k = 0; k < n; ++k) ids[k] = id_at_.empty() ? order[k] : id_at_[order[k]];
  for (std::size_t k = 0; k < n; ++k) index[ids[k]] = static_cast<std::uint32_t>(k);
  store_->permute(order);  // all or nothing
  // Accelerations follow their particles, so the next half kick needs no
  // extra force evaluation.
  if (have_forces_)
    for (int c = 0; c < 3; ++c) cur[c]->swap(acc[c]);
  id_at_.swap(ids);
  index_of_.swap(index);
}

std::size_t System::index_of(std::size_t id) const {
  if (id >= size()) throw std::out_of_range("particle id " + std::to_string(id) + " out of range");
  return index_of_.empty() ? id : index_of_[id];
}

void System::step() {
  timing_ = StepTiming{};
  const auto t_start = Clock::now();
  if (cfg_.sort_every > 0 && steps_ % cfg_.sort_every == 0) {
    const auto t0 = Clock::now();
    reorder();
    timing_.sort_ms = ms_since(t0);
  }
  const double dt = cfg_.dt;
  // Free streaming (`none`) skips the kicks entirely: adding a zero
  // acceleration would still turn -0.0 velocities into +0.0.
  const bool forces = solver_->has_forces();
  // Read after compute_forces, which may (re)size the arrays.
  auto kick = [&](double h) {
    double *ax = scratch_->ax.data(), *ay = scratch_->ay.data(), *az = scratch_->az.data();
    return store_->visit([&](auto& st) { return kernels::kick(st, ax, ay, az, h); });
  };
  if (forces) {
    if (!have_forces_) compute_forces();
    auto t0 = Clock::now();
    const bool ok = kick(0.5 * dt);
    timing_.kick_ms += ms_since(t0);
    if (!ok) diverged("first half kick");
  }
  auto t1 = Clock::now();
  const bool moved_ok = store_->visit([&](auto& st) { return kernels::drift(st, dt); });
  timing_.drift_ms += ms_since(t1);
  if (!moved_ok) diverged("drift");
  if (forces) {
    compute_forces();
    auto t2 = Clock::now();
    const bool ok = kick(0.5 * dt);
    timing_.kick_ms += ms_since(t2);
    if (!ok) diverged("second half kick");
  }
  ++steps_;
  time_ += dt;
  timing_.total_ms = ms_since(t_start);
}

void System::set_dt(double dt) {
  if (!(dt > 0) || !std::isfinite(dt)) throw std::invalid_argument("--dt must be a positive finite number");
  cfg_.dt = dt;
}

// The rare path after a kernel reported a non-finite value: find the first
// offending particle (in id order, so the message does not depend on the
// layout or the Morton order) and say what went wrong.
void System::diverged(const char* phase) const {
  const std::size_t n = size();
  const bool forces = solver_->has_forces() && scratch_->ax.size() == n;
  std::size_t bad_id = n, bad_index = 0;
  const char* what = "position";
  for (std::size_t id = 0; id < n && bad_id == n; ++id) {
    const std::size_t k = index_of(id);
    const ParticleRecord r = store_->record(k);
    const bool acc_bad = forces && !(std::isfinite(scratch_->ax[k]) && std::isfinite(scratch_->ay[k]) &&
                                     std::isfinite(scratch_->az[k]));
    const bool vel_bad = !(std::isfinite(r.vx) && std::isfinite(r.vy) && std::isfinite(r.vz));
    const bool pos_bad = !(std::isfinite(r.x) && std::isfinite(r.y) && std::isfinite(r.z));
    if (acc_bad || vel_bad || pos_bad) {
      bad_id = id;
      bad_index = k;
      what = acc_bad ? "acceleration" : vel_bad ? "velocity" : "position";
    }
  }
  const std::uint64_t step = steps_ + 1;
  if (bad_id == n) throw Diverged("step " + std::to_string(step) + ": non-finite value in " + phase, step, 0);
  // Zero softening and two particles at one point: the force is 1/0. Name
  // both, since that is what the user has to fix.
  if (std::string_view(what) == "acceleration" && cfg_.force.softening == 0) {
    const ParticleRecord a = store_->record(bad_index);
    for (std::size_t k = 0; k < n; ++k) {
      if (k == bad_index) continue;
      const ParticleRecord b = store_->record(k);
      if (b.x == a.x && b.y == a.y && b.z == a.z) {
        char pos[96];
        std::snprintf(pos, sizeof pos, "(%.6g, %.6g, %.6g)", a.x, a.y, a.z);
        throw Diverged("step " + std::to_string(step) + ": particles " + std::to_string(bad_id) + " and " +
                           std::to_string(id_at(k)) + " coincide at " + pos +
                           " with softening 0, so their force is infinite (use --softening > 0)",
                       step, bad_id);
      }
    }
  }
  throw Diverged("step " + std::to_string(step) + ": particle " + std::to_string(bad_id) + " has a non-finite " +
                     what + " after the " + phase + " (time step too large, or a close encounter at low softening?)",
                 step, bad_id);
}

void System::switch_layout(Layout to, ProgressFn progress) {
  const Layout from = layout();
  if (to == from) return;
  const long long before = bytes().total();
  const auto t0 = Clock::now();
  store_->convert_to(to, progress);
  switches_.push_back(SwitchRecord{from, to, steps_, ms_since(t0), before, bytes().total()});
}

Diagnostics System::diagnostics(const ProgressFn& progress) const {
  Diagnostics d;
  const kernels::Moments mo = store_->visit([](const auto& s) { return kernels::moments(s); });
  d.kinetic = mo.kinetic;
  d.px = mo.px;
  d.py = mo.py;
  d.pz = mo.pz;

  const std::size_t n = size();
  std::vector<double> x(n), y(n), z(n), m(n);
  store_->visit([&](const auto& s) { kernels::gather(s, x.data(), y.data(), z.data(), m.data()); });
  const double eps2 = cfg_.force.softening * cfg_.force.softening;
  const auto t_start = Clock::now();
  // Potential of target i against all sources (in index order, so the sum
  // is the same whichever thread computes it).
  auto phi_of = [&](std::size_t i) {
    double sum = 0;
    for (std::size_t j = 0; j < n; ++j) {
      if (j == i) continue;
      const double dx = x[j] - x[i], dy = y[j] - y[i], dz = z[j] - z[i];
      sum += m[j] / std::sqrt(dx * dx + dy * dy + dz * dz + eps2);
    }
    return m[i] * sum;
  };
  const bool exact = n <= kExactPotentialMax;
  if (!exact && sample_k_ == 0) {
    // A pilot of 16 targets measures this machine's rate; the budget then
    // sets K. Rejected: a fixed pair-term count (the old 1e9), which took
    // ~2.5 s per call at 1M on a quiet 2-core machine and 13 s on a loaded
    // one, with no word printed.
    constexpr std::size_t kPilot = 16;
    const auto t0 = Clock::now();
    double sink = 0;
#pragma omp parallel for schedule(static) reduction(+ : sink)
    for (std::int64_t t = 0; t < static_cast<std::int64_t>(kPilot); ++t) sink += phi_of(std::size_t(t) * n / kPilot);
    const double per_target_s = std::max(1e-9, ms_since(t0) / 1e3 / double(kPilot));
    sample_k_ = std::clamp<std::size_t>(static_cast<std::size_t>(std::min(1e6, cfg_.diagnostic_budget_s / per_target_s)), 64, 1000);
    (void)sink;
  }
  const std::size_t k = exact ? n : sample_k_;
  std::vector<double> phi(k, 0.0);
  const auto kk = static_cast<std::int64_t>(k);
  std::atomic<std::int64_t> done{0};
  auto last_report = Clock::now();
#pragma omp parallel for schedule(dynamic, 16)
  for (std::int64_t t = 0; t < kk; ++t) {
    // Sampled targets are chosen by particle id, so a spatial reorder
    // between two diagnostics does not change which particles are sampled.
    const std::size_t i = exact ? std::size_t(t) : index_of(std::size_t(t) * n / k);
    phi[t] = phi_of(i);
    const std::int64_t c = ++done;
    if (progress && omp_get_thread_num() == 0 && ms_since(t_start) > 2000 && ms_since(last_report) > 1000) {
      last_report = Clock::now();
      progress(double(c) / double(kk), "energy diagnostic");
    }
  }
  double w = 0;
  for (double p : phi) w += p;
  d.potential = -0.5 * w * (double(n) / double(k));
  d.potential_method =
      exact ? "exact" : "sampled(" + std::to_string(k) + " of " + std::to_string(n) + ")";
  return d;
}

std::uint64_t System::state_hash() const {
  std::uint64_t h = 1469598103934665603ull;
  store_->visit([&](const auto& s) {
    for (std::size_t id = 0; id < s.size(); ++id) {
      const ParticleRecord r = s.record(index_of_.empty() ? id : index_of_[id]);
      unsigned char bytes[sizeof r];
      std::memcpy(bytes, &r, sizeof r);
      for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
    }
  });
  return h;
}

ParticleRecord System::particle(std::size_t id) const { return store_->record(index_of(id)); }

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

void System::positions_float(float* xyz, float* speed) const {
  store_->visit([&](const auto& s) {
    const auto n = static_cast<std::int64_t>(s.size());
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < n; ++i) {
      xyz[3 * i] = static_cast<float>(s.template get<X>(i));
      xyz[3 * i + 1] = static_cast<float>(s.template get<Y>(i));
      xyz[3 * i + 2] = static_cast<float>(s.template get<Z>(i));
      if (speed) {
        const double vx = s.template get<VX>(i), vy = s.template get<VY>(i), vz = s.template get<VZ>(i);
        speed[i] = static_cast<float>(std::sqrt(vx * vx + vy * vy + vz * vz));
      }
    }
  });
}

}  // namespace slotsim
