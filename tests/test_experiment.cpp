// Experiment files: every field read, the writer and reader agree, and every bad file is refused
// with one message naming the key, the value and what is allowed.
#include <gtest/gtest.h>

#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "core/experiment.hpp"
#include "tests/test_support.hpp"

namespace unrolled {
namespace {

// Every field of the format set to a value other than its default.
const char* kFull = R"({
  "format": "unrolled-experiment", "version": 1,
  "title": "Full file", "description": "Every field set.",
  "model": {"name": "Elman", "cell": "rnn", "layers": 2, "hidden_size": 24, "activation": "relu",
            "gru_variant": "reset_after", "init": "orthogonal", "spectral_radius": 1.25,
            "forget_bias": 2.0, "readout_scale": 0.5},
  "task": {"kind": "copy", "length": 7, "symbols": 5, "count": 3},
  "training": {"optimizer": "momentum", "learning_rate": 0.05, "momentum": 0.8, "beta1": 0.7,
               "beta2": 0.95, "batch_size": 16, "clip": {"mode": "value", "threshold": 2.5},
               "truncation": {"k1": 4, "k2": 6}, "iterations": 123, "seed": 42,
               "precision": "float64"},
  "compare": [{"cell": "lstm", "hidden_size": 8}, {"name": "GRU", "cell": "gru"}]
})";

// A small valid experiment to break one key at a time.
Json base() {
  return Json::parse(R"({
    "format": "unrolled-experiment", "version": 1, "title": "t",
    "model": {"cell": "lstm", "hidden_size": 16},
    "task": {"kind": "copy", "length": 5, "symbols": 4, "count": 2},
    "training": {"optimizer": "adam", "learning_rate": 0.01, "batch_size": 8,
                 "clip": {"mode": "norm", "threshold": 1}, "iterations": 10, "seed": 3}
  })");
}

// The error from reading j, which must be refused.
std::string refused(const Json& j) {
  ExperimentConfig c;
  std::string error;
  EXPECT_FALSE(experiment_from_json(j, c, &error)) << j.dump();
  EXPECT_FALSE(error.empty());
  return error;
}

// j with the value at pointer p replaced by v.
Json with(Json j, const std::string& p, const Json& v) {
  j[Json::json_pointer(p)] = v;
  return j;
}

// Expects every part in message.
void expect_mentions(const std::string& message, const std::vector<std::string>& parts) {
  for (const auto& part : parts)
    EXPECT_NE(message.find(part), std::string::npos) << "'" << part << "' missing in: " << message;
}

class ExperimentFile : public ::testing::Test {
 protected:
  // Writes bytes to a temporary file and returns the error loading it (which must fail).
  std::string load_refused(const std::string& name, const std::string& bytes) {
    const std::string path = dir_ / name;
    std::ofstream(path, std::ios::binary) << bytes;
    ExperimentConfig c;
    std::string error;
    EXPECT_FALSE(load_experiment(path, c, &error)) << name;
    EXPECT_NE(error.find(path), std::string::npos) << "the message names the file: " << error;
    return error;
  }
  testing_support::TempDir dir_{"experiment"};
};

