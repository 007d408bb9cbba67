// Unrolled core: the shared vocabulary of the engine.
//
// Legend: B batch, T steps, I input, H hidden, O output, G gate blocks (vanilla 1, LSTM 4, GRU 3),
//         L layers. Activations are stored feature-major: one column per sequence in the batch.
//
// Weight layout for a cell with G gate blocks (DESIGN.md):
//   W_x (G*H, I), W_h (G*H, H), b (G*H), blocks stacked LSTM [i f g o], GRU [r z n].
//   The reset-after GRU (PyTorch/cuDNN) has one more bias, b_hn (H), which sits inside r ⊙ (...).
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace unrolled {

using Mat = Eigen::MatrixXd;  // column-major
using Vec = Eigen::VectorXd;

enum class CellType { Rnn, Lstm, Gru };
enum class Activation { Tanh, Relu, Sigmoid, Identity };
enum class GruVariant { ResetBefore, ResetAfter };
enum class Readout { Every, Last };
enum class LossKind { Mse, CrossEntropy };

// Number of gate blocks stacked in W_x, W_h and b.
constexpr int gate_blocks(CellType c) {
  return c == CellType::Lstm ? 4 : c == CellType::Gru ? 3 : 1;
}

// Names used in files, on the command line and in the UI. to_string/parse round-trip; parse
// returns false for an unknown name (the caller reports what is allowed).
std::string_view to_string(CellType v);
std::string_view to_string(Activation v);
std::string_view to_string(GruVariant v);
std::string_view to_string(Readout v);
std::string_view to_string(LossKind v);
bool parse(std::string_view s, CellType& out);
bool parse(std::string_view s, Activation& out);
bool parse(std::string_view s, GruVariant& out);
bool parse(std::string_view s, Readout& out);
bool parse(std::string_view s, LossKind& out);
// "rnn|lstm|gru" and the like, for error messages.
std::string allowed_names(CellType);
std::string allowed_names(Activation);
std::string allowed_names(GruVariant);
std::string allowed_names(Readout);
std::string allowed_names(LossKind);

// Gate names of a cell type, in block order: {"a"} | {"i","f","g","o"} | {"r","z","n"}.
std::vector<std::string> gate_names(CellType c);

// The shape of a network. Layer 0 reads the input; layer l > 0 reads layer l-1's h.
struct NetworkSpec {
  CellType cell = CellType::Lstm;
  Activation activation = Activation::Tanh;  // vanilla cell only
  GruVariant gru_variant = GruVariant::ResetBefore;
  int input_size = 1;    // I
  int hidden_size = 16;  // H
  int output_size = 1;   // O
  int num_layers = 1;    // L, 1..4
  Readout readout = Readout::Every;
  LossKind loss = LossKind::Mse;

  int layer_input_size(int layer) const { return layer == 0 ? input_size : hidden_size; }
  int gates() const { return gate_blocks(cell); }
};

// A view of one parameter tensor as a flat array, for "for each tensor" loops (optimisers,
// clipping, norms, gradient checks). Column-major storage, rows x cols doubles at data.
struct TensorRef {
  std::string name;  // "layers.0.W_x", "output.W", ...
  double* data;
  Eigen::Index rows, cols;
  Eigen::Index size() const { return rows * cols; }
  Eigen::Map<Eigen::ArrayXd> array() const { return {data, size()}; }
};

struct LayerParams {
  Mat W_x;   // (G*H, I_l)
  Mat W_h;   // (G*H, H)
  Vec b;     // (G*H)
  Vec b_hn;  // (H) reset-after GRU only; size 0 otherwise
};

// Parameters, gradients and optimiser state are all this one type, so every per-tensor loop is
// written once (llm.c's habit).
struct Params {
  std::vector<LayerParams> layers;  // L
  Mat W_y;                          // (O, H) readout
  Vec b_y;                          // (O)

  // A zero-filled Params of the same shapes as `like`.
  static Params zeros_like(const Params& like);
  // Every tensor in a fixed order; sizes-0 tensors (b_hn off the reset-after GRU) are skipped.
  std::vector<TensorRef> tensors();
  std::vector<TensorRef> tensors() const;  // same, data must not be written through
  Eigen::Index num_values() const;
  void set_zero();
  double squared_norm() const;
  bool all_finite() const;
};

// Zero-filled parameters of the right shapes for spec.
Params make_params(const NetworkSpec& spec);

// One mini-batch of B sequences. Inputs and targets are one matrix per time step.
struct Batch {
  std::vector<Mat> inputs;   // T x (I, B)
  std::vector<Mat> targets;  // T x (O, B) for Readout::Every; 1 x (O, B) for Readout::Last.
                             // Cross-entropy targets are one-hot (or any distribution) columns.
  Mat mask;                  // (T, B) weight of each step's loss (Every); (1, B) for Last.
                             // Empty means all ones.
  int steps() const { return static_cast<int>(inputs.size()); }
  int batch_size() const { return inputs.empty() ? 0 : static_cast<int>(inputs[0].cols()); }
};

}  // namespace unrolled
