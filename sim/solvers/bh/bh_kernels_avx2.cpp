// AVX2 variant of the Barnes-Hut kernels. The target pragma comes after every
// standard header, so only this file's own code is built for AVX2; "fma" is
// deliberately not enabled.
#include <cstddef>

#include "sim/solvers/bh/bh_kernels.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
// clang ignores GCC's target pragma (the libFuzzer build, .ci/fuzz, uses
// clang): its own attribute pragma does the same for every function here.
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2")
#endif

namespace slotsim::detail {
namespace {

typedef float VF __attribute__((vector_size(32)));
typedef double VD __attribute__((vector_size(32)));
typedef float VH __attribute__((vector_size(16)));
constexpr std::size_t kPassF = 2, kPassD = 2;

inline VF vsqrt(VF a) { return reinterpret_cast<VF>(_mm256_sqrt_ps(reinterpret_cast<__m256>(a))); }

inline VH vsqrt(VH a) { return reinterpret_cast<VH>(_mm_sqrt_ps(reinterpret_cast<__m128>(a))); }

}  // namespace

#include "sim/solvers/bh/bh_kernel_body.inl"

BhKernels bh_kernels_avx2() { return {"avx2", far_body, near_body, far_phi_body, near_phi_body}; }

}  // namespace slotsim::detail

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif
