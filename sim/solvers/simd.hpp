#pragma once
// Two-lane double vectors for the solver kernels. GCC will not vectorise a
// loop containing std::sqrt unless -fno-math-errno is given (sqrt may set
// errno), so the kernels spell the lanes out instead of relying on the
// auto-vectoriser. Every operation here is an IEEE-exact lane-wise operation,
// so the SSE2 path and the scalar fallback produce identical bits.
#include <cmath>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace slotsim::detail {

typedef double v2d __attribute__((vector_size(16)));

inline v2d splat(double s) { return v2d{s, s}; }

inline v2d vsqrt(v2d a) {
#if defined(__SSE2__)
  return reinterpret_cast<v2d>(_mm_sqrt_pd(reinterpret_cast<__m128d>(a)));
#else
  return v2d{std::sqrt(a[0]), std::sqrt(a[1])};
#endif
}

// Lane-wise c ? a : b for a comparison result c.
inline v2d select(decltype(v2d{} < v2d{}) c, v2d a, v2d b) { return c ? a : b; }

inline v2d vmax(v2d a, v2d b) { return select(a > b, a, b); }

}  // namespace slotsim::detail
