// Legend: B batch, T steps, I input, H hidden, O output, G gate blocks.
#include "core/model_io.hpp"

#include <cmath>
#include <sstream>

namespace unrolled {
namespace {

std::string shape(Eigen::Index r, Eigen::Index c) {
  return "(" + std::to_string(r) + ", " + std::to_string(c) + ")";
}

// Reads a row-major nested array of exactly rows x cols finite numbers.
bool read_matrix(const Json& j, const std::string& name, Eigen::Index rows, Eigen::Index cols,
                 const std::string& expected, Mat& out, std::string* error) {
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
  out.resize(rows, cols);
  for (Eigen::Index r = 0; r < rows; ++r) {
    const Json& row = j[r];
    if (!row.is_array() || static_cast<Eigen::Index>(row.size()) != cols)
      return fail("row " + std::to_string(r) + " with " +
                  (row.is_array() ? std::to_string(row.size()) + " values" : json_type_name(row)));
    for (Eigen::Index c = 0; c < cols; ++c) {
      if (!row[c].is_number()) {
        if (error)
          *error = name + "[" + std::to_string(r) + "][" + std::to_string(c) +
                   "]: expected a number, found " + json_type_name(row[c]);
        return false;
      }
      out(r, c) = row[c].get<double>();
      if (!std::isfinite(out(r, c))) {
        if (error) *error = name + ": values must be finite";
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

}  // namespace

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

Json model_to_json(const Network& net) {
  const NetworkSpec& s = net.spec();
  Json j = {{"format", "unrolled-model"},
            {"version", 1},
            {"cell", to_string(s.cell)},
            {"activation", to_string(s.activation)},
            {"gru_variant", to_string(s.gru_variant)},
            {"input_size", s.input_size},
            {"hidden_size", s.hidden_size},
            {"output_size", s.output_size},
            {"readout", to_string(s.readout)},
            {"loss", to_string(s.loss)}};
  const Json p = params_to_json(net.params());
  j["layers"] = p["layers"];
  j["output"] = p["output"];
  return j;
}

bool model_from_json(const Json& j, Network& out, std::string* error) {
  if (!j.is_object()) {
    if (error) *error = "model: expected a JSON object, found " + json_type_name(j);
    return false;
  }
  static const char* kKeys[] = {"format",      "version",    "cell",        "activation",
                                "gru_variant", "input_size", "hidden_size", "output_size",
                                "readout",     "loss",       "layers",      "output"};
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (const char* k : kKeys) known = known || key == k;
    if (!known) {
      if (error)
        *error = "model: unknown key '" + key +
                 "'; allowed: format, version, cell, activation, "
                 "gru_variant, input_size, hidden_size, output_size, readout, loss, layers, output";
      return false;
    }
  }
  if (!j.contains("format") || j["format"] != "unrolled-model") {
    if (error) *error = "format: expected \"unrolled-model\"";
    return false;
  }
  if (!j.contains("version") || j["version"] != 1) {
    if (error)
      *error =
          "version: " + (j.contains("version") ? j["version"].dump() : std::string("missing")) +
          " is not supported; this build reads version 1";
    return false;
  }
  NetworkSpec s;
  if (!read_enum(j, "cell", s.cell, true, error) ||
      !read_enum(j, "activation", s.activation, false, error) ||
      !read_enum(j, "gru_variant", s.gru_variant, false, error) ||
      !read_enum(j, "readout", s.readout, true, error) ||
      !read_enum(j, "loss", s.loss, false, error) ||
      !read_int(j, "input_size", 1, kMaxModelInput, s.input_size, error) ||
      !read_int(j, "hidden_size", 1, kMaxModelHidden, s.hidden_size, error) ||
      !read_int(j, "output_size", 1, kMaxModelOutput, s.output_size, error))
    return false;
  if (!j.contains("layers") || !j["layers"].is_array() || j["layers"].empty() ||
      j["layers"].size() > kMaxLayers) {
    if (error)
      *error = "layers: expected an array of 1 to " + std::to_string(kMaxLayers) + " layers";
    return false;
  }
  s.num_layers = static_cast<int>(j["layers"].size());
  Params p = make_params(s);
  const std::string G = s.gates() == 1 ? "" : std::to_string(s.gates());
  for (int l = 0; l < s.num_layers; ++l) {
    const Json& jl = j["layers"][l];
    const std::string pre = "layers[" + std::to_string(l) + "].";
    if (!jl.is_object()) {
      if (error) *error = pre.substr(0, pre.size() - 1) + ": expected an object with W_x, W_h, b";
      return false;
    }
    LayerParams& lp = p.layers[l];
    const std::string I = l == 0 ? "I" : "H";
    for (const char* key : {"W_x", "W_h", "b"})
      if (!jl.contains(key)) {
        if (error) *error = pre + key + ": missing";
        return false;
      }
    if (!read_matrix(jl["W_x"], pre + "W_x", lp.W_x.rows(), lp.W_x.cols(),
                     "(" + G + "H, " + I + ")", lp.W_x, error) ||
        !read_matrix(jl["W_h"], pre + "W_h", lp.W_h.rows(), lp.W_h.cols(), "(" + G + "H, H)",
                     lp.W_h, error) ||
        !read_vector(jl["b"], pre + "b", lp.b.size(), "(" + G + "H)", lp.b, error))
      return false;
    if (lp.b_hn.size() > 0) {
      if (!jl.contains("b_hn")) {
        if (error)
          *error =
              pre + "b_hn: missing (the reset_after GRU has a recurrent bias b_hn of shape (H))";
        return false;
      }
      if (!read_vector(jl["b_hn"], pre + "b_hn", lp.b_hn.size(), "(H)", lp.b_hn, error))
        return false;
    }
  }
  if (!j.contains("output") || !j["output"].is_object() || !j["output"].contains("W") ||
      !j["output"].contains("b")) {
    if (error) *error = "output: expected an object {\"W\": (O, H), \"b\": (O)}";
    return false;
  }
  if (!read_matrix(j["output"]["W"], "output.W", p.W_y.rows(), p.W_y.cols(), "(O, H)", p.W_y,
                   error) ||
      !read_vector(j["output"]["b"], "output.b", p.b_y.size(), "(O)", p.b_y, error))
    return false;
  out = Network(s, std::move(p));
  return true;
}

bool save_model(const std::string& path, const Network& net, std::string* error) {
  return write_file_atomic(path, model_to_json(net).dump(1) + "\n", error);
}

bool load_model(const std::string& path, Network& out, std::string* error) {
  Json j;
  if (!read_json_file(path, kMaxModelFileBytes, j, error)) return false;
  std::string e;
  if (!model_from_json(j, out, &e)) {
    if (error) *error = path + ": " + e;
    return false;
  }
  return true;
}

bool batch_from_json(const Json& j, const NetworkSpec& spec, Batch& out, std::string* error) {
  auto fail = [&](const std::string& m) {
    if (error) *error = m;
    return false;
  };
  if (!j.is_object() || !j.contains("inputs") || !j.contains("targets"))
    return fail("batch: expected an object with \"inputs\" [B][T][I] and \"targets\"");
  for (const auto& [key, v] : j.items())
    if (key != "inputs" && key != "targets" && key != "mask")
      return fail("batch: unknown key '" + key + "'; allowed: inputs, targets, mask");
  const Json& in = j["inputs"];
  if (!in.is_array() || in.empty() || !in[0].is_array() || in[0].empty())
    return fail("inputs: expected a non-empty array [B][T][I]");
  const Eigen::Index B = in.size(), T = in[0].size();
  if (T > 100000 || B > 100000) return fail("inputs: at most 100000 sequences of 100000 steps");
  Batch b;
  b.inputs.assign(T, Mat(spec.input_size, B));
  for (Eigen::Index s = 0; s < B; ++s) {
    const std::string name = "inputs[" + std::to_string(s) + "]";
    Mat seq;  // (T, I)
    if (!read_matrix(in[s], name, T, spec.input_size, "(T, I)", seq, error)) return false;
    for (Eigen::Index t = 0; t < T; ++t) b.inputs[t].col(s) = seq.row(t).transpose();
  }
  const Json& tg = j["targets"];
  if (!tg.is_array() || static_cast<Eigen::Index>(tg.size()) != B)
    return fail("targets: expected " + std::to_string(B) + " sequences, like inputs");
  if (spec.readout == Readout::Every) {
    b.targets.assign(T, Mat(spec.output_size, B));
    for (Eigen::Index s = 0; s < B; ++s) {
      Mat seq;  // (T, O)
      if (!read_matrix(tg[s], "targets[" + std::to_string(s) + "]", T, spec.output_size, "(T, O)",
                       seq, error))
        return false;
      for (Eigen::Index t = 0; t < T; ++t) b.targets[t].col(s) = seq.row(t).transpose();
    }
  } else {
    Mat all;  // (B, O)
    if (!read_matrix(tg, "targets", B, spec.output_size, "(B, O) for readout last", all, error))
      return false;
    b.targets.assign(1, all.transpose());
  }
  if (j.contains("mask")) {
    const Eigen::Index rows = spec.readout == Readout::Every ? T : 1;
    Mat m;
    if (spec.readout == Readout::Every) {
      if (!read_matrix(j["mask"], "mask", B, T, "(B, T)", m, error)) return false;
    } else {
      Vec v;
      if (!read_vector(j["mask"], "mask", B, "(B)", v, error)) return false;
      m = v;
    }
    b.mask = m.transpose();
    if (b.mask.rows() != rows) return fail("mask: wrong shape");
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

}  // namespace unrolled
