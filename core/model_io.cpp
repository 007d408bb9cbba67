// Legend: B batch, T steps, I input, H hidden, O output, G gate blocks.
#include "core/model_io.hpp"

#include <cmath>
#include <initializer_list>
#include <sstream>

#include "core/enum_names.hpp"

namespace unrolled {
namespace {

constexpr detail::NameTable<ReadoutActivation, 3> kReadoutAct{
    {{ReadoutActivation::None, "none"},
     {ReadoutActivation::Sigmoid, "sigmoid"},
     {ReadoutActivation::Softmax, "softmax"}}};

std::string num(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

// Refuses any key of object j outside `allowed` (a comma-separated list, as the message shows).
bool only_keys(const Json& j, const std::string& where, std::initializer_list<const char*> keys,
               std::string* error) {
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    std::string allowed;
    for (const char* k : keys) {
      known = known || key == k;
      allowed += (allowed.empty() ? "" : ", ") + std::string(k);
    }
    if (!known) {
      if (error) *error = where + ": unknown key '" + key + "'; allowed: " + allowed;
      return false;
    }
  }
  return true;
}

std::string shape(Eigen::Index r, Eigen::Index c) {
  return "(" + std::to_string(r) + ", " + std::to_string(c) + ")";
}

// Checks that j is a row-major nested array of exactly rows x cols values, without reading
// them, so a reader can check every tensor's shape (and the total) before allocating any.
bool check_matrix_shape(const Json& j, const std::string& name, Eigen::Index rows,
                        Eigen::Index cols, const std::string& expected, std::string* error) {
  auto fail = [&](const std::string& found) {
    if (error)
      *error =
          name + ": expected shape " + expected + " = " + shape(rows, cols) + ", found " + found;
    return false;
  };
  if (!j.is_array()) return fail(json_type_name(j));
  if (static_cast<Eigen::Index>(j.size()) != rows) {
    const Eigen::Index c0 = !j.empty() && j[0].is_array() ? j[0].size() : 0;
    return fail(shape(j.size(), c0));
  }
  for (Eigen::Index r = 0; r < rows; ++r) {
    const Json& row = j[r];
    if (!row.is_array() || static_cast<Eigen::Index>(row.size()) != cols)
      return fail("row " + std::to_string(r) + " with " +
                  (row.is_array() ? std::to_string(row.size()) + " values" : json_type_name(row)));
  }
  return true;
}

// Reads a row-major nested array of exactly rows x cols finite numbers of magnitude at most
// max_abs.
bool read_matrix(const Json& j, const std::string& name, Eigen::Index rows, Eigen::Index cols,
                 const std::string& expected, Mat& out, std::string* error,
                 double max_abs = HUGE_VAL) {
  if (!check_matrix_shape(j, name, rows, cols, expected, error)) return false;
  out.resize(rows, cols);
  for (Eigen::Index r = 0; r < rows; ++r) {
    for (Eigen::Index c = 0; c < cols; ++c) {
      const Json& v = j[r][c];
      const std::string at = name + "[" + std::to_string(r) + "][" + std::to_string(c) + "]";
      if (!v.is_number()) {
        if (error) *error = at + ": expected a number, found " + json_type_name(v);
        return false;
      }
      out(r, c) = v.get<double>();
      if (!std::isfinite(out(r, c)) || std::abs(out(r, c)) > max_abs) {
        if (error)
          *error = at + ": " + v.dump() + " is out of range; expected a finite number" +
                   (max_abs < HUGE_VAL ? " in [" + num(-max_abs) + ", " + num(max_abs) + "]" : "");
        return false;
      }
    }
  }
  return true;
}

bool read_vector(const Json& j, const std::string& name, Eigen::Index n,
                 const std::string& expected, Vec& out, std::string* error) {
  if (!j.is_array() || static_cast<Eigen::Index>(j.size()) != n) {
    if (error)
      *error = name + ": expected shape " + expected + " = (" + std::to_string(n) + "), found " +
               (j.is_array() ? "(" + std::to_string(j.size()) + ")" : json_type_name(j));
    return false;
  }
  out.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    if (!j[i].is_number() || !std::isfinite(j[i].get<double>())) {
      if (error) *error = name + "[" + std::to_string(i) + "]: expected a finite number";
      return false;
    }
    out(i) = j[i].get<double>();
  }
  return true;
}

template <class E>
bool read_enum(const Json& j, const char* key, E& out, bool required, std::string* error) {
  if (!j.contains(key)) {
    if (!required) return true;
    if (error) *error = std::string(key) + ": missing; allowed: " + allowed_names(E{});
    return false;
  }
  const Json& v = j[key];
  if (!v.is_string() || !parse(v.get<std::string>(), out)) {
    if (error)
      *error = std::string(key) + ": " +
               (v.is_string() ? "'" + v.get<std::string>() + "'" : json_type_name(v)) +
               " is not allowed; allowed: " + allowed_names(E{});
    return false;
  }
  return true;
}

bool read_int(const Json& j, const char* key, int lo, int hi, int& out, std::string* error) {
  if (!j.contains(key)) {
    if (error)
      *error = std::string(key) + ": missing; expected an integer in [" + std::to_string(lo) +
               ", " + std::to_string(hi) + "]";
    return false;
  }
  const Json& v = j[key];
  if (!v.is_number_integer() || v.get<long long>() < lo || v.get<long long>() > hi) {
    if (error)
      *error = std::string(key) + ": " + v.dump() + " is not allowed; expected an integer in [" +
               std::to_string(lo) + ", " + std::to_string(hi) + "]";
    return false;
  }
  out = v.get<int>();
  return true;
}

// Reads layers[l] into lp (sized by make_params): exactly W_x, W_h, b and, for the reset_after
// GRU only, b_hn.
bool read_layer(const Json& jl, int l, const NetworkSpec& s, LayerParams& lp, std::string* error) {
  const std::string at = "layers[" + std::to_string(l) + "]", pre = at + ".";
  const std::string G = s.gates() == 1 ? "" : std::to_string(s.gates());
  const std::string I = l == 0 ? "I" : "H";
  if (!jl.is_object()) {
    if (error) *error = at + ": expected an object with W_x, W_h, b";
    return false;
  }
  if (!only_keys(jl, at, {"W_x", "W_h", "b", "b_hn"}, error)) return false;
  for (const char* key : {"W_x", "W_h", "b"})
    if (!jl.contains(key)) {
      if (error) *error = pre + key + ": missing";
      return false;
    }
  if (!read_matrix(jl["W_x"], pre + "W_x", lp.W_x.rows(), lp.W_x.cols(), "(" + G + "H, " + I + ")",
                   lp.W_x, error) ||
      !read_matrix(jl["W_h"], pre + "W_h", lp.W_h.rows(), lp.W_h.cols(), "(" + G + "H, H)", lp.W_h,
                   error) ||
      !read_vector(jl["b"], pre + "b", lp.b.size(), "(" + G + "H)", lp.b, error))
    return false;
  if (lp.b_hn.size() == 0) {
    if (!jl.contains("b_hn")) return true;
    if (error)
      *error = pre + "b_hn: only the reset_after GRU has b_hn; this model's cell is " +
               std::string(to_string(s.cell)) +
               (s.cell == CellType::Gru ? " with gru_variant reset_before" : "");
    return false;
  }
  if (!jl.contains("b_hn")) {
    if (error)
      *error = pre + "b_hn: missing (the reset_after GRU has a recurrent bias b_hn of shape (H))";
    return false;
  }
  return read_vector(jl["b_hn"], pre + "b_hn", lp.b_hn.size(), "(H)", lp.b_hn, error);
}

// embedding: {"W": (V, I)}, V in [1, kMaxVocab], V·I at most kMaxEmbeddingValues.
bool read_embedding(const Json& j, int input_size, Mat& out, std::string* error) {
  if (!j.is_object() || !j.contains("W")) {
    if (error) *error = "embedding: expected an object {\"W\": (V, I)}";
    return false;
  }
  if (!only_keys(j, "embedding", {"W"}, error)) return false;
  const Json& w = j["W"];
  const int64_t V = w.is_array() ? static_cast<int64_t>(w.size()) : 0;
  if (V < 1 || V > kMaxVocab || V * input_size > kMaxEmbeddingValues) {
    if (error)
      *error = "embedding.W: " + std::to_string(V) + " rows of " + std::to_string(input_size) +
               " are not allowed; expected 1 to " + std::to_string(kMaxVocab) +
               " token rows and at most " + std::to_string(kMaxEmbeddingValues) + " numbers";
    return false;
  }
  return read_matrix(w, "embedding.W", V, input_size, "(V, I)", out, error);
}

}  // namespace

