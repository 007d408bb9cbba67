// libFuzzer: the batch reader (batch_from_json) and what `unrolled grad` does with an accepted
// batch: the shape check, the trace limit, one forward and backward pass. The first byte picks
// the network (cell, readout, loss); the rest is the batch file.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/model_io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace unrolled;
  if (size < 1) return 0;
  NetworkSpec s;
  s.cell = static_cast<CellType>(data[0] % 3);
  s.readout = (data[0] & 4) ? Readout::Last : Readout::Every;
  s.loss = (data[0] & 8) ? LossKind::CrossEntropy : LossKind::Mse;
  s.input_size = 2;
  s.hidden_size = 3;
  s.output_size = 2;
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  Json j;
  Batch b;
  std::string error;
  if (!parse_json_text(text, "fuzz.json", j, &error)) return 0;
  if (!batch_from_json(j, s, b, &error)) {
    if (error.empty()) __builtin_trap();
    return 0;
  }
  Network net(s);
  // The fuzzer's time goes to the reader: run only batches far below the documented limit.
  if (!net.validate(b).empty() || grad_memory_bytes(s, b.steps(), b.batch_size()) > (1 << 20))
    return 0;
  Trace trace;
  net.forward(trace, b);
  Params grads;
  GradTrace gt;
  net.backward(grads, gt, trace, b);
  return 0;
}
