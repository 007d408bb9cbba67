// Unrolled core: model files and batch files (JSON), the documented way to exchange numbers with
// other frameworks. Format: docs/model-format.md.
//
// Legend: B batch, T steps, I input, H hidden, O output, G gate blocks.
// Matrices are row-major nested arrays in the orientation of DESIGN.md:
//   layers[l].W_x (G*H, I_l), layers[l].W_h (G*H, H), layers[l].b (G*H), [b_hn (H)],
//   output.W (O, H), output.b (O).
#pragma once

#include <string>

#include "core/json_io.hpp"
#include "core/network.hpp"

namespace unrolled {

// Limits on what a model file may declare, so no accepted file can exhaust memory.
constexpr int kMaxModelInput = 4096;
constexpr int kMaxModelHidden = 1024;
constexpr int kMaxModelOutput = 4096;
constexpr int kMaxLayers = 4;
constexpr size_t kMaxModelFileBytes = size_t{256} << 20;
constexpr size_t kMaxBatchFileBytes = size_t{64} << 20;

Json matrix_to_json(const Mat& m);  // [[row 0], [row 1], ...]
Json vector_to_json(const Vec& v);  // [v0, v1, ...]
// Parameters (or gradients) in the model file's structure: {"layers": [...], "output": {...}}.
Json params_to_json(const Params& p);

Json model_to_json(const Network& net);
// Checks every field and every tensor's shape; the error names the field or tensor, the shape
// expected and the shape found.
bool model_from_json(const Json& j, Network& out, std::string* error);

bool save_model(const std::string& path, const Network& net, std::string* error);
bool load_model(const std::string& path, Network& out, std::string* error);

// {"inputs": [B][T][I], "targets": [B][T][O] (readout every) or [B][O] (last),
//  "mask": [B][T] or [B] (optional)}
bool batch_from_json(const Json& j, const NetworkSpec& spec, Batch& out, std::string* error);
Json batch_to_json(const Batch& b, Readout readout);

}  // namespace unrolled
