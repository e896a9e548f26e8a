#pragma once
// The colour scheme: background and the speed ramp. assets/shaders/points.vert
// carries the same ramp in GLSL; keep the two in step (the splat path colours
// on the CPU, the point path on the GPU).
#include <algorithm>
#include <array>
#include <cstdint>

namespace slotsim::render {

inline constexpr std::array<float, 3> kBackground = {0.015f, 0.015f, 0.03f};

// t in [0,1]: slow particles blue, typical ones near white, fast ones orange,
// so a collapsing core or a collision front stands out at a glance.
inline std::array<float, 3> speed_ramp(float t) {
  t = std::clamp(t, 0.0f, 1.0f);
  constexpr std::array<float, 3> slow = {0.25f, 0.45f, 1.0f};
  constexpr std::array<float, 3> mid = {1.0f, 0.92f, 0.8f};
  constexpr std::array<float, 3> fast = {1.0f, 0.45f, 0.12f};
  const auto& a = t < 0.5f ? slow : mid;
  const auto& b = t < 0.5f ? mid : fast;
  const float u = t < 0.5f ? 2 * t : 2 * t - 1;
  return {a[0] + (b[0] - a[0]) * u, a[1] + (b[1] - a[1]) * u, a[2] + (b[2] - a[2]) * u};
}

}  // namespace slotsim::render
