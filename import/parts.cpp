#include "import/parts.hpp"

namespace unrolled::import {

Mat gru_blocks_from_keras(const Mat& m) {
  const Eigen::Index H = m.rows() / 3;
  Mat out(m.rows(), m.cols());  // (3H, n)
  out << m.middleRows(H, H), m.topRows(H), m.bottomRows(H);
  return out;
}

Vec gru_blocks_from_keras(const Vec& v) {
  const Eigen::Index H = v.size() / 3;
  Vec out(v.size());  // (3H)
  out << v.segment(H, H), v.head(H), v.tail(H);
  return out;
}

bool finish_model(const Parts& parts, const std::string& file, ImportResult& out,
                  std::string* error) {
  auto fail = [&](const std::string& m) {
    if (error) *error = file + ": " + m;
    return false;
  };
  if (parts.layers.empty()) return fail("no recurrent layer");
  if (parts.layers.size() > static_cast<size_t>(kMaxLayers))
    return fail(std::to_string(parts.layers.size()) + " recurrent layers; at most " +
                std::to_string(kMaxLayers) + " are supported");
  const int G = gate_blocks(parts.cell);
  const Eigen::Index H = parts.layers[0].W_h.cols(), I = parts.layers[0].W_x.cols();
  const Eigen::Index O = parts.W_y.rows();
  if (H < 1 || H > kMaxModelHidden)
    return fail("hidden size " + std::to_string(H) + " is not supported; expected 1 to " +
                std::to_string(kMaxModelHidden));
  if (I < 1 || I > kMaxModelInput)
    return fail("input size " + std::to_string(I) + " is not supported; expected 1 to " +
                std::to_string(kMaxModelInput));
  if (O < 1 || O > kMaxModelOutput)
    return fail("output size " + std::to_string(O) + " is not supported; expected 1 to " +
                std::to_string(kMaxModelOutput));
  for (size_t l = 0; l < parts.layers.size(); ++l) {
    const LayerParams& lp = parts.layers[l];
    const Eigen::Index in = l == 0 ? I : H;
    if (lp.W_x.rows() != G * H || lp.W_x.cols() != in || lp.W_h.rows() != G * H ||
        lp.W_h.cols() != H || lp.b.size() != G * H)
      return fail("recurrent layer " + std::to_string(l) + ": input weights (" +
                  std::to_string(lp.W_x.rows()) + ", " + std::to_string(lp.W_x.cols()) +
                  "), recurrent weights (" + std::to_string(lp.W_h.rows()) + ", " +
                  std::to_string(lp.W_h.cols()) + ") and bias (" + std::to_string(lp.b.size()) +
                  ") do not fit one " + std::string(to_string(parts.cell)) + " of " +
                  std::to_string(H) + " units on " + std::to_string(in) +
                  " inputs (every layer has the first one's units)");
  }
  if (parts.W_y.cols() != H || parts.b_y.size() != O)
    return fail("the readout's weights (" + std::to_string(O) + ", " +
                std::to_string(parts.W_y.cols()) + ") and bias (" +
                std::to_string(parts.b_y.size()) + ") do not read " + std::to_string(H) +
                " hidden units");
  if (parts.embedding.size() > 0 && parts.embedding.cols() != I)
    return fail("the embedding's rows have " + std::to_string(parts.embedding.cols()) +
                " values; the first recurrent layer reads " + std::to_string(I));
  NetworkSpec s;
  s.cell = parts.cell;
  s.activation = parts.activation;
  s.gru_variant = parts.gru_variant;
  s.gate_activation = parts.cell == CellType::Rnn ? GateActivation::Sigmoid : parts.gate;
  s.input_size = static_cast<int>(I);
  s.hidden_size = static_cast<int>(H);
  s.output_size = static_cast<int>(O);
  s.num_layers = static_cast<int>(parts.layers.size());
  s.readout = parts.readout;
  s.loss = parts.readout_activation == ReadoutActivation::Softmax ? LossKind::CrossEntropy
                                                                  : LossKind::Mse;
  Params p = make_params(s);
  for (size_t l = 0; l < parts.layers.size(); ++l) {
    const LayerParams& lp = parts.layers[l];
    p.layers[l].W_x = lp.W_x;
    p.layers[l].W_h = lp.W_h;
    p.layers[l].b = lp.b;
    if (p.layers[l].b_hn.size() > 0) {
      if (lp.b_hn.size() == H)
        p.layers[l].b_hn = lp.b_hn;
      else
        p.layers[l].b_hn.setZero();
    }
  }
  p.W_y = parts.W_y;
  p.b_y = parts.b_y;
  Model m;
  m.net = Network(s, std::move(p));
  m.embedding = parts.embedding;
  m.readout_activation = parts.readout_activation;
  std::string e;
  if (!model_from_json(model_to_json(m), out.model, &e)) return fail(e);
  return true;
}

}  // namespace unrolled::import
