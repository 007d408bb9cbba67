// The cases the gradient tests walk through, and their random weights and batches: every cell
// (vanilla with each activation, LSTM, both GRU variants) in 1 and 2 layers, both readouts and
// both losses. Shared by test_network_grad.cpp (central differences) and test_float_engine.cpp
// (float against double).
#pragma once

#include <string>
#include <vector>

#include "core/rng.hpp"
#include "core/types.hpp"

namespace unrolled::testing_support {

struct GradCase {
  CellType cell;
  GruVariant variant = GruVariant::ResetBefore;
  Activation act = Activation::Tanh;
  int layers = 1;
  Readout readout = Readout::Every;
  LossKind loss = LossKind::Mse;
  int k1 = 0, k2 = 0;  // truncation
  GateActivation gate = GateActivation::Sigmoid;
};

inline std::string case_name(const GradCase& c) {
  std::string s = std::string(to_string(c.cell));
  if (c.cell == CellType::Gru) s += "_" + std::string(to_string(c.variant));
  if (c.cell == CellType::Rnn) s += "_" + std::string(to_string(c.act));
  s += "_L" + std::to_string(c.layers) + "_" + std::string(to_string(c.readout)) + "_" +
       std::string(to_string(c.loss));
  if (c.gate != GateActivation::Sigmoid) s += "_" + std::string(to_string(c.gate));
  if (c.k1) s += "_tbptt" + std::to_string(c.k1) + "_" + std::to_string(c.k2);
  return s;
}

inline NetworkSpec spec_for(const GradCase& c, int input, int hidden, int output) {
  NetworkSpec s;
  s.cell = c.cell;
  s.gru_variant = c.variant;
  s.activation = c.act;
  s.input_size = input;
  s.hidden_size = hidden;
  s.output_size = output;
  s.num_layers = c.layers;
  s.readout = c.readout;
  s.loss = c.loss;
  s.gate_activation = c.gate;
  return s;
}

// One case per cell: vanilla with each activation, LSTM, GRU reset-before and reset-after.
inline std::vector<GradCase> cell_cases() {
  return {
      {CellType::Rnn, GruVariant::ResetBefore, Activation::Tanh},
      {CellType::Rnn, GruVariant::ResetBefore, Activation::Sigmoid},
      {CellType::Rnn, GruVariant::ResetBefore, Activation::Relu},
      {CellType::Rnn, GruVariant::ResetBefore, Activation::Identity},
      {CellType::Lstm},
      {CellType::Gru, GruVariant::ResetBefore},
      {CellType::Gru, GruVariant::ResetAfter},
  };
}

// Every cell in 1 and 2 layers, both readouts, both losses.
inline std::vector<GradCase> shape_cases() {
  std::vector<GradCase> cases;
  for (GradCase c : cell_cases())
    for (int layers : {1, 2})
      for (Readout r : {Readout::Every, Readout::Last})
        for (LossKind loss : {LossKind::Mse, LossKind::CrossEntropy}) {
          c.layers = layers;
          c.readout = r;
          c.loss = loss;
          cases.push_back(c);
        }
  return cases;
}

inline void randomize(Params& p, Rng& rng, double scale) {
  for (auto& t : p.tensors())
    for (Eigen::Index i = 0; i < t.size(); ++i) t.data[i] = rng.uniform(-scale, scale);
}

// A batch with a mask that leaves some steps unscored, so masking is checked too.
inline Batch random_batch(const NetworkSpec& s, int T, int B, Rng& rng) {
  Batch b;
  for (int t = 0; t < T; ++t)
    b.inputs.push_back(Mat::NullaryExpr(s.input_size, B, [&] { return rng.normal(); }));
  const int n = s.readout == Readout::Every ? T : 1;
  for (int k = 0; k < n; ++k) {
    Mat y(s.output_size, B);
    if (s.loss == LossKind::Mse) {
      y = Mat::NullaryExpr(s.output_size, B, [&] { return rng.normal(); });
    } else {
      y.setZero();
      for (int j = 0; j < B; ++j) y(rng.index(s.output_size), j) = 1.0;
    }
    b.targets.push_back(y);
  }
  b.mask = Mat::Ones(n, B);
  if (n > 2) b.mask(1, 0) = 0.0;
  if (n > 3) b.mask(3, B - 1) = 0.5;
  return b;
}

}  // namespace unrolled::testing_support
