// Legend: B batch, T steps, H hidden, G gate blocks, L layers.
#include "core/experiment.hpp"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <sstream>

#include "core/json_fields.hpp"
#include "core/history.hpp"
#include "core/undo_budget.hpp"
#include "samples/samples.hpp"

namespace unrolled {
namespace {

bool read_model(const Json& j, const std::string& path, ModelConfig& m, std::string* error) {
  Fields f(j, path, error);
  f.text("name", 40, m.name);
  f.name("cell", m.cell);
  f.integer("layers", 1, kMaxLayers, m.layers);
  f.integer("hidden_size", 1, kMaxHidden, m.hidden_size);
  f.name("activation", m.activation);
  f.name("gru_variant", m.gru_variant);
  f.name("init", m.init.kind);
  f.number("spectral_radius", 0.0, 10.0, false, m.init.spectral_radius);
  f.number("forget_bias", -10.0, 10.0, false, m.init.forget_bias);
  f.number("readout_scale", 0.0, 10.0, true, m.readout_scale);
  f.finish();
  if (f.ok() && m.name.empty()) m.name = std::string(to_string(m.cell));
  return f.ok();
}

bool read_task(const Json& j, TaskSpec& t, std::string* error) {
  Fields f(j, "task", error);
  TaskKind kind = TaskKind::Adding;
  if (!f.has("kind")) {
    f.fail("task.kind", "missing; allowed: " + allowed_names(TaskKind{}));
    return false;
  }
  f.name("kind", kind);
  if (!f.ok()) return false;
  t = default_task_spec(kind);
  f.integer("length", 1, kMaxTaskLength, t.length);
  switch (kind) {
    case TaskKind::Copy:
      f.integer("symbols", 2, 32, t.copy.symbols);
      f.integer("count", 1, 100, t.copy.count);
      break;
    case TaskKind::Recall:
      f.integer("classes", 2, 32, t.recall.classes);
      f.integer("distractors", 1, 32, t.recall.distractors);
      break;
    case TaskKind::Sine:
      if (f.take("frequencies")) {
        const Json& v = f["frequencies"];
        if (!v.is_array() || v.empty() || v.size() > 8) {
          f.fail("task.frequencies", "expected an array of 1 to 8 numbers in (0, 0.5]");
        } else {
          t.sine.frequencies.clear();
          for (const Json& x : v) {
            if (!x.is_number() || !(x.get<double>() > 0) || x.get<double>() > 0.5) {
              f.fail("task.frequencies",
                     x.dump() + " is out of range; each frequency is in (0, 0.5] cycles per step");
              break;
            }
            t.sine.frequencies.push_back(x.get<double>());
          }
        }
      }
      f.number("noise", 0.0, 1.0, false, t.sine.noise);
      break;
    case TaskKind::CharLm:
      f.text("text", 4096, t.charlm.text);
      break;
    case TaskKind::Adding:
    case TaskKind::Sentiment:
      break;
  }
  f.finish();
  return f.ok();
}

bool read_training(const Json& j, TrainingConfig& tr, std::string* error) {
  Fields f(j, "training", error);
  OptimizerKind kind = tr.optimizer.kind;
  f.name("optimizer", kind);
  if (kind != tr.optimizer.kind) {
    tr.optimizer.kind = kind;
    tr.optimizer.learning_rate = default_learning_rate(kind);
  }
  f.number("learning_rate", 0.0, 10.0, true, tr.optimizer.learning_rate);
  f.number("momentum", 0.0, 0.999, false, tr.optimizer.momentum);
  f.number("beta1", 0.0, 0.999, false, tr.optimizer.beta1);
  f.number("beta2", 0.0, 0.99999, false, tr.optimizer.beta2);
  f.integer("batch_size", 1, kMaxBatchSize, tr.batch_size);
  if (f.take("clip")) {
    Fields c(f["clip"], "training.clip", error);
    c.name("mode", tr.clip.mode);
    c.number("threshold", 0.0, 1e6, true, tr.clip.threshold);
    c.finish();
    if (!c.ok()) return false;
  }
  if (f.take("truncation")) {
    Fields c(f["truncation"], "training.truncation", error);
    c.integer("k1", 0, kMaxTaskLength, tr.k1);
    c.integer("k2", 0, kMaxTaskLength, tr.k2);
    c.finish();
    if (!c.ok()) return false;
    if (tr.k2 > 0 && tr.k2 < tr.k1) {
      if (error)
        *error = "training.truncation.k2: " + std::to_string(tr.k2) +
                 " is below k1 = " + std::to_string(tr.k1) +
                 "; back-propagate at least as far as each chunk (k2 >= k1), or 0 for k2 = k1";
      return false;
    }
  }
  f.integer("iterations", int64_t{1}, kMaxIterations, tr.iterations);
  int64_t seed = static_cast<int64_t>(tr.seed);
  f.integer("seed", int64_t{0}, int64_t{1} << 53, seed);
  tr.seed = static_cast<uint64_t>(seed);
  f.name("precision", tr.precision);
  f.finish();
  return f.ok();
}

Json model_json(const ModelConfig& m) {
  Json j = {{"name", m.name},
            {"cell", to_string(m.cell)},
            {"layers", m.layers},
            {"hidden_size", m.hidden_size},
            {"init", to_string(m.init.kind)},
            {"spectral_radius", m.init.spectral_radius},
            {"readout_scale", m.readout_scale}};
  if (m.cell == CellType::Rnn) j["activation"] = to_string(m.activation);
  if (m.cell == CellType::Gru) j["gru_variant"] = to_string(m.gru_variant);
  if (m.cell == CellType::Lstm) j["forget_bias"] = m.init.forget_bias;
  return j;
}

}  // namespace

std::vector<ModelConfig> ExperimentConfig::all_models() const {
  std::vector<ModelConfig> all{model};
  all.insert(all.end(), compare.begin(), compare.end());
  return all;
}

NetworkSpec network_spec(const ModelConfig& m, const TaskInfo& task) {
  NetworkSpec s;
  s.cell = m.cell;
  s.activation = m.activation;
  s.gru_variant = m.gru_variant;
  s.input_size = task.input_size;
  s.hidden_size = m.hidden_size;
  s.output_size = task.output_size;
  s.num_layers = m.layers;
  s.readout = task.readout;
  s.loss = task.loss;
  return s;
}

double trace_bytes(const ModelConfig& m, const TaskInfo& task, int batch_size) {
  const double G = gate_blocks(m.cell), H = m.hidden_size;
  // Trace: pre and gates (2G·H), c, tanh c, hn, h (≤ 4H); GradTrace: dh, dc, dpre ((G + 2)·H).
  const double per_step = (3 * G + 6) * H * batch_size + 2.0 * task.output_size * batch_size;
  // A batch cut into shards writes its columns of the one trace in place (network.hpp).
  return 8.0 * per_step * task.steps * m.layers;
}

namespace {

// Weights of a model: W_x (G·H, I or H), W_h (G·H, H), b (G·H) per layer, the GRU's b_hn, and
// the readout W_y (O, H), b_y (O).
double param_count(const ModelConfig& m, const TaskInfo& task) {
  const double G = gate_blocks(m.cell), H = m.hidden_size;
  double n = task.output_size * (H + 1);
  for (int l = 0; l < m.layers; ++l) n += G * H * ((l == 0 ? task.input_size : H) + H + 1) + H;
  return n;
}

}  // namespace

double trainer_bytes(const ModelConfig& m, const TaskInfo& task, int batch_size) {
  const double T = task.steps, L = m.layers, B = batch_size, H = m.hidden_size;
  const double shards = shard_count(batch_size);
  // The trace in float64, or in float32 with its double view (the app asks for it): 1.5 times.
  const double trace = 1.5 * trace_bytes(m, task, batch_size);
  // Each of the ≤ 9 matrices per layer and step is an allocation of its own (the object and a
  // heap header, 64 bytes), in the engine and in the double view; the shards' too.
  const double matrices = 2 * 9 * 64 * T * L * (shards > 1 ? shards + 1 : 1);
  // Weights: the network's, their gradients, the weights before the update, Adam's two moments,
  // the transposed copy BPTT reads, the float engine's weights, gradients and transposed copy
  // (half each), and one gradient per shard.
  const double weights = 8 * param_count(m, task) * (6 + 1.5 + (shards > 1 ? shards : 0));
  // The batch (inputs, targets, mask), its float copy and the shards' columns; BPTT's carries.
  const double batch = 8 * B * T * (task.input_size + task.output_size + 1) * (2.5 + 1);
  const double carries = 8 * 16 * H * B * L * 2;
  return trace + matrices + weights + batch + carries + History().memory_bytes();
}

double snapshot_bytes(const ModelConfig& m, const TaskInfo& task) {
  const double G = gate_blocks(m.cell), H = m.hidden_size, L = m.layers, T = task.steps;
  // The inspected sequence: pre and gates (2G·H), c, h, hn, dh, dc (≤ 5H) per layer and step,
  // inputs, targets, outputs; the batch's norms and profile (3L) and the step losses.
  const double sequence = 8 * T * ((2 * G + 5) * H * L + task.input_size + 2 * task.output_size +
                                   3 * L + 1);
  const double jacobian = 8 * T;
  const double weights = 8 * 2 * param_count(m, task);  // params and trace_params
  return sequence + jacobian + weights + 64 * 16 * L + History().memory_bytes();
}

double app_memory_bytes(const ExperimentConfig& c, const TaskInfo& task) {
  // The worker's checkpoints for time travel: at most kDefaultCheckpointBudget (64 MiB) for all
  // models together (core/checkpoints.hpp; a model whose checkpoint alone is larger keeps none).
  // Undo and redo: at most kUndoBytes together, whatever the experiment (core/undo_budget.hpp).
  double bytes = kAppFixedBytes + 64.0 * 1024 * 1024 + static_cast<double>(kUndoBytes);
  for (const ModelConfig& m : c.all_models())
    bytes += trainer_bytes(m, task, c.training.batch_size) +
             kMaxLiveSnapshots * snapshot_bytes(m, task);
  return bytes;
}

double iteration_seconds(const ModelConfig& m, const TaskInfo& task, const TrainingConfig& tr) {
  const double G = gate_blocks(m.cell), H = m.hidden_size, B = std::max(tr.batch_size, 8);
  // One time step of every layer: the products W_x x and W_h h (2·G·H·(I + H + 1)·B operations).
  double step = 0;
  for (int l = 0; l < m.layers; ++l)
    step += 2 * G * H * ((l == 0 ? task.input_size : H) + H + 1) * B;
  // Backward time steps: full BPTT one sweep of T; truncated, one window of min(k2, hi) steps
  // for each chunk [lo, hi) of k1 steps (network.cpp). Each costs two forward steps (the inputs'
  // and the weights' gradients). The decay profile is one more sweep of T, at one step's cost.
  const int T = task.steps;
  double backward = T;
  if (tr.k1 > 0) {
    const int k2 = std::max(tr.k2 > 0 ? tr.k2 : tr.k1, tr.k1);
    backward = 0;
    for (int lo = 0; lo < T; lo += tr.k1) backward += std::min(k2, std::min(lo + tr.k1, T));
  }
  return (T + 2 * backward + T) * step / kReferenceFlops;
}

std::string slow_iteration_warning(const ExperimentConfig& c) {
  std::string error;
  auto task = make_task(c.task, &error);
  if (!task) return "";
  double worst = 0;
  std::string slowest;
  for (const ModelConfig& m : c.all_models()) {
    const double s = iteration_seconds(m, task->info(), c.training);
    if (s > worst) worst = s, slowest = m.name;
  }
  if (worst <= kSlowIterationSeconds) return "";
  std::ostringstream w;
  w << "one iteration of model '" << slowest << "' takes about "
    << static_cast<int64_t>(std::ceil(worst)) << " s on the reference machine (more than " << kSlowIterationSeconds
    << " s; docs/experiments.md): training will be slow. Shorten the task's length, use a "
       "smaller hidden_size or fewer layers"
    << (c.training.k1 > 0 ? ", or a larger k1 (truncated BPTT runs one window per k1 steps)" : "");
  return w.str();
}

std::string validate(const ExperimentConfig& c) {
  std::string error;
  auto task = make_task(c.task, &error);
  if (!task) return "task: " + error;
  const TaskInfo& info = task->info();
  if (c.training.batch_size > task->max_batch_size())
    return "training.batch_size: " + std::to_string(c.training.batch_size) +
           " is too large for this task; at most " + std::to_string(task->max_batch_size());
  for (const ModelConfig& m : c.all_models()) {
    const double bytes = trace_bytes(m, info, c.training.batch_size);
    if (bytes > kMaxTraceBytes) {
      std::ostringstream s;
      s << "model '" << m.name << "': hidden_size " << m.hidden_size << " x layers " << m.layers
        << " x steps " << info.steps << " x batch_size " << c.training.batch_size << " needs about "
        << static_cast<int64_t>(bytes / (1 << 20)) << " MiB to keep every step for BPTT; at most "
        << static_cast<int64_t>(kMaxTraceBytes / (1 << 20))
        << " MiB are allowed: reduce batch_size, the task's length or hidden_size";
      return s.str();
    }
  }
  if (const double bytes = app_memory_bytes(c, info); bytes > kMaxAppBytes) {
    std::ostringstream s;
    s << "the experiment needs about " << static_cast<int64_t>(bytes / (1 << 20))
      << " MiB in the app (every model's trace and weights, " << kMaxLiveSnapshots
      << " snapshots of each, their histories); at most "
      << static_cast<int64_t>(kMaxAppBytes / (1 << 20))
      << " MiB are allowed: reduce batch_size, the task's length, hidden_size, layers or the "
         "compared models";
    return s.str();
  }
  if (std::string e = unrolled::validate(c.training.optimizer); !e.empty()) return "training: " + e;
  if (std::string e = unrolled::validate(c.training.clip); !e.empty()) return "training.clip: " + e;
  return "";
}

bool experiment_from_json(const Json& j, ExperimentConfig& out, std::string* error) {
  ExperimentConfig c;
  Fields f(j, "", error);
  if (!f.ok()) {
    if (error) *error = "experiment: expected a JSON object, found " + json_type_name(j);
    return false;
  }
  if (f.take("format") && j["format"] != "unrolled-experiment") {
    f.fail("format", j["format"].dump() + " is not allowed; expected \"unrolled-experiment\"");
  }
  // 1.0 compares equal to 1 in nlohmann; the format says an integer.
  if (f.take("version") && (!j["version"].is_number_integer() || j["version"] != 1))
    f.fail("version", j["version"].dump() + " is not supported; this build reads version 1");
  f.text("title", 200, c.title);
  f.text("description", 4000, c.description);
  if (!f.ok()) return false;
  if (f.take("model") && !read_model(j["model"], "model", c.model, error)) return false;
  if (!f.has("task")) {
    f.fail("task", "missing; an experiment needs a task, e.g. {\"kind\": \"adding\"}");
    return false;
  }
  if (f.take("task") && !read_task(j["task"], c.task, error)) return false;
  if (f.take("training") && !read_training(j["training"], c.training, error)) return false;
  if (f.take("compare")) {
    const Json& list = j["compare"];
    if (!list.is_array() || list.size() > kMaxCompareModels - 1) {
      f.fail("compare", "expected an array of at most " + std::to_string(kMaxCompareModels - 1) +
                            " models to train beside the main one");
      return false;
    }
    for (size_t i = 0; i < list.size(); ++i) {
      ModelConfig m;
      if (!read_model(list[i], "compare[" + std::to_string(i) + "]", m, error)) return false;
      c.compare.push_back(m);
    }
  }
  if (f.take("course")) {
    Fields course(j["course"], "course", error);
    course.integer("order", 1, 99, c.course_order);
    course.text("summary", 120, c.summary);
    course.finish();
    if (!course.ok()) return false;
  }
  if (f.take("tour") && !tour_from_json(j["tour"], c.tour, error)) return false;
  f.finish();
  if (!f.ok()) return false;
  if (c.model.name.empty()) c.model.name = std::string(to_string(c.model.cell));
  if (std::string e = validate(c); !e.empty()) {
    if (error) *error = e;
    return false;
  }
  out = std::move(c);
  return true;
}

Json experiment_to_json(const ExperimentConfig& c) {
  Json task = {{"kind", to_string(c.task.kind)}, {"length", c.task.length}};
  switch (c.task.kind) {
    case TaskKind::Copy:
      task["symbols"] = c.task.copy.symbols;
      task["count"] = c.task.copy.count;
      break;
    case TaskKind::Recall:
      task["classes"] = c.task.recall.classes;
      task["distractors"] = c.task.recall.distractors;
      break;
    case TaskKind::Sine:
      task["frequencies"] = c.task.sine.frequencies;
      task["noise"] = c.task.sine.noise;
      break;
    case TaskKind::CharLm:
      task["text"] = c.task.charlm.text;
      break;
    case TaskKind::Adding:
    case TaskKind::Sentiment:
      break;
  }
  const TrainingConfig& t = c.training;
  Json training = {{"optimizer", to_string(t.optimizer.kind)},
                   {"learning_rate", t.optimizer.learning_rate},
                   {"batch_size", t.batch_size},
                   {"clip", {{"mode", to_string(t.clip.mode)}, {"threshold", t.clip.threshold}}},
                   {"truncation", {{"k1", t.k1}, {"k2", t.k2}}},
                   {"iterations", t.iterations},
                   {"seed", t.seed},
                   {"precision", to_string(t.precision)}};
  if (t.optimizer.kind == OptimizerKind::Momentum) training["momentum"] = t.optimizer.momentum;
  if (t.optimizer.kind == OptimizerKind::Adam) {
    training["beta1"] = t.optimizer.beta1;
    training["beta2"] = t.optimizer.beta2;
  }
  Json j = {{"format", "unrolled-experiment"},
            {"version", 1},
            {"title", c.title},
            {"description", c.description},
            {"model", model_json(c.model)},
            {"task", task},
            {"training", training}};
  if (!c.compare.empty()) {
    j["compare"] = Json::array();
    for (const auto& m : c.compare) j["compare"].push_back(model_json(m));
  }
  if (c.course_order > 0) j["course"] = {{"order", c.course_order}, {"summary", c.summary}};
  if (!c.tour.empty()) j["tour"] = tour_to_json(c.tour);
  return j;
}

bool parse_experiment_text(const std::string& text, const std::string& name, ExperimentConfig& out,
                           std::string* error) {
  Json j;
  if (!parse_json_text(text, name, j, error)) return false;
  std::string e;
  if (!experiment_from_json(j, out, &e)) {
    if (error) *error = name + ": " + e;
    return false;
  }
  return true;
}

bool load_experiment(const std::string& path, ExperimentConfig& out, std::string* error) {
  std::string text;
  if (!read_text_file(path, kMaxExperimentFileBytes, text, error)) return false;
  return parse_experiment_text(text, path, out, error);
}

std::vector<std::pair<std::string, std::string>> embedded_presets() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const EmbeddedFile& f : embedded_samples()) {
    const std::string name = f.name;
    if (name.size() > 5 && name.ends_with(".json"))
      out.emplace_back(name.substr(0, name.size() - 5), std::string(f.text()));
  }
  return out;
}

ExperimentConfig default_experiment() {
  ExperimentConfig c;
  for (const auto& [name, text] : embedded_presets())
    if (name == "default" && parse_experiment_text(text, "default.json", c, nullptr)) return c;
  // The embedded default is loaded by a test; this is only reached if that test fails.
  c.title = "LSTM on first-symbol recall";
  c.task = default_task_spec(TaskKind::Recall);
  return c;
}

}  // namespace unrolled