std::string_view to_string(ReadoutActivation v) {
  return detail::name_of(kReadoutAct, v);
}
bool parse(std::string_view s, ReadoutActivation& out) {
  return detail::parse_in(kReadoutAct, s, out);
}
std::string allowed_names(ReadoutActivation) {
  return detail::allowed_in(kReadoutAct);
}

Json matrix_to_json(const Mat& m) {
  Json rows = Json::array();
  for (Eigen::Index r = 0; r < m.rows(); ++r) {
    Json row = Json::array();
    for (Eigen::Index c = 0; c < m.cols(); ++c) row.push_back(m(r, c));
    rows.push_back(std::move(row));
  }
  return rows;
}

Json vector_to_json(const Vec& v) {
  Json a = Json::array();
  for (Eigen::Index i = 0; i < v.size(); ++i) a.push_back(v(i));
  return a;
}

Json params_to_json(const Params& p) {
  Json layers = Json::array();
  for (const auto& l : p.layers) {
    Json jl = {
        {"W_x", matrix_to_json(l.W_x)}, {"W_h", matrix_to_json(l.W_h)}, {"b", vector_to_json(l.b)}};
    if (l.b_hn.size() > 0) jl["b_hn"] = vector_to_json(l.b_hn);
    layers.push_back(std::move(jl));
  }
  return {{"layers", layers},
          {"output", {{"W", matrix_to_json(p.W_y)}, {"b", vector_to_json(p.b_y)}}}};
}

