#include "dist/dist_system.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <climits>
#include <cmath>
#include <stdexcept>

#include "dist/exact_potential.hpp"
#include "dist/pipeline.hpp"
#include "dist/solvers.hpp"
#include "sim/hash.hpp"
#include "sim/kernels.hpp"
#include "sim/layouts/particle_store.hpp"

namespace slotsim::dist {

DistSystem::DistSystem(Comm& comm, const SimConfig& cfg, const ProgressFn& progress)
    : comm_(comm), seg_(cfg.particles, comm.size()) {
  agree(comm_, [&] {
    sys_ = std::make_unique<System>(cfg, SceneSlice{first(), seg_.count(comm_.rank())}, progress);
    init();
  });
}

DistSystem::DistSystem(Comm& comm, const SimConfig& cfg, std::size_t n, LocalPart part)
    : comm_(comm), seg_(n, comm.size()) {
  agree(comm_, [&] {
    if (part.run.particles.size() != seg_.count(comm_.rank()))
      throw std::logic_error("distributed load: this rank holds " + std::to_string(part.run.particles.size()) +
                             " particles, its segment " + std::to_string(seg_.count(comm_.rank())));
    if (!part.gids.empty() && part.gids.size() != part.run.particles.size())
      throw std::logic_error("distributed load: ids and particles differ in length");
    if (!part.run.ids.empty()) throw std::logic_error("distributed load: ids belong in LocalPart::gids");
    bool identity = true;
    for (std::size_t k = 0; k < part.gids.size() && identity; ++k) identity = part.gids[k] == first() + k;
    if (!identity) gids_ = std::move(part.gids);
    // A restart continues its run's energy diagnostic: its E0 and its
    // sample size, as System(cfg, run) keeps them for the serial batch
    // (left unset, the first diagnostics() would take E0 from the restored
    // state and measure a new K).
    e0_ = part.run.energy_initial;
    sample_k_ = part.run.energy_sample;
    sys_ = std::make_unique<System>(cfg, part.run);
    init();
  });
}

void DistSystem::init() {
  sys_->replace_solver(make_dist_solver(sys_->config().solver, sys_->config().force, comm_, seg_));
  sys_->set_agreement([this](bool ok) { return comm_.all(ok); });
  sys_->set_id_names([this](std::size_t id) { return std::size_t(gid(id)); });
}

void DistSystem::step() {
  try {
    sys_->step();
  } catch (const Diverged& e) {
    // Every rank is here: step()'s checks are agreed. The message is that
    // of the lowest global id any rank located (rank 0's if none did).
    const std::int64_t none = INT64_MAX;
    const std::int64_t mine = e.located() ? static_cast<std::int64_t>(e.id()) : none;
    const std::int64_t lowest = comm_.min(mine);
    const std::int64_t from =
        comm_.min(static_cast<std::int64_t>(lowest != none && mine == lowest ? comm_.rank() : comm_.size()));
    const int root = from == comm_.size() ? 0 : static_cast<int>(from);
    std::string what = e.what();
    comm_.bcast(what, root);
    // Its acceleration at softening 0: the coincident partner that caused
    // it may be any rank's, so every rank looks, and the lowest id is named
    // (the serial run's choice); the located rank's own search saw only its
    // particles (it said "non-finite acceleration" for a partner elsewhere).
    std::array<double, 4> at{0, 0, 0, 0};  // found, x, y, z
    if (comm_.rank() == root && e.unsoftened_at()) at = {1, (*e.unsoftened_at())[0], (*e.unsoftened_at())[1],
                                                         (*e.unsoftened_at())[2]};
    comm_.bcast(at.data(), at.size(), root);
    if (at[0] == 1) {
      const std::array<double, 3> pos{at[1], at[2], at[3]};
      const auto here = sys_->coincident_with(pos, static_cast<std::size_t>(lowest));
      const std::int64_t partner = comm_.min(here ? static_cast<std::int64_t>(*here) : none);
      if (partner != none)
        what = coincidence_message(e.step(), static_cast<std::size_t>(lowest), static_cast<std::size_t>(partner), pos);
    }
    throw Diverged(what, e.step(), lowest == none ? 0 : static_cast<std::size_t>(lowest), lowest != none);
  }
}

void DistSystem::switch_layout(Layout to, const ProgressFn& progress) {
  agree(comm_, [&] { sys_->switch_layout(to, progress); });
}

void DistSystem::ensure_forces() { sys_->ensure_forces(); }

bool DistSystem::all_identity_ids() { return comm_.all(gids_.empty()); }

namespace {
struct IdRecord {
  std::uint64_t id;
  ParticleRecord r;
};
static_assert(sizeof(IdRecord) == 64);
}  // namespace

std::uint64_t DistSystem::state_hash() {
  const std::size_t n = local_size();
  const ParticleStore& st = sys_->store();
  if (all_identity_ids())
    return ordered_fold(comm_, kFnvOffset, [&](std::uint64_t h) {
      for (std::size_t k = 0; k < n; ++k) h = fnv1a(h, st.record(k));
      return h;
    });
  // Ids permuted (a restart of a Morton-sorted serial run): each record goes
  // to the rank whose segment of the id range holds its id, which hashes
  // its segment in id order.
  const auto p = static_cast<std::size_t>(comm_.size());
  std::vector<std::size_t> counts(p, 0);
  for (std::size_t k = 0; k < n; ++k) ++counts[static_cast<std::size_t>(seg_.owner(gid(k)))];
  std::vector<std::size_t> at(p, 0);
  for (std::size_t r = 1; r < p; ++r) at[r] = at[r - 1] + counts[r - 1];
  std::vector<IdRecord> out(n);
  for (std::size_t k = 0; k < n; ++k) out[at[static_cast<std::size_t>(seg_.owner(gid(k)))]++] = {gid(k), st.record(k)};
  std::vector<IdRecord> mine = comm_.alltoallv(out.data(), counts);
  out = {};
  std::sort(mine.begin(), mine.end(), [](const IdRecord& a, const IdRecord& b) { return a.id < b.id; });
  bool ok = mine.size() == seg_.count(comm_.rank());
  for (std::size_t k = 0; k < mine.size() && ok; ++k) ok = mine[k].id == first() + k;
  if (!comm_.all(ok)) throw std::runtime_error("state hash: the particle ids are not a permutation of 0..N-1");
  return ordered_fold(comm_, kFnvOffset, [&](std::uint64_t h) {
    for (const IdRecord& x : mine) h = fnv1a(h, x.r);
    return h;
  });
}

namespace {

// A sampled target of the energy diagnostic, as its owner found it.
struct Target {
  std::uint64_t t;     // its number, 0..K-1 (its id is t N / K)
  std::uint64_t at;    // its global storage index (its own term is skipped)
  double x, y, z, m;
  double solver_phi;   // the solver's potential there (if any)
};

}  // namespace

Diagnostics DistSystem::diagnostics() {
  Diagnostics d = compute_diagnostics();
  if (!e0_) e0_ = d.total();
  return d;
}

Diagnostics DistSystem::compute_diagnostics() {
  Diagnostics d;
  const ParticleStore& st = sys_->store();
  const kernels::Moments mo = ordered_fold(comm_, kernels::Moments{}, [&](const kernels::Moments& in) {
    return st.visit([&](const auto& s) { return kernels::moments(s, in); });
  });
  d.kinetic = mo.kinetic;
  d.px = mo.px;
  d.py = mo.py;
  d.pz = mo.pz;

  const SimConfig& cfg = sys_->config();
  const std::size_t n = local_size(), N = size();
  std::vector<double> x(n), y(n), z(n), m(n);
  st.visit([&](const auto& s) { kernels::gather(s, x.data(), y.data(), z.data(), m.data()); });
  const Sources local{x.data(), y.data(), z.data(), m.data(), n};
  const double eps2 = cfg.force.softening * cfg.force.softening;

  if (N <= cfg.exact_potential_max) {
    std::vector<std::uint64_t> at(n);
    for (std::size_t k = 0; k < n; ++k) at[k] = first() + k;
    std::vector<double> phi(n);
    exact_potentials(comm_, seg_, local, eps2, {x.data(), y.data(), z.data(), at.data(), n}, phi.data());
    const double w = ordered_fold(comm_, 0.0, [&](double v) {
      for (std::size_t i = 0; i < n; ++i) v += m[i] * phi[i];
      return v;
    });
    d.potential = 0.5 * w;
    d.potential_method = "exact";
    return d;
  }

  const int p = comm_.size(), r = comm_.rank();
  if (sample_k_ == 0) {
    // The pilot: 16 targets split over the ranks (the first particles of
    // each), timed; the K targets will be split alike, so the budget
    // allows P times as many as on one rank.
    const std::size_t share = std::min<std::size_t>(n, (16 + std::size_t(p) - 1) / std::size_t(p));
    std::vector<std::uint64_t> at(share);
    for (std::size_t k = 0; k < share; ++k) at[k] = first() + k;
    std::vector<double> sink(share);
    const auto t0 = std::chrono::steady_clock::now();
    exact_potentials(comm_, seg_, local, eps2, {x.data(), y.data(), z.data(), at.data(), share}, sink.data());
    const double s = comm_.max(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    const double per_target = s / double(std::max<std::size_t>(1, (16 + std::size_t(p) - 1) / std::size_t(p)));
    sample_k_ = potential_sample_size(cfg.diagnostic_budget_s * p, per_target);
  }
  const std::size_t K = std::min(sample_k_, N);
  const bool by_solver = sys_->solver().has_potentials();
  std::vector<double> solver_phi;
  double w = 0;
  if (by_solver) {
    solver_phi.resize(n);
    if (!sys_->solver().potentials(local, solver_phi.data())) throw std::logic_error("solver claims a potential it lacks");
    w = ordered_fold(comm_, 0.0, [&](double v) {
      for (std::size_t i = 0; i < n; ++i) v += m[i] * solver_phi[i];
      return v;
    });
  }
  // The targets are ids t N / K, t < K, wherever they are stored.
  std::vector<Target> found;
  for (std::size_t k = 0; k < n; ++k) {
    const unsigned __int128 g = gid(k);
    const auto t = static_cast<std::uint64_t>((g * K + N - 1) / N);
    if (t < K && (unsigned __int128)t * N / K == g)
      found.push_back({t, first() + k, x[k], y[k], z[k], m[k], by_solver ? solver_phi[k] : 0.0});
  }
  std::vector<Target> targets = comm_.allgatherv(found.data(), found.size());
  std::sort(targets.begin(), targets.end(), [](const Target& a, const Target& b) { return a.t < b.t; });
  if (targets.size() != K) throw std::logic_error("energy diagnostic: sampled targets missing");
  const std::size_t t0 = K * std::size_t(r) / std::size_t(p), t1 = K * std::size_t(r + 1) / std::size_t(p);
  std::vector<double> tx, ty, tz, phi(t1 - t0);
  std::vector<std::uint64_t> tat;
  for (std::size_t t = t0; t < t1; ++t) {
    tx.push_back(targets[t].x);
    ty.push_back(targets[t].y);
    tz.push_back(targets[t].z);
    tat.push_back(targets[t].at);
  }
  exact_potentials(comm_, seg_, local, eps2, {tx.data(), ty.data(), tz.data(), tat.data(), t1 - t0}, phi.data());
  const std::vector<double> exact = comm_.allgatherv(phi.data(), phi.size());
  if (by_solver) {
    std::vector<double> tm(K), ts(K);
    for (std::size_t t = 0; t < K; ++t) {
      tm[t] = targets[t].m;
      ts[t] = targets[t].solver_phi;
    }
    solver_potential_estimate(d, w, sys_->solver().name(), tm, exact, ts);
    return d;
  }
  std::vector<double> mphi(K);
  for (std::size_t t = 0; t < K; ++t) mphi[t] = targets[t].m * exact[t];
  sampled_potential_estimate(d, N, mphi);
  return d;
}

LayoutBytes DistSystem::bytes_total() {
  const std::vector<LayoutBytes> all = comm_.allgather(sys_->bytes());
  LayoutBytes t;
  for (const LayoutBytes& b : all) {
    t.objects += b.objects;
    t.tables += b.tables;
    t.index += b.index;
    t.columns += b.columns;
    t.shared_keys += b.shared_keys;
    t.py_headers += b.py_headers;
    t.floats += b.floats;
    t.usable_total += b.usable_total;
    t.blocks += b.blocks;
  }
  return t;
}

std::uint64_t DistSystem::own_dicts_total() { return comm_.sum(std::uint64_t(sys_->own_dicts())); }

}  // namespace slotsim::dist
