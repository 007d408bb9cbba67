// Legend: B batch, T steps, I input, O output, K classes, S symbols, V vocabulary, N text length.
//
// [SECTION] Names
// [SECTION] Helpers: messages, one-hot columns, UTF-8
// [SECTION] Task (base)
// [SECTION] Adding problem
// [SECTION] Copy memory
// [SECTION] First-symbol recall
// [SECTION] Sine forecasting
// [SECTION] Character-level language model
// [SECTION] Sentiment with negation
// [SECTION] make_task
#include "core/tasks.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <span>
#include <stdexcept>
#include <unordered_map>
#include <utility>

#include "samples/samples.hpp"

namespace unrolled {
namespace {

// [SECTION] Names

constexpr std::array<std::pair<TaskKind, std::string_view>, 6> kTaskNames{{
    {TaskKind::Adding, "adding"},
    {TaskKind::Copy, "copy"},
    {TaskKind::Recall, "recall"},
    {TaskKind::Sine, "sine"},
    {TaskKind::CharLm, "charlm"},
    {TaskKind::Sentiment, "sentiment"},
}};

// [SECTION] Helpers: messages, one-hot columns, UTF-8

std::string fmt(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

void set_error(std::string* error, std::string message) {
  if (error) *error = std::move(message);
}

// "copy: copy.symbols = 1 is out of range: allowed 2..32 (distinct symbols to remember)"
bool check_int(std::string* error, std::string_view task, std::string_view param, int value, int lo,
               int hi, std::string_view meaning) {
  if (value >= lo && value <= hi) return true;
  set_error(error, std::string(task) + ": " + std::string(param) + " = " + std::to_string(value) +
                       " is out of range: allowed " + std::to_string(lo) + ".." +
                       std::to_string(hi) + " (" + std::string(meaning) + ")");
  return false;
}

// A batch of T zero matrices of shape (rows, B).
std::vector<Mat> zeros(int T, int rows, int B) {
  return std::vector<Mat>(T, Mat::Zero(rows, B));
}

// Decodes one UTF-8 sequence at s[pos]; returns its length in bytes, 0 when invalid (overlong
// forms, surrogates and code points above U+10FFFF are invalid).
int utf8_next(std::string_view s, size_t pos, char32_t& cp) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char c = byte(pos);
  if (c < 0x80) {
    cp = c;
    return 1;
  }
  int n = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    cp = c & 0x0F;
    if (c == 0xE0) lo = 0xA0;  // no overlong forms
    if (c == 0xED) hi = 0x9F;  // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    cp = c & 0x07;
    if (c == 0xF0) lo = 0x90;  // no overlong forms
    if (c == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (pos + n > s.size()) return 0;
  for (int k = 1; k < n; ++k) {
    const unsigned char b = byte(pos + k);
    if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  return n;
}

std::string utf8_encode(char32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return out;
}

// A character as a row label: invisible characters get a visible name.
std::string display_label(char32_t cp) {
  if (cp == U'\n') return "\\n";
  if (cp == U'\t') return "\\t";
  if (cp == U' ') return "space";
  if (cp < 0x20 || cp == 0x7F || cp == 0xFEFF) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
    return buf;
  }
  return utf8_encode(cp);
}

// Symbol names A, B, ..., Z, then a, b, ... (at most 52 are needed).
std::string letter(int k) {
  return std::string(1, static_cast<char>(k < 26 ? 'A' + k : 'a' + (k - 26)));
}

}  // namespace

std::string_view to_string(TaskKind v) {
  for (const auto& [k, s] : kTaskNames)
    if (k == v) return s;
  return "?";
}

bool parse(std::string_view s, TaskKind& out) {
  for (const auto& [k, n] : kTaskNames)
    if (n == s) {
      out = k;
      return true;
    }
  return false;
}

std::string allowed_names(TaskKind) {
  std::string r;
  for (const auto& [k, n] : kTaskNames) {
    if (!r.empty()) r += '|';
    r += n;
  }
  return r;
}

TaskSpec default_task_spec(TaskKind kind) {
  TaskSpec s;
  s.kind = kind;
  switch (kind) {
    case TaskKind::Adding:
      s.length = 50;
      break;
    case TaskKind::Copy:
      s.length = 20;
      break;
    case TaskKind::Recall:
      s.length = 20;
      break;
    case TaskKind::Sine:
      s.length = 50;
      break;
    case TaskKind::CharLm:
      s.length = 4;
      break;  // "hell" -> "ello"
    case TaskKind::Sentiment:
      s.length = 12;
      break;
  }
  return s;
}

// [SECTION] Task (base)

Task::~Task() = default;

int Task::max_batch_size() const {
  const TaskInfo& i = info();
  const int target_steps = i.readout == Readout::Every ? i.steps : 1;
  const std::int64_t per_sequence = static_cast<std::int64_t>(i.steps) * i.input_size +
                                    static_cast<std::int64_t>(target_steps) * i.output_size;
  const std::int64_t fit = kMaxBatchValues / std::max<std::int64_t>(per_sequence, 1);
  return static_cast<int>(std::clamp<std::int64_t>(fit, 1, kMaxBatchSize));
}

void Task::check_batch_size(int batch_size) const {
  const int hi = max_batch_size();
  if (batch_size < 1 || batch_size > hi)
    throw std::invalid_argument(info().name + ": batch size " + std::to_string(batch_size) +
                                " is out of range: allowed 1.." + std::to_string(hi));
}

double Task::accuracy(const Batch& b, const std::vector<Mat>& outputs) const {
  if (!info().has_accuracy) return std::numeric_limits<double>::quiet_NaN();
  return argmax_accuracy(b, outputs, 0);
}

double Task::argmax_accuracy(const Batch& b, const std::vector<Mat>& outputs, int first_step) {
  if (outputs.size() != b.targets.size())
    throw std::invalid_argument("accuracy: " + std::to_string(outputs.size()) +
                                " output steps for " + std::to_string(b.targets.size()) +
                                " target steps");
  double correct = 0, total = 0;
  for (size_t s = static_cast<size_t>(std::max(first_step, 0)); s < b.targets.size(); ++s) {
    const Mat& t = b.targets[s];  // (O, B)
    const Mat& y = outputs[s];    // (O, B)
    if (y.rows() != t.rows() || y.cols() != t.cols())
      throw std::invalid_argument("accuracy: outputs and targets differ in shape at step " +
                                  std::to_string(s));
    for (Eigen::Index c = 0; c < t.cols(); ++c) {
      const double w = b.mask.size() ? b.mask(static_cast<Eigen::Index>(s), c) : 1.0;
      if (w <= 0) continue;
      Eigen::Index want = 0, got = 0;
      t.col(c).maxCoeff(&want);
      y.col(c).maxCoeff(&got);
      correct += want == got ? w : 0.0;
      total += w;
    }
  }
  return total > 0 ? correct / total : std::numeric_limits<double>::quiet_NaN();
}

namespace {

// [SECTION] Adding problem
//
// Inputs (2, B) per step: row 0 a value in U[0, 1), row 1 a marker that is 1 at exactly two steps,
// one drawn from the first half [0, T/2) and one from the second half [T/2, T). Target (1, B) after
// the last step: the sum of the two marked values. The sum has mean 1 and variance 2/12, so always
// answering 1 scores MSE 1/6: the best any network can do without remembering the marked values.
class AddingTask final : public Task {
 public:
  explicit AddingTask(int T) {
    info_.name = "adding";
    info_.description =
        "Each step shows a value drawn uniformly from [0, 1) and a marker. The marker is 1 at "
        "exactly two steps, one in the first half of the sequence and one in the second, and 0 "
        "elsewhere. After the last step the network answers the sum of the two marked values "
        "(one output, MSE). Always answering 1, the mean of that sum, scores 1/6 = 0.167: "
        "the chance level.";
    info_.input_size = 2;
    info_.output_size = 1;
    info_.steps = T;
    info_.loss = LossKind::Mse;
    info_.readout = Readout::Last;
    info_.baseline = 1.0 / 6.0;
    info_.baseline_note = "MSE of always answering 1 (the variance of a sum of two U[0,1) values)";
    info_.has_accuracy = false;
    info_.input_labels = {"value", "marker"};
    info_.output_labels = {"sum"};
  }
  const TaskInfo& info() const override { return info_; }