TEST(Experiment, ReadsEveryField) {
  ExperimentConfig c;
  std::string error;
  ASSERT_TRUE(parse_experiment_text(kFull, "full.json", c, &error)) << error;
  EXPECT_EQ(c.title, "Full file");
  EXPECT_EQ(c.description, "Every field set.");
  EXPECT_EQ(c.model.name, "Elman");
  EXPECT_EQ(c.model.cell, CellType::Rnn);
  EXPECT_EQ(c.model.layers, 2);
  EXPECT_EQ(c.model.hidden_size, 24);
  EXPECT_EQ(c.model.activation, Activation::Relu);
  EXPECT_EQ(c.model.gru_variant, GruVariant::ResetAfter);
  EXPECT_EQ(c.model.init.kind, InitKind::Orthogonal);
  EXPECT_EQ(c.model.init.spectral_radius, 1.25);
  EXPECT_EQ(c.model.init.forget_bias, 2.0);
  EXPECT_EQ(c.model.readout_scale, 0.5);
  EXPECT_EQ(c.task.kind, TaskKind::Copy);
  EXPECT_EQ(c.task.length, 7);
  EXPECT_EQ(c.task.copy.symbols, 5);
  EXPECT_EQ(c.task.copy.count, 3);
  const TrainingConfig& t = c.training;
  EXPECT_EQ(t.optimizer.kind, OptimizerKind::Momentum);
  EXPECT_EQ(t.optimizer.learning_rate, 0.05);
  EXPECT_EQ(t.optimizer.momentum, 0.8);
  EXPECT_EQ(t.optimizer.beta1, 0.7);
  EXPECT_EQ(t.optimizer.beta2, 0.95);
  EXPECT_EQ(t.batch_size, 16);
  EXPECT_EQ(t.clip.mode, ClipMode::Value);
  EXPECT_EQ(t.clip.threshold, 2.5);
  EXPECT_EQ(t.k1, 4);
  EXPECT_EQ(t.k2, 6);
  EXPECT_EQ(t.iterations, 123);
  EXPECT_EQ(t.seed, 42u);
  EXPECT_EQ(t.precision, Precision::Float64);
  ASSERT_EQ(c.compare.size(), 2u);
  EXPECT_EQ(c.compare[0].cell, CellType::Lstm);
  EXPECT_EQ(c.compare[0].name, "lstm");  // defaults to the cell's name
  EXPECT_EQ(c.compare[0].hidden_size, 8);
  EXPECT_EQ(c.compare[1].name, "GRU");
  EXPECT_EQ(c.compare[1].cell, CellType::Gru);
  ASSERT_EQ(c.all_models().size(), 3u);
  EXPECT_EQ(c.all_models()[0].name, "Elman");
}

TEST(Experiment, OmittedFieldsTakeTheDocumentedDefaults) {
  ExperimentConfig c;
  std::string error;
  ASSERT_TRUE(parse_experiment_text(R"({"task": {"kind": "sine"}})", "min.json", c, &error))
      << error;
  const ExperimentConfig d;
  EXPECT_EQ(c.model.cell, CellType::Lstm);
  EXPECT_EQ(c.model.name, "lstm");
  EXPECT_EQ(c.model.hidden_size, d.model.hidden_size);
  EXPECT_EQ(c.model.init.forget_bias, 1.0);
  EXPECT_EQ(c.task.length, default_task_spec(TaskKind::Sine).length);
  EXPECT_EQ(c.training.optimizer.kind, OptimizerKind::Adam);
  EXPECT_EQ(c.training.optimizer.learning_rate, default_learning_rate(OptimizerKind::Adam));
  EXPECT_EQ(c.training.batch_size, d.training.batch_size);
  EXPECT_EQ(c.training.clip.mode, ClipMode::Norm);
  EXPECT_EQ(c.training.iterations, d.training.iterations);
  EXPECT_EQ(c.training.seed, 1u);
  EXPECT_EQ(c.training.precision, Precision::Float32);  // the fast engine unless asked
  EXPECT_EQ(d.training.precision, Precision::Float32);
  // Choosing an optimiser without a learning rate takes that optimiser's own default.
  ASSERT_TRUE(parse_experiment_text(
      R"({"task": {"kind": "sine"}, "training": {"optimizer": "sgd"}})", "sgd.json", c, &error))
      << error;
  EXPECT_EQ(c.training.optimizer.learning_rate, default_learning_rate(OptimizerKind::Sgd));
}

