// Unrolled core: model files and batch files (JSON), the documented way to exchange numbers with
// other frameworks. Format: docs/model-format.md. Version 2 (issue 15) adds what imported models
// need: an input embedding (tokens -> input rows), the gates' activation (Keras' hard sigmoids)
// and the readout's activation; version 1 files are still read.
//
// Legend: B batch, T steps, I input, H hidden, O output, G gate blocks.
// Matrices are row-major nested arrays in the orientation of DESIGN.md:
//   layers[l].W_x (G*H, I_l), layers[l].W_h (G*H, H), layers[l].b (G*H), [b_hn (H)],
//   output.W (O, H), output.b (O), [embedding.W (V, I)].
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/json_io.hpp"
#include "core/network.hpp"
#include "core/tasks.hpp"

namespace unrolled {

// Limits on what a model file may declare, so no accepted file can exhaust memory.
constexpr int kMaxModelInput = 4096;
constexpr int kMaxModelHidden = 1024;
constexpr int kMaxModelOutput = 4096;
constexpr int kMaxLayers = 4;
constexpr size_t kMaxModelFileBytes = size_t{256} << 20;
constexpr size_t kMaxBatchFileBytes = size_t{64} << 20;
// A batch file: inputs and targets are finite and within ±kMaxBatchMagnitude, mask weights in
// [0, kMaxMaskWeight], so no accepted batch can overflow the loss; together inputs, targets and
// mask hold at most kMaxBatchValues (tasks.hpp) numbers.
constexpr double kMaxBatchMagnitude = 1e6;
constexpr double kMaxMaskWeight = 1e6;
// `unrolled grad` keeps every step of one batch for BPTT: at most this many bytes by the estimate
// grad_memory_bytes (the experiment files' trace estimate plus the batch, the model and the
// overheads around them).
constexpr double kMaxGradBytes = 1024.0 * 1024 * 1024;
// An input embedding: at most kMaxVocab tokens and kMaxEmbeddingValues numbers (V·I).
constexpr int kMaxVocab = 1 << 20;
constexpr int64_t kMaxEmbeddingValues = int64_t{1} << 24;
constexpr int kModelVersion = 2;  // written; 1 and 2 are read

// What the readout's output y = W h + b goes through before it is reported (`unrolled predict`).
// The engine's loss still sees y itself: MSE on y, cross-entropy on softmax(y).
enum class ReadoutActivation { None, Sigmoid, Softmax };
std::string_view to_string(ReadoutActivation v);
bool parse(std::string_view s, ReadoutActivation& out);
std::string allowed_names(ReadoutActivation);

// A model file: the network, and what sits around the engine.
struct Model {
  Network net;
  Mat embedding;  // (V, I): row v is token v's input vector x_t; empty: the inputs are numbers
  ReadoutActivation readout_activation = ReadoutActivation::None;
  bool has_embedding() const { return embedding.size() > 0; }
  int vocab_size() const { return static_cast<int>(embedding.rows()); }
};

Json matrix_to_json(const Mat& m);  // [[row 0], [row 1], ...]
Json vector_to_json(const Vec& v);  // [v0, v1, ...]
// Parameters (or gradients) in the model file's structure: {"layers": [...], "output": {...}}.
Json params_to_json(const Params& p);

// Version kModelVersion.
Json model_to_json(const Model& m);
Json model_to_json(const Network& net);
// Checks every field and every tensor's shape; the error names the field or tensor, the shape
// expected and the shape found. Reads versions 1 and 2.
bool model_from_json(const Json& j, Model& out, std::string* error);
// The network alone: refuses a model with an embedding (it reads tokens, not numbers).
bool model_from_json(const Json& j, Network& out, std::string* error);

bool save_model(const std::string& path, const Model& m, std::string* error);
bool save_model(const std::string& path, const Network& net, std::string* error);
bool load_model(const std::string& path, Model& out, std::string* error);
bool load_model(const std::string& path, Network& out, std::string* error);

// {"inputs": [B][T][I], "targets": [B][T][O] (readout every) or [B][O] (last),
//  "mask": [B][T] or [B] (optional)}. Checks every sequence's shape and the total size before
// sizing anything, then the values' ranges.
bool batch_from_json(const Json& j, const NetworkSpec& spec, Batch& out, std::string* error);
Json batch_to_json(const Batch& b, Readout readout);
// The inputs of a batch file for a forward pass alone (`unrolled predict`): "inputs" [B][T][I]
// for a model with numeric inputs, or "tokens" [B][T] (integer ids in [0, V)) for a model with
// an embedding, looked up into its rows. "targets" and "mask" may be present and are not read.
// out gets inputs only (no targets, no mask). Checks shapes and the total before sizing anything.
bool inputs_from_json(const Json& j, const Model& m, Batch& out, std::string* error);

// Estimated peak bytes of `grad` on one batch of `batch` sequences of `steps` steps, an upper
// bound checked against measured peak RSS (docs/model-format.md gives the formula): the trace
// kept for BPTT, 8 bytes x ((3G + 6)·H·B·T·L + 2·O·B·n), n = T (readout every) or 1 (last), and
// the batch, 8 x (I·T + (O + 1)·n)·B, plus the matrices' allocations, the batch file's text and
// JSON document, the model and its gradients (160 bytes a parameter) and a fixed 16 MiB.
double grad_memory_bytes(const NetworkSpec& s, int64_t steps, int64_t batch);
// "" if grad_memory_bytes fits kMaxGradBytes, else a message naming the sizes and the limit.
std::string check_grad_memory(const NetworkSpec& s, int64_t steps, int64_t batch);

}  // namespace unrolled
