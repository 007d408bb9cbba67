// The Inspect view's model: a trained model (imported, or a lesson's current weights) run on an
// input the user types, turned into the same Snapshot the panels draw from a training run. No
// task, no training: one forward pass, and one backward pass of the chosen output alone (its
// gradient with respect to every h_t through time). GL-free, so tests drive it without a window.
//
//   InspectModel m;  open_inspect_model(path, options, vocab_path, m, &error);
//                    // or probe_lesson_model(snapshot, m, &error)
//   InspectInput in; parse_inspect_input(m, text, in, &error);     // the Input panel's text
//   Snapshot s;      build_inspect_snapshot(m, in, choice, s, &error);
//
// Legend: T steps, I input, O output, H hidden, G gate blocks, L layers, V vocabulary.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "app/session/snapshot.hpp"
#include "core/analysis.hpp"
#include "core/model_io.hpp"
#include "import/importer.hpp"

namespace unrolled {

// Limits on what the Input panel accepts: a forward and backward pass over this many steps of the
// largest model file allowed (H 1024, 4 layers) stays well under a second.
constexpr int kMaxInspectSteps = 400;
constexpr size_t kMaxInspectTextBytes = 1024 * 1024;
constexpr double kMaxInspectMagnitude = 1e6;  // numeric inputs: |x| at most this
constexpr size_t kMaxVocabFileBytes = size_t{32} << 20;
// The spectrum of W_hh is computed when a model opens up to this H (an eigendecomposition of each
// gate block and its singular values: the app opened in 34 s at 512 and 3.7 s at 256 on a
// loaded 2-core machine, 1.3 s at 512 without them).
constexpr int kMaxInspectSpectrumHidden = 256;

// How typed text becomes token ids.
struct Vocabulary {
  enum class Kind {
    None,        // the model reads numbers: one step per line, comma-separated features
    Characters,  // one token per character (UTF-8 code point); tokens[v] is character v
    Words,       // one token per word, split at white space
  };
  Kind kind = Kind::None;
  std::vector<std::string> tokens;           // (V) the text of each id; "" for an unused id
  std::unordered_map<std::string, int> ids;  // token text -> id
  bool lower = false;   // words: lower-cased first (a Keras Tokenizer's lower=True)
  std::string filters;  // words: characters replaced by spaces first (Keras' filters)
  std::string source;   // where it came from ("--vocab words.json", "the lesson's 13 words")
};

// The model the Inspect view shows.
struct InspectModel {
  Model model;
  Vocabulary vocab;
  std::string name;    // the menu bar's title: the file's name, or "LSTM at iteration 400"
  std::string source;  // the path, or "built-in: sentiment"
  std::string format;  // "pytorch state_dict", "model file", "lesson", ...
  std::vector<std::string> notes;              // what the import assumed or ignored
  std::vector<std::string> output_labels;      // (O) names of the outputs, when known
  std::string example;                         // a first input to show ("the film is not bad")
  std::vector<std::vector<Spectrum>> spectra;  // [L][G] of W_h (compute_spectra); empty beyond
                                               //   kMaxInspectSpectrumHidden
};

// A model file (docs/model-format.md) or any format `unrolled import` reads, with its flags.
// vocab_path: a JSON file giving the embedding's tokens (docs/model-format.md, "Vocabulary"); ""
// for none: then a model with an embedding reads its ids typed as numbers, one per line.
bool open_inspect_model(const std::string& path, const import::ImportOptions& options,
                        const std::string& vocab_path, InspectModel& out, std::string* error);
// m.spectra from m's weights (open_inspect_model and probe_lesson_model call it).
void compute_spectra(InspectModel& m);
// A vocabulary file: a Keras Tokenizer's word index ({"word": id, ...}, ids from 1, or the
// Tokenizer's to_json() whose config holds it), or a JSON array of strings, token v at index v
// (one-character strings: a character model). Every id must be below V (the embedding's rows).
bool read_vocabulary(const std::string& path, int vocab_size, Vocabulary& out, std::string* error);
bool vocabulary_from_json(const Json& j, const std::string& where, int vocab_size, Vocabulary& out,
                          std::string* error);

// The running lesson's main model as it is now: its weights, with the task's one-hot inputs read
// as an embedding by the identity (so words or characters are typed), and its outputs' names.
// Numeric tasks (adding, sine) are typed as numbers.
bool probe_lesson_model(const Snapshot& snap, InspectModel& out, std::string* error);

// One input sequence, parsed.
struct InspectInput {
  Batch batch;                      // T x (I, 1) inputs, no targets
  std::vector<std::string> labels;  // (T) the token (or "x₁, x₂ …" row) under each step
  std::vector<int> tokens;          // (T) token ids; empty for numeric inputs
};
// text as the model reads it. false with one message naming the line or position, the token or
// value and what is allowed: an unknown character or word, a wrong number of features, a value
// that is not a finite number within ±kMaxInspectMagnitude, more than kMaxInspectSteps steps, no
// step at all.
bool parse_inspect_input(const InspectModel& m, const std::string& text, InspectInput& out,
                         std::string* error);

// Whose gradient the Gradient panel follows: output `unit` of the readout at step `step` (the
// readout every step), or at the last step (readout last, where `step` is ignored).
struct OutputChoice {
  int step = -1;  // -1: the last step
  int unit = 0;
};

// What build_inspect_snapshot computed beyond the snapshot: the chosen output's value and its
// gradient with respect to every layer's h_t.
struct OutputGradient {
  int step = 0, unit = 0;  // as chosen, clamped to the model
  double value = 0;        // the output after the readout's activation
  double logit = 0;        // y = W_y h + b_y before it
  std::vector<Mat> dy_dh;  // L x (H, T) ∂y/∂h^l_t (y before the readout's activation)
  std::vector<Mat> dy_dc;  // L x (H, T) ∂y/∂c^l_t (LSTM; empty otherwise)
  Mat norm;                // (L, T) ‖∂y/∂h^l_t‖
};

// One forward pass of m on in (exactly `unrolled predict`'s: core/predict.hpp) and the backward
// pass of the chosen output's y (before the readout's activation), written as a snapshot of one
// model at one sequence: pre, gates, c, h, hn, inputs and outputs from the forward pass; dh the
// chosen output's ∂y/∂h_t; dh_norm its norm; profile the same norms by distance from the chosen
// step; spectra m.spectra. The caller sets the version. Returns false with a message when the
// numbers overflow.
bool build_inspect_snapshot(const InspectModel& m, const InspectInput& in, const OutputChoice& c,
                            Snapshot& out, OutputGradient& grad, std::string* error);

// The unit of `layer` whose h_t spans the widest range (max − min) over the sequence, the first on
// a tie; 0 without values. The Input panel's "busiest unit", and the unit first selected.
int busiest_unit(const ModelView& m, int layer);

// Splits UTF-8 text into code points; false naming the first byte that is not valid UTF-8.
bool split_utf8(const std::string& text, std::vector<std::string>& out, std::string* error);

}  // namespace unrolled
