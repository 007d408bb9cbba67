// Legend: T steps, I input, O output, H hidden, G gate blocks, L layers, V vocabulary.
//
// [SECTION] Vocabulary files
// [SECTION] Opening a model; probing a lesson's
// [SECTION] Typed input
// [SECTION] The snapshot: one forward pass, one backward pass of the chosen output
#include "app/session/inspect.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "core/predict.hpp"

namespace unrolled {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Keras' Tokenizer default: these characters become spaces before the text is split.
constexpr const char* kKerasFilters = "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n";
constexpr size_t kMaxTokenBytes = 256;

bool fail(std::string* error, const std::string& message) {
  if (error) *error = message;
  return false;
}

// A token as a message quotes it: control characters by name.
std::string shown_token(const std::string& token) {
  if (token == " ") return "' ' (space)";
  if (token == "\n") return "'\\n' (new line)";
  if (token == "\t") return "'\\t' (tab)";
  if (token.size() == 1 && static_cast<unsigned char>(token[0]) < 32) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "byte 0x%02x", static_cast<unsigned char>(token[0]));
    return buf;
  }
  return "'" + token + "'";
}

// The first few tokens, for a message: "the, film, movie, … (13 in all)".
std::string some_tokens(const Vocabulary& v) {
  std::string out;
  int shown = 0, known = 0;
  for (const std::string& t : v.tokens) {
    if (t.empty()) continue;
    ++known;
    if (shown < 12)
      out += (shown++ ? ", " : "") + (t == "\n" ? std::string("\\n") : t == " " ? "' '" : t);
  }
  if (known > shown) out += ", \xE2\x80\xA6";
  return out + " (" + std::to_string(known) + " in all)";
}

std::string file_name(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::string fmt_id(double id) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", id);
  return buf;
}

// A token's label under its step: white space made visible.
std::string display_token(const std::string& t) {
  if (t == " ") return "\xE2\x90\xA3";   // ␣
  if (t == "\n") return "\xE2\x8F\x8E";  // ⏎
  if (t == "\t") return "\xE2\x87\xA5";  // ⇥
  return t;
}

}  // namespace

// [SECTION] Vocabulary files

bool split_utf8(const std::string& text, std::vector<std::string>& out, std::string* error) {
  out.clear();
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = n > 0 && i + n <= text.size();
    for (size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(text[i + k]) >> 6) == 2;
    if (!ok) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "byte %zu (0x%02x) is not valid UTF-8", i, c);
      return fail(error, buf);
    }
    out.push_back(text.substr(i, n));
    i += n;
  }
  return true;
}

namespace {

// Adds token -> id; ids at or beyond V are kept (typing that word says why it cannot be read).
bool add_token(Vocabulary& v, const std::string& token, int64_t id, const std::string& where,
               std::string* error) {
  if (token.empty() || token.size() > kMaxTokenBytes)
    return fail(error, where + ": a token of " + std::to_string(token.size()) +
                           " bytes; tokens have 1 to " + std::to_string(kMaxTokenBytes));
  if (id < 0 || id > std::numeric_limits<int>::max())
    return fail(error, where + ": token " + shown_token(token) + " has id " + std::to_string(id) +
                           "; ids are whole numbers from 0");
  v.ids.emplace(token, static_cast<int>(id));
  if (id < static_cast<int64_t>(v.tokens.size()) && v.tokens[id].empty()) v.tokens[id] = token;
  return true;
}

// {"word": id, ...}: a Keras Tokenizer's word_index (ids from 1; 0 is its padding).
bool word_index(const Json& j, const std::string& where, Vocabulary& v, std::string* error) {
  if (j.size() > static_cast<size_t>(kMaxVocab))
    return fail(error, where + ": " + std::to_string(j.size()) + " words; at most " +
                           std::to_string(kMaxVocab));
  for (const auto& [word, id] : j.items()) {
    if (!id.is_number_integer())
      return fail(error, where + ": the id of " + shown_token(word) + " is " +
                             id.dump().substr(0, 40) + "; expected a whole number");
    if (!add_token(v, word, id.get<int64_t>(), where, error)) return false;
  }
  return true;
}

}  // namespace

