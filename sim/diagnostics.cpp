// System's diagnostics: energy (exact, solver's or sampled potential), momentum, and
// the state hash every determinism check compares.
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/hash.hpp"
#include "sim/kernels.hpp"
#include "sim/layouts/particle_store.hpp"
#include "sim/system.hpp"
#include "sim/system_internal.hpp"

namespace slotsim {

namespace {

std::string percent(double e) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2g%%", 100 * e);
  return buf;
}

// Sum and sample variance (n - 1 in the denominator; 0 for one value) of
// values, in index order: the same bits whatever the thread count.
struct SampleStats {
  double sum = 0, variance = 0;
};
SampleStats sample_stats(const std::vector<double>& v) {
  SampleStats r;
  for (double x : v) r.sum += x;
  if (v.size() < 2) return r;
  const double mean = r.sum / double(v.size());
  for (double x : v) r.variance += (x - mean) * (x - mean);
  r.variance /= double(v.size() - 1);
  return r;
}

}  // namespace

std::size_t potential_sample_size(double budget_s, double per_target_s) {
  return std::clamp<std::size_t>(static_cast<std::size_t>(std::min(1e6, budget_s / std::max(1e-9, per_target_s))),
                                 64, 1000);
}

void solver_potential_estimate(Diagnostics& d, double w, std::string_view solver, const std::vector<double>& m,
                               const std::vector<double>& exact, const std::vector<double>& by_solver) {
  const std::size_t k = m.size();
  d.potential_targets = k;
  d.potential = 0.5 * w;
  // The error of the total is that of sum m_i phi_i, estimated from the
  // targets: the relative error of their sum, plus its standard error
  // (sqrt(K) times the deviation of the per-target errors), since a
  // systematic part and scatter both reach the total. Only the scatter
  // part averages down over N, so the estimate errs on the high side
  // where the errors scatter about zero. Rejected: the rms alone, which
  // would call a tree code whose errors cancel in the total as poor as
  // one whose errors all have one sign.
  std::vector<double> err(k);
  double exact_sum = 0, rel2 = 0;
  for (std::size_t t = 0; t < k; ++t) {
    err[t] = m[t] * (by_solver[t] - exact[t]);
    exact_sum += m[t] * exact[t];
    const double r = exact[t] != 0 ? (by_solver[t] - exact[t]) / exact[t] : 0.0;
    rel2 += r * r;
  }
  const SampleStats e = sample_stats(err);
  d.potential_error =
      exact_sum != 0 ? (std::abs(e.sum) + std::sqrt(double(k) * e.variance)) / std::abs(exact_sum) : 0.0;
  d.potential_error_rms = std::sqrt(rel2 / double(k));
  const std::string what = solver == "bh" ? "bh tree" : solver == "pm" ? "pm mesh" : std::string(solver);
  d.potential_method = what + " (est. error " + percent(d.potential_error) + ", rms " + percent(d.potential_error_rms) +
                       " per particle, " + std::to_string(k) + " targets)";
}

void sampled_potential_estimate(Diagnostics& d, std::size_t n, const std::vector<double>& mphi) {
  // The mean of m_i phi_i over the targets, times N. Its error estimate is
  // the standard error of that mean, with the finite-population factor (the
  // targets are a sample without replacement). It treats the targets as a
  // random sample; evenly spaced ids are not one, so where ids follow some
  // order of the system the figure is only indicative.
  const std::size_t k = mphi.size();
  d.potential_targets = k;
  const SampleStats w = sample_stats(mphi);
  const double mean = w.sum / double(k);
  const double fpc = n > 1 ? double(n - k) / double(n - 1) : 0.0;
  d.potential = 0.5 * w.sum * (double(n) / double(k));
  d.potential_error = mean != 0 ? std::sqrt(w.variance / double(k) * fpc) / std::abs(mean) : 0.0;
  d.potential_method = "sampled(" + std::to_string(k) + " of " + std::to_string(n) + ", est. error " +
                       percent(d.potential_error) + ")";
}

Diagnostics System::diagnostics(const ProgressFn& progress, bool check_potential) const {
  Diagnostics d = compute_diagnostics(progress, check_potential);
  if (!e0_) e0_ = d.total();
  return d;
}