  Batch batch(Rng& rng, int B) const override {
    check_batch_size(B);
    const int T = info_.steps, half = T / 2;
    Batch b;
    b.inputs = zeros(T, 2, B);   // T x (2, B)
    b.targets = zeros(1, 1, B);  // 1 x (1, B)
    for (int c = 0; c < B; ++c) {
      for (int t = 0; t < T; ++t) b.inputs[t](0, c) = rng.uniform();
      const int first = rng.index(half);
      const int second = half + rng.index(T - half);
      b.inputs[first](1, c) = 1.0;
      b.inputs[second](1, c) = 1.0;
      b.targets[0](0, c) = b.inputs[first](0, c) + b.inputs[second](0, c);
    }
    return b;
  }

 private:
  TaskInfo info_;
};

// [SECTION] Copy memory
//
// Alphabet of S symbols; inputs one-hot over I = S + 2 rows [blank, symbols 1..S, delimiter],
// targets one-hot over O = S + 1 rows [blank, symbols 1..S]. With c = count and lag L = length:
//   steps 0..c-1           the c symbols to remember             target blank
//   steps c..c+L-2         blanks                                target blank
//   step  c+L-1            the delimiter: "now write them out"   target blank
//   steps c+L..c+L+c-1     blanks                                target: the c symbols in order
// so T = L + 2c and each symbol is asked for L + c steps after it was shown. Every step is scored.
// A network that remembers nothing can still answer blank for the first L + c steps at no cost and
// spread its guess evenly over the S symbols for the last c, paying ln S at each: the baseline is
// c ln S / (L + 2c), the classic 10 ln 8 / (T + 20) for S = 8, c = 10.
class CopyTask final : public Task {
 public:
  CopyTask(int lag, int symbols, int count) : lag_(lag), symbols_(symbols), count_(count) {
    const int S = symbols, c = count;
    info_.name = "copy";
    info_.description =
        "The network sees " + std::to_string(c) + " symbols drawn from " + std::to_string(S) +
        ", then " + std::to_string(lag - 1) +
        " blanks and a delimiter, then blanks while it must write the " + std::to_string(c) +
        " symbols back in order (one-hot inputs and targets, cross-entropy at every step; the "
        "target is blank until the delimiter has passed). Answering blank until then and "
        "guessing uniformly afterwards costs " +
        std::to_string(c) + " ln " + std::to_string(S) + " / " + std::to_string(lag + 2 * c) +
        " = " + fmt(c * std::log(static_cast<double>(S)) / (lag + 2 * c)) +
        " per step: the chance level.";
    info_.input_size = S + 2;
    info_.output_size = S + 1;
    info_.steps = lag + 2 * c;
    info_.loss = LossKind::CrossEntropy;
    info_.readout = Readout::Every;
    info_.baseline = c * std::log(static_cast<double>(S)) / (lag + 2 * c);
    info_.baseline_note =
        "cross-entropy of answering blank while the target is blank and a uniform "
        "guess over the symbols at the " +
        std::to_string(c) + " recall steps, averaged over all " + std::to_string(lag + 2 * c) +
        " steps; accuracy counts recall steps only";
    info_.has_accuracy = true;
    info_.input_labels.push_back("blank");
    for (int k = 0; k < S; ++k) info_.input_labels.push_back(letter(k));
    info_.input_labels.push_back("delimiter");
    info_.output_labels.assign(info_.input_labels.begin(), info_.input_labels.end() - 1);
  }
  const TaskInfo& info() const override { return info_; }