bool vocabulary_from_json(const Json& j, const std::string& where, int V, Vocabulary& out,
                          std::string* error) {
  Vocabulary v;
  v.tokens.assign(std::max(V, 0), std::string());
  v.source = where;
  if (j.is_array()) {  // token v at index v
    if (j.size() > static_cast<size_t>(kMaxVocab))
      return fail(error, where + ": " + std::to_string(j.size()) + " tokens; at most " +
                             std::to_string(kMaxVocab));
    if (static_cast<int64_t>(j.size()) > V)
      return fail(error, where + ": " + std::to_string(j.size()) +
                             " tokens, but the model's "
                             "embedding has " +
                             std::to_string(V) + " rows (one per token id)");
    bool characters = true;
    std::vector<std::string> cps;
    for (size_t i = 0; i < j.size(); ++i) {
      const std::string at = where + "[" + std::to_string(i) + "]";
      if (!j[i].is_string())
        return fail(error, at + " is " + j[i].dump().substr(0, 40) + "; expected a string");
      const std::string s = j[i].get<std::string>();
      if (!split_utf8(s, cps, error)) return fail(error, at + ": " + *error);
      characters = characters && cps.size() == 1;
      if (!add_token(v, s, static_cast<int64_t>(i), at, error)) return false;
    }
    v.kind = characters ? Vocabulary::Kind::Characters : Vocabulary::Kind::Words;
  } else if (j.is_object() && j.contains("config") && j["config"].is_object()) {
    // Keras' Tokenizer.to_json(): {"class_name": "Tokenizer", "config": {"word_index": "<JSON>",
    // "lower": true, "filters": "...", "char_level": false, ...}}.
    const Json& c = j["config"];
    if (!c.contains("word_index"))
      return fail(error, where +
                             ": config has no word_index (expected a Keras Tokenizer's "
                             "to_json(), a word index, or an array of tokens)");
    Json wi = c["word_index"];
    if (wi.is_string() &&
        !parse_json_text(wi.get<std::string>(), where + " config.word_index", wi, error))
      return false;
    if (!wi.is_object())
      return fail(error, where + ": config.word_index is not an object of word: id");
    if (!word_index(wi, where + " config.word_index", v, error)) return false;
    v.lower = !c.contains("lower") || c["lower"] != false;
    v.filters = c.contains("filters") && c["filters"].is_string() ? c["filters"].get<std::string>()
                                                                  : kKerasFilters;
    v.kind = c.contains("char_level") && c["char_level"] == true ? Vocabulary::Kind::Characters
                                                                 : Vocabulary::Kind::Words;
  } else if (j.is_object()) {
    if (!word_index(j, where, v, error)) return false;
    v.kind = Vocabulary::Kind::Words;
    v.lower = true;
    v.filters = kKerasFilters;
  } else {
    return fail(error, where +
                           ": expected a word index {\"word\": id, ...}, a Keras Tokenizer's "
                           "to_json(), or an array of tokens [\"a\", \"b\", ...]");
  }
  if (v.ids.empty()) return fail(error, where + ": no tokens");
  out = std::move(v);
  return true;
}

bool read_vocabulary(const std::string& path, int V, Vocabulary& out, std::string* error) {
  Json j;
  if (!read_json_file(path, kMaxVocabFileBytes, j, error)) return false;
  return vocabulary_from_json(j, path, V, out, error);
}

// [SECTION] Opening a model; probing a lesson's

void compute_spectra(InspectModel& m) {
  const NetworkSpec& spec = m.model.net.spec();
  m.spectra.clear();
  if (spec.hidden_size > kMaxInspectSpectrumHidden) return;
  for (int l = 0; l < spec.num_layers; ++l)
    m.spectra.push_back(recurrent_spectra(m.model.net.params(), spec, l));
}

bool open_inspect_model(const std::string& path, const import::ImportOptions& options,
                        const std::string& vocab_path, InspectModel& out, std::string* error) {
  InspectModel m;
  m.source = path;
  m.name = file_name(path);
  if (ends_with(path, ".json")) {  // a model file; `unrolled import` wrote it, or grad's --save
    if (!load_model(path, m.model, error)) return false;
    m.format = "model file";
  } else {
    import::ImportResult r;
    if (!import::import_model(path, options, r, error)) return false;
    m.model = std::move(r.model);
    m.format = r.format;
    m.notes = r.notes;
  }
  if (!vocab_path.empty()) {
    if (!m.model.has_embedding())
      return fail(error, "--vocab " + vocab_path + ": the model " + path +
                             " reads numbers (it has no embedding), so it takes no vocabulary");
    if (!read_vocabulary(vocab_path, m.model.vocab_size(), m.vocab, error)) return false;
    m.vocab.source = "--vocab " + file_name(vocab_path);
  }
  const int O = m.model.net.spec().output_size;
  for (int k = 0; k < O; ++k) m.output_labels.push_back("y" + std::to_string(k));
  compute_spectra(m);
  out = std::move(m);
  return true;
}

