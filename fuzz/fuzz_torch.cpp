// libFuzzer: a PyTorch state_dict file (a zip read with libzip, its data.pkl by the restricted
// pickle reader, its storages), then the state_dict mapping, as `unrolled import FILE.pt` runs.
#include <cstddef>
#include <cstdint>
#include <string>

#include "import/importer.hpp"
#include "import/torch_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace unrolled;
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  import::TensorList tensors;
  std::string error;
  if (!import::read_torch_file(bytes, "fuzz.pt", tensors, &error)) {
    if (error.empty()) __builtin_trap();
    return 0;
  }
  import::ImportOptions opt;
  opt.readout = Readout::Last;
  opt.activation = Activation::Relu;
  import::ImportResult r;
  if (!import::model_from_state_dict(tensors, opt, "fuzz", r, &error) && error.empty())
    __builtin_trap();
  return 0;
}
