// Tensors under Keras' layer/variable names (what `unrolled export --names keras` writes) onto a
// model: embedding/embeddings, {simple_rnn|lstm|gru}[_k]/{kernel,recurrent_kernel,bias},
// dense/{kernel,bias}. The names carry no readout or activation: flags say them, as for a
// state_dict.
#include <map>

#include "import/parts.hpp"

namespace unrolled::import {

bool model_from_keras_names(const TensorList& tensors, const ImportOptions& opt,
                            const std::string& file, ImportResult& out, std::string* error) {
  auto fail = [&](const std::string& m) {
    if (error) *error = file + ": " + m;
    return false;
  };
  std::map<std::string, const Tensor*> byname;
  for (const Tensor& t : tensors) byname[t.name] = &t;
  auto take = [&](const std::string& n) -> const Tensor* {
    const auto it = byname.find(n);
    if (it == byname.end()) return nullptr;
    const Tensor* t = it->second;
    byname.erase(it);
    return t;
  };
  Parts parts;
  std::string base;
  for (const char* b : {"lstm", "gru", "simple_rnn"})
    if (byname.count(std::string(b) + "/kernel")) base = b;
  if (base.empty())
    return fail("no lstm/kernel, gru/kernel or simple_rnn/kernel: not a model in Keras' names");
  parts.cell = base == "lstm" ? CellType::Lstm : base == "gru" ? CellType::Gru : CellType::Rnn;
  if (opt.cell && *opt.cell != parts.cell)
    return fail("--cell " + std::string(to_string(*opt.cell)) + " does not fit '" + base +
                "/kernel'");
  if (!opt.readout)
    return fail(
        "the tensors do not say whether the readout runs at every step or only the last: "
        "give --readout every|last");
  parts.readout = *opt.readout;
  parts.readout_activation = opt.readout_activation.value_or(ReadoutActivation::None);
  if (parts.cell == CellType::Rnn) {
    if (!opt.activation)
      return fail("the tensors do not say simple_rnn's activation: give --activation");
    parts.activation = *opt.activation;
  }
  out.notes.push_back("gates taken as sigmoid (the names do not say recurrent_activation)");
  if (const Tensor* e = take("embedding/embeddings")) {
    if (e->shape.size() != 2) return fail("'embedding/embeddings' has shape " + e->shape_string());
    parts.embedding = e->matrix();
  }
  const int G = gate_blocks(parts.cell);
  for (int l = 0; l < kMaxLayers; ++l) {
    const std::string n = base + (l ? "_" + std::to_string(l) : "");
    const Tensor* k = take(n + "/kernel");
    if (!k) break;
    const Tensor* rk = take(n + "/recurrent_kernel");
    const Tensor* b = take(n + "/bias");
    if (!rk || k->shape.size() != 2 || rk->shape.size() != 2 || rk->shape[1] != G * rk->shape[0] ||
        k->shape[1] != rk->shape[1])
      return fail("'" + n + "/kernel' and '" + n +
                  "/recurrent_kernel' are not (I, G·H) and (H, G·H)");
    const int64_t H = rk->shape[0];
    const bool after = b && b->shape == std::vector<int64_t>{2, G * H};
    if (b && !after && b->shape != std::vector<int64_t>{G * H})
      return fail("'" + n + "/bias' has shape " + b->shape_string());
    if (parts.cell == CellType::Gru) {
      const GruVariant v = after ? GruVariant::ResetAfter : GruVariant::ResetBefore;
      if (l > 0 && v != parts.gru_variant)
        return fail("'" + n + "/bias': GRU layers differ in reset_after");
      parts.gru_variant = v;
    } else if (after) {
      return fail("'" + n + "/bias' has shape " + b->shape_string());
    }
    LayerParams lp;
    lp.W_x = k->matrix().transpose();
    lp.W_h = rk->matrix().transpose();
    const Mat bm = b ? b->matrix() : Mat::Zero(G * H, 1);
    Vec b_in = after ? Vec(bm.row(0).transpose()) : Vec(bm.col(0));
    Vec b_rec = after ? Vec(bm.row(1).transpose()) : Vec::Zero(G * H);
    if (parts.cell == CellType::Gru) {
      lp.W_x = gru_blocks_from_keras(lp.W_x);
      lp.W_h = gru_blocks_from_keras(lp.W_h);
      b_in = gru_blocks_from_keras(b_in);
      b_rec = gru_blocks_from_keras(b_rec);
    }
    lp.b = b_in + b_rec;
    if (after) {
      lp.b.tail(H) = b_in.tail(H);
      lp.b_hn = b_rec.tail(H);
    }
    parts.layers.push_back(std::move(lp));
  }
  const Tensor* dk = take("dense/kernel");
  const Tensor* db = take("dense/bias");
  if (!dk || dk->shape.size() != 2) return fail("no 'dense/kernel' (H, O): the readout is missing");
  parts.W_y = dk->matrix().transpose();
  parts.b_y = db ? db->vector() : Vec::Zero(dk->shape[1]);
  if (!byname.empty())
    return fail("'" + byname.begin()->first + "' is not part of a supported model (embedding, " +
                base + ", dense)");
  return finish_model(parts, file, out, error);
}

}  // namespace unrolled::import
