// Unrolled core: the bound on the app's undo and redo stacks, which hold whole sessions as bytes
// (app/gui/sessions.cpp). app_memory_bytes (core/experiment.hpp) counts all of it, as it counts
// the checkpoints' budget (core/checkpoints.hpp).
#pragma once

#include <cstddef>

namespace unrolled {

constexpr size_t kUndoBytes = 128u << 20;  // undo and redo together

}  // namespace unrolled
