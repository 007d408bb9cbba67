// A PyTorch state_dict onto a model: nn.Embedding -> nn.RNN / nn.LSTM / nn.GRU -> nn.Linear.
// PyTorch keeps Unrolled's orientation and block order (docs/model-format.md); its two biases are
// summed, except the GRU's recurrent candidate bias, which is b_hn (PyTorch's GRU is reset-after).
#include <cctype>
#include <map>

#include "import/parts.hpp"

namespace unrolled::import {
namespace {

struct Recurrent {
  const Tensor *w_ih = nullptr, *w_hh = nullptr, *b_ih = nullptr, *b_hh = nullptr;
};

// Splits "PREFIXweight_ih_l3[_reverse]" into its parts (no std::regex: its matcher recurses per
// character, and a name comes from the file). False for any other name.
struct RecName {
  std::string prefix, kind;  // kind: weight_ih | weight_hh | bias_ih | bias_hh | weight_hr
  int layer = 0;
  bool reverse = false;
};
bool parse_rec_name(const std::string& name, RecName& out) {
  std::string n = name;
  out.reverse = n.size() > 8 && n.compare(n.size() - 8, 8, "_reverse") == 0;
  if (out.reverse) n.resize(n.size() - 8);
  size_t digits = 0;
  while (digits < n.size() && std::isdigit(static_cast<unsigned char>(n[n.size() - 1 - digits])))
    ++digits;
  if (digits == 0 || digits > 2 || n.size() < digits + 2 ||
      n.compare(n.size() - digits - 2, 2, "_l") != 0)
    return false;
  out.layer = std::stoi(n.substr(n.size() - digits));
  n.resize(n.size() - digits - 2);
  for (const char* kind : {"weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr"}) {
    const size_t k = std::char_traits<char>::length(kind);
    if (n.size() >= k && n.compare(n.size() - k, k, kind) == 0) {
      out.kind = kind;
      out.prefix = n.substr(0, n.size() - k);
      return true;
    }
  }
  return false;
}

std::string list(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "'" : ", '") + n + "'";
  return s;
}

}  // namespace

