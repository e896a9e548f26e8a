// System's kick-drift-kick leapfrog: the step, the force evaluation it
// calls, and the divergence check folded into the kick and drift passes.
#include <omp.h>

#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

#include "sim/kernels.hpp"
#include "sim/layouts/particle_store.hpp"
#include "sim/system.hpp"
#include "sim/system_internal.hpp"

namespace slotsim {

void System::compute_forces(const Extent* extent) {
  Scratch& s = *scratch_;
  const std::size_t n = size();
  if (s.ax.size() != n) s.resize(n);
  auto t0 = SystemClock::now();
  // soa's columns already are the solver's input arrays (x, y, z, m, one
  // contiguous double array each, in storage order): the solver reads them
  // in place, the same values, so the same bits. Every other layout is
  // copied out (its own gather, the layout's cost). Copying soa too, the
  // first version, moved 64 B/particle for nothing: 21 ms of a 261 ms pm
  // step at 10M (docs/BENCHMARKS.md). A solver only reads its Sources
  // during accelerations(), so pointers into the store are safe here.
  Sources src{s.x.data(), s.y.data(), s.z.data(), s.m.data(), n, extent};
  store_->visit([&](const auto& st) {
    if constexpr (std::is_same_v<std::decay_t<decltype(st)>, SoaStore>)
      src = Sources{st.column(X), st.column(Y), st.column(Z), st.column(MASS), n, extent};
    else
      kernels::gather(st, s.x.data(), s.y.data(), s.z.data(), s.m.data());
  });
  timing_.gather_ms += ms_since(t0);
  Accels acc{s.ax.data(), s.ay.data(), s.az.data()};
  SolverPhases ph;
  solver_->accelerations(src, acc, ph);
  timing_.build_ms += ph.build_ms;
  timing_.solve_ms += ph.solve_ms;
  timing_.interpolate_ms += ph.interpolate_ms;
  have_forces_ = true;
}

void System::step() {
  timing_ = StepTiming{};
  const auto t_start = SystemClock::now();
  if (cfg_.sort_every > 0 && steps_ % cfg_.sort_every == 0) {
    const auto t0 = SystemClock::now();
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
    auto t0 = SystemClock::now();
    const bool ok = kick(0.5 * dt);
    timing_.kick_ms += ms_since(t0);
    if (!all_ok(ok)) diverged("first half kick");
  }
  auto t1 = SystemClock::now();
  // The drift takes the new positions' extent on the way; the force
  // evaluation right after places its mesh or tree on it (extent.hpp).
  Extent moved{};
  const bool moved_ok = store_->visit([&](auto& st) { return kernels::drift(st, dt, &moved); });
  timing_.drift_ms += ms_since(t1);
  if (!all_ok(moved_ok)) diverged("drift");
  if (forces) {
    compute_forces(&moved);
    auto t2 = SystemClock::now();
    const bool ok = kick(0.5 * dt);
    timing_.kick_ms += ms_since(t2);
    if (!all_ok(ok)) diverged("second half kick");
  }
  ++steps_;
  time_ += dt;
  timing_.total_ms = ms_since(t_start);
}

void check_dt(double dt) {
  if (!(dt > 0) || !std::isfinite(dt)) throw std::invalid_argument("--dt must be a positive finite number");
}

void System::set_dt(double dt) {
  check_dt(dt);
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
  if (bad_id == n)
    throw Diverged("step " + std::to_string(step) + ": non-finite value in " + phase, step, 0, /*located=*/false);
  Diverged generic("step " + std::to_string(step) + ": particle " + std::to_string(id_name(bad_id)) +
                       " has a non-finite " + what + " after the " + phase +
                       " (time step too large, or a close encounter at low softening?)",
                   step, id_name(bad_id));
  if (std::string_view(what) != "acceleration" || cfg_.force.softening != 0) throw generic;
  // Zero softening and two particles at one point: the force is 1/0. Name
  // both, since that is what the user has to fix; the partner is the lowest
  // id there (not the first in storage order, which a Morton sort and, in a
  // distributed run, the ranks' shares would change).
  const ParticleRecord a = store_->record(bad_index);
  const std::array<double, 3> at{a.x, a.y, a.z};
  const auto partner = coincident_with(at, id_name(bad_id));
  Diverged e = partner ? Diverged(coincidence_message(step, id_name(bad_id), *partner, at), step, id_name(bad_id))
                       : generic;
  e.set_unsoftened_at(at);
  throw e;
}

std::optional<std::size_t> System::coincident_with(const std::array<double, 3>& at, std::size_t except) const {
  std::optional<std::size_t> lowest;
  const std::size_t n = size();
  for (std::size_t k = 0; k < n; ++k) {
    const ParticleRecord b = store_->record(k);
    if (!(b.x == at[0] && b.y == at[1] && b.z == at[2])) continue;
    const std::size_t name = id_name(id_at(k));
    if (name != except && (!lowest || name < *lowest)) lowest = name;
  }
  return lowest;
}

std::string coincidence_message(std::uint64_t step, std::size_t id, std::size_t partner,
                                const std::array<double, 3>& at) {
  char pos[96];
  std::snprintf(pos, sizeof pos, "(%.6g, %.6g, %.6g)", at[0], at[1], at[2]);
  return "step " + std::to_string(step) + ": particles " + std::to_string(id) + " and " + std::to_string(partner) +
         " coincide at " + pos + " with softening 0, so their force is infinite (use --softening > 0)";
}

}  // namespace slotsim
