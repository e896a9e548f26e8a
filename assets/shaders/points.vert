#version 330 core
// One point per particle into a float accumulation buffer: red counts
// particles, green sums their speed on the colour ramp (0..1). The tone-map
// pass (points_tone.frag) turns that into log brightness and mean colour.
layout(location = 0) in vec3 a_pos;
layout(location = 1) in float a_scalar;
uniform mat4 u_view_proj;
uniform float u_inv_scalar_ref;
uniform float u_point_size;
out float v_t;

void main() {
  gl_Position = u_view_proj * vec4(a_pos, 1.0);
  gl_PointSize = u_point_size;
  v_t = clamp(a_scalar * u_inv_scalar_ref, 0.0, 1.0);
}