Json model_to_json(const Model& m) {
  const NetworkSpec& s = m.net.spec();
  Json j = {{"format", "unrolled-model"},
            {"version", kModelVersion},
            {"cell", to_string(s.cell)},
            {"activation", to_string(s.activation)},
            {"gru_variant", to_string(s.gru_variant)},
            {"gate_activation", to_string(s.gate_activation)},
            {"input_size", s.input_size},
            {"hidden_size", s.hidden_size},
            {"output_size", s.output_size},
            {"readout", to_string(s.readout)},
            {"readout_activation", to_string(m.readout_activation)},
            {"loss", to_string(s.loss)}};
  if (m.has_embedding()) j["embedding"] = {{"W", matrix_to_json(m.embedding)}};
  const Json p = params_to_json(m.net.params());
  j["layers"] = p["layers"];
  j["output"] = p["output"];
  return j;
}

Json model_to_json(const Network& net) {
  Model m;
  m.net = net;
  return model_to_json(m);
}

bool model_from_json(const Json& j, Model& out, std::string* error) {
  if (!j.is_object()) {
    if (error) *error = "model: expected a JSON object, found " + json_type_name(j);
    return false;
  }
  if (!j.contains("format") || j["format"] != "unrolled-model") {
    if (error) *error = "format: expected \"unrolled-model\"";
    return false;
  }
  // 1.0 compares equal to 1 in nlohmann; the format says an integer.
  if (!j.contains("version") || !j["version"].is_number_integer() || j["version"] < 1 ||
      j["version"] > kModelVersion) {
    if (error)
      *error =
          "version: " + (j.contains("version") ? j["version"].dump() : std::string("missing")) +
          " is not supported; this build reads versions 1 and 2";
    return false;
  }
  const bool v2 = j["version"] == 2;
  if (v2 ? !only_keys(j, "model",
                      {"format", "version", "cell", "activation", "gru_variant", "gate_activation",
                       "input_size", "hidden_size", "output_size", "readout", "readout_activation",
                       "loss", "embedding", "layers", "output"},
                      error)
         : !only_keys(j, "model (version 1)",
                      {"format", "version", "cell", "activation", "gru_variant", "input_size",
                       "hidden_size", "output_size", "readout", "loss", "layers", "output"},
                      error))
    return false;
  NetworkSpec s;
  Model m;
  if (!read_enum(j, "cell", s.cell, true, error) ||
      !read_enum(j, "activation", s.activation, false, error) ||
      !read_enum(j, "gate_activation", s.gate_activation, false, error) ||
      !read_enum(j, "readout_activation", m.readout_activation, false, error) ||
      !read_enum(j, "gru_variant", s.gru_variant, false, error) ||
      !read_enum(j, "readout", s.readout, true, error) ||
      !read_enum(j, "loss", s.loss, false, error) ||
      !read_int(j, "input_size", 1, kMaxModelInput, s.input_size, error) ||
      !read_int(j, "hidden_size", 1, kMaxModelHidden, s.hidden_size, error) ||
      !read_int(j, "output_size", 1, kMaxModelOutput, s.output_size, error))
    return false;
  if (s.cell == CellType::Rnn && s.gate_activation != GateActivation::Sigmoid) {
    if (error)
      *error = "gate_activation: '" + std::string(to_string(s.gate_activation)) +
               "' is for the gates of lstm and gru; a vanilla rnn has none (omit the key)";
    return false;
  }
  if (j.contains("embedding") && !read_embedding(j["embedding"], s.input_size, m.embedding, error))
    return false;
  if (!j.contains("layers") || !j["layers"].is_array() || j["layers"].empty() ||
      j["layers"].size() > kMaxLayers) {
    if (error)
      *error = "layers: expected an array of 1 to " + std::to_string(kMaxLayers) + " layers";
    return false;
  }
  s.num_layers = static_cast<int>(j["layers"].size());
  Params p = make_params(s);
  for (int l = 0; l < s.num_layers; ++l)
    if (!read_layer(j["layers"][l], l, s, p.layers[l], error)) return false;
  if (!j.contains("output") || !j["output"].is_object() || !j["output"].contains("W") ||
      !j["output"].contains("b")) {
    if (error) *error = "output: expected an object {\"W\": (O, H), \"b\": (O)}";
    return false;
  }
  if (!only_keys(j["output"], "output", {"W", "b"}, error)) return false;
  if (!read_matrix(j["output"]["W"], "output.W", p.W_y.rows(), p.W_y.cols(), "(O, H)", p.W_y,
                   error) ||
      !read_vector(j["output"]["b"], "output.b", p.b_y.size(), "(O)", p.b_y, error))
    return false;
  m.net = Network(s, std::move(p));
  out = std::move(m);
  return true;
}