bool probe_lesson_model(const Snapshot& snap, InspectModel& out, std::string* error) {
  if (snap.models.empty()) return fail(error, "no model is running");
  const ModelView& mv = snap.models[0];
  InspectModel m;
  const NetworkSpec& spec = mv.spec;
  m.model.net = Network(spec, mv.params);
  m.model.readout_activation =
      spec.loss == LossKind::CrossEntropy ? ReadoutActivation::Softmax : ReadoutActivation::None;
  m.name = mv.name + " at iteration " + std::to_string(mv.iteration);
  m.source = "the lesson: " + snap.config.title;
  m.format = "lesson";
  m.output_labels = snap.task.output_labels;
  const TaskKind kind = snap.config.task.kind;
  const bool one_hot = kind == TaskKind::CharLm || kind == TaskKind::Sentiment ||
                       kind == TaskKind::Copy || kind == TaskKind::Recall;
  if (one_hot) {
    // The task's one-hot inputs are the identity embedding's rows: token v is row v.
    const int V = spec.input_size;
    m.model.embedding = Mat::Identity(V, V);  // (V, I) with I = V
    Json tokens = Json::array();
    const bool chars = kind == TaskKind::CharLm;
    const std::vector<std::string>& names = chars ? snap.vocabulary : snap.task.input_labels;
    if (static_cast<int>(names.size()) != V)
      return fail(error, "the lesson's vocabulary has " + std::to_string(names.size()) +
                             " tokens for " + std::to_string(V) + " inputs");
    for (const std::string& t : names) tokens.push_back(t);
    if (!vocabulary_from_json(tokens, "the lesson's vocabulary", V, m.vocab, error)) return false;
    m.vocab.kind = chars ? Vocabulary::Kind::Characters : Vocabulary::Kind::Words;
    m.vocab.lower = kind == TaskKind::Sentiment;  // its words are lower case
    m.vocab.source = chars ? "the lesson's " + std::to_string(V) + " characters"
                           : "the lesson's " + std::to_string(V) + " symbols";
    if (kind == TaskKind::Sentiment) m.example = "the film is not bad";
    if (chars) {  // the first characters of the text, up to a word's end
      for (const std::string& c : snap.vocabulary) m.example += c;
      m.example = m.example.substr(0, std::min<size_t>(m.example.size(), 8));
    }
  }
  m.output_labels.resize(spec.output_size);
  for (int k = 0; k < spec.output_size; ++k)
    if (m.output_labels[k].empty()) m.output_labels[k] = "y" + std::to_string(k);
  compute_spectra(m);
  out = std::move(m);
  return true;
}

// [SECTION] Typed input

namespace {

bool parse_tokens(const InspectModel& m, const std::string& text, InspectInput& out,
                  std::string* error) {
  const Vocabulary& v = m.vocab;
  const int V = m.model.vocab_size();
  std::vector<std::string> pieces;
  if (v.kind == Vocabulary::Kind::Characters) {
    if (!split_utf8(text, pieces, error)) return false;
  } else {
    std::string s = text;
    for (char& c : s) {
      if (v.filters.find(c) != std::string::npos) c = ' ';
      if (v.lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    std::vector<std::string> cps;
    if (!split_utf8(s, cps, error)) return false;  // a message naming the byte
    size_t i = 0;
    while (i < s.size()) {
      while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
      size_t j = i;
      while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j]))) ++j;
      if (j > i) pieces.push_back(s.substr(i, j - i));
      i = j;
    }
  }
  const char* what = v.kind == Vocabulary::Kind::Characters ? "character" : "word";
  if (pieces.empty()) return fail(error, std::string("no ") + what + "s yet: type some text");
  if (pieces.size() > static_cast<size_t>(kMaxInspectSteps))
    return fail(error, std::to_string(pieces.size()) + " " + what + "s: at most " +
                           std::to_string(kMaxInspectSteps) + " steps are shown");
  for (size_t i = 0; i < pieces.size(); ++i) {
    const auto it = v.ids.find(pieces[i]);
    const std::string at =
        std::string(what) + " " + std::to_string(i + 1) + ", " + shown_token(pieces[i]);
    if (it == v.ids.end())
      return fail(error, at + ", is not in the vocabulary (" + v.source + "): " + some_tokens(v));
    if (it->second >= V)
      return fail(error, at + ", has id " + std::to_string(it->second) + " in " + v.source +
                             ", beyond the embedding's " + std::to_string(V) +
                             " rows (the tokenizer kept more words than the model reads)");
    out.tokens.push_back(it->second);
    out.labels.push_back(display_token(pieces[i]));
  }
  return true;
}