TEST(Experiment, WriterAndReaderRoundTrip) {
  ExperimentConfig a;
  std::string error;
  ASSERT_TRUE(parse_experiment_text(kFull, "full.json", a, &error)) << error;
  // Also a task kind with a list parameter and a char model.
  for (const char* task :
       {R"({"kind": "sine", "length": 9, "frequencies": [0.1, 0.25], "noise": 0.2})",
        R"({"kind": "charlm", "length": 3, "text": "hello"})",
        R"({"kind": "recall", "length": 6, "classes": 3, "distractors": 2})",
        R"({"kind": "adding", "length": 11})", R"({"kind": "sentiment", "length": 14})"}) {
    SCOPED_TRACE(task);
    Json j = Json::parse(kFull);
    j["task"] = Json::parse(task);
    ExperimentConfig c;
    ASSERT_TRUE(experiment_from_json(j, c, &error)) << error;
    const Json written = experiment_to_json(c);
    ExperimentConfig back;
    ASSERT_TRUE(experiment_from_json(written, back, &error)) << error << "\n" << written.dump(2);
    EXPECT_EQ(experiment_to_json(back), written);
    EXPECT_EQ(back.task.kind, c.task.kind);
    EXPECT_EQ(back.task.length, c.task.length);
    EXPECT_EQ(back.task.sine.frequencies, c.task.sine.frequencies);
    EXPECT_EQ(back.task.sine.noise, c.task.sine.noise);
    EXPECT_EQ(back.task.charlm.text, c.task.charlm.text);
    EXPECT_EQ(back.task.recall.classes, c.task.recall.classes);
    EXPECT_EQ(back.task.recall.distractors, c.task.recall.distractors);
  }
  const Json written = experiment_to_json(a);
  ExperimentConfig b;
  ASSERT_TRUE(experiment_from_json(written, b, &error)) << error;
  EXPECT_EQ(b.title, a.title);
  EXPECT_EQ(b.description, a.description);
  EXPECT_EQ(b.model.name, a.model.name);
  EXPECT_EQ(b.model.cell, a.model.cell);
  EXPECT_EQ(b.model.layers, a.model.layers);
  EXPECT_EQ(b.model.hidden_size, a.model.hidden_size);
  EXPECT_EQ(b.model.activation, a.model.activation);
  EXPECT_EQ(b.model.init.kind, a.model.init.kind);
  EXPECT_EQ(b.model.init.spectral_radius, a.model.init.spectral_radius);
  EXPECT_EQ(b.model.readout_scale, a.model.readout_scale);
  EXPECT_EQ(b.task.copy.symbols, a.task.copy.symbols);
  EXPECT_EQ(b.task.copy.count, a.task.copy.count);
  EXPECT_EQ(b.training.optimizer.kind, a.training.optimizer.kind);
  EXPECT_EQ(b.training.optimizer.learning_rate, a.training.optimizer.learning_rate);
  EXPECT_EQ(b.training.optimizer.momentum, a.training.optimizer.momentum);
  EXPECT_EQ(b.training.batch_size, a.training.batch_size);
  EXPECT_EQ(b.training.clip.mode, a.training.clip.mode);
  EXPECT_EQ(b.training.clip.threshold, a.training.clip.threshold);
  EXPECT_EQ(b.training.k1, a.training.k1);
  EXPECT_EQ(b.training.k2, a.training.k2);
  EXPECT_EQ(b.training.iterations, a.training.iterations);
  EXPECT_EQ(b.training.seed, a.training.seed);
  EXPECT_EQ(b.training.precision, a.training.precision);
  ASSERT_EQ(b.compare.size(), a.compare.size());
  for (size_t i = 0; i < a.compare.size(); ++i) {
    EXPECT_EQ(b.compare[i].name, a.compare[i].name);
    EXPECT_EQ(b.compare[i].cell, a.compare[i].cell);
    EXPECT_EQ(b.compare[i].hidden_size, a.compare[i].hidden_size);
    EXPECT_EQ(b.compare[i].init.forget_bias, a.compare[i].init.forget_bias);
  }
  EXPECT_EQ(experiment_to_json(b), written);
}

TEST(Experiment, PrecisionParsesAndABadValueNamesTheAllowedOnes) {
  for (const auto& [name, value] :
       {std::pair{"float32", Precision::Float32}, std::pair{"float64", Precision::Float64}}) {
    ExperimentConfig c;
    std::string error;
    ASSERT_TRUE(experiment_from_json(with(base(), "/training/precision", name), c, &error))
        << error;
    EXPECT_EQ(c.training.precision, value);
    EXPECT_EQ(experiment_to_json(c)["training"]["precision"], name);  // and saved back
  }
  for (const Json& bad : {Json("float16"), Json("double"), Json(32), Json("")}) {
    SCOPED_TRACE(bad.dump());
    expect_mentions(refused(with(base(), "/training/precision", bad)),
                    {"training.precision", bad.dump(), "float32|float64"});
  }
}