  Batch batch(Rng& rng, int B) const override {
    check_batch_size(B);
    const int T = info_.steps, c = count_, recall = count_ + lag_;
    Batch b;
    b.inputs = zeros(T, info_.input_size, B);    // T x (S+2, B)
    b.targets = zeros(T, info_.output_size, B);  // T x (S+1, B)
    for (int col = 0; col < B; ++col) {
      for (int k = 0; k < c; ++k) {
        const int symbol = 1 + rng.index(symbols_);
        b.inputs[k](symbol, col) = 1.0;
        b.targets[recall + k](symbol, col) = 1.0;
      }
      for (int t = c; t < T; ++t) b.inputs[t](0, col) = 1.0;  // blanks
      b.inputs[recall - 1](0, col) = 0.0;
      b.inputs[recall - 1](symbols_ + 1, col) = 1.0;                // the delimiter
      for (int t = 0; t < recall; ++t) b.targets[t](0, col) = 1.0;  // blank targets
    }
    return b;
  }

  double accuracy(const Batch& b, const std::vector<Mat>& outputs) const override {
    return argmax_accuracy(b, outputs, count_ + lag_);
  }

 private:
  TaskInfo info_;
  int lag_, symbols_, count_;
};

// [SECTION] First-symbol recall
//
// Inputs one-hot over I = K + D rows: K key symbols, then D distractor symbols. Step 0 shows one
// key, drawn uniformly; steps 1..L (L = length) show distractors drawn uniformly. After the last
// step the network names the key (K classes, cross-entropy), so the answer sits L steps back.
// Without memory the best answer is uniform over the keys: baseline ln K, accuracy 1/K.
class RecallTask final : public Task {
 public:
  RecallTask(int lag, int classes, int distractors) : classes_(classes), distractors_(distractors) {
    const int K = classes;
    info_.name = "recall";
    info_.description =
        "The first step shows one of " + std::to_string(K) + " key symbols; the next " +
        std::to_string(lag) + " steps show distractors drawn from " + std::to_string(distractors) +
        " other symbols. After the last step the network names the key (one-hot inputs, " +
        std::to_string(K) + " classes, cross-entropy). A uniform guess costs ln " +
        std::to_string(K) + " = " + fmt(std::log(K)) + " and is right 1 time in " +
        std::to_string(K) + ": the chance level.";
    info_.input_size = K + distractors;
    info_.output_size = K;
    info_.steps = lag + 1;
    info_.loss = LossKind::CrossEntropy;
    info_.readout = Readout::Last;
    info_.baseline = std::log(static_cast<double>(K));
    info_.baseline_note = "cross-entropy of a uniform guess over the " + std::to_string(K) +
                          " keys (chance accuracy " + fmt(1.0 / K) + ")";
    info_.has_accuracy = true;
    for (int k = 0; k < K; ++k) info_.input_labels.push_back(letter(k));
    for (int k = 0; k < distractors; ++k) info_.input_labels.push_back(std::to_string(k));
    info_.output_labels.assign(info_.input_labels.begin(), info_.input_labels.begin() + K);
  }
  const TaskInfo& info() const override { return info_; }