// One number of line `line`, field `field`.
bool parse_number(const std::string& s, int line, int field, double& x, std::string* error) {
  size_t a = s.find_first_not_of(" \t\r"), b = s.find_last_not_of(" \t\r");
  const std::string f = a == std::string::npos ? "" : s.substr(a, b - a + 1);
  const std::string at = "line " + std::to_string(line) + ", value " + std::to_string(field);
  char* end = nullptr;
  x = f.empty() ? kNaN : std::strtod(f.c_str(), &end);
  if (f.empty() || *end != '\0')
    return fail(error, at + ": '" + f.substr(0, 40) + "' is not a number");
  if (!std::isfinite(x) || std::abs(x) > kMaxInspectMagnitude)
    return fail(error, at + ": " + f.substr(0, 40) +
                           " is not allowed; values are finite and within "
                           "\xC2\xB1" +
                           "1e6");
  return true;
}

bool parse_numbers(const InspectModel& m, const std::string& text, InspectInput& out,
                   std::string* error) {
  const bool ids = m.model.has_embedding();  // no vocabulary: one token id a line
  const int I = ids ? 1 : m.model.net.spec().input_size;
  int line = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string row = text.substr(start, end - start);
    ++line;
    start = end + 1;
    if (row.find_first_not_of(" \t\r") == std::string::npos) continue;  // a blank line
    if (out.labels.size() == static_cast<size_t>(kMaxInspectSteps))
      return fail(error, "more than " + std::to_string(kMaxInspectSteps) +
                             " steps (lines): at most " + std::to_string(kMaxInspectSteps) +
                             " are shown");
    std::vector<double> xs;
    size_t f0 = 0;
    for (int field = 1;; ++field) {
      const size_t comma = row.find(',', f0);
      double x = 0;
      if (!parse_number(row.substr(f0, comma == std::string::npos ? std::string::npos : comma - f0),
                        line, field, x, error))
        return false;
      xs.push_back(x);
      if (comma == std::string::npos || xs.size() > static_cast<size_t>(I)) break;
      f0 = comma + 1;
    }
    if (xs.size() != static_cast<size_t>(I))
      return fail(error,
                  "line " + std::to_string(line) + ": " +
                      (xs.size() > static_cast<size_t>(I) ? "more than " + std::to_string(I)
                                                          : std::to_string(xs.size())) +
                      " value(s); the model reads " +
                      (ids ? "one token id" : std::to_string(I) + " comma-separated value(s)") +
                      " per line");
    if (ids) {
      const double id = xs[0];
      if (id != std::floor(id) || id < 0 || id >= m.model.vocab_size())
        return fail(error, "line " + std::to_string(line) + ": token id " + fmt_id(id) +
                               " is not allowed; ids are whole numbers from 0 to " +
                               std::to_string(m.model.vocab_size() - 1));
      out.tokens.push_back(static_cast<int>(id));
      out.labels.push_back(std::to_string(static_cast<int>(id)));
    } else {
      Vec x(I);  // (I)
      for (int i = 0; i < I; ++i) x(i) = xs[i];
      out.batch.inputs.push_back(x);
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.3g", xs[0]);
      out.labels.push_back(I == 1 ? std::string(buf) : "t" + std::to_string(out.labels.size() + 1));
    }
  }
  if (out.labels.empty())
    return fail(error, ids ? "no steps yet: type one token id per line"
                           : "no steps yet: type one line per step, " + std::to_string(I) +
                                 " comma-separated value(s) each");
  return true;
}

}  // namespace

