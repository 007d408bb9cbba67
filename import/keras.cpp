// Keras layers onto a model. Keras stores kernels transposed, (in, G·units), applied as x·K, so
// W_x = kernelᵀ and W_h = recurrent_kernelᵀ; LSTM blocks [i f c o] are Unrolled's [i f g o]; GRU
// blocks [z r h] become [r z n]; a reset_after GRU's bias (2, 3H) is an input row and a
// recurrent row: b = b0 + b1 except b_n = b0_n, and b_hn = b1_n (docs/model-format.md).
#include "import/keras.hpp"

#include <map>

#include "import/parts.hpp"

namespace unrolled::import {
namespace {

const char* kSupported =
    "supported: InputLayer, Embedding, SimpleRNN / LSTM / GRU (1 to 4, one cell type and "
    "width), Dense (or TimeDistributed(Dense)), Activation, Dropout (ignored)";

struct Layer {
  std::string cls, name, path3;  // class, name, Keras 3 weights path (layers/<snake>[_k])
  Json config;
};

std::string snake_case(const std::string& cls) {
  static const std::map<std::string, std::string> names = {{"SimpleRNN", "simple_rnn"},
                                                           {"LSTM", "lstm"},
                                                           {"GRU", "gru"},
                                                           {"Dense", "dense"},
                                                           {"Embedding", "embedding"},
                                                           {"Dropout", "dropout"},
                                                           {"TimeDistributed", "time_distributed"},
                                                           {"Activation", "activation"}};
  const auto it = names.find(cls);
  return it == names.end() ? cls : it->second;
}

std::string str(const Json& c, const char* key, const std::string& fallback) {
  return c.contains(key) && c[key].is_string() ? c[key].get<std::string>() : fallback;
}
bool flag(const Json& c, const char* key, bool fallback) {
  return c.contains(key) && c[key].is_boolean() ? c[key].get<bool>() : fallback;
}
double number(const Json& c, const char* key) {
  return c.contains(key) && c[key].is_number() ? c[key].get<double>() : 0.0;
}

class Reader {
 public:
  Reader(const H5File& h5, bool legacy, std::string root, std::string file, std::string* error)
      : h5_(h5), legacy_(legacy), root_(std::move(root)), file_(std::move(file)), error_(error) {}

  bool fail(const std::string& m) {
    if (error_) *error_ = file_ + ": " + m;
    return false;
  }

  // Variable `var` (index `index` in Keras 3's order) of layer l; sub is "cell" for an RNN's
  // cell and "layer" for TimeDistributed's, in Keras 3's layout.
  bool get(const Layer& l, const std::string& var, int index, const std::string& sub, Tensor& t) {
    if (!legacy_)
      return h5_.dataset(
          l.path3 + (sub.empty() ? "" : "/" + sub) + "/vars/" + std::to_string(index), t, error_);
    const std::string group = (root_.empty() ? "" : root_ + "/") + l.name;
    std::vector<std::string> names;
    if (!h5_.string_attribute(group, "weight_names", names, error_)) return false;
    for (const std::string& n : names) {
      const std::string leaf = n.substr(n.rfind('/') + 1);
      if (leaf == var || leaf.rfind(var + ":", 0) == 0)
        return h5_.dataset(group + "/" + n, t, error_);
    }
    return fail("layer '" + l.name + "' has no weight named " + var +
                " (weight_names: " + std::to_string(names.size()) + ")");
  }
  bool get_optional(const Layer& l, const std::string& var, int index, const std::string& sub,
                    bool present, Tensor& t) {
    if (!present) return true;
    return get(l, var, index, sub, t);
  }

