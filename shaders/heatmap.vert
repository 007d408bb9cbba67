#version 330 core
// Heatmap pass, vertex stage: one triangle that covers the whole target, so every output texel
// (one per heatmap cell) runs the fragment stage once.
//
// Attributes: none. Positions come from gl_VertexID (0, 1, 2); draw with glDrawArrays(GL_TRIANGLES,
//             0, 3) and any VAO bound (core profile needs one).
// Uniforms:   none.
// Outputs:    v_uv  texture coordinate in [0, 1]^2 over the target; (0, 0) is texel (0, 0), which
//                   holds row 0, column 0 of the matrix.

out vec2 v_uv;

void main() {
  vec2 p = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));  // (0,0) (2,0) (0,2)
  v_uv = p;
  gl_Position = vec4(p * 2.0 - 1.0, 0.0, 1.0);
}