bool model_from_json(const Json& j, Network& out, std::string* error) {
  Model m;
  if (!model_from_json(j, m, error)) return false;
  if (m.has_embedding()) {
    if (error)
      *error = "embedding: this model reads tokens through an embedding of " +
               std::to_string(m.vocab_size()) +
               " rows; only `unrolled predict` (with \"tokens\" in the batch) runs it";
    return false;
  }
  out = std::move(m.net);
  return true;
}

bool save_model(const std::string& path, const Model& m, std::string* error) {
  return write_file_atomic(path, model_to_json(m).dump(1) + "\n", error);
}

bool save_model(const std::string& path, const Network& net, std::string* error) {
  return write_file_atomic(path, model_to_json(net).dump(1) + "\n", error);
}

namespace {
template <class M>
bool load_model_as(const std::string& path, M& out, std::string* error) {
  Json j;
  if (!read_json_file(path, kMaxModelFileBytes, j, error)) return false;
  std::string e;
  if (!model_from_json(j, out, &e)) {
    if (error) *error = path + ": " + e;
    return false;
  }
  return true;
}
}  // namespace

bool load_model(const std::string& path, Model& out, std::string* error) {
  return load_model_as(path, out, error);
}

bool load_model(const std::string& path, Network& out, std::string* error) {
  return load_model_as(path, out, error);
}

