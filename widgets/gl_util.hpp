// Small OpenGL 3.3 helpers shared by the GPU widgets and the app's UI renderer: a shader program
// built from two embedded GLSL files (shaders/), and a 2D texture with chosen filtering.
// Need a current OpenGL 3.3 core context.
#pragma once

namespace unrolled::widgets {

// Compiles and links shaders/<vertex_name> and shaders/<fragment_name> from the embedded files.
// Returns the program name, or 0 after one message on stderr naming the file and the GL log.
unsigned build_program(const char* vertex_name, const char* fragment_name);

// A new 2D texture, bound to the active unit, clamped at the edges, with min and mag filter
// `filter` (GL_NEAREST or GL_LINEAR).
unsigned make_texture(int filter);

}  // namespace unrolled::widgets
