#pragma once
// The physics kernels, written once over any store type S and instantiated
// per layout (see particle_store.hpp for why not virtual). Each reads and
// writes declared attributes through S::get<A>/set<A>, so `slots` compiles
// to fixed-offset loads and `dict` to a hash probe per access. All loops
// visit particles in index order with a static OpenMP schedule, so results
// never depend on how threads are scheduled.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "sim/extent.hpp"
#include "sim/layouts/soa_store.hpp"
#include "sim/particle.hpp"

namespace slotsim::kernels {

struct Range {
  std::size_t begin, len;
};
// The slice of [0, n) this OpenMP thread owns under a static split.
inline Range thread_range(std::size_t n) {
  const std::size_t t = static_cast<std::size_t>(omp_get_thread_num());
  const std::size_t nt = static_cast<std::size_t>(omp_get_num_threads());
  const std::size_t b = n * t / nt, e = n * (t + 1) / nt;
  return {b, e - b};
}

template <class S>
void gather(const S& s, double* x, double* y, double* z, double* m) {
  const auto n = static_cast<std::int64_t>(s.size());
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) {
    x[i] = s.template get<X>(i);
    y[i] = s.template get<Y>(i);
    z[i] = s.template get<Z>(i);
    m[i] = s.template get<MASS>(i);
  }
}

// v += h * a. Returns whether every new velocity is finite: the check is
// folded into the pass that writes them, so divergence is caught every step
// at almost no cost. A non-finite acceleration always shows up here, since
// h > 0.
//
// On soa, one plain loop over the six columns per thread slice, the check
// summing x - x (0 for a finite x, NaN otherwise) per block of kBlock
// values, so the compiler vectorises it (the order of that sum cannot
// matter: zeros and NaNs). The first version ran a blocked Eigen
// expression per column and an allFinite() pass per block: the same
// per-element arithmetic, but at 10M particles it moved the data at about
// two thirds of the speed (2-core EPYC VM, 10M doubles per column, medians
// of 11 alternating calls: 83-89 ms against 53-57 on 1 thread, 120-121
// against 84-86 on 2, load ~11).
inline constexpr std::size_t kBlock = 512;

template <class S>
bool kick(S& s, const double* ax, const double* ay, const double* az, double h) {
  const std::size_t n = s.size();
  bool ok = true;
  if constexpr (std::is_same_v<S, SoaStore>) {
    double *vx = s.column(VX), *vy = s.column(VY), *vz = s.column(VZ);
#pragma omp parallel reduction(&& : ok)
    {
      const Range r = thread_range(n);
      for (std::size_t b = r.begin; b < r.begin + r.len; b += kBlock) {
        const std::size_t e = std::min(b + kBlock, r.begin + r.len);
        double nan_if_bad = 0;
#pragma omp simd reduction(+ : nan_if_bad)
        for (std::size_t i = b; i < e; ++i) {
          const double x = vx[i] + h * ax[i], y = vy[i] + h * ay[i], z = vz[i] + h * az[i];
          vx[i] = x;
          vy[i] = y;
          vz[i] = z;
          nan_if_bad += (x - x) + (y - y) + (z - z);
        }
        ok = ok && nan_if_bad == 0;
      }
    }
  } else {
    const auto sn = static_cast<std::int64_t>(n);
#pragma omp parallel for schedule(static) reduction(&& : ok)
    for (std::int64_t i = 0; i < sn; ++i) {
      const double vx = s.template get<VX>(i) + h * ax[i];
      const double vy = s.template get<VY>(i) + h * ay[i];
      const double vz = s.template get<VZ>(i) + h * az[i];
      s.template set<VX>(i, vx);
      s.template set<VY>(i, vy);
      s.template set<VZ>(i, vz);
      ok = ok && std::isfinite(vx) && std::isfinite(vy) && std::isfinite(vz);
    }
  }
  return ok;
}