double grad_memory_bytes(const NetworkSpec& s, int64_t steps, int64_t batch) {
  const double G = s.gates(), H = s.hidden_size, L = s.num_layers, B = batch, T = steps;
  const double I = s.input_size, O = s.output_size;
  const double n_out = s.readout == Readout::Every ? T : 1;
  // Doubles kept for BPTT, per layer and step: Trace pre and gates (2G·H), c, tanh c, hn, h
  // (≤ 4H); GradTrace dh, dc, dpre ((G + 2)·H). Per scored step: readout y and softmax (2·O).
  // A batch cut into shards (network.hpp) writes its columns of the one trace in place.
  const double trace = (3 * G + 6) * H * B * T * L + 2 * O * B * n_out;
  const double data = (I * T + (O + 1) * n_out) * B;  // the batch: inputs, targets, mask
  // Each of those ≤ 9 matrices per layer and step is its own allocation (object and heap header).
  const double matrices = 9 * 64 * T * L;
  // The batch file, its text and its JSON document together: about 64 bytes an array and 40 a
  // number (arrays grow by doubling).
  const double document = B * (64 * (T + n_out + 2) + 40 * (I * T + (O + 1) * n_out));
  // The model and its gradients, each in memory, as a JSON document and as text (the file read,
  // the output printed; strings and arrays grow by doubling): 160 bytes a parameter, measured
  // about 120. And the program with the per-step norms it prints.
  const bool b_hn = s.cell == CellType::Gru && s.gru_variant == GruVariant::ResetAfter;
  const double params =
      G * H * (I + H + 1) + (L - 1) * G * H * (2 * H + 1) + L * (b_hn ? H : 0) + O * (H + 1);
  const double fixed = 16.0 * (1 << 20) + 48 * T * L;
  return 8 * (trace + data) + matrices + document + 160 * params + fixed;
}

std::string check_grad_memory(const NetworkSpec& s, int64_t steps, int64_t batch) {
  const double bytes = grad_memory_bytes(s, steps, batch);
  if (bytes <= kMaxGradBytes) return "";
  std::ostringstream m;
  m << "hidden_size " << s.hidden_size << " x layers " << s.num_layers << " x steps " << steps
    << " x batch " << batch << " needs about " << static_cast<int64_t>(bytes / (1 << 20))
    << " MiB (the trace kept for BPTT, the batch and the model); at most "
    << static_cast<int64_t>(kMaxGradBytes / (1 << 20))
    << " MiB are allowed: use fewer or shorter sequences";
  return m.str();
}

namespace {

// The batch file's shapes, checked before any value is read or any buffer sized: every sequence
// has the first one's T steps, inputs (T, I), targets (T, O) or (O), mask (T) or a number.
bool check_batch_shapes(const Json& j, const NetworkSpec& spec, Eigen::Index& B, Eigen::Index& T,
                        std::string* error) {
  auto fail = [&](const std::string& m) {
    if (error) *error = m;
    return false;
  };
  const Json& in = j["inputs"];
  if (!in.is_array() || in.empty() || !in[0].is_array() || in[0].empty())
    return fail("inputs: expected a non-empty array [B][T][I]");
  B = in.size();
  T = in[0].size();
  const bool every = spec.readout == Readout::Every;
  const double values =  // what the batch will hold, inputs + targets + mask
      double(B) *
      (double(T) * spec.input_size + (every ? double(T) : 1.0) * (spec.output_size + 1));
  if (values > double(kMaxBatchValues))
    return fail("inputs: " + std::to_string(B) + " sequences of " + std::to_string(T) +
                " steps hold about " + num(values) + " numbers with their targets; at most " +
                std::to_string(kMaxBatchValues) + " are allowed");
  for (Eigen::Index s = 0; s < B; ++s)
    if (!check_matrix_shape(in[s], "inputs[" + std::to_string(s) + "]", T, spec.input_size,
                            "(T, I)", error))
      return false;
  const Json& tg = j["targets"];
  if (!tg.is_array() || static_cast<Eigen::Index>(tg.size()) != B)
    return fail("targets: expected " + std::to_string(B) + " sequences, like inputs");
  if (every) {
    for (Eigen::Index s = 0; s < B; ++s)
      if (!check_matrix_shape(tg[s], "targets[" + std::to_string(s) + "]", T, spec.output_size,
                              "(T, O)", error))
        return false;
  } else if (!check_matrix_shape(tg, "targets", B, spec.output_size, "(B, O) for readout last",
                                 error)) {
    return false;
  }
  if (!j.contains("mask")) return true;
  const Json& m = j["mask"];
  if (every) return check_matrix_shape(m, "mask", B, T, "(B, T)", error);
  if (!m.is_array() || static_cast<Eigen::Index>(m.size()) != B)
    return fail("mask: expected shape (B) = (" + std::to_string(B) + "), found " +
                (m.is_array() ? "(" + std::to_string(m.size()) + ")" : json_type_name(m)));
  return true;
}

}  // namespace