TEST(Experiment, BaseIsValid) {
  ExperimentConfig c;
  std::string error;
  EXPECT_TRUE(experiment_from_json(base(), c, &error)) << error;
}

TEST(Experiment, UnknownKeyNamesItsPlaceAndTheAllowedKeys) {
  expect_mentions(refused(with(base(), "/colour", "red")),
                  {"colour", "unknown key", "model", "task", "training", "compare"});
  expect_mentions(refused(with(base(), "/model/hidden", 16)),
                  {"model.hidden", "unknown key", "hidden_size", "cell", "forget_bias"});
  expect_mentions(refused(with(base(), "/task/lag", 3)),
                  {"task.lag", "unknown key", "length", "symbols", "count"});
  expect_mentions(refused(with(base(), "/training/lr", 0.1)),
                  {"training.lr", "unknown key", "learning_rate", "batch_size"});
  expect_mentions(refused(with(base(), "/training/clip/max_norm", 1)),
                  {"training.clip.max_norm", "unknown key", "mode", "threshold"});
  expect_mentions(refused(with(base(), "/training/truncation", Json{{"k3", 1}})),
                  {"training.truncation.k3", "unknown key", "k1", "k2"});
  Json j = base();
  j["compare"] = Json::array({Json{{"cell", "rnn"}, {"size", 4}}});
  expect_mentions(refused(j), {"compare[0].size", "unknown key", "hidden_size"});
}

TEST(Experiment, AParameterOfAnotherTaskKindIsAnUnknownKey) {
  // "classes" belongs to recall, not copy.
  expect_mentions(refused(with(base(), "/task/classes", 4)),
                  {"task.classes", "unknown key", "kind, length, symbols, count"});
  Json j = base();
  j["task"] = Json{{"kind", "adding"}, {"length", 10}, {"frequencies", {0.1}}};
  expect_mentions(refused(j), {"task.frequencies", "unknown key", "kind, length"});
}

TEST(Experiment, WrongTypeNamesKeyValueAndExpectedType) {
  expect_mentions(refused(with(base(), "/model/hidden_size", "16")),
                  {"model.hidden_size", "\"16\"", "an integer in [1, 512]"});
  expect_mentions(refused(with(base(), "/model/hidden_size", 16.5)),
                  {"model.hidden_size", "16.5", "an integer in [1, 512]"});
  expect_mentions(refused(with(base(), "/model/cell", 3)), {"model.cell", "3", "rnn|lstm|gru"});
  expect_mentions(refused(with(base(), "/model/cell", "transformer")),
                  {"model.cell", "\"transformer\"", "rnn|lstm|gru"});
  expect_mentions(refused(with(base(), "/training/clip", "norm")),
                  {"training.clip", "expected an object", "a string"});
  expect_mentions(refused(with(base(), "/model", Json::array())),
                  {"model", "expected an object", "an array"});
  expect_mentions(refused(with(base(), "/title", 5)), {"title", "5", "a string"});
  expect_mentions(refused(with(base(), "/training/batch_size", true)),
                  {"training.batch_size", "true", "an integer"});
  expect_mentions(refused(Json::array({1, 2})), {"expected a JSON object", "an array"});
  expect_mentions(refused(with(base(), "/format", "keras")),
                  {"format", "\"keras\"", "\"unrolled-experiment\""});
  expect_mentions(refused(with(base(), "/version", 2)), {"version", "2", "version 1"});
}

