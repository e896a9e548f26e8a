#version 330 core
// Tone map of the point accumulation buffer, the same mapping the splat
// renderer does on the CPU (render/density_image.cpp): brightness
// log(1 + count) / log(1 + reference), hue from the mean speed. Additive
// points written straight to the screen saturated a dense disk to flat white.
// The ramp mirrors speed_ramp() in render/palette.hpp.
in vec2 v_uv;
uniform sampler2D u_accum;
uniform float u_inv_log_ref;
uniform vec3 u_background;
out vec4 frag;

vec3 speed_ramp(float t) {
  t = clamp(t, 0.0, 1.0);
  const vec3 slow = vec3(0.25, 0.45, 1.0);
  const vec3 mid = vec3(1.0, 0.92, 0.8);
  const vec3 fast = vec3(1.0, 0.45, 0.12);
  return t < 0.5 ? mix(slow, mid, 2.0 * t) : mix(mid, fast, 2.0 * t - 1.0);
}

void main() {
  vec2 a = texture(u_accum, v_uv).rg;
  if (a.r <= 0.0) {
    frag = vec4(u_background, 1.0);
    return;
  }
  float bright = min(log(1.0 + a.r) * u_inv_log_ref, 1.0);
  frag = vec4(u_background + speed_ramp(a.g / a.r) * bright, 1.0);
}