  Batch batch(Rng& rng, int B) const override {
    check_batch_size(B);
    const int T = info_.steps;
    Batch b;
    b.inputs = zeros(T, info_.input_size, B);    // T x (K+D, B)
    b.targets = zeros(1, info_.output_size, B);  // 1 x (K, B)
    for (int col = 0; col < B; ++col) {
      const int key = rng.index(classes_);
      b.inputs[0](key, col) = 1.0;
      b.targets[0](key, col) = 1.0;
      for (int t = 1; t < T; ++t) b.inputs[t](classes_ + rng.index(distractors_), col) = 1.0;
    }
    return b;
  }

 private:
  TaskInfo info_;
  int classes_, distractors_;
};

// [SECTION] Sine forecasting
//
// s(t) = sum_j a_j sin(2 pi f_j t + phi_j), a_j = 1/n for n frequencies f_j (cycles per step), the
// phases phi_j drawn uniformly per sequence. Input (1, B) at step t: s(t) + noise * N(0, 1);
// target (1, B): the clean next value s(t + 1). Every step is scored (MSE).
// With independent uniform phases, E[s^2] = sum_j a_j^2 / 2 (answering 0), and repeating the
// current input costs E[(s(t+1) - s(t) - noise)^2] = sum_j a_j^2 (1 - cos 2 pi f_j) + noise^2
// (persistence). The baseline is the smaller of the two; the note says which.
class SineTask final : public Task {
 public:
  SineTask(int T, std::vector<double> frequencies, double noise)
      : frequencies_(std::move(frequencies)), noise_(noise) {
    const double a = 1.0 / static_cast<double>(frequencies_.size());
    double zero = 0, persistence = noise * noise;
    std::string freqs;
    for (double f : frequencies_) {
      zero += a * a / 2;
      persistence += a * a * (1 - std::cos(2 * std::numbers::pi * f));
      freqs += (freqs.empty() ? "" : ", ") + fmt(f);
    }
    persistence_mse_ = persistence;
    zero_mse_ = zero;
    info_.name = "sine";
    info_.description =
        "Each step shows the current value of a sum of sines (frequencies " + freqs +
        " cycles per step, random phases, amplitudes summing to 1) plus noise of standard "
        "deviation " +
        fmt(noise) +
        "; the target at every step is the clean next value (MSE). Repeating the current input "
        "scores " +
        fmt(persistence) + " and always answering 0 scores " + fmt(zero) +
        "; the smaller is the chance level.";
    info_.input_size = 1;
    info_.output_size = 1;
    info_.steps = T;
    info_.loss = LossKind::Mse;
    info_.readout = Readout::Every;
    info_.baseline = std::min(persistence, zero);
    info_.baseline_note =
        persistence <= zero
            ? "MSE of repeating the current input (persistence); answering 0 "
              "scores " +
                  fmt(zero)
            : "MSE of always answering 0; repeating the current input scores " + fmt(persistence);
    info_.has_accuracy = false;
    info_.input_labels = {"s(t)"};
    info_.output_labels = {"s(t+1)"};
  }
  const TaskInfo& info() const override { return info_; }
  double persistence_mse() const { return persistence_mse_; }
  double zero_mse() const { return zero_mse_; }

