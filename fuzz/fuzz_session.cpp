// libFuzzer: the session reader (read_session on the bytes, as load_session runs it), then one
// trainer restored from each accepted model state and run for one iteration, as
// `unrolled train --resume` would.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/session_file.hpp"
#include "core/trainer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace unrolled;
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  Session s;
  std::string error;
  if (!session_from_bytes(bytes, "fuzz.unrolled", s, &error)) {
    if (error.empty()) __builtin_trap();
    return 0;
  }
  for (const TrainerState& st : s.models) {
    Trainer t;
    if (!t.configure(s.config, st.model_index, &error) || !t.restore(st, &error))
      __builtin_trap();  // load_session promised both
    if (iteration_seconds(t.model(), t.task().info(), t.config().training) < 0.01)
      t.run_iteration();
  }
  return 0;
}
