// libFuzzer: the safetensors reader, then the state_dict and Keras-name mappings of what it
// accepts, as `unrolled import FILE.safetensors` runs them.
#include <cstddef>
#include <cstdint>
#include <string>

#include "import/importer.hpp"
#include "import/safetensors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace unrolled;
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  import::TensorList tensors;
  std::string error;
  if (!import::read_safetensors(bytes, "fuzz.safetensors", tensors, &error)) {
    if (error.empty()) __builtin_trap();
    return 0;
  }
  import::ImportOptions opt;
  opt.readout = Readout::Every;
  opt.activation = Activation::Tanh;
  import::ImportResult r;
  if (!import::model_from_state_dict(tensors, opt, "fuzz", r, &error) && error.empty())
    __builtin_trap();
  error.clear();
  if (!import::model_from_keras_names(tensors, opt, "fuzz", r, &error) && error.empty())
    __builtin_trap();
  return 0;
}