TEST(Experiment, OutOfRangeNamesKeyValueAndRange) {
  expect_mentions(refused(with(base(), "/model/hidden_size", 0)),
                  {"model.hidden_size", "0", "out of range", "[1, 512]"});
  expect_mentions(refused(with(base(), "/model/hidden_size", 10'000'000)),
                  {"model.hidden_size", "10000000", "out of range", "[1, 512]"});
  expect_mentions(refused(with(base(), "/model/layers", 5)), {"model.layers", "5", "[1, 4]"});
  expect_mentions(refused(with(base(), "/task/length", -1)),
                  {"task.length", "-1", "out of range", "[1, 2000]"});
  expect_mentions(refused(with(base(), "/task/symbols", 33)), {"task.symbols", "33", "[2, 32]"});
  expect_mentions(refused(with(base(), "/training/learning_rate", 0)),
                  {"training.learning_rate", "0", "(0, 10]"});
  expect_mentions(refused(with(base(), "/training/batch_size", 0)),
                  {"training.batch_size", "0", "[1, 4096]"});
  expect_mentions(refused(with(base(), "/training/iterations", 0)),
                  {"training.iterations", "0", "[1, 1000000000]"});
  expect_mentions(refused(with(base(), "/training/seed", -5)), {"training.seed", "-5"});
  expect_mentions(refused(with(base(), "/training/clip/threshold", 0)),
                  {"training.clip.threshold", "0", "(0, 1e+06]"});
  expect_mentions(refused(with(base(), "/training/beta2", 1.0)),
                  {"training.beta2", "1", "[0, 0.99999]"});
  // A value too large for any integer type is still a plain out-of-range message.
  expect_mentions(refused(Json::parse(R"({"task": {"kind": "copy"},
                                          "training": {"iterations": 18446744073709551615}})")),
                  {"training.iterations", "18446744073709551615", "out of range"});
  // Each task's own range, checked when the task is built: adding needs a marker in each half.
  Json j = base();
  j["task"] = Json{{"kind", "adding"}, {"length", 1}};
  expect_mentions(refused(j), {"adding", "length", "1", "2..2000"});
  j["task"] = Json{{"kind", "sine"}, {"frequencies", {0.7}}};
  expect_mentions(refused(j), {"task.frequencies", "0.7", "(0, 0.5]"});
  j["task"] = Json{{"kind", "charlm"}, {"length", 100}, {"text", "hello"}};
  expect_mentions(refused(j), {"length", "100", "1..4"});
}

TEST(Experiment, NaNIsRefusedAsAStringAndIsNotJson) {
  // "NaN" as a string is a wrong type, named as such.
  expect_mentions(refused(with(base(), "/training/learning_rate", "NaN")),
                  {"training.learning_rate", "\"NaN\"", "a number in (0, 10]"});
  // A bare NaN token is not JSON: the parser refuses it and says where it stopped.
  std::string text = base().dump();
  const std::string lr = "\"learning_rate\":0.01";
  const size_t at = text.find(lr);
  ASSERT_NE(at, std::string::npos) << text;
  text.replace(at, lr.size(), "\"learning_rate\":NaN");
  ExperimentConfig c;
  std::string error;
  EXPECT_FALSE(parse_experiment_text(text, "nan.json", c, &error));
  expect_mentions(error, {"nan.json", "not valid JSON", "at byte"});
  // A non-finite number can only reach the reader from code; it is refused as out of range.
  expect_mentions(
      refused(with(base(), "/training/learning_rate", std::numeric_limits<double>::infinity())),
      {"training.learning_rate", "out of range", "(0, 10]"});
}

TEST(Experiment, IntegersMustBeIntegersAndLengthsCountCharacters) {
  // Issue 14: "version": 1.0 compares equal to 1 in nlohmann, so it was accepted.
  expect_mentions(refused(with(base(), "/version", 1.0)), {"version", "1.0", "version 1"});
  expect_mentions(refused(with(base(), "/training/iterations", 10.0)),
                  {"training.iterations", "10.0", "an integer"});
  // 150 x "é" is 150 characters (300 bytes): accepted; 201 characters are refused.
  std::string e150, e201;
  for (int i = 0; i < 150; ++i) e150 += "\u00e9";
  for (int i = 0; i < 201; ++i) e201 += "\u00e9";
  ExperimentConfig c;
  std::string error;
  EXPECT_TRUE(experiment_from_json(with(base(), "/title", e150), c, &error)) << error;
  EXPECT_EQ(c.title, e150);
  expect_mentions(refused(with(base(), "/title", e201)),
                  {"title", "201 characters, longer than the 200 allowed"});
  std::string n40;
  for (int i = 0; i < 40; ++i) n40 += "\u20ac";  // € is 3 bytes
  EXPECT_TRUE(experiment_from_json(with(base(), "/model/name", n40), c, &error)) << error;
  expect_mentions(refused(with(base(), "/compare", Json::array({{{"name", n40 + "x"}}}))),
                  {"compare[0].name", "41 characters, longer than the 40 allowed"});
}

