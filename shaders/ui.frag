#version 330 core
// UI pass, fragment stage: the vertex colour times the texture (the font atlas holds glyph
// coverage in alpha and an opaque white texel under every solid shape).
//
// Inputs:   v_uv, v_color (ui.vert)
// Uniforms: u_texture  the draw command's texture
// Output:   o_color    blended over the target with (src alpha, 1 - src alpha)

in vec2 v_uv;
in vec4 v_color;

uniform sampler2D u_texture;

out vec4 o_color;

void main() {
  o_color = v_color * texture(u_texture, v_uv);
}