Diagnostics System::compute_diagnostics(const ProgressFn& progress, bool check_potential) const {
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
  const auto t_start = SystemClock::now();
  // Exact potential at target i, -sum_{j != i} m_j / r (sources in index
  // order, so the sum is the same whichever thread computes it).
  auto phi_of = [&](std::size_t i) {
    double sum = 0;
    for (std::size_t j = 0; j < n; ++j) {
      if (j == i) continue;
      const double dx = x[j] - x[i], dy = y[j] - y[i], dz = z[j] - z[i];
      sum += m[j] / std::sqrt(dx * dx + dy * dy + dz * dz + eps2);
    }
    return -sum;
  };
  const bool exact = n <= cfg_.exact_potential_max;
  // The solver's own potential where it has one. Called through the const
  // System on purpose: what it changes is the solver's scratch, which
  // every force call rebuilds from the positions (Solver::potentials), not
  // the state the hash covers or the forces the next step uses.
  const bool by_solver = !exact && solver_->has_potentials();
  auto solver_word = [&] {
    return solver_->name() == "bh" ? std::string("bh tree") : solver_->name() == "pm" ? std::string("pm mesh")
                                                                                    : std::string(solver_->name());
  };
  if (!exact && sample_k_ == 0 && !(by_solver && !check_potential)) {
    // A pilot of 16 targets measures this machine's rate; the budget then
    // sets K. Rejected: a fixed pair-term count (the old 1e9), which took
    // ~2.5 s per call at 1M on a quiet 2-core machine and 13 s on a loaded
    // one, with no word printed.
    constexpr std::size_t kPilot = 16;
    const auto t0 = SystemClock::now();
    double sink = 0;
#pragma omp parallel for schedule(static) reduction(+ : sink)
    for (std::int64_t t = 0; t < static_cast<std::int64_t>(kPilot); ++t) sink += phi_of(std::size_t(t) * n / kPilot);
    sample_k_ = potential_sample_size(cfg_.diagnostic_budget_s, ms_since(t0) / 1e3 / double(kPilot));
    (void)sink;
  }
  // The solver's potential of every particle, in storage order.
  std::vector<double> solver_phi;
  if (by_solver) {
    solver_phi.resize(n);
    const Sources src{x.data(), y.data(), z.data(), m.data(), n};
    // Announced before the call when it may take more than 2 s: it costs
    // about one force solve, so when the last step's solve took that long,
    // or from 1M particles up before the first step. (Announcing after it
    // returned, the first version, left a 10M bh run silent for the whole
    // solve; the call itself has no progress to report.)
    const bool long_solve = timing_.solve_ms > 0 ? timing_.solve_ms > 2000 : n >= 1000000;
    if (progress && long_solve) progress(0.0, "energy diagnostic: the solver's potential");
    if (!solver_->potentials(src, solver_phi.data())) throw std::logic_error("solver claims a potential it lacks");
    if (progress && ms_since(t_start) > 2000) progress(0.0, "energy diagnostic");
  }
  if (by_solver && !check_potential) {
    double w = 0;
    for (std::size_t i = 0; i < n; ++i) w += m[i] * solver_phi[i];
    d.potential = 0.5 * w;
    d.potential_error = -1;
    d.potential_method = solver_word() + " (not checked)";
    return d;
  }
  const std::size_t k = exact ? n : std::min(sample_k_, n);
  // The exact pair sums: every particle, or the K targets.
  std::vector<double> phi(k, 0.0);
  std::vector<std::size_t> target(k);
  const auto kk = static_cast<std::int64_t>(k);
  std::atomic<std::int64_t> done{0};
  auto last_report = SystemClock::now();
#pragma omp parallel for schedule(dynamic, 16)
  for (std::int64_t t = 0; t < kk; ++t) {
    // Sampled targets are chosen by particle id, so a spatial reorder
    // between two diagnostics does not change which particles are sampled.
    const std::size_t i = exact ? std::size_t(t) : index_of(std::size_t(t) * n / k);
    target[t] = i;
    phi[t] = phi_of(i);
    const std::int64_t c = ++done;
    if (progress && omp_get_thread_num() == 0 && ms_since(t_start) > 2000 && ms_since(last_report) > 1000) {
      last_report = SystemClock::now();
      progress(double(c) / double(kk), "energy diagnostic");
    }
  }
  // All sums below run in a fixed order, so the result has the same bits
  // whatever the thread count.
  if (exact) {
    double w = 0;
    for (std::size_t i = 0; i < n; ++i) w += m[i] * phi[i];
    d.potential = 0.5 * w;
    d.potential_method = "exact";
    return d;
  }
  if (by_solver) {
    double w = 0;
    for (std::size_t i = 0; i < n; ++i) w += m[i] * solver_phi[i];
    std::vector<double> tm(k), ts(k);
    for (std::size_t t = 0; t < k; ++t) {
      tm[t] = m[target[t]];
      ts[t] = solver_phi[target[t]];
    }
    solver_potential_estimate(d, w, solver_->name(), tm, phi, ts);
    return d;
  }
  std::vector<double> mphi(k);
  for (std::size_t t = 0; t < k; ++t) mphi[t] = m[target[t]] * phi[t];
  sampled_potential_estimate(d, n, mphi);
  return d;
}

std::uint64_t System::state_hash() const {
  std::uint64_t h = kFnvOffset;
  store_->visit([&](const auto& s) {
    for (std::size_t id = 0; id < s.size(); ++id) h = fnv1a(h, s.record(index_of_.empty() ? id : index_of_[id]));
  });
  return h;
}

}  // namespace slotsim
