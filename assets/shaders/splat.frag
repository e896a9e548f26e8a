#version 330 core
// The density image is already tone-mapped on the CPU; this only copies it.
in vec2 v_uv;
uniform sampler2D u_image;
out vec4 frag;
void main() { frag = texture(u_image, v_uv); }