  Batch batch(Rng& rng, int B) const override {
    check_batch_size(B);
    const int T = info_.steps, n = static_cast<int>(frequencies_.size());
    const double a = 1.0 / n;
    Batch b;
    b.inputs = zeros(T, 1, B);   // T x (1, B)
    b.targets = zeros(T, 1, B);  // T x (1, B)
    std::vector<double> phase(n);
    for (int c = 0; c < B; ++c) {
      for (auto& p : phase) p = rng.uniform(0.0, 2 * std::numbers::pi);
      const auto s = [&](int t) {
        double v = 0;
        for (int j = 0; j < n; ++j)
          v += a * std::sin(2 * std::numbers::pi * frequencies_[j] * t + phase[j]);
        return v;
      };
      for (int t = 0; t < T; ++t) {
        b.inputs[t](0, c) = s(t) + (noise_ > 0 ? noise_ * rng.normal() : 0.0);
        b.targets[t](0, c) = s(t + 1);
      }
    }
    return b;
  }

 private:
  TaskInfo info_;
  std::vector<double> frequencies_;
  double noise_;
  double persistence_mse_ = 0, zero_mse_ = 0;
};

}  // namespace

// [SECTION] Character-level language model
//
// A window of T + 1 consecutive characters starting at a uniform position: inputs are the first T
// (one-hot over V), targets the last T (one-hot over V), every step scored with cross-entropy.
// "hello" with T = 4 is the lecture's example: input h e l l, target e l l o. A uniform guess costs
// ln V per character; the note also gives the entropy of the character frequencies, which a model
// that ignores all context can reach.

std::unique_ptr<CharLmTask> CharLmTask::create(const TaskSpec& spec, std::string* error) {
  const std::string& source = spec.charlm.text;
  std::string owned;
  std::string_view bytes;
  std::string shown;  // how the text is named in messages
  if (source == "hello") {
    bytes = "hello";
    shown = "\"hello\"";
  } else if (source == "sonnets") {
    const EmbeddedFile* f = find_embedded(embedded_samples(), "sonnets.txt");
    if (!f) {
      set_error(error,
                "charlm: charlm.text = \"sonnets\": the embedded samples/sonnets.txt is "
                "missing from this build");
      return nullptr;
    }
    bytes = f->text();
    shown = "\"sonnets\"";
  } else {
    shown = "file '" + source + "'";
    const std::string allowed =
        " (allowed: \"hello\", \"sonnets\" or the path of a UTF-8 text file)";
    std::error_code ec;
    const std::filesystem::path path(source);
    if (source.empty() || !std::filesystem::exists(path, ec)) {
      set_error(error, "charlm: charlm.text = \"" + source + "\": no such file" + allowed);
      return nullptr;
    }
    if (!std::filesystem::is_regular_file(path, ec)) {
      set_error(error, "charlm: charlm.text = \"" + source + "\" is not a regular file" + allowed);
      return nullptr;
    }
    const auto size = std::filesystem::file_size(path, ec);
    if (ec || size > static_cast<std::uintmax_t>(kMaxTextBytes)) {
      set_error(error, "charlm: charlm.text = \"" + source + "\" is " +
                           (ec ? std::string("unreadable") : std::to_string(size) + " bytes") +
                           ": allowed 1.." + std::to_string(kMaxTextBytes) + " bytes (16 MiB)");
      return nullptr;
    }
    std::ifstream in(path, std::ios::binary);
    owned.resize(static_cast<size_t>(size));
    if (!in || !in.read(owned.data(), static_cast<std::streamsize>(size))) {
      set_error(error, "charlm: charlm.text = \"" + source + "\" could not be read");
      return nullptr;
    }
    if (owned.empty()) {
      set_error(error, "charlm: charlm.text = \"" + source + "\" is empty: allowed 1.." +
                           std::to_string(kMaxTextBytes) + " bytes");
      return nullptr;
    }
    bytes = owned;
  }

  std::unique_ptr<CharLmTask> task(new CharLmTask);
  std::unordered_map<char32_t, int> index_of;
  std::vector<char32_t> code_points;  // V
  // Decode, dropping a leading byte-order mark and the \r of \r\n line ends.
  for (size_t pos = 0; pos < bytes.size();) {
    char32_t cp = 0;
    const int n = utf8_next(bytes, pos, cp);
    if (n == 0) {
      set_error(error, "charlm: charlm.text = " + shown + " is not valid UTF-8 at byte " +
                           std::to_string(pos) + " (allowed: UTF-8 text)");
      return nullptr;
    }
    const bool skip = (pos == 0 && cp == 0xFEFF) ||
                      (cp == U'\r' && pos + 1 < bytes.size() && bytes[pos + 1] == '\n');
    pos += static_cast<size_t>(n);
    if (skip) continue;
    auto [it, added] = index_of.try_emplace(cp, static_cast<int>(code_points.size()));
    if (added) {
      if (static_cast<int>(code_points.size()) == kMaxVocabulary) {
        set_error(error, "charlm: charlm.text = " + shown + " has more than " +
                             std::to_string(kMaxVocabulary) + " distinct characters: allowed 1.." +
                             std::to_string(kMaxVocabulary));
        return nullptr;
      }
      code_points.push_back(cp);
    }
    task->text_.push_back(it->second);
  }
  const int N = static_cast<int>(task->text_.size());
  if (N < 2) {
    set_error(error, "charlm: charlm.text = " + shown + " has " + std::to_string(N) +
                         " character(s): a window needs at least 2");
    return nullptr;
  }
  const int hi = std::min(kMaxTaskLength, N - 1);
  if (!check_int(
          error, "charlm", "length", spec.length, 1, hi,
          "characters per window; the text " + shown + " has " + std::to_string(N) + " characters"))
    return nullptr;

  const int V = static_cast<int>(code_points.size());
  std::vector<double> count(V, 0.0);
  for (int k : task->text_) count[k] += 1;
  double entropy = 0;
  for (double n : count) entropy -= n / N * std::log(n / N);

  TaskInfo& info = task->info_;
  info.name = "charlm";
  info.description =
      "Windows of " + std::to_string(spec.length) + " characters from the text " + shown + " (" +
      std::to_string(N) + " characters, " + std::to_string(V) +
      " distinct). At every step the network sees one character (one-hot) and predicts the next "
      "(cross-entropy). A uniform guess costs ln " +
      std::to_string(V) + " = " + fmt(std::log(V)) + " per character: the chance level.";
  info.input_size = V;
  info.output_size = V;
  info.steps = spec.length;
  info.loss = LossKind::CrossEntropy;
  info.readout = Readout::Every;
  info.baseline = std::log(static_cast<double>(V));
  info.baseline_note = "cross-entropy of a uniform guess over the " + std::to_string(V) +
                       " characters; guessing by character frequency alone scores " + fmt(entropy);
  info.has_accuracy = true;
  for (char32_t cp : code_points) {
    task->vocab_.push_back(utf8_encode(cp));
    info.input_labels.push_back(display_label(cp));
  }
  info.output_labels = info.input_labels;
  return task;
}

Batch CharLmTask::batch(Rng& rng, int B) const {
  check_batch_size(B);
  const int T = info_.steps, V = info_.input_size, N = static_cast<int>(text_.size());
  Batch b;
  b.inputs = zeros(T, V, B);   // T x (V, B)
  b.targets = zeros(T, V, B);  // T x (V, B)
  for (int c = 0; c < B; ++c) {
    const int start = rng.index(N - T);  // the window is text[start .. start+T]
    for (int t = 0; t < T; ++t) {
      b.inputs[t](text_[start + t], c) = 1.0;
      b.targets[t](text_[start + t + 1], c) = 1.0;
    }
  }
  return b;
}

std::string CharLmTask::decode(int index) const {
  return index >= 0 && index < static_cast<int>(vocab_.size()) ? vocab_[index] : std::string();
}

std::string CharLmTask::decode(const std::vector<int>& indices) const {
  std::string out;
  for (int k : indices) out += decode(k);
  return out;
}

bool CharLmTask::encode(std::string_view utf8, std::vector<int>& out, std::string* error) const {
  out.clear();
  for (size_t pos = 0; pos < utf8.size();) {
    char32_t cp = 0;
    const int n = utf8_next(utf8, pos, cp);
    if (n == 0) {
      set_error(error, "not valid UTF-8 at byte " + std::to_string(pos));
      return false;
    }
    const std::string ch(utf8.substr(pos, static_cast<size_t>(n)));
    int found = -1;
    for (size_t k = 0; k < vocab_.size() && found < 0; ++k)
      if (vocab_[k] == ch) found = static_cast<int>(k);
    if (found < 0) {
      set_error(error, "the character '" + display_label(cp) + "' at byte " + std::to_string(pos) +
                           " is not in the vocabulary");
      return false;
    }
    out.push_back(found);
    pos += static_cast<size_t>(n);
  }
  return true;
}

namespace {

// [SECTION] Sentiment with negation
//
// Sentences from a small grammar, label first: y is positive or negative with probability 1/2.
//   the {film|movie} {is|was} PREDICATE [it's PREDICATE]     (second clause with probability 1/2)
//   PREDICATE = [not] [very] ADJECTIVE, each optional word with probability 1/2,
// where the adjective is positive (good, great) exactly when y is positive and "not" is absent, or
// y is negative and "not" is present. Both clauses agree, so "the film is not good it's bad" is
// negative and "the film is good it's not bad" positive: the same words in another order change the
// label. Sentences have 4..10 words, then the pad token fills the sequence to T = length steps
// (pads after the words, so a longer T means a longer wait between the sentence and the verdict).
// Inputs are one-hot words; the label is read after the last step (2 classes, cross-entropy),
// so the pads need no mask. Labels are balanced: baseline ln 2, chance accuracy 1/2.
enum Word { kPad, kThe, kFilm, kMovie, kIs, kWas, kNot, kVery, kGood, kGreat, kBad, kAwful, kIts };
constexpr int kWords = 13;
constexpr int kMaxSentenceWords = 10;
const std::array<const char*, kWords> kWordText{"<pad>", "the",   "film", "movie", "is",
                                                "was",   "not",   "very", "good",  "great",
                                                "bad",   "awful", "it's"};

class SentimentTask final : public Task {
 public:
  explicit SentimentTask(int T) {
    info_.name = "sentiment";
    info_.description =
        "Short reviews such as \"the film is not good it's bad\" (negative) or \"the movie was "
        "good it's not bad\" (positive), one word per step (one-hot over 13 words including a pad "
        "token that follows the sentence up to " +
        std::to_string(T) +
        " steps). After the last step the network says negative or positive (2 classes, "
        "cross-entropy). Negation and word order decide the label; labels are balanced, so a "
        "uniform guess costs ln 2 = 0.693: the chance level.";
    info_.input_size = kWords;
    info_.output_size = 2;
    info_.steps = T;
    info_.loss = LossKind::CrossEntropy;
    info_.readout = Readout::Last;
    info_.baseline = std::log(2.0);
    info_.baseline_note =
        "cross-entropy of a uniform guess over negative/positive (chance accuracy "
        "0.5)";
    info_.has_accuracy = true;
    info_.input_labels.assign(kWordText.begin(), kWordText.end());
    info_.output_labels = {"negative", "positive"};
  }
  const TaskInfo& info() const override { return info_; }

