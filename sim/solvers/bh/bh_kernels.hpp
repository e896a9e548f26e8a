#pragma once
// The Barnes-Hut evaluation kernels: one group's targets against its list
// of accepted nodes and against its list of nearby particles. They are
// nearly all of a tree force evaluation, so they are compiled several times
// (SSE2 baseline, AVX2, AVX-512F; bh_kernels_*.cpp) and the widest the CPU
// supports is picked at run time. The build stays portable (no -march).
// Every variant performs the same IEEE operations per lane in the same
// order, with no FMA (-ffp-contract=off), so all give bit-identical results:
// the choice changes speed only.
#include <cstddef>
#include <vector>

namespace slotsim::detail {

// An accepted node: centre of mass relative to the task centre, mass,
// q = 3 S and t = 1.5 tr S (S the second moment about the centre of mass).
struct FarF {
  float x, y, z, m, qxx, qyy, qzz, qxy, qxz, qyz, t, unused;
};
// A particle summed directly.
struct NearD {
  double x, y, z, m;
};

// Targets of one group and their accumulators. Arrays hold n entries, n a
// multiple of kTargetPad (callers pad with copies of a real target).
// far: positions relative to the task centre; writes ax..az.
struct FarTargets {
  const float *x, *y, *z;
  float *ax, *ay, *az;
  std::size_t n;
};
// near: absolute positions; writes ax..az.
struct NearTargets {
  const double *x, *y, *z;
  float *ax, *ay, *az;
  std::size_t n;
};
inline constexpr std::size_t kTargetPad = 32;
// The same targets for the potential (Solver::potentials): one output.
struct FarPhiTargets {
  const float *x, *y, *z;
  float* phi;
  std::size_t n;
};
struct NearPhiTargets {
  const double *x, *y, *z;
  float* phi;
  std::size_t n;
};

struct BhKernels {
  const char* name;
  void (*far)(const FarF* f, std::size_t nf, float eps2, const FarTargets& t);
  void (*near)(const NearD* p, std::size_t np, float eps2, const NearTargets& t);
  // The potential from the same lists, same precision and same rules.
  void (*far_phi)(const FarF* f, std::size_t nf, float eps2, const FarPhiTargets& t);
  void (*near_phi)(const NearD* p, std::size_t np, float eps2, const NearPhiTargets& t);
};

BhKernels bh_kernels_sse2();
#if defined(__x86_64__)
BhKernels bh_kernels_avx2();
BhKernels bh_kernels_avx512();
#endif

// Every variant this CPU can run, widest first.
std::vector<BhKernels> usable_bh_kernels();

}  // namespace slotsim::detail