bool batch_from_json(const Json& j, const NetworkSpec& spec, Batch& out, std::string* error) {
  auto fail = [&](const std::string& m) {
    if (error) *error = m;
    return false;
  };
  if (!j.is_object() || !j.contains("inputs") || !j.contains("targets"))
    return fail("batch: expected an object with \"inputs\" [B][T][I] and \"targets\"");
  if (!only_keys(j, "batch", {"inputs", "targets", "mask"}, error)) return false;
  Eigen::Index B = 0, T = 0;
  if (!check_batch_shapes(j, spec, B, T, error)) return false;
  // Only now, with every shape known to match, is anything sized.
  Batch b;
  b.inputs.assign(T, Mat(spec.input_size, B));
  const Json& in = j["inputs"];
  for (Eigen::Index s = 0; s < B; ++s) {
    Mat seq;  // (T, I)
    if (!read_matrix(in[s], "inputs[" + std::to_string(s) + "]", T, spec.input_size, "(T, I)", seq,
                     error, kMaxBatchMagnitude))
      return false;
    for (Eigen::Index t = 0; t < T; ++t) b.inputs[t].col(s) = seq.row(t).transpose();
  }
  const Json& tg = j["targets"];
  if (spec.readout == Readout::Every) {
    b.targets.assign(T, Mat(spec.output_size, B));
    for (Eigen::Index s = 0; s < B; ++s) {
      Mat seq;  // (T, O)
      if (!read_matrix(tg[s], "targets[" + std::to_string(s) + "]", T, spec.output_size, "(T, O)",
                       seq, error, kMaxBatchMagnitude))
        return false;
      for (Eigen::Index t = 0; t < T; ++t) b.targets[t].col(s) = seq.row(t).transpose();
    }
  } else {
    Mat all;  // (B, O)
    if (!read_matrix(tg, "targets", B, spec.output_size, "(B, O) for readout last", all, error,
                     kMaxBatchMagnitude))
      return false;
    b.targets.assign(1, all.transpose());
  }
  if (j.contains("mask")) {
    Mat m;  // (B, T) or (B, 1)
    if (spec.readout == Readout::Every) {
      if (!read_matrix(j["mask"], "mask", B, T, "(B, T)", m, error)) return false;
    } else {
      Vec v;
      if (!read_vector(j["mask"], "mask", B, "(B)", v, error)) return false;
      m = v;
    }
    for (Eigen::Index s = 0; s < m.rows(); ++s)
      for (Eigen::Index t = 0; t < m.cols(); ++t)
        if (!(m(s, t) >= 0 && m(s, t) <= kMaxMaskWeight))
          return fail("mask[" + std::to_string(s) + "]" +
                      (m.cols() > 1 ? "[" + std::to_string(t) + "]" : "") + ": " + num(m(s, t)) +
                      " is out of range; each weight is in [0, " + num(kMaxMaskWeight) + "]");
    b.mask = m.transpose();  // (T, B) or (1, B)
  }
  out = std::move(b);
  return true;
}

