// Unrolled import: a model's tensors under PyTorch's or Keras' names, for a safetensors file
// (`unrolled export`), and a short snippet that loads them into the framework.
//
//   pytorch: embedding.weight (V, I); rnn.weight_ih_l{l} (G·H, I_l), rnn.weight_hh_l{l},
//            rnn.bias_ih_l{l} (= b; for the GRU b with b_n), rnn.bias_hh_l{l} (zeros; for the
//            GRU [0, 0, b_hn]); linear.weight (O, H), linear.bias (O)
//   keras:   embedding/embeddings (V, I); lstm/kernel (I, 4H) = W_xᵀ, lstm/recurrent_kernel,
//            lstm/bias (the next layers lstm_1/..., lstm_2/...; gru and simple_rnn likewise; the
//            GRU's blocks in Keras' order [z r h], a reset-after GRU's bias (2, 3H) with b_hn in
//            row 1); dense/kernel (H, O) = W_yᵀ, dense/bias (O)
#pragma once

#include <string>

#include "core/model_io.hpp"
#include "import/tensor.hpp"

namespace unrolled::import {

enum class ExportNames { PyTorch, Keras };

// false with a message when the framework cannot compute the model: PyTorch has no reset-before
// GRU and no hard-sigmoid gates.
bool export_tensors(const Model& m, ExportNames names, TensorList& out, std::string* error);

// Python that loads `file` into nn.LSTM / keras.layers.LSTM (or RNN, GRU) and the readout.
std::string load_snippet(const Model& m, ExportNames names, const std::string& file);

}  // namespace unrolled::import
