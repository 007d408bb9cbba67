// Unrolled import: Keras and PyTorch models (and safetensors files) read into a model file
// (core/model_io.hpp, format version 2). The room of its own, above core: it links libzip and
// libhdf5, which the engine must not depend on (core includes nothing above it).
//
// Supported: an optional embedding -> 1..4 stacked SimpleRNN / LSTM / GRU layers of one cell
// type and one width -> a dense readout (linear, sigmoid or softmax). Dropout is ignored (it does
// nothing at inference). Anything else is refused with one message naming the layer or tensor and
// what is supported. Mapping per framework: docs/model-format.md.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/model_io.hpp"
#include "import/tensor.hpp"

namespace unrolled::import {

// What a file may not say: a state_dict stores no architecture. Each flag, when given, must agree
// with what the file does say.
struct ImportOptions {
  std::optional<CellType> cell;
  std::optional<Activation> activation;  // rnn only: tanh | relu
  std::optional<Readout> readout;
  std::optional<ReadoutActivation> readout_activation;
  std::string keras_config;  // config.json for a Keras .weights.h5 ("" : look beside the file)
};

struct ImportResult {
  Model model;
  std::string format;              // "pytorch state_dict", "safetensors", "keras h5", ...
  std::vector<std::string> notes;  // what was assumed or ignored, one line each
};

// Reads path by its content and extension: .pt/.pth (zip with data.pkl), .safetensors,
// .keras (zip with config.json + model.weights.h5), .weights.h5 (+ a config), .h5 (a whole
// legacy Keras model with its model_config attribute).
bool import_model(const std::string& path, const ImportOptions& opt, ImportResult& out,
                  std::string* error);

// PyTorch names (nn.Embedding "X.weight", nn.RNN/LSTM/GRU "X.weight_ih_l{k}" ..., nn.Linear
// "X.weight", "X.bias"): the cell from the shapes, the layers from the names, the readout from the
// one 2-D weight whose columns equal H.
bool model_from_state_dict(const TensorList& tensors, const ImportOptions& opt,
                           const std::string& file, ImportResult& out, std::string* error);

// The model as a Keras 3 SavedModel-free layout would name it ("embedding/embeddings",
// "lstm/kernel", "lstm_1/recurrent_kernel", "dense/bias", ...): what `unrolled export --names
// keras` writes, read back.
bool model_from_keras_names(const TensorList& tensors, const ImportOptions& opt,
                            const std::string& file, ImportResult& out, std::string* error);

}  // namespace unrolled::import