TEST(Experiment, TruncationK2BelowK1IsRefused) {
  expect_mentions(refused(with(base(), "/training/truncation", Json{{"k1", 10}, {"k2", 5}})),
                  {"training.truncation.k2", "5", "k1 = 10", "k2 >= k1"});
  ExperimentConfig c;
  std::string error;
  EXPECT_TRUE(experiment_from_json(with(base(), "/training/truncation", Json{{"k1", 5}, {"k2", 0}}),
                                   c, &error))
      << "k2 = 0 means k2 = k1: " << error;
  EXPECT_TRUE(experiment_from_json(with(base(), "/training/truncation", Json{{"k1", 5}, {"k2", 5}}),
                                   c, &error))
      << error;
}

TEST(Experiment, SizesBeyondTheMemoryLimitAreRefused) {
  // A long adding task with a wide LSTM: every value is in range on its own, the product is not.
  Json j = base();
  j["task"] = Json{{"kind", "adding"}, {"length", 2000}};
  j["model"] = Json{{"cell", "lstm"}, {"hidden_size", 512}};
  j["training"]["batch_size"] = 64;
  ExperimentConfig probe;
  probe.model.cell = CellType::Lstm;
  probe.model.hidden_size = 512;
  std::string error;
  TaskSpec adding = default_task_spec(TaskKind::Adding);
  adding.length = 2000;
  auto task = make_task(adding, &error);
  ASSERT_TRUE(task) << error;
  ASSERT_GT(trace_bytes(probe.model, task->info(), 64), kMaxTraceBytes);
  expect_mentions(refused(j), {"hidden_size 512", "steps 2000", "batch_size 64", "MiB",
                               "at most 1024 MiB", "reduce batch_size"});

  // The largest batch whose trace fits is refused by the one budget, the app's (the trace in
  // both precisions and the snapshots); one more by the trace's own limit.
  int fits = 1;
  while (trace_bytes(probe.model, task->info(), fits + 1) <= kMaxTraceBytes) ++fits;
  ExperimentConfig c;
  j["training"]["batch_size"] = fits;
  expect_mentions(refused(j), {"needs about", "MiB in the app", "at most 2048 MiB"});
  j["training"]["batch_size"] = fits + 1;
  expect_mentions(refused(j), {"batch_size " + std::to_string(fits + 1), "at most 1024 MiB"});
  // The largest batch within the budget is accepted.
  ExperimentConfig probe_all = probe;
  probe_all.task = adding;
  int in_budget = 1;
  for (;; ++in_budget) {
    probe_all.training.batch_size = in_budget + 1;
    if (app_memory_bytes(probe_all, task->info()) > kMaxAppBytes) break;
  }
  j["training"]["batch_size"] = in_budget;
  EXPECT_TRUE(experiment_from_json(j, c, &error)) << error;
  j["training"]["batch_size"] = in_budget + 1;
  expect_mentions(refused(j), {"MiB in the app", "at most 2048 MiB"});
  fits = in_budget;

  // A compared model is held to the same limit as the main one.
  j["training"]["batch_size"] = fits;
  j["compare"] =
      Json::array({Json{{"name", "wide"}, {"cell", "lstm"}, {"hidden_size", 512}, {"layers", 2}}});
  expect_mentions(refused(j), {"model 'wide'", "layers 2", "at most 1024 MiB"});

  // A batch larger than the task's own per-batch budget is refused with that budget.
  j = base();
  j["task"] = Json{{"kind", "recall"}, {"length", 2000}, {"classes", 32}, {"distractors", 32}};
  j["model"] = Json{{"cell", "rnn"}, {"hidden_size", 1}};
  j["training"]["batch_size"] = 4096;
  expect_mentions(refused(j),
                  {"training.batch_size", "4096", "too large for this task", "at most"});
}