bool parse_inspect_input(const InspectModel& m, const std::string& text, InspectInput& out,
                         std::string* error) {
  InspectInput in;
  if (text.size() > kMaxInspectTextBytes)
    return fail(error, std::to_string(text.size()) + " bytes of input; at most " +
                           std::to_string(kMaxInspectTextBytes));
  const bool tokens = m.model.has_embedding() && m.vocab.kind != Vocabulary::Kind::None;
  if (!(tokens ? parse_tokens(m, text, in, error) : parse_numbers(m, text, in, error)))
    return false;
  if (!in.tokens.empty()) {  // the embedding's rows, as `unrolled predict` looks them up
    Json j = {{"tokens", Json::array({in.tokens})}};
    if (!inputs_from_json(j, m.model, in.batch, error)) return false;
  }
  out = std::move(in);
  return true;
}

// [SECTION] The snapshot: one forward pass, one backward pass of the chosen output

namespace {

// ∂y_k/∂h^l_t for every l, t: the engine's BPTT on an MSE loss that scores output `k` at output
// index `n` alone, with the target chosen so that ∂L/∂y = e_k there (L = Σ (y − target)² / O over
// the one scored output: ∂L/∂y = 2 (y − target) / O).
bool output_gradient(const Model& m, const Batch& inputs, int n, int k, OutputGradient& g,
                     std::string* error) {
  NetworkSpec spec = m.net.spec();
  spec.loss = LossKind::Mse;
  const Network net(spec, m.net.params());
  const int T = inputs.steps(), O = spec.output_size;
  const int n_out = spec.readout == Readout::Every ? T : 1;
  Batch b = inputs;
  Trace tr;
  b.targets.assign(n_out, Mat::Zero(O, 1));  // n_out x (O, 1): set below from y
  b.mask = Mat::Zero(n_out, 1);              // (n_out, 1)
  b.mask(n, 0) = 1;
  net.forward(tr, b);
  b.targets[n] = tr.y[n];
  b.targets[n](k, 0) -= O / 2.0;
  Params grads;
  GradTrace gt;
  BackwardOptions opt;
  opt.profile = false;
  net.backward(grads, gt, tr, b, opt);
  const int L = spec.num_layers, H = spec.hidden_size;
  const bool lstm = spec.cell == CellType::Lstm;
  g.dy_dh.assign(L, Mat(H, T));
  g.dy_dc.assign(lstm ? L : 0, Mat(H, T));
  g.norm.resize(L, T);
  for (int l = 0; l < L; ++l)
    for (int t = 0; t < T; ++t) {
      g.dy_dh[l].col(t) = gt.dh[l][t].col(0);
      if (lstm) g.dy_dc[l].col(t) = gt.dc[l][t].col(0);
      g.norm(l, t) = gt.dh[l][t].norm();
    }
  g.logit = tr.y[n](k, 0);
  if (!g.norm.allFinite())
    return fail(error,
                "the output's gradient is not finite: the numbers overflowed for this "
                "model and input");
  return true;
}

// The Snapshot fields the panels read about the run: a one-sequence "batch", no task.
void describe_run(const InspectModel& m, int T, Snapshot& s) {
  const NetworkSpec& spec = m.model.net.spec();
  s.config = ExperimentConfig{};
  s.config.title = m.name;
  s.config.description = "Inspecting " + m.source + " (" + m.format + "): no task, no training.";
  s.config.training.batch_size = 1;
  s.task = TaskInfo{};
  s.task.name = "inspect";
  s.task.input_size = spec.input_size;
  s.task.output_size = spec.output_size;
  s.task.steps = T;
  s.task.loss = spec.loss;
  s.task.readout = spec.readout;
  s.task.output_labels = m.output_labels;
  // One-hot inputs (a lesson's, read through the identity embedding): the graph labels each input
  // and output with its token, as it does in training.
  s.vocabulary.clear();
  if (m.vocab.kind != Vocabulary::Kind::None && m.model.vocab_size() == spec.input_size)
    s.vocabulary = m.vocab.tokens;
  s.playing = false;
}

}  // namespace

