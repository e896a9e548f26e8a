// AVX-512F variant of the Barnes-Hut kernels. The target pragma comes after
// every standard header, so only this file's own code is built for AVX-512F;
// its FMA forms stay unused under -ffp-contract=off.
#include <cstddef>

#include "sim/solvers/bh/bh_kernels.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
// clang ignores GCC's target pragma (the libFuzzer build, .ci/fuzz, uses
// clang): its own attribute pragma does the same for every function here.
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f")
#endif

namespace slotsim::detail {
namespace {

typedef float VF __attribute__((vector_size(64)));
typedef double VD __attribute__((vector_size(64)));
typedef float VH __attribute__((vector_size(32)));
constexpr std::size_t kPassF = 2, kPassD = 2;

// The masked forms: GCC 12 flags the unmasked ones' internal "undefined"
// source operand as maybe-uninitialised.
inline VF vsqrt(VF a) {
  return reinterpret_cast<VF>(_mm512_maskz_sqrt_ps(0xffff, reinterpret_cast<__m512>(a)));
}

inline VH vsqrt(VH a) { return reinterpret_cast<VH>(_mm256_sqrt_ps(reinterpret_cast<__m256>(a))); }

}  // namespace

#include "sim/solvers/bh/bh_kernel_body.inl"

BhKernels bh_kernels_avx512() { return {"avx512f", far_body, near_body, far_phi_body, near_phi_body}; }

}  // namespace slotsim::detail

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif
