// Baseline variant of the Barnes-Hut kernels: what every x86-64 CPU (and any
// other target, through the scalar sqrt) can run.
#include <cmath>

#include "sim/solvers/bh/bh_kernels.hpp"
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace slotsim::detail {
namespace {

typedef float VF __attribute__((vector_size(16)));
// VD is two SSE registers wide so that VH, its float counterpart, fills one.
typedef double VD __attribute__((vector_size(32)));
typedef float VH __attribute__((vector_size(16)));
// One vector of targets per pass: two would not fit 16 registers.
constexpr std::size_t kPassF = 1, kPassD = 1;

// VH and VF are the same type here.
inline VF vsqrt(VF a) {
#if defined(__SSE2__)
  return reinterpret_cast<VF>(_mm_sqrt_ps(reinterpret_cast<__m128>(a)));
#else
  return VF{std::sqrt(a[0]), std::sqrt(a[1]), std::sqrt(a[2]), std::sqrt(a[3])};
#endif
}



}  // namespace

#include "sim/solvers/bh/bh_kernel_body.inl"

BhKernels bh_kernels_sse2() { return {"sse2", far_body, near_body, far_phi_body, near_phi_body}; }

std::vector<BhKernels> usable_bh_kernels() {
  std::vector<BhKernels> v;
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) v.push_back(bh_kernels_avx512());
  if (__builtin_cpu_supports("avx2")) v.push_back(bh_kernels_avx2());
#endif
  v.push_back(bh_kernels_sse2());
  return v;
}

}  // namespace slotsim::detail
