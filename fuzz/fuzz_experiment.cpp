// libFuzzer: the experiment reader (parse_experiment_text, what load_experiment runs on a file's
// bytes) with its validation, the task's construction included.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/experiment.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > unrolled::kMaxExperimentFileBytes) return 0;  // refused before reading
  const std::string text(reinterpret_cast<const char*>(data), size);
  unrolled::ExperimentConfig c;
  std::string error;
  if (!unrolled::parse_experiment_text(text, "fuzz.json", c, &error) && error.empty())
    __builtin_trap();
  return 0;
}
