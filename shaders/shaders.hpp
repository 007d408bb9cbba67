// The GLSL sources and the UI fonts, embedded at build time (shaders/CMakeLists.txt).
#pragma once

#include <span>

#include "embed/embedded.hpp"

namespace unrolled {

// heatmap.vert/.frag, ui.vert/.frag, DejaVuSans.ttf, DejaVuSansMono.ttf.
std::span<const EmbeddedFile> embedded_shaders();

}  // namespace unrolled
