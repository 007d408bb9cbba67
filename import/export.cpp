#include "import/export.hpp"

#include <sstream>

#include "import/parts.hpp"

namespace unrolled::import {
namespace {

Tensor tensor(const std::string& name, const Mat& m) {  // row-major (rows, cols)
  Tensor t;
  t.name = name;
  t.shape = {m.rows(), m.cols()};
  for (Eigen::Index r = 0; r < m.rows(); ++r)
    for (Eigen::Index c = 0; c < m.cols(); ++c) t.values.push_back(m(r, c));
  return t;
}
Tensor tensor(const std::string& name, const Vec& v) {
  Tensor t;
  t.name = name;
  t.shape = {v.size()};
  t.values.assign(v.data(), v.data() + v.size());
  return t;
}

// Unrolled's GRU blocks [r z n] in Keras' order [z r h] (the swap is its own inverse).
Mat to_keras(const Mat& m, CellType cell) {
  return cell == CellType::Gru ? gru_blocks_from_keras(m) : m;
}
Vec to_keras(const Vec& v, CellType cell) {
  return cell == CellType::Gru ? gru_blocks_from_keras(v) : v;
}

std::string keras_cell_name(CellType c) {
  return c == CellType::Lstm ? "lstm" : c == CellType::Gru ? "gru" : "simple_rnn";
}

// Keras' name of recurrent layer l: lstm, lstm_1, lstm_2, ...
std::string keras_layer_name(CellType c, int l) {
  std::string n = keras_cell_name(c);
  if (l > 0) n.append("_").append(std::to_string(l));
  return n;
}

}  // namespace

bool export_tensors(const Model& m, ExportNames names, TensorList& out, std::string* error) {
  const NetworkSpec& s = m.net.spec();
  const Params& p = m.net.params();
  const int H = s.hidden_size, G = s.gates();
  TensorList t;
  if (names == ExportNames::PyTorch) {
    if (s.cell == CellType::Gru && s.gru_variant == GruVariant::ResetBefore) {
      if (error)
        *error =
            "PyTorch's nn.GRU computes the reset-after GRU only; this model is reset_before "
            "(export it with --names keras)";
      return false;
    }
    if (s.cell != CellType::Rnn && s.gate_activation != GateActivation::Sigmoid) {
      if (error)
        *error = "PyTorch's nn.LSTM and nn.GRU gates use the sigmoid; this model's are " +
                 std::string(to_string(s.gate_activation)) + " (export it with --names keras)";
      return false;
    }
    if (s.cell == CellType::Rnn && s.activation != Activation::Tanh &&
        s.activation != Activation::Relu) {
      if (error)
        *error = "PyTorch's nn.RNN has tanh or relu; this model's activation is " +
                 std::string(to_string(s.activation));
      return false;
    }
    if (m.has_embedding()) t.push_back(tensor("embedding.weight", m.embedding));
    for (int l = 0; l < s.num_layers; ++l) {
      const LayerParams& lp = p.layers[l];
      const std::string k = std::to_string(l);
      Vec b_hh = Vec::Zero(G * H);  // (G*H)
      if (lp.b_hn.size() > 0) b_hh.tail(H) = lp.b_hn;
      t.push_back(tensor("rnn.weight_ih_l" + k, lp.W_x));
      t.push_back(tensor("rnn.weight_hh_l" + k, lp.W_h));
      t.push_back(tensor("rnn.bias_ih_l" + k, lp.b));
      t.push_back(tensor("rnn.bias_hh_l" + k, b_hh));
    }
    t.push_back(tensor("linear.weight", p.W_y));
    t.push_back(tensor("linear.bias", p.b_y));
  } else {
    if (s.cell == CellType::Rnn && s.activation == Activation::Identity) {
      // Keras calls it linear; nothing else differs.
    }
    if (m.has_embedding()) t.push_back(tensor("embedding/embeddings", m.embedding));
    for (int l = 0; l < s.num_layers; ++l) {
      const LayerParams& lp = p.layers[l];
      const std::string name = keras_layer_name(s.cell, l);
      t.push_back(tensor(name + "/kernel", Mat(to_keras(lp.W_x, s.cell).transpose())));
      t.push_back(tensor(name + "/recurrent_kernel", Mat(to_keras(lp.W_h, s.cell).transpose())));
      if (lp.b_hn.size() > 0) {  // reset_after: (2, 3H), input row and recurrent row
        Mat b = Mat::Zero(2, G * H);
        b.row(0) = to_keras(lp.b, s.cell).transpose();
        Vec rec = Vec::Zero(G * H);
        rec.tail(H) = lp.b_hn;  // Keras' h block is last too
        b.row(1) = rec.transpose();
        t.push_back(tensor(name + "/bias", b));
      } else {
        t.push_back(tensor(name + "/bias", to_keras(lp.b, s.cell)));
      }
    }
    t.push_back(tensor("dense/kernel", Mat(p.W_y.transpose())));
    t.push_back(tensor("dense/bias", p.b_y));
  }
  out = std::move(t);
  return true;
}

std::string load_snippet(const Model& m, ExportNames names, const std::string& file) {
  const NetworkSpec& s = m.net.spec();
  const int I = s.input_size, H = s.hidden_size, O = s.output_size, L = s.num_layers;
  const bool every = s.readout == Readout::Every;
  std::ostringstream o;
  if (names == ExportNames::PyTorch) {
    const char* cls = s.cell == CellType::Lstm ? "LSTM" : s.cell == CellType::Gru ? "GRU" : "RNN";
    o << "import torch\nfrom safetensors.torch import load_file  # or load these tensors any way\n"
      << "sd = load_file(\"" << file << "\")\n"
      << "part = lambda p: {k[len(p):]: v for k, v in sd.items() if k.startswith(p)}\n";
    if (m.has_embedding())
      o << "embedding = torch.nn.Embedding(" << m.vocab_size() << ", " << I << ")\n"
        << "embedding.load_state_dict(part(\"embedding.\"))\n";
    o << "rnn = torch.nn." << cls << "(" << I << ", " << H << ", num_layers=" << L
      << (s.cell == CellType::Rnn
              ? std::string(", nonlinearity=\"") + std::string(to_string(s.activation)) + "\""
              : "")
      << ", batch_first=True)\n"
      << "rnn.load_state_dict(part(\"rnn.\"))\n"
      << "linear = torch.nn.Linear(" << H << ", " << O << ")\n"
      << "linear.load_state_dict(part(\"linear.\"))\n"
      << "# outputs: h, _ = rnn(" << (m.has_embedding() ? "embedding(tokens)" : "x")
      << "); y = linear(h" << (every ? "" : "[:, -1]") << ")";
    if (m.readout_activation != ReadoutActivation::None)
      o << "; then "
        << (m.readout_activation == ReadoutActivation::Softmax ? "y.softmax(-1)" : "y.sigmoid()");
    o << "\n";
    return o.str();
  }
  const char* cls = s.cell == CellType::Lstm  ? "LSTM"
                    : s.cell == CellType::Gru ? "GRU"
                                              : "SimpleRNN";
  o << "import keras\nfrom safetensors.numpy import load_file  # or load these arrays any way\n"
    << "w = load_file(\"" << file << "\")\n"
    << "layers = [keras.Input((None," << (m.has_embedding() ? "" : " " + std::to_string(I))
    << "))]\n";
  if (m.has_embedding())
    o << "layers.append(keras.layers.Embedding(" << m.vocab_size() << ", " << I << "))\n";
  std::string extra;
  if (s.cell == CellType::Rnn)
    extra =
        std::string(", activation=\"") +
        (s.activation == Activation::Identity ? "linear" : std::string(to_string(s.activation))) +
        "\"";
  if (s.cell != CellType::Rnn && s.gate_activation != GateActivation::Sigmoid) {
    extra += ", recurrent_activation=\"hard_sigmoid\"";
    o << "# hard_sigmoid as Keras "
      << (s.gate_activation == GateActivation::HardSigmoidKeras2
              ? "2 defines it, clip(0.2x + 0.5, 0, 1): Keras 3's differs"
              : "3 defines it, relu6(x + 3) / 6: Keras 2's differs")
      << "\n";
  }
  if (s.cell == CellType::Gru)
    extra += s.gru_variant == GruVariant::ResetAfter ? ", reset_after=True" : ", reset_after=False";
  for (int l = 0; l < L; ++l)
    o << "layers.append(keras.layers." << cls << "(" << H << extra
      << ", return_sequences=" << (l < L - 1 || every ? "True" : "False") << "))\n";
  const char* act = m.readout_activation == ReadoutActivation::Softmax   ? "softmax"
                    : m.readout_activation == ReadoutActivation::Sigmoid ? "sigmoid"
                                                                         : "linear";
  o << "layers.append(keras.layers.Dense(" << O << ", activation=\"" << act << "\"))\n"
    << "model = keras.Sequential(layers)\n";
  int k = 0;
  if (m.has_embedding())
    o << "model.layers[" << k++ << "].set_weights([w[\"embedding/embeddings\"]])\n";
  for (int l = 0; l < L; ++l) {
    const std::string n = keras_layer_name(s.cell, l);
    o << "model.layers[" << k++ << "].set_weights([w[\"" << n << "/kernel\"], w[\"" << n
      << "/recurrent_kernel\"], w[\"" << n << "/bias\"]])\n";
  }
  o << "model.layers[" << k << "].set_weights([w[\"dense/kernel\"], w[\"dense/bias\"]])\n";
  return o.str();
}

}  // namespace unrolled::import
