// Files embedded into the binary at build time (lessons and texts in samples/, shaders and the UI
// font in shaders/), so the app runs from any directory. See embed.cmake and unrolled_embed() in
// the top-level CMakeLists.txt. The bottom of the house: it includes only the standard library.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace unrolled {

struct EmbeddedFile {
  const char* name;           // base name, e.g. "heatmap.frag"
  const unsigned char* data;  // bytes, followed by a NUL not counted in size
  std::size_t size;
  std::string_view text() const { return {reinterpret_cast<const char*>(data), size}; }
};

// Finds name in files; nullptr when absent.
inline const EmbeddedFile* find_embedded(std::span<const EmbeddedFile> files,
                                         std::string_view name) {
  for (const auto& f : files)
    if (name == f.name) return &f;
  return nullptr;
}

}  // namespace unrolled