  Batch batch(Rng& rng, int B) const override {
    check_batch_size(B);
    const int T = info_.steps;
    Batch b;
    b.inputs = zeros(T, kWords, B);  // T x (13, B)
    b.targets = zeros(1, 2, B);      // 1 x (2, B)
    std::vector<int> words;
    words.reserve(kMaxSentenceWords);
    for (int c = 0; c < B; ++c) {
      const bool positive = rng.index(2) == 1;
      const auto predicate = [&] {
        const bool negated = rng.index(2) == 1;
        if (negated) words.push_back(kNot);
        if (rng.index(2) == 1) words.push_back(kVery);
        const bool positive_word = positive != negated;
        const bool second = rng.index(2) == 1;
        words.push_back(positive_word ? (second ? kGreat : kGood) : (second ? kAwful : kBad));
      };
      words.clear();
      words.push_back(kThe);
      words.push_back(rng.index(2) ? kMovie : kFilm);
      words.push_back(rng.index(2) ? kWas : kIs);
      predicate();
      if (rng.index(2) == 1) {
        words.push_back(kIts);
        predicate();
      }
      const int n = static_cast<int>(words.size());
      for (int t = 0; t < T; ++t) b.inputs[t](t < n ? words[t] : kPad, c) = 1.0;
      b.targets[0](positive ? 1 : 0, c) = 1.0;
    }
    return b;
  }

