// libFuzzer: the model reader (model_from_json on parsed bytes, as load_model runs it), then one
// forward and backward pass of an accepted model on a small batch, as `unrolled grad` would.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/model_io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace unrolled;
  const std::string text(reinterpret_cast<const char*>(data), size);
  Json j;
  Network net;
  std::string error;
  if (!parse_json_text(text, "fuzz.json", j, &error)) return 0;
  if (!model_from_json(j, net, &error)) {
    if (error.empty()) __builtin_trap();
    return 0;
  }
  const NetworkSpec& s = net.spec();
  Batch b;  // T = 3, B = 2
  for (int t = 0; t < 3; ++t) b.inputs.push_back(Mat::Constant(s.input_size, 2, 0.5));
  const int n_out = s.readout == Readout::Every ? 3 : 1;
  for (int t = 0; t < n_out; ++t) b.targets.push_back(Mat::Constant(s.output_size, 2, 0.25));
  if (!net.validate(b).empty() || !check_grad_memory(s, 3, 2).empty()) return 0;
  Trace trace;
  net.forward(trace, b);
  Params grads;
  GradTrace gt;
  net.backward(grads, gt, trace, b);
  return 0;
}