// x += dt * v. Returns whether every new position is finite (a non-finite
// velocity always shows up here, since dt > 0). With ext (and n > 0), also
// the extent of the new positions, exact (extent.hpp), taken on the way:
// the force evaluation that follows reads it instead of a pass of its own.
// The minima and maxima ride along in registers, so the pass stays bound by
// the bytes it moves, which are the same (bench: the drift column, with and
// without).
template <class S>
bool drift(S& s, double dt, Extent* ext = nullptr) {
  const std::size_t n = s.size();
  bool ok = true;
  constexpr double inf = std::numeric_limits<double>::infinity();
  double x0 = inf, y0 = inf, z0 = inf, x1 = -inf, y1 = -inf, z1 = -inf;
  if constexpr (std::is_same_v<S, SoaStore>) {
    // The same plain loop as kick()'s (see there).
    double *px = s.column(X), *py = s.column(Y), *pz = s.column(Z);
    const double *vx = s.column(VX), *vy = s.column(VY), *vz = s.column(VZ);
#pragma omp parallel reduction(&& : ok) reduction(min : x0, y0, z0) reduction(max : x1, y1, z1)
    {
      const Range r = thread_range(n);
      for (std::size_t b = r.begin; b < r.begin + r.len; b += kBlock) {
        const std::size_t e = std::min(b + kBlock, r.begin + r.len);
        double nan_if_bad = 0;
#pragma omp simd reduction(+ : nan_if_bad) reduction(min : x0, y0, z0) reduction(max : x1, y1, z1)
        for (std::size_t i = b; i < e; ++i) {
          const double x = px[i] + dt * vx[i], y = py[i] + dt * vy[i], z = pz[i] + dt * vz[i];
          px[i] = x;
          py[i] = y;
          pz[i] = z;
          nan_if_bad += (x - x) + (y - y) + (z - z);
          widen(x0, y0, z0, x1, y1, z1, x, y, z);
        }
        ok = ok && nan_if_bad == 0;
      }
    }
  } else {
    const auto sn = static_cast<std::int64_t>(n);
#pragma omp parallel for schedule(static) reduction(&& : ok) reduction(min : x0, y0, z0) reduction(max : x1, y1, z1)
    for (std::int64_t i = 0; i < sn; ++i) {
      const double x = s.template get<X>(i) + dt * s.template get<VX>(i);
      const double y = s.template get<Y>(i) + dt * s.template get<VY>(i);
      const double z = s.template get<Z>(i) + dt * s.template get<VZ>(i);
      s.template set<X>(i, x);
      s.template set<Y>(i, y);
      s.template set<Z>(i, z);
      ok = ok && std::isfinite(x) && std::isfinite(y) && std::isfinite(z);
      widen(x0, y0, z0, x1, y1, z1, x, y, z);
    }
  }
  if (ext && n > 0) *ext = Extent{{x0, y0, z0}, {x1, y1, z1}};
  return ok;
}

struct Moments {
  double mass = 0, kinetic = 0;
  double px = 0, py = 0, pz = 0;  // momentum
  double mx = 0, my = 0, mz = 0;  // mass-weighted position
  // Adds one particle: the one place the sums' order of operations is
  // written, shared by the store sweep below and the scene stream (which
  // sums every particle of a scene, also those another rank keeps).
  void add(double m, double x, double y, double z, double vx, double vy, double vz) {
    mass += m;
    kinetic += 0.5 * m * (vx * vx + vy * vy + vz * vz);
    px += m * vx;
    py += m * vy;
    pz += m * vz;
    mx += m * x;
    my += m * y;
    mz += m * z;
  }
};

// Sequential on purpose: a parallel reduction would sum in a thread-count
// dependent order and break bit-identical diagnostics. `r` is the running
// sum so far, so a sweep over several stores in turn (the ranks of a
// distributed run, in storage order) sums exactly as one sweep would.
template <class S>
Moments moments(const S& s, Moments r = {}) {
  for (std::size_t i = 0; i < s.size(); ++i)
    r.add(s.template get<MASS>(i), s.template get<X>(i), s.template get<Y>(i), s.template get<Z>(i),
          s.template get<VX>(i), s.template get<VY>(i), s.template get<VZ>(i));
  return r;
}

// Adds d to position and w to velocity of every particle.
template <class S>
void shift(S& s, const double d[3], const double w[3]) {
  const auto n = static_cast<std::int64_t>(s.size());
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) {
    s.template set<X>(i, s.template get<X>(i) + d[0]);
    s.template set<Y>(i, s.template get<Y>(i) + d[1]);
    s.template set<Z>(i, s.template get<Z>(i) + d[2]);
    s.template set<VX>(i, s.template get<VX>(i) + w[0]);
    s.template set<VY>(i, s.template get<VY>(i) + w[1]);
    s.template set<VZ>(i, s.template get<VZ>(i) + w[2]);
  }
}

}  // namespace slotsim::kernels
