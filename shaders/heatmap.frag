#version 330 core
// Heatmap pass, fragment stage: value -> colour through a colour-map lookup table.
//
// Uniforms:
//   u_values     sampler2D, unit 0: R32F, width = cols, height = rows; texel (c, r) holds the value
//                at row r, column c. NEAREST filtering, so each cell keeps one value.
//   u_lut        sampler2D, unit 1: RGBA8, 256 x 1, the colour map from t = 0 (texel 0) to t = 1
//                (texel 255). LINEAR filtering, sampled at texel centres.
//   u_vmin       float: value shown with the first LUT colour (data units, even when u_log is set).
//   u_vmax       float: value shown with the last LUT colour.
//   u_log        int: 0 linear; 1 position measured in log10 (values <= 0 get the first colour).
//   u_nan_color  vec4: colour of NaN cells ("no value"), RGBA in [0, 1].
// Inputs:  v_uv  from heatmap.vert.
// Output:  frag_color, RGBA in [0, 1].

uniform sampler2D u_values;
uniform sampler2D u_lut;
uniform float u_vmin;
uniform float u_vmax;
uniform int u_log;
uniform vec4 u_nan_color;

in vec2 v_uv;
out vec4 frag_color;

void main() {
  float v = texture(u_values, v_uv).r;
  if (isnan(v) || v != v) {
    frag_color = u_nan_color;
    return;
  }
  float lo = u_vmin;
  float hi = u_vmax;
  float t = 0.5;
  if (u_log != 0) {
    if (v <= 0.0 || lo <= 0.0 || hi <= 0.0) {
      t = (v <= 0.0) ? 0.0 : 0.5;
    } else if (hi != lo) {
      t = (log2(v) - log2(lo)) / (log2(hi) - log2(lo));
    }
  } else if (hi != lo) {
    t = (v - lo) / (hi - lo);
  }
  t = clamp(t, 0.0, 1.0);
  frag_color = texture(u_lut, vec2((t * 255.0 + 0.5) / 256.0, 0.5));
}