TEST_F(ExperimentFile, LoadsAFileAndNamesItInErrors) {
  const std::string path = dir_ / "ok.json";
  std::ofstream(path) << kFull;
  ExperimentConfig c;
  std::string error;
  ASSERT_TRUE(load_experiment(path, c, &error)) << error;
  EXPECT_EQ(c.title, "Full file");
  // A key error in a file is prefixed with the file's name.
  expect_mentions(load_refused("bad_key.json", with(base(), "/model/hidden_size", 0).dump()),
                  {"bad_key.json", "model.hidden_size", "0", "[1, 512]"});
}

TEST_F(ExperimentFile, RefusesNumbersBeyondADoubleAndRepeatedKeys) {
  // Issue 14: these ended `train` and `open` with SIGABRT.
  expect_mentions(load_refused("tiny.json", "1e309"), {"number out of range at byte 5", "1e309"});
  std::string text = base().dump();
  text.replace(text.find("\"seed\":3"), 8, "\"seed\":1e400");
  expect_mentions(load_refused("seed.json", text), {"number out of range", "1e400"});
  text = base().dump();
  text.replace(text.find("\"cell\":"), 0, "\"hidden_size\":4,");
  expect_mentions(load_refused("twice.json", text), {"key 'model.hidden_size' appears twice"});
}

TEST_F(ExperimentFile, RefusesAMissingFile) {
  ExperimentConfig c;
  std::string error;
  EXPECT_FALSE(load_experiment(dir_ / "absent.json", c, &error));
  expect_mentions(error, {"absent.json", "no such file"});
}

TEST_F(ExperimentFile, RefusesTextThatIsNotJson) {
  expect_mentions(load_refused("prose.json", "this is a lesson about RNNs\n"),
                  {"not valid JSON", "at byte 2"});
}

TEST_F(ExperimentFile, RefusesAFileCutShort) {
  const std::string text = base().dump();
  expect_mentions(load_refused("short.json", text.substr(0, text.size() / 2)),
                  {"not valid JSON", "at byte"});
}

TEST_F(ExperimentFile, RefusesAnEmptyFile) {
  expect_mentions(load_refused("empty.json", ""), {"empty"});
  expect_mentions(load_refused("blank.json", "  \n\t\n"), {"empty"});
}

TEST_F(ExperimentFile, RefusesAbsurdNesting) {
  // 100k brackets: refused by a depth count before the parser recurses into them.
  expect_mentions(load_refused("deep.json", std::string(100'000, '[') + std::string(100'000, ']')),
                  {"nested deeper than 64"});
  // Deep nesting under a real key is refused the same way.
  std::string text = R"({"task": {"kind": "copy"}, "title": )" + std::string(100'000, '[') +
                     std::string(100'000, ']') + "}";
  expect_mentions(load_refused("deep_key.json", text), {"nested deeper than 64"});
}

TEST_F(ExperimentFile, RefusesAFileLargerThanTheLimit) {
  std::string text = base().dump();
  text.insert(text.size() - 1, ", \"pad\": \"" + std::string(kMaxExperimentFileBytes, 'x') + "\"");
  expect_mentions(load_refused("huge.json", text),
                  {"bytes", std::to_string(kMaxExperimentFileBytes) + " bytes allowed"});
}

TEST(Experiment, TheDefaultLessonIsTheEmbeddedDefaultFile) {
  ExperimentConfig from_disk;
  std::string error;
  ASSERT_TRUE(load_experiment(UNROLLED_SOURCE_DIR "/samples/default.json", from_disk, &error))
      << error;
  EXPECT_EQ(experiment_to_json(default_experiment()), experiment_to_json(from_disk));
  EXPECT_EQ(default_experiment().model.cell, CellType::Lstm);
  EXPECT_EQ(default_experiment().task.kind, TaskKind::Recall);
}

}  // namespace
}  // namespace unrolled