bool model_from_state_dict(const TensorList& tensors, const ImportOptions& opt,
                           const std::string& file, ImportResult& out, std::string* error) {
  auto fail = [&](const std::string& m) {
    if (error) *error = file + ": " + m;
    return false;
  };
  const std::string supported =
      "supported: an optional nn.Embedding, one nn.RNN / nn.LSTM / nn.GRU (1 to 4 layers, "
      "batch_first or not) and one nn.Linear readout";
  std::map<std::string, std::map<int, Recurrent>> stacks;  // prefix -> layer -> tensors
  std::map<std::string, const Tensor*> rest;
  for (const Tensor& t : tensors) {
    RecName m;
    if (!parse_rec_name(t.name, m)) {
      rest[t.name] = &t;
      continue;
    }
    if (m.reverse)
      return fail("'" + t.name + "': a bidirectional recurrent layer is not supported; " +
                  supported);
    if (m.kind == "weight_hr")
      return fail("'" + t.name + "': an LSTM with proj_size is not supported; " + supported);
    Recurrent& r = stacks[m.prefix][m.layer];
    (m.kind == "weight_ih"   ? r.w_ih
     : m.kind == "weight_hh" ? r.w_hh
     : m.kind == "bias_ih"   ? r.b_ih
                             : r.b_hh) = &t;
  }
  if (stacks.empty())
    return fail("no recurrent layer (no tensor named like 'rnn.weight_ih_l0'); " + supported);
  if (stacks.size() > 1) {
    std::vector<std::string> names;
    for (const auto& [prefix, layers] : stacks) names.push_back(prefix + "weight_ih_l0");
    return fail("two recurrent modules (" + list(names) + "); " + supported);
  }
  const auto& layers = stacks.begin()->second;
  const std::string prefix = stacks.begin()->first;
  const int L = static_cast<int>(layers.size());
  for (int l = 0; l < L; ++l) {
    const auto it = layers.find(l);
    if (it == layers.end() || !it->second.w_ih || !it->second.w_hh)
      return fail("'" + prefix + "weight_ih_l" + std::to_string(l) + "' and '" + prefix +
                  "weight_hh_l" + std::to_string(l) + "' are needed for layer " +
                  std::to_string(l) + " of " + std::to_string(L));
  }
  if (L > kMaxLayers)
    return fail(std::to_string(L) + " recurrent layers; at most " + std::to_string(kMaxLayers) +
                " are supported");
  const Tensor& whh0 = *layers.at(0).w_hh;
  const Tensor& wih0 = *layers.at(0).w_ih;
  if (whh0.shape.size() != 2 || wih0.shape.size() != 2 || whh0.shape[1] < 1 ||
      whh0.shape[0] % whh0.shape[1] != 0)
    return fail("'" + whh0.name + "' has shape " + whh0.shape_string() +
                "; a recurrent weight is (G·H, H) with G = 1, 3 or 4");
  const int64_t H = whh0.shape[1], G = whh0.shape[0] / H;
  Parts parts;
  if (G == 1)
    parts.cell = CellType::Rnn;
  else if (G == 3)
    parts.cell = CellType::Gru;
  else if (G == 4)
    parts.cell = CellType::Lstm;
  else
    return fail("'" + whh0.name + "' has shape " + whh0.shape_string() + ": " + std::to_string(G) +
                " gate blocks of " + std::to_string(H) + " fit no cell (rnn 1, gru 3, lstm 4)");
  if (opt.cell && *opt.cell != parts.cell)
    return fail("--cell " + std::string(to_string(*opt.cell)) + " does not fit '" + whh0.name +
                "' of shape " + whh0.shape_string() + ", which is a " +
                std::string(to_string(parts.cell)));
  if (parts.cell == CellType::Rnn) {
    if (!opt.activation)
      return fail("a state_dict does not store nn.RNN's nonlinearity: give --activation tanh|relu");
    if (*opt.activation != Activation::Tanh && *opt.activation != Activation::Relu)
      return fail("--activation " + std::string(to_string(*opt.activation)) +
                  " is not one of nn.RNN's: tanh|relu");
    parts.activation = *opt.activation;
  } else if (opt.activation) {
    return fail("--activation is for an nn.RNN; this state_dict holds an " +
                std::string(to_string(parts.cell)));
  }
  if (!opt.readout)
    return fail(
        "a state_dict does not store whether the readout runs at every step or only "
        "the last: give --readout every|last");
  parts.readout = *opt.readout;
  parts.readout_activation = opt.readout_activation.value_or(ReadoutActivation::None);
  if (!opt.readout_activation)
    out.notes.push_back(
        "the readout's activation is not stored in a state_dict: taken as none "
        "(logits); give --readout-activation sigmoid|softmax otherwise");
  parts.gru_variant = GruVariant::ResetAfter;  // PyTorch's GRU
  for (int l = 0; l < L; ++l) {
    const Recurrent& r = layers.at(l);
    LayerParams lp;
    const int64_t in = l == 0 ? (r.w_ih->shape.size() == 2 ? r.w_ih->shape[1] : -1) : H;
    for (const Tensor* w : {r.w_ih, r.w_hh})
      if (w->shape != std::vector<int64_t>{G * H, w == r.w_hh ? H : in})
        return fail("'" + w->name + "' has shape " + w->shape_string() + "; expected " +
                    shape_string({G * H, w == r.w_hh ? H : in}));
    for (const Tensor* b : {r.b_ih, r.b_hh})
      if (b && b->shape != std::vector<int64_t>{G * H})
        return fail("'" + b->name + "' has shape " + b->shape_string() + "; expected " +
                    shape_string({G * H}));
    lp.W_x = r.w_ih->matrix();
    lp.W_h = r.w_hh->matrix();
    const Vec b_ih = r.b_ih ? r.b_ih->vector() : Vec::Zero(G * H);
    const Vec b_hh = r.b_hh ? r.b_hh->vector() : Vec::Zero(G * H);
    lp.b = b_ih + b_hh;
    if (parts.cell == CellType::Gru) {
      lp.b.tail(H) = b_ih.tail(H);  // b_n: the input bias alone
      lp.b_hn = b_hh.tail(H);       // inside r ⊙ (W_hn h + b_hn)
    }
    parts.layers.push_back(std::move(lp));
  }
  const int64_t I = wih0.shape[1];

  // The readout: the one 2-D weight with H columns (and its bias); the embedding: a 2-D weight
  // of I columns without a bias.
  auto module_of = [](const std::string& n, const char* leaf) {
    const std::string suffix = leaf;
    return n.size() >= suffix.size() &&
                   n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0
               ? n.substr(0, n.size() - suffix.size())
               : std::string("\x01");
  };
  std::vector<std::string> readouts, embeddings;
  for (const auto& [name, t] : rest) {
    const std::string mod = module_of(name, "weight");
    if (mod == "\x01" || t->shape.size() != 2) continue;
    const bool has_bias = rest.count(mod + "bias") > 0;
    if (t->shape[1] == H && has_bias) readouts.push_back(name);
    if (t->shape[1] == I && !has_bias) embeddings.push_back(name);
  }
  if (readouts.size() != 1)
    return fail(readouts.empty()
                    ? "no readout: no 2-D weight with " + std::to_string(H) +
                          " columns and a bias (an nn.Linear(" + std::to_string(H) + ", O)); " +
                          supported
                    : "more than one possible readout (" + list(readouts) + "); " + supported);
  const Tensor& wy = *rest.at(readouts[0]);
  const Tensor& by = *rest.at(module_of(readouts[0], "weight") + "bias");
  if (by.shape != std::vector<int64_t>{wy.shape[0]})
    return fail("'" + by.name + "' has shape " + by.shape_string() + "; expected " +
                shape_string({wy.shape[0]}));
  parts.W_y = wy.matrix();
  parts.b_y = by.vector();
  rest.erase(wy.name);
  rest.erase(by.name);
  if (embeddings.size() > 1)
    return fail("more than one possible embedding (" + list(embeddings) + ")");
  if (embeddings.size() == 1) {
    parts.embedding = rest.at(embeddings[0])->matrix();
    rest.erase(embeddings[0]);
  }
  if (!rest.empty()) {
    std::vector<std::string> left;
    for (const auto& [name, t] : rest) left.push_back(name + " " + t->shape_string());
    return fail("tensors that are not part of a supported model: " + list(left) + "; " + supported);
  }
  return finish_model(parts, file, out, error);
}

}  // namespace unrolled::import
