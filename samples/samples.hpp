// The lessons (samples/*.json) and texts (samples/*.txt), embedded at build time. The engine reads
// its default lesson, the presets and the sonnets from here, so it runs from any directory.
#pragma once

#include <span>

#include "embed/embedded.hpp"

namespace unrolled {

// Every file of samples/, sorted by name.
std::span<const EmbeddedFile> embedded_samples();

}  // namespace unrolled