 private:
  const H5File& h5_;
  bool legacy_;
  std::string root_, file_;
  std::string* error_;
};

bool expect_shape(Reader& r, const Tensor& t, std::vector<int64_t> shape,
                  const std::string& layer) {
  if (t.shape == shape) return true;
  return r.fail("layer '" + layer + "': weight '" + t.name + "' has shape " + t.shape_string() +
                "; expected " + shape_string(shape));
}

}  // namespace

int keras_major_version(const std::string& version) {
  if (version.empty() || version[0] < '1' || version[0] > '9') return 0;
  return version[0] - '0';
}

bool model_from_keras(const Json& config, int keras_major, const H5File& weights, bool legacy,
                      const std::string& weights_root, const ImportOptions& opt,
                      const std::string& file, ImportResult& out, std::string* error) {
  Reader r(weights, legacy, weights_root, file, error);
  if (!config.is_object() || !config.contains("config"))
    return r.fail("the model config is not {\"class_name\": ..., \"config\": {...}}");
  const std::string model_cls = str(config, "class_name", "");
  if (model_cls != "Sequential" && model_cls != "Functional" && model_cls != "Model")
    return r.fail("a '" + model_cls +
                  "' model is not read; only Sequential and Functional "
                  "models (a chain of layers) are");
  const Json& c = config["config"];
  const Json& list = c.is_array() ? c : c.contains("layers") ? c["layers"] : Json();
  if (!list.is_array()) return r.fail("the model config has no list of layers");
  // The layers in order, each with its Keras 3 weights path (snake_case class, _1, _2 ...).
  std::vector<Layer> layers;
  std::map<std::string, int> used;
  for (const Json& jl : list) {
    Layer l;
    l.cls = str(jl, "class_name", "?");
    l.config = jl.contains("config") && jl["config"].is_object() ? jl["config"] : Json::object();
    l.name = str(l.config, "name", str(jl, "name", l.cls));
    if (l.cls == "InputLayer") continue;
    const std::string snake = snake_case(l.cls);
    const int k = used.count(snake) ? ++used[snake] : (used[snake] = 0);
    l.path3 = "layers/" + snake + (k ? "_" + std::to_string(k) : "");
    layers.push_back(std::move(l));
  }
  Parts parts;
  bool have_cell = false, have_dense = false, dense_activation_set = false;
  int64_t H = 0;
  for (size_t k = 0; k < layers.size(); ++k) {
    const Layer& l = layers[k];
    const Json& cf = l.config;
    const std::string at = "layer '" + l.name + "' (" + l.cls + ")";
    if (l.cls == "Dropout") {
      out.notes.push_back(at + " ignored: dropout does nothing at inference");
      continue;
    }
    if (l.cls == "Embedding") {
      if (have_cell || parts.embedding.size() > 0)
        return r.fail(at + ": an embedding comes first, before the recurrent layers");
      if (flag(cf, "mask_zero", false))
        return r.fail(at + ": mask_zero (masking) is not supported; " + kSupported);
      Tensor e;
      if (!r.get(l, "embeddings", 0, "", e)) return false;
      if (e.shape.size() != 2) return expect_shape(r, e, {-1, -1}, l.name);
      parts.embedding = e.matrix();  // (V, I)
      continue;
    }
    if (l.cls == "SimpleRNN" || l.cls == "LSTM" || l.cls == "GRU") {
      const CellType cell = l.cls == "LSTM"  ? CellType::Lstm
                            : l.cls == "GRU" ? CellType::Gru
                                             : CellType::Rnn;
      if (have_dense) return r.fail(at + ": a recurrent layer after the readout; " + kSupported);
      if (have_cell && cell != parts.cell)
        return r.fail(at + ": every recurrent layer must be of one type (the first is " +
                      std::string(to_string(parts.cell)) + ")");
      if (flag(cf, "go_backwards", false) || flag(cf, "time_major", false))
        return r.fail(at + ": go_backwards and time_major are not supported");
      if (flag(cf, "stateful", false))
        out.notes.push_back(at + ": stateful ignored (every sequence starts from zero states)");
      if (number(cf, "dropout") != 0.0 || number(cf, "recurrent_dropout") != 0.0)
        out.notes.push_back(at + ": dropout and recurrent_dropout ignored at inference");
      const std::string act = str(cf, "activation", "tanh");
      if (cell == CellType::Rnn) {
        Activation a;
        if (act == "linear")
          a = Activation::Identity;
        else if (!parse(act, a) || a == Activation::Identity)
          return r.fail(at + ": activation '" + act +
                        "' is not supported; allowed: tanh, relu, "
                        "sigmoid, linear");
        if (have_cell && a != parts.activation)
          return r.fail(at + ": every layer must have the first one's activation");
        parts.activation = a;
      } else {
        if (act != "tanh")
          return r.fail(at + ": activation '" + act +
                        "' is not supported; Unrolled's LSTM and "
                        "GRU use tanh");
        const std::string ra = str(cf, "recurrent_activation", "sigmoid");
        GateActivation g;
        if (ra == "sigmoid")
          g = GateActivation::Sigmoid;
        else if (ra == "hard_sigmoid")
          g = keras_major >= 3 ? GateActivation::HardSigmoidKeras3
                               : GateActivation::HardSigmoidKeras2;
        else
          return r.fail(at + ": recurrent_activation '" + ra +
                        "' is not supported; allowed: sigmoid, hard_sigmoid");
        if (have_cell && g != parts.gate)
          return r.fail(at + ": every layer must have the first one's recurrent_activation");
        parts.gate = g;
      }
      if (cell == CellType::Gru) {
        // Absent in files older than Keras 2.3, which computed reset-before.
        const GruVariant v =
            flag(cf, "reset_after", false) ? GruVariant::ResetAfter : GruVariant::ResetBefore;
        if (have_cell && v != parts.gru_variant)
          return r.fail(at + ": every GRU layer must have the first one's reset_after");
        parts.gru_variant = v;
      }
      parts.cell = cell;
      const int G = gate_blocks(cell);
      const std::string sub = legacy ? "" : "cell";
      Tensor kernel, recurrent, bias;
      const bool use_bias = flag(cf, "use_bias", true);
      if (!r.get(l, "kernel", 0, sub, kernel) || !r.get(l, "recurrent_kernel", 1, sub, recurrent) ||
          !r.get_optional(l, "bias", 2, sub, use_bias, bias))
        return false;
      if (recurrent.shape.size() != 2 || recurrent.shape[0] < 1)
        return expect_shape(r, recurrent, {-1, -1}, l.name);
      const int64_t h = recurrent.shape[0];
      if (have_cell && h != H)
        return r.fail(at + ": " + std::to_string(h) +
                      " units; every layer must have the "
                      "first one's " +
                      std::to_string(H));
      H = h;
      const int64_t in = have_cell ? H : (kernel.shape.size() == 2 ? kernel.shape[0] : -1);
      if (!expect_shape(r, kernel, {in, G * H}, l.name) ||
          !expect_shape(r, recurrent, {H, G * H}, l.name))
        return false;
      const bool after = cell == CellType::Gru && parts.gru_variant == GruVariant::ResetAfter;
      if (use_bias &&
          !expect_shape(r, bias,
                        after ? std::vector<int64_t>{2, G * H} : std::vector<int64_t>{G * H},
                        l.name))
        return false;
      LayerParams lp;
      lp.W_x = kernel.matrix().transpose();     // (G*H, I)
      lp.W_h = recurrent.matrix().transpose();  // (G*H, H)
      Mat b = use_bias ? bias.matrix() : Mat::Zero(after ? 2 : G * H, after ? G * H : 1);
      Vec b_in = after ? Vec(b.row(0).transpose()) : Vec(b.col(0));  // (G*H)
      Vec b_rec = after ? Vec(b.row(1).transpose()) : Vec::Zero(G * H);
      if (cell == CellType::Gru) {
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
      // Only the last recurrent layer may end the sequence; it decides the readout.
      const bool seq = flag(cf, "return_sequences", false);
      if (have_cell && parts.readout == Readout::Last)
        return r.fail("the recurrent layer before " + at +
                      " has return_sequences false: it "
                      "passes only its last step on; stacked layers need return_sequences true");
      parts.readout = seq ? Readout::Every : Readout::Last;
      have_cell = true;
      continue;
    }
    if (l.cls == "Dense" || l.cls == "TimeDistributed") {
      Json dc = cf;
      std::string sub;
      if (l.cls == "TimeDistributed") {
        const Json inner = cf.contains("layer") ? cf["layer"] : Json();
        if (str(inner, "class_name", "") != "Dense")
          return r.fail(at + ": only TimeDistributed(Dense) is supported; " + kSupported);
        dc = inner.contains("config") ? inner["config"] : Json::object();
        sub = "layer";
      }
      if (!have_cell)
        return r.fail(at + ": a Dense layer before any recurrent layer; " + kSupported);
      if (have_dense) return r.fail(at + ": a second Dense layer; only one readout is supported");
      Tensor kernel, bias;
      const bool use_bias = flag(dc, "use_bias", true);
      Layer inner = l;
      if (legacy && l.cls == "TimeDistributed") inner.name = l.name;
      if (!r.get(inner, "kernel", 0, sub, kernel) ||
          !r.get_optional(inner, "bias", 1, sub, use_bias, bias))
        return false;
      if (kernel.shape.size() != 2 || kernel.shape[0] != H)
        return expect_shape(r, kernel, {H, kernel.shape.size() == 2 ? kernel.shape[1] : -1},
                            l.name);
      const int64_t O = kernel.shape[1];
      if (use_bias && !expect_shape(r, bias, {O}, l.name)) return false;
      parts.W_y = kernel.matrix().transpose();  // (O, H)
      parts.b_y = use_bias ? bias.vector() : Vec::Zero(O);
      const std::string act = str(dc, "activation", "linear");
      if (act == "linear")
        parts.readout_activation = ReadoutActivation::None;
      else if (!parse(act, parts.readout_activation) || act == "none")
        return r.fail(at + ": activation '" + act +
                      "' is not supported; allowed: linear, "
                      "sigmoid, softmax");
      have_dense = true;
      dense_activation_set = act != "linear";
      continue;
    }
    if (l.cls == "Activation" && have_dense && !dense_activation_set) {
      const std::string act = str(cf, "activation", "linear");
      if (act != "linear" && (!parse(act, parts.readout_activation) || act == "none"))
        return r.fail(at + ": activation '" + act +
                      "' is not supported after the readout; "
                      "allowed: linear, sigmoid, softmax");
      dense_activation_set = true;
      continue;
    }
    return r.fail(at + " is not supported; " + kSupported);
  }
  if (!have_cell) return r.fail("no recurrent layer; " + std::string(kSupported));
  if (!have_dense)
    return r.fail("no Dense readout after the recurrent layers; " + std::string(kSupported));
  if (opt.cell && *opt.cell != parts.cell)
    return r.fail("--cell " + std::string(to_string(*opt.cell)) + " does not fit the model's " +
                  std::string(to_string(parts.cell)));
  if (opt.readout && *opt.readout != parts.readout)
    return r.fail("--readout " + std::string(to_string(*opt.readout)) +
                  " does not fit the "
                  "model's last recurrent layer (return_sequences " +
                  (parts.readout == Readout::Every ? "true" : "false") + ")");
  if (opt.readout_activation && *opt.readout_activation != parts.readout_activation)
    return r.fail("--readout-activation does not fit the model's Dense activation");
  if (opt.activation && (parts.cell != CellType::Rnn || *opt.activation != parts.activation))
    return r.fail("--activation does not fit the model's");
  if (parts.gate != GateActivation::Sigmoid)
    out.notes.push_back(
        "recurrent_activation hard_sigmoid read as Keras " + std::to_string(keras_major) +
        "'s: " + (keras_major >= 3 ? "relu6(x + 3) / 6" : "clip(0.2x + 0.5, 0, 1)"));
  return finish_model(parts, file, out, error);
}

}  // namespace unrolled::import
