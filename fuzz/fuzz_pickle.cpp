// libFuzzer: the restricted pickle reader alone (the zip around it in fuzz_torch checks CRCs,
// which stops most mutations before the pickle is reached).
#include <cstddef>
#include <cstdint>
#include <string>

#include "import/pickle.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  std::vector<unrolled::import::PickledTensor> out;
  std::string error;
  if (!unrolled::import::read_state_dict_pickle(bytes, "fuzz.pkl", out, &error) && error.empty())
    __builtin_trap();
  return 0;
}