 private:
  TaskInfo info_;
};

}  // namespace

// [SECTION] make_task

std::unique_ptr<Task> make_task(const TaskSpec& spec, std::string* error) {
  if (error) error->clear();
  const int L = spec.length;
  switch (spec.kind) {
    case TaskKind::Adding:
      if (!check_int(error, "adding", "length", L, 2, kMaxTaskLength,
                     "steps per sequence; a marker goes in each half"))
        return nullptr;
      return std::make_unique<AddingTask>(L);
    case TaskKind::Copy: {
      const CopyParams& p = spec.copy;
      if (!check_int(error, "copy", "length", L, 1, kMaxTaskLength,
                     "the lag: blanks plus the delimiter between the symbols and their recall") ||
          !check_int(error, "copy", "copy.symbols", p.symbols, 2, 32,
                     "distinct symbols to remember") ||
          !check_int(error, "copy", "copy.count", p.count, 1, 100, "symbols per sequence"))
        return nullptr;
      return std::make_unique<CopyTask>(L, p.symbols, p.count);
    }
    case TaskKind::Recall: {
      const RecallParams& p = spec.recall;
      if (!check_int(error, "recall", "length", L, 1, kMaxTaskLength,
                     "distractor steps between the key and the answer") ||
          !check_int(error, "recall", "recall.classes", p.classes, 2, 32,
                     "key symbols, one per class") ||
          !check_int(error, "recall", "recall.distractors", p.distractors, 1, 32,
                     "distinct distractor symbols"))
        return nullptr;
      return std::make_unique<RecallTask>(L, p.classes, p.distractors);
    }
    case TaskKind::Sine: {
      const SineParams& p = spec.sine;
      if (!check_int(error, "sine", "length", L, 1, kMaxTaskLength, "steps per sequence"))
        return nullptr;
      const int n = static_cast<int>(p.frequencies.size());
      if (n < 1 || n > 8) {
        set_error(error, "sine: sine.frequencies has " + std::to_string(n) +
                             " entries: allowed 1..8 frequencies");
        return nullptr;
      }
      for (double f : p.frequencies)
        if (!(f > 0.0 && f <= 0.5)) {
          set_error(error, "sine: sine.frequencies holds " + fmt(f) +
                               ": allowed (0, 0.5] cycles per step (0.5 is the Nyquist limit)");
          return nullptr;
        }
      if (!(p.noise >= 0.0 && p.noise <= 1.0)) {
        set_error(error, "sine: sine.noise = " + fmt(p.noise) +
                             ": allowed 0..1 (standard deviation of the input noise)");
        return nullptr;
      }
      return std::make_unique<SineTask>(L, p.frequencies, p.noise);
    }
    case TaskKind::CharLm:
      // Cheap range check first, so an absurd length fails before any file is read.
      if (!check_int(error, "charlm", "length", L, 1, kMaxTaskLength, "characters per window"))
        return nullptr;
      return CharLmTask::create(spec, error);
    case TaskKind::Sentiment:
      if (!check_int(error, "sentiment", "length", L, kMaxSentenceWords, kMaxTaskLength,
                     "padded steps per sentence; sentences have up to 10 words"))
        return nullptr;
      return std::make_unique<SentimentTask>(L);
  }
  set_error(error, "task kind " + std::to_string(static_cast<int>(spec.kind)) +
                       " is unknown: allowed " + allowed_names(TaskKind{}));
  return nullptr;
}

}  // namespace unrolled
