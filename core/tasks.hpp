// Seeded data generators for the classic long-dependency tasks.
//
// Legend: B batch, T steps, I input, O output, K classes, S symbols, V vocabulary.
//         Matrices are feature-major (one column per sequence), as in core/types.hpp.
//
// Every task turns one Rng into a Batch. Inputs are T x (I, B); targets are T x (O, B) for
// Readout::Every or 1 x (O, B) for Readout::Last; masks are left empty (every scored step
// weighs 1). Cross-entropy targets are one-hot columns.
//
// Each task reports a chance-level baseline: the loss a model reaches without remembering what the
// task asks it to remember. A trained network is only learning the dependency once its loss falls
// below that line. Losses are the plain means the network computes: MSE is the mean over scored
// steps, outputs and sequences of (y - t)^2 (no 1/2); cross-entropy is the mean over scored steps
// and sequences of -log softmax(y)[target].
//
// `length` is the knob a lesson turns to stretch the dependency; its meaning per task:
//   adding     T, the number of steps (2..2000)
//   copy       the lag between the last symbol shown and the first asked for (1..2000)
//   recall     the number of distractor steps after the key symbol (1..2000)
//   sine       T, the number of steps (1..2000)
//   charlm     T, characters per window (1..2000 and shorter than the text)
//   sentiment  T, the padded sentence length (10..2000; sentences have at most 10 words)
//
// Call order: spec = default_task_spec(kind); adjust; task = make_task(spec, &error);
// then task->batch(rng, B) every iteration.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/rng.hpp"
#include "core/types.hpp"

namespace unrolled {

enum class TaskKind { Adding, Copy, Recall, Sine, CharLm, Sentiment };

// "adding|copy|recall|sine|charlm|sentiment"; to_string/parse round-trip.
std::string_view to_string(TaskKind v);
bool parse(std::string_view s, TaskKind& out);
std::string allowed_names(TaskKind);

// Limits. Together they bound every batch an accepted spec can produce (see Task::max_batch_size).
inline constexpr int kMaxTaskLength = 2000;               // any task's `length`
inline constexpr int kMaxBatchSize = 4096;                // sequences per batch
inline constexpr std::int64_t kMaxBatchValues = 1 << 25;  // doubles per batch (256 MiB)
inline constexpr std::int64_t kMaxTextBytes = 16 << 20;   // a character model's text file
inline constexpr int kMaxVocabulary = 1024;               // distinct characters in that text

struct CopyParams {
  int symbols = 8;  // S, distinct symbols to remember, 2..32
  int count = 10;   // symbols per sequence, 1..100
};

struct RecallParams {
  int classes = 4;      // K, key symbols (and classes), 2..32
  int distractors = 4;  // distinct distractor symbols, 1..32
};

struct SineParams {
  std::vector<double> frequencies{0.05};  // cycles per step, each in (0, 0.5]; 1..8 of them
  double noise = 0.0;                     // standard deviation of input noise, 0..1
};

struct CharLmParams {
  // "hello" (the lecture's example), "sonnets" (samples/sonnets.txt, embedded) or the path of a
  // UTF-8 text file. A file really named hello or sonnets is reached as ./hello.
  std::string text = "hello";
};

struct TaskSpec {
  TaskKind kind = TaskKind::Adding;
  int length = 50;  // meaning per task: see the table at the top of this file
  CopyParams copy;
  RecallParams recall;
  SineParams sine;
  CharLmParams charlm;
};

// A spec with the task's own default length (adding 50, copy 20, recall 20, sine 50,
// charlm 4 on "hello", sentiment 12).
TaskSpec default_task_spec(TaskKind kind);

struct TaskInfo {
  std::string name;         // to_string(kind)
  std::string description;  // inputs, targets and baseline in a few sentences
  int input_size = 0;       // I
  int output_size = 0;      // O
  int steps = 0;            // T of the inputs
  LossKind loss = LossKind::Mse;
  Readout readout = Readout::Every;
  double baseline = 0;                     // chance-level loss, same units as the network's loss
  std::string baseline_note;               // how the baseline is reached
  bool has_accuracy = false;               // accuracy() is meaningful
  std::vector<std::string> input_labels;   // I names for display ("x", "marker", "h", ...)
  std::vector<std::string> output_labels;  // O names
};

class Task {
 public:
  virtual ~Task();
  virtual const TaskInfo& info() const = 0;
  // B sequences drawn from rng. Throws std::invalid_argument unless 1 <= B <= max_batch_size().
  virtual Batch batch(Rng& rng, int batch_size) const = 0;
  // Fraction of scored steps whose largest output is the target class, given outputs laid out
  // like b.targets (logits per scored step), weighted by b.mask. Copy scores only the recalled
  // symbols. NaN when info().has_accuracy is false. Throws std::invalid_argument on a shape
  // mismatch.
  virtual double accuracy(const Batch& b, const std::vector<Mat>& outputs) const;
  // The largest B that keeps one batch within kMaxBatchValues and kMaxBatchSize (at least 1).
  int max_batch_size() const;

 protected:
  void check_batch_size(int batch_size) const;
  // Argmax accuracy over target steps [first_step, end), weighted by the mask.
  static double argmax_accuracy(const Batch& b, const std::vector<Mat>& outputs, int first_step);
};

// nullptr and a message in *error (which may be null) naming the parameter, its value and what is
// allowed, when spec is out of range or a text cannot be used.
std::unique_ptr<Task> make_task(const TaskSpec& spec, std::string* error);

// The character model, exposed for sampling and display. Characters are Unicode code points.
class CharLmTask final : public Task {
 public:
  // As make_task for a charlm spec.
  static std::unique_ptr<CharLmTask> create(const TaskSpec& spec, std::string* error);

  const TaskInfo& info() const override { return info_; }
  Batch batch(Rng& rng, int batch_size) const override;

  // The V characters as UTF-8, in order of first appearance in the text ("hello": h e l o).
  const std::vector<std::string>& vocabulary() const { return vocab_; }
  // The character of index as UTF-8; "" when index is out of range.
  std::string decode(int index) const;
  std::string decode(const std::vector<int>& indices) const;
  // Indices of the characters of utf8; false and a message naming the first invalid byte or
  // unknown character otherwise.
  bool encode(std::string_view utf8, std::vector<int>& out, std::string* error) const;
  // The whole text as indices.
  const std::vector<int>& text() const { return text_; }

 private:
  CharLmTask() = default;
  TaskInfo info_;
  std::vector<std::string> vocab_;  // V
  std::vector<int> text_;           // N characters
};

}  // namespace unrolled
