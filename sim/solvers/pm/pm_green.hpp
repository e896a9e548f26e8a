#pragma once
// Green's functions of Plummer-softened gravity (G = 1) for the two mesh
// convolutions, in the k-space form those expect. Both are pure functions of
// (n, h, eps); each holder recomputes only when one of them changes (an
// exact comparison, so the output never depends on call history).
#include "sim/memory/tracker.hpp"
#include "sim/solvers/buffer.hpp"
#include "sim/solvers/pm/fftw_plan.hpp"

namespace slotsim::detail {

// Isolated: G(r) = -1 / sqrt(r^2 + eps^2) sampled on the padded mesh's
// wrapped distances and transformed. G is even along every axis, so its
// (2n)^3 DFT is the 3-D DCT-I of one octant, (n+1)^3 points: an eighth of
// the data of the padded transform, and cheap enough to redo whenever the
// fitted mesh spacing changes. At r = 0 the value is capped at the mean of
// 1/r over a cell (2.38/h), so a softening far below the mesh spacing does
// not put a spike at every particle's own cell.
// The real-space value sampled at cell offset (i, j, k), h the spacing:
// -1 / sqrt(r^2 + eps^2), and at the origin -min(1 / eps, 2.38 / h). The
// one definition, shared by IsolatedGreen and by the pm potential's
// correction for each particle's own cloud.
double isolated_green_at(int i, int j, int k, double h, double eps);

class IsolatedGreen {
 public:
  IsolatedGreen(int n, mem::CountingResource& res);
  // (n+1)^3 values, z fastest, divided by (2n)^3 for the round trip.
  const double* get(double h, double eps);

 private:
  int n_;
  double h_ = 0, eps_ = -1;
  SolverBuffer<double> k_;
  FftwPlan dct_;
};

// Periodic: -4 pi / (k^2 h^3) times the Plummer form factor k eps K1(k eps)
// (the Fourier transform of the softened potential), zero at k = 0 (the
// mean density has no force in a periodic box).
// Laid out [kz][ky][kx] (kx fastest), the order the slab pass reads it in.
// Each value is computed alone from its wave numbers, so a slab of kz
// values (one rank's part of a distributed mesh) holds the whole table's
// bits for those kz.
class PeriodicGreen {
 public:
  PeriodicGreen(int n, mem::CountingResource& res);
  // kz in [kz0, kz1) (default: all n/2 + 1), n * n values per kz, divided
  // by n^3.
  const double* get(double h, double eps, int kz0 = 0, int kz1 = -1);

 private:
  int n_;
  double h_ = 0, eps_ = -1;
  int kz0_ = 0, kz1_ = 0;
  SolverBuffer<double> k_;
};

}  // namespace slotsim::detail
