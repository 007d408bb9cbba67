// Unrolled core: the shared vocabulary of the engine.
//
// Legend: B batch, T steps, I input, H hidden, O output, G gate blocks (vanilla 1, LSTM 4, GRU 3),
//         L layers. Activations are stored feature-major: one column per sequence in the batch.
//
// Precision: the compute path (cells, Network, Trace, GradTrace, BPTT) is templated on the scalar
// S, float or double, with explicit instantiations for both; the plain names (Mat, Params, Batch,
// Network, Trace, ...) are the double versions. The trainer keeps its master weights, optimiser
// state and everything the UI reads in double and may run forward/BPTT in float
// (training.precision, core/trainer.hpp).
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

template <class S>
using MatT = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;  // column-major
template <class S>
using VecT = Eigen::Matrix<S, Eigen::Dynamic, 1>;
using Mat = MatT<double>;
using Vec = VecT<double>;

enum class CellType { Rnn, Lstm, Gru };
enum class Activation { Tanh, Relu, Sigmoid, Identity };
enum class GruVariant { ResetBefore, ResetAfter };
// The gates' squashing function (LSTM i f o, GRU r z): the logistic sigmoid, or Keras'
// hard_sigmoid, which Keras 2 defines as clip(0.2a + 0.5, 0, 1) and Keras 3 as relu6(a + 3) / 6.
enum class GateActivation { Sigmoid, HardSigmoidKeras2, HardSigmoidKeras3 };
enum class Readout { Every, Last };
enum class LossKind { Mse, CrossEntropy };
// The scalar the engine computes in (training.precision). Master weights are always double.
enum class Precision { Float32, Float64 };

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
std::string_view to_string(Precision v);
std::string_view to_string(GateActivation v);
bool parse(std::string_view s, CellType& out);
bool parse(std::string_view s, Activation& out);
bool parse(std::string_view s, GruVariant& out);
bool parse(std::string_view s, Readout& out);
bool parse(std::string_view s, LossKind& out);
bool parse(std::string_view s, Precision& out);
bool parse(std::string_view s, GateActivation& out);
// "rnn|lstm|gru" and the like, for error messages.
std::string allowed_names(CellType);
std::string allowed_names(Activation);
std::string allowed_names(GruVariant);
std::string allowed_names(Readout);
std::string allowed_names(LossKind);
std::string allowed_names(Precision);
std::string allowed_names(GateActivation);

// Gate names of a cell type, in block order: {"a"} | {"i","f","g","o"} | {"r","z","n"}.
std::vector<std::string> gate_names(CellType c);

// The shape of a network. Layer 0 reads the input; layer l > 0 reads layer l-1's h.
struct NetworkSpec {
  CellType cell = CellType::Lstm;
  Activation activation = Activation::Tanh;  // vanilla cell only
  GruVariant gru_variant = GruVariant::ResetBefore;
  GateActivation gate_activation = GateActivation::Sigmoid;  // LSTM and GRU gates (not g, n)
  int input_size = 1;                                        // I
  int hidden_size = 16;                                      // H
  int output_size = 1;                                       // O
  int num_layers = 1;                                        // L, 1..4
  Readout readout = Readout::Every;
  LossKind loss = LossKind::Mse;

  int layer_input_size(int layer) const { return layer == 0 ? input_size : hidden_size; }
  int gates() const { return gate_blocks(cell); }
};

// A view of one parameter tensor as a flat array, for "for each tensor" loops (optimisers,
// clipping, norms, gradient checks). Column-major storage, rows x cols scalars at data.
template <class S>
struct TensorRefT {
  std::string name;  // "layers.0.W_x", "output.W", ...
  S* data;
  Eigen::Index rows, cols;
  Eigen::Index size() const { return rows * cols; }
  Eigen::Map<Eigen::Array<S, Eigen::Dynamic, 1>> array() const { return {data, size()}; }
};

template <class S>
struct LayerParamsT {
  MatT<S> W_x;   // (G*H, I_l)
  MatT<S> W_h;   // (G*H, H)
  VecT<S> b;     // (G*H)
  VecT<S> b_hn;  // (H) reset-after GRU only; size 0 otherwise
};

// Parameters, gradients and optimiser state are all this one type, so every per-tensor loop is
// written once (llm.c's habit).
template <class S>
struct ParamsT {
  std::vector<LayerParamsT<S>> layers;  // L
  MatT<S> W_y;                          // (O, H) readout
  VecT<S> b_y;                          // (O)

  // A zero-filled ParamsT of the same shapes as `like`.
  static ParamsT zeros_like(const ParamsT& like);
  // Every tensor in a fixed order; sizes-0 tensors (b_hn off the reset-after GRU) are skipped.
  std::vector<TensorRefT<S>> tensors();
  std::vector<TensorRefT<S>> tensors() const;  // same, data must not be written through
  Eigen::Index num_values() const;
  void set_zero();
  double squared_norm() const;  // accumulated in double
  bool all_finite() const;
};

using TensorRef = TensorRefT<double>;
using LayerParams = LayerParamsT<double>;
using Params = ParamsT<double>;

// Zero-filled parameters of the right shapes for spec.
Params make_params(const NetworkSpec& spec);

// out = in converted to To, tensor by tensor; out is resized only when its shapes differ, so a
// trainer can cast its master weights into the same float buffers every iteration.
template <class To, class From>
void cast_params(ParamsT<To>& out, const ParamsT<From>& in);

// One mini-batch of B sequences. Inputs and targets are one matrix per time step.
template <class S>
struct BatchT {
  std::vector<MatT<S>> inputs;   // T x (I, B)
  std::vector<MatT<S>> targets;  // T x (O, B) for Readout::Every; 1 x (O, B) for Readout::Last.
                                 // Cross-entropy targets are one-hot (or any distribution) columns.
  MatT<S> mask;                  // (T, B) weight of each step's loss (Every); (1, B) for Last.
                                 // Empty means all ones.
  int steps() const { return static_cast<int>(inputs.size()); }
  int batch_size() const { return inputs.empty() ? 0 : static_cast<int>(inputs[0].cols()); }
};
using Batch = BatchT<double>;

// out = in converted to To (reusing out's buffers).
template <class To, class From>
void cast_batch(BatchT<To>& out, const BatchT<From>& in);

// Each matrix of `in` converted into the matching one of `out` (resized to match).
template <class To, class From>
void cast_mats(std::vector<MatT<To>>& out, const std::vector<MatT<From>>& in) {
  out.resize(in.size());
  for (size_t k = 0; k < in.size(); ++k) out[k] = in[k].template cast<To>();
}

}  // namespace unrolled