Json batch_to_json(const Batch& b, Readout readout) {
  const int T = b.steps(), B = b.batch_size();
  Json inputs = Json::array(), targets = Json::array(), mask = Json::array();
  for (int s = 0; s < B; ++s) {
    Json seq = Json::array();
    for (int t = 0; t < T; ++t) seq.push_back(vector_to_json(b.inputs[t].col(s)));
    inputs.push_back(seq);
    if (readout == Readout::Every) {
      Json ts = Json::array();
      for (int t = 0; t < T; ++t) ts.push_back(vector_to_json(b.targets[t].col(s)));
      targets.push_back(ts);
    } else {
      targets.push_back(vector_to_json(b.targets[0].col(s)));
    }
  }
  Json j = {{"inputs", inputs}, {"targets", targets}};
  if (b.mask.size() > 0) {
    Json m = Json::array();
    for (int s = 0; s < B; ++s) {
      if (b.mask.rows() == 1)
        m.push_back(b.mask(0, s));
      else
        m.push_back(vector_to_json(b.mask.col(s)));
    }
    j["mask"] = m;
  }
  return j;
}

bool inputs_from_json(const Json& j, const Model& m, Batch& out, std::string* error) {
  auto fail = [&](const std::string& msg) {
    if (error) *error = msg;
    return false;
  };
  const NetworkSpec& spec = m.net.spec();
  const char* key = m.has_embedding() ? "tokens" : "inputs";
  const char* other = m.has_embedding() ? "inputs" : "tokens";
  if (!j.is_object()) return fail("batch: expected a JSON object, found " + json_type_name(j));
  if (!only_keys(j, "batch", {"inputs", "tokens", "targets", "mask"}, error)) return false;
  if (j.contains(other))
    return fail(std::string("batch: \"") + other + "\" is not allowed: this model " +
                (m.has_embedding() ? "reads tokens through its embedding; give \"tokens\" [B][T]"
                                   : "has no embedding; give \"inputs\" [B][T][I]"));
  if (!j.contains(key) || !j[key].is_array() || j[key].empty() || !j[key][0].is_array() ||
      j[key][0].empty())
    return fail(std::string(key) + ": expected a non-empty array " +
                (m.has_embedding() ? "[B][T] of token ids" : "[B][T][I]"));
  const Json& in = j[key];
  const Eigen::Index B = in.size(), T = in[0].size();
  const double values = double(B) * double(T) * (spec.input_size + 1);
  if (values > double(kMaxBatchValues))
    return fail(std::string(key) + ": " + std::to_string(B) + " sequences of " + std::to_string(T) +
                " steps hold about " + num(values) + " numbers; at most " +
                std::to_string(kMaxBatchValues) + " are allowed");
  if (!m.has_embedding()) {
    for (Eigen::Index s = 0; s < B; ++s)
      if (!check_matrix_shape(in[s], "inputs[" + std::to_string(s) + "]", T, spec.input_size,
                              "(T, I)", error))
        return false;
  } else if (!check_matrix_shape(in, "tokens", B, T, "(B, T)", error)) {
    return false;
  }
  Batch b;
  b.inputs.assign(T, Mat(spec.input_size, B));
  for (Eigen::Index s = 0; s < B; ++s) {
    if (m.has_embedding()) {
      for (Eigen::Index t = 0; t < T; ++t) {
        const Json& v = in[s][t];
        const std::string at = "tokens[" + std::to_string(s) + "][" + std::to_string(t) + "]";
        if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() >= m.vocab_size())
          return fail(at + ": " + v.dump() + " is not a token id; expected an integer in [0, " +
                      std::to_string(m.vocab_size() - 1) + "]");
        b.inputs[t].col(s) = m.embedding.row(v.get<int64_t>()).transpose();  // (I)
      }
      continue;
    }
    Mat seq;  // (T, I)
    if (!read_matrix(in[s], "inputs[" + std::to_string(s) + "]", T, spec.input_size, "(T, I)", seq,
                     error, kMaxBatchMagnitude))
      return false;
    for (Eigen::Index t = 0; t < T; ++t) b.inputs[t].col(s) = seq.row(t).transpose();
  }
  out = std::move(b);
  return true;
}

}  // namespace unrolled
