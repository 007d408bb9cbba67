#version 330 core
// UI pass, vertex stage: Dear ImGui's triangles (app/gui_renderer.cpp).
//
// Attributes: a_pos    (location 0) position in ImGui's display coordinates (pixels at scale 1)
//             a_uv     (location 1) texture coordinate in the bound texture (the font atlas, or a
//                      heatmap's colours)
//             a_color  (location 2) vertex colour, RGBA in [0, 1] (normalised from 8 bits)
// Uniforms:   u_proj   orthographic projection of the display rectangle onto clip space, y down
// Outputs:    v_uv, v_color

layout(location = 0) in vec2 a_pos;
layout(location = 1) in vec2 a_uv;
layout(location = 2) in vec4 a_color;

uniform mat4 u_proj;

out vec2 v_uv;
out vec4 v_color;

void main() {
  v_uv = a_uv;
  v_color = a_color;
  gl_Position = u_proj * vec4(a_pos, 0.0, 1.0);
}
