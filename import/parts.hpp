// Unrolled import, internal: an imported model's pieces in Unrolled's orientation (DESIGN.md:
// W_x (G·H, I), W_h (G·H, H), blocks LSTM [i f g o], GRU [r z n]), before they are checked and
// made into a Model. Shared by the PyTorch and Keras mappings.
#pragma once

#include <string>
#include <vector>

#include "import/importer.hpp"

namespace unrolled::import {

struct Parts {
  CellType cell = CellType::Lstm;
  Activation activation = Activation::Tanh;          // rnn
  GruVariant gru_variant = GruVariant::ResetBefore;  // gru
  GateActivation gate = GateActivation::Sigmoid;     // lstm, gru
  Readout readout = Readout::Every;
  ReadoutActivation readout_activation = ReadoutActivation::None;
  std::vector<LayerParams> layers;  // L: W_x (G*H, I_l), W_h (G*H, H), b (G*H), b_hn (H)
  Mat W_y;                          // (O, H)
  Vec b_y;                          // (O)
  Mat embedding;                    // (V, I), or empty
};

// Checks the sizes against the model file's limits and every shape against the others, then
// makes the Model (through the model file's own reader, so an imported model passes exactly
// the checks a model file does). The loss is cross_entropy for a softmax readout, else mse.
bool finish_model(const Parts& parts, const std::string& file, ImportResult& out,
                  std::string* error);

// Keras' GRU blocks [z r h] in Unrolled's order [r z n] (rows of a (3H, ...) matrix or vector).
Mat gru_blocks_from_keras(const Mat& m);
Vec gru_blocks_from_keras(const Vec& v);

}  // namespace unrolled::import
