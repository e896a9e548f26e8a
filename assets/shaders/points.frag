#version 330 core
in float v_t;
out vec4 frag;
void main() { frag = vec4(1.0, v_t, 0.0, 0.0); }