bool build_inspect_snapshot(const InspectModel& m, const InspectInput& in, const OutputChoice& c,
                            Snapshot& s, OutputGradient& g, std::string* error) {
  Prediction p;
  if (const std::string e = predict(m.model, in.batch, p); !e.empty()) return fail(error, e);
  if (const std::string bad = first_non_finite(p); !bad.empty())
    return fail(error, bad + " is not finite: the numbers overflowed for this model and input");
  const NetworkSpec& spec = m.model.net.spec();
  const int T = in.batch.steps(), L = spec.num_layers, H = spec.hidden_size, GH = spec.gates() * H;
  const int O = spec.output_size, n_out = static_cast<int>(p.outputs.size());
  g.step =
      spec.readout == Readout::Every ? (c.step < 0 ? T - 1 : std::clamp(c.step, 0, T - 1)) : T - 1;
  g.unit = std::clamp(c.unit, 0, O - 1);
  const int n = spec.readout == Readout::Every ? g.step : 0;
  if (!output_gradient(m.model, in.batch, n, g.unit, g, error)) return false;
  g.value = p.outputs[n](g.unit, 0);

  describe_run(m, T, s);
  s.models.clear();
  ModelView& v = s.models.emplace_back();
  v.name = spec.cell == CellType::Lstm ? "LSTM" : spec.cell == CellType::Gru ? "GRU" : "RNN";
  v.spec = spec;
  v.iteration = 0;
  v.phase = Phase::Update;  // forward and backward both done: every value is there to show
  v.forward_t = T;
  v.backward_t = -1;
  v.steps = T;
  const Trace& tr = p.trace;
  v.pre.assign(L, Mat(GH, T));
  v.gates.assign(L, Mat(GH, T));
  v.h.assign(L, Mat(H, T));
  if (spec.cell == CellType::Lstm) v.c.assign(L, Mat(H, T));
  if (spec.cell == CellType::Gru) v.hn.assign(L, Mat(H, T));
  for (int l = 0; l < L; ++l)
    for (int t = 0; t < T; ++t) {
      const StepTrace& st = tr.steps[l][t];
      v.pre[l].col(t) = st.pre.col(0);
      v.gates[l].col(t) = st.gates.col(0);
      v.h[l].col(t) = st.h.col(0);
      if (!v.c.empty()) v.c[l].col(t) = st.c.col(0);
      if (!v.hn.empty()) v.hn[l].col(t) = st.hn.col(0);
    }
  v.h0 = Mat::Zero(H, L);  // (H, L)
  v.c0 = Mat::Zero(H, L);
  v.dh = g.dy_dh;
  v.dc = g.dy_dc;
  v.inputs.resize(spec.input_size, T);  // (I, T)
  for (int t = 0; t < T; ++t) v.inputs.col(t) = in.batch.inputs[t].col(0);
  v.outputs.resize(O, n_out);  // (O, n)
  for (int k = 0; k < n_out; ++k) v.outputs.col(k) = p.outputs[k].col(0);
  v.targets.setConstant(O, n_out, kNaN);
  v.dh_norm = g.norm;
  v.dc_norm = Mat::Zero(L, T);  // (L, T)
  for (int l = 0; l < static_cast<int>(v.dc.size()); ++l)
    v.dc_norm.row(l) = v.dc[l].colwise().norm();
  v.profile.setConstant(L, T, kNaN);  // (L, T) by distance back from the chosen step
  for (int l = 0; l < L; ++l)
    for (int d = 0; d <= g.step; ++d) v.profile(l, d) = g.norm(l, g.step - d);
  v.step_loss = Vec::Zero(T);
  v.loss = kNaN;
  v.last_loss = v.last_accuracy = kNaN;
  v.params = m.model.net.params();
  v.trace_params = v.params;
  v.spectra = m.spectra;
  return true;
}

int busiest_unit(const ModelView& m, int layer) {
  if (layer < 0 || layer >= static_cast<int>(m.h.size()) || m.h[layer].size() == 0) return 0;
  const Mat& h = m.h[layer];  // (H, T)
  Eigen::Index best = 0;
  (h.rowwise().maxCoeff() - h.rowwise().minCoeff()).maxCoeff(&best);
  return static_cast<int>(best);
}

}  // namespace unrolled
