#version 330 core
// One point per particle, coloured by speed. The ramp mirrors speed_ramp()
// in render/palette.hpp (the splat path colours on the CPU with that one).
layout(location = 0) in vec3 a_pos;
layout(location = 1) in float a_scalar;
uniform mat4 u_view_proj;
uniform float u_inv_scalar_ref;
uniform float u_intensity;
uniform float u_point_size;
out vec3 v_color;

vec3 speed_ramp(float t) {
  t = clamp(t, 0.0, 1.0);
  const vec3 slow = vec3(0.25, 0.45, 1.0);
  const vec3 mid = vec3(1.0, 0.92, 0.8);
  const vec3 fast = vec3(1.0, 0.45, 0.12);
  return t < 0.5 ? mix(slow, mid, 2.0 * t) : mix(mid, fast, 2.0 * t - 1.0);
}

void main() {
  gl_Position = u_view_proj * vec4(a_pos, 1.0);
  gl_PointSize = u_point_size;
  v_color = speed_ramp(a_scalar * u_inv_scalar_ref) * u_intensity;
}
