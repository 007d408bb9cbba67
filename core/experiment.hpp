// Unrolled core: experiment files — a lesson preset in JSON. Field by field: docs/experiments.md.
//
//   {"format": "unrolled-experiment", "version": 1, "title": "...", "description": "...",
//    "model":    {"cell", "layers", "hidden_size", "activation", "gru_variant", "init",
//                 "spectral_radius", "forget_bias", "readout_scale", "name"},
//    "task":     {"kind", "length", and the kind's own parameters},
//    "training": {"optimizer", "learning_rate", "momentum", "beta1", "beta2", "batch_size",
//                 "clip": {"mode", "threshold"}, "truncation": {"k1", "k2"}, "iterations",
//                 "seed", "precision"},
//    "compare":  [ {model}, ... ]   optional: more models trained in lockstep on the same data,
//    "course":   {"order", "summary"}  optional: its place in the built-in course, one line about it,
//    "tour":     [ {step}, ... ]       optional: a guided tour (core/tour.hpp)}
//
// Every key is checked: an unknown key, a wrong type or a value out of range is refused with one
// message naming the key, the value and what is allowed. The limits are chosen so that no
// accepted file can exhaust memory (see kMaxTraceBytes).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/clip.hpp"
#include "core/init.hpp"
#include "core/json_io.hpp"
#include "core/model_io.hpp"
#include "core/optim.hpp"
#include "core/tasks.hpp"
#include "core/tour.hpp"
#include "core/types.hpp"

namespace unrolled {

constexpr int kMaxHidden = 512;                          // hidden_size in an experiment
constexpr int64_t kMaxIterations = 1'000'000'000;        // training.iterations
constexpr double kMaxTraceBytes = 1024.0 * 1024 * 1024;  // forward + backward trace of one batch
constexpr size_t kMaxExperimentFileBytes = 1 << 20;
constexpr int kMaxCompareModels = 3;  // the main model plus at most 2 more

struct ModelConfig {
  std::string name;  // label in the UI ("LSTM"); defaults to the cell name
  CellType cell = CellType::Lstm;
  int layers = 1;
  int hidden_size = 32;
  Activation activation = Activation::Tanh;
  GruVariant gru_variant = GruVariant::ResetBefore;
  InitSettings init;
  double readout_scale = 1.0;  // multiplies the initial readout weights and bias (0.1: the first
                               // loss of a classifier is ≈ ln K, as min-char-rnn's 0.01 scale
                               // and zero bias give)
};

struct TrainingConfig {
  OptimizerSettings optimizer;
  int batch_size = 32;
  ClipSettings clip;
  int k1 = 0, k2 = 0;  // truncated BPTT (0: full BPTT)
  int64_t iterations = 2000;
  uint64_t seed = 1;
  // The engine's scalar for forward/BPTT; parameters and optimiser state are double in both.
  // float32 (the default: about twice as fast) or float64 (the reference, for exact checks).
  Precision precision = Precision::Float32;
};

struct ExperimentConfig {
  std::string title;
  std::string description;
  ModelConfig model;
  TaskSpec task;
  TrainingConfig training;
  std::vector<ModelConfig> compare;  // further models, trained in lockstep (compare mode)
  int course_order = 0;              // its place in the built-in course (1 first); 0 not in it
  std::string summary;               // one line, for the Lesson menu
  Tour tour;                         // empty: no guided tour (the description is shown instead)

  // The main model followed by the compared ones.
  std::vector<ModelConfig> all_models() const;
};

// The network shape a model config gives on a task.
NetworkSpec network_spec(const ModelConfig& m, const TaskInfo& task);

// Estimated bytes of one batch's Trace + GradTrace for a model on a task.
double trace_bytes(const ModelConfig& m, const TaskInfo& task, int batch_size);

// The one memory budget (docs/experiments.md, "Size limits"): every model of the file, as the app
// holds it, in at most kMaxAppBytes. Per model, its trainer (trace and gradients in both
// precisions, since the app switches live; parameters, gradients, optimiser state, shard copies;
// the batch; the history) and kMaxLiveSnapshots copies of what the panels draw (the inspected
// sequence, the weights twice, the history): the worker fills one while the UI holds the newest,
// the one the frame under way draws, and at most kMaxHeldSnapshots older ones its panels still
// show (app/gui/pacing.cpp). And kAppFixedBytes for the program, its window and fonts.
constexpr double kMaxAppBytes = 2048.0 * 1024 * 1024;
constexpr int kMaxHeldSnapshots = 2;
constexpr int kMaxLiveSnapshots = kMaxHeldSnapshots + 3;
constexpr double kAppFixedBytes = 256.0 * 1024 * 1024;  // the GUI measured 204 MB (issue 14)
double trainer_bytes(const ModelConfig& m, const TaskInfo& task, int batch_size);
double snapshot_bytes(const ModelConfig& m, const TaskInfo& task);
double app_memory_bytes(const ExperimentConfig& c, const TaskInfo& task);

// Estimated seconds one training iteration of a model takes on the reference machine (2 cores,
// x86-64 with AVX2; docs/experiments.md gives the formula and how it was calibrated): the
// products' floating-point operations over kReferenceFlops, counting a batch narrower than 8
// sequences as 8 (a matrix-vector product streams the weights and runs no faster).
constexpr double kReferenceFlops = 4.5e9;
constexpr double kSlowIterationSeconds = 10;
double iteration_seconds(const ModelConfig& m, const TaskInfo& task, const TrainingConfig& tr);
// "" or one warning naming the slowest model and its estimate, when it is above
// kSlowIterationSeconds. The file is accepted (the app stays responsive, core/interrupt.hpp);
// `unrolled train` prints the warning and the app shows it.
std::string slow_iteration_warning(const ExperimentConfig& c);

bool experiment_from_json(const Json& j, ExperimentConfig& out, std::string* error);
Json experiment_to_json(const ExperimentConfig& c);
bool load_experiment(const std::string& path, ExperimentConfig& out, std::string* error);
bool parse_experiment_text(const std::string& text, const std::string& name, ExperimentConfig& out,
                           std::string* error);
// Checks the combination (task can be built, sizes fit kMaxTraceBytes, batch within the task's
// limit). experiment_from_json calls it; the UI calls it before applying edits.
std::string validate(const ExperimentConfig& c);

// The lesson the app opens with when no file is given (embedded samples/default.json).
ExperimentConfig default_experiment();
// The embedded presets (samples/*.json): name (file name without .json) and text.
std::vector<std::pair<std::string, std::string>> embedded_presets();

}  // namespace unrolled
