// The Inspect view's model without a window (app/session/inspect.hpp): an imported model on typed
// input gives PyTorch's numbers; the chosen output's gradient through time matches central
// differences; vocabularies and typed input that cannot be used are refused with one message;
// a lesson's model is probed with its own words and characters.
#include <gtest/gtest.h>

#include <cmath>

#include "app/session/inspect.hpp"
#include "app/session/training_worker.hpp"
#include "core/init.hpp"
#include "core/predict.hpp"
#include "samples/samples.hpp"

namespace unrolled {
namespace {

const std::string kImport = std::string(UNROLLED_SOURCE_DIR) + "/tests/fixtures/import/";
const std::string kInspect = std::string(UNROLLED_SOURCE_DIR) + "/tests/fixtures/inspect/";

// The PyTorch LSTM with an embedding of 10 tokens, opened as the app opens it, with a vocabulary.
InspectModel torch_lstm() {
  InspectModel m;
  import::ImportOptions o;
  o.readout = Readout::Last;
  o.readout_activation = ReadoutActivation::Softmax;
  std::string error;
  EXPECT_TRUE(open_inspect_model(kImport + "torch_lstm_embedding.pt", o,
                                 kInspect + "torch_lstm_embedding.vocab.json", m, &error))
      << error;
  return m;
}

// The fixture's first sequence, tokens [1, 9, 0, 7, 3], typed as its words: PyTorch's outputs and
// top-layer h (references.json, written by tests/fixtures/make_import_fixtures.py) to 1e-5.
TEST(InspectView, TypedWordsGiveThePyTorchModelsOwnNumbers) {
  const InspectModel m = torch_lstm();
  ASSERT_EQ(m.vocab.kind, Vocabulary::Kind::Words);
  InspectInput in;
  std::string error;
  ASSERT_TRUE(parse_inspect_input(m, "the was <pad> very is", in, &error)) << error;
  EXPECT_EQ(in.tokens, (std::vector<int>{1, 9, 0, 7, 3}));
  Snapshot s;
  OutputGradient g;
  ASSERT_TRUE(build_inspect_snapshot(m, in, {}, s, g, &error)) << error;
  Json refs;
  ASSERT_TRUE(read_json_file(kImport + "references.json", 1 << 24, refs, &error)) << error;
  const Json& ref = refs["torch_lstm_embedding.pt"];
  const ModelView& v = s.models.at(0);
  const int L = v.spec.num_layers, H = v.spec.hidden_size;
  ASSERT_EQ(v.steps, 5);
  for (int k = 0; k < v.spec.output_size; ++k)
    EXPECT_NEAR(v.outputs(k, 0), ref["outputs"][0][k].get<double>(), 1e-5) << "output " << k;
  for (int t = 0; t < 5; ++t)
    for (int u = 0; u < H; ++u)
      EXPECT_NEAR(v.h[L - 1](u, t), ref["top_h"][0][t][u].get<double>(), 1e-5) << t << "," << u;
  // The chosen output (the last step's, output 0 by default) and its value.
  EXPECT_EQ(g.step, 4);
  EXPECT_EQ(g.unit, 0);
  EXPECT_EQ(g.value, v.outputs(0, 0));
}

// Numbers for a model that reads numbers: the same values as `unrolled predict`'s core.
TEST(InspectView, TypedNumbersAreTheModelsInputs) {
  InspectModel m;
  import::ImportOptions o;
  o.readout = Readout::Every;
  o.readout_activation = ReadoutActivation::Sigmoid;
  std::string error;
  ASSERT_TRUE(open_inspect_model(kImport + "torch_gru.pt", o, "", m, &error)) << error;
  ASSERT_EQ(m.model.net.spec().input_size, 2);
  InspectInput in;
  ASSERT_TRUE(parse_inspect_input(m, "0.5, -1\n\n 2e-1 ,3\n-0.25,0\n", in, &error)) << error;
  ASSERT_EQ(in.batch.steps(), 3);
  EXPECT_EQ(in.batch.inputs[1](0, 0), 0.2);
  EXPECT_EQ(in.batch.inputs[1](1, 0), 3.0);
  Snapshot s;
  OutputGradient g;
  ASSERT_TRUE(build_inspect_snapshot(m, in, {1, 0}, s, g, &error)) << error;
  Prediction p;
  ASSERT_EQ(predict(m.model, in.batch, p), "");
  const ModelView& v = s.models.at(0);
  for (int t = 0; t < 3; ++t) {
    EXPECT_EQ(v.outputs(0, t), p.outputs[t](0, 0));
    EXPECT_EQ(v.h[0].col(t), p.trace.steps[0][t].h.col(0));
  }
  EXPECT_EQ(g.step, 1);
  // The busiest unit: no unit's h spans a wider range over the three steps.
  const int b = busiest_unit(v, 0);
  const auto span = [&](int u) { return v.h[0].row(u).maxCoeff() - v.h[0].row(u).minCoeff(); };
  for (int u = 0; u < v.spec.hidden_size; ++u) EXPECT_LE(span(u), span(b)) << "unit " << u;
  // Nothing after the chosen step moves its output.
  EXPECT_EQ(g.norm(0, 2), 0.0);
  EXPECT_GT(g.norm(0, 1), 0.0);
}

// ∂y_k/∂h_t of the top layer against central differences: h_t perturbed as the initial state of
// the steps after t (every path from h_t to y runs through them), for t before the chosen step;
// at the chosen step itself the gradient is the readout's row W_y[k].
void check_output_gradient(CellType cell, int layers) {
  NetworkSpec spec;
  spec.cell = cell;
  spec.input_size = 3;
  spec.hidden_size = 4;
  spec.output_size = 2;
  spec.num_layers = layers;
  spec.readout = Readout::Every;
  InspectModel m;
  m.model.net = Network(spec);
  Rng rng(7);
  initialize(m.model.net.params(), spec, {InitKind::Uniform, 0, 1.0}, rng);
  m.model.readout_activation = ReadoutActivation::Sigmoid;
  const int T = 6, step = 4, k = 1, L = layers, top = layers - 1;
  InspectInput in;
  for (int t = 0; t < T; ++t)
    in.batch.inputs.push_back(Mat::NullaryExpr(3, 1, [&] { return rng.normal(); }));
  Snapshot s;
  OutputGradient g;
  std::string error;
  ASSERT_TRUE(build_inspect_snapshot(m, in, {step, k}, s, g, &error)) << error;
  const Network& net = m.model.net;
  Trace full;
  Batch whole = in.batch;
  whole.targets.assign(T, Mat::Zero(2, 1));  // T x (O, 1): the forward pass scores them
  net.forward(full, whole);
  double worst = 0;
  for (int t = 0; t < step; ++t) {
    Batch suffix;  // steps t+1 .. step
    for (int u = t + 1; u <= step; ++u) suffix.inputs.push_back(in.batch.inputs[u]);
    suffix.targets.assign(suffix.inputs.size(), Mat::Zero(2, 1));
    std::vector<Mat> h0(L), c0(L);
    for (int l = 0; l < L; ++l) {
      h0[l] = full.steps[l][t].h;
      c0[l] = cell == CellType::Lstm ? full.steps[l][t].c : Mat::Zero(4, 1);
    }
    for (int j = 0; j < 4; ++j) {
      const double eps = 1e-6;
      auto y_at = [&](double d) {
        std::vector<Mat> hp = h0;
        hp[top](j, 0) += d;
        Trace tr;
        net.forward(tr, suffix, &hp, cell == CellType::Lstm ? &c0 : nullptr);
        return tr.y.back()(k, 0);
      };
      const double fd = (y_at(eps) - y_at(-eps)) / (2 * eps);
      const double bp = g.dy_dh[top](j, t);
      worst = std::max(worst, std::abs(fd - bp) / std::max(1.0, std::abs(fd)));
      EXPECT_NEAR(bp, fd, 1e-7 * std::max(1.0, std::abs(fd))) << "t " << t << " unit " << j;
    }
  }
  for (int j = 0; j < 4; ++j)
    EXPECT_NEAR(g.dy_dh[top](j, step), net.params().W_y(k, j), 1e-14) << "unit " << j;
  for (int t = step + 1; t < T; ++t) EXPECT_EQ(g.norm(top, t), 0.0);
  std::printf("  %s x %d layers: largest relative difference to central differences %.2e\n",
              std::string(to_string(cell)).c_str(), layers, worst);
}

TEST(InspectView, OutputGradientMatchesCentralDifferences) {
  for (CellType c : {CellType::Rnn, CellType::Lstm, CellType::Gru}) {
    check_output_gradient(c, 1);
    check_output_gradient(c, 2);
  }
}

// Vocabulary files: each accepted form, and what cannot be used refused naming the file and why.
TEST(InspectView, VocabularyFilesAreReadOrRefusedWithOneMessage) {
  Vocabulary v;
  std::string error;
  // A Keras Tokenizer's word index: ids from 1, lower-cased, Keras' filters applied.
  ASSERT_TRUE(vocabulary_from_json(Json::parse(R"({"the": 1, "film": 2, "good": 3})"), "w.json", 4,
                                   v, &error))
      << error;
  EXPECT_EQ(v.kind, Vocabulary::Kind::Words);
  EXPECT_TRUE(v.lower);
  EXPECT_EQ(v.tokens[2], "film");
  // Tokenizer.to_json(): the word index as a JSON string in its config.
  const Json tok = {{"class_name", "Tokenizer"},
                    {"config",
                     {{"word_index", R"({"a": 1, "b": 2})"},
                      {"lower", false},
                      {"filters", "!"},
                      {"char_level", false}}}};
  ASSERT_TRUE(vocabulary_from_json(tok, "t.json", 3, v, &error)) << error;
  EXPECT_FALSE(v.lower);
  EXPECT_EQ(v.filters, "!");
  EXPECT_EQ(v.ids.at("b"), 2);
  // An array of one-character strings: a character model.
  ASSERT_TRUE(
      vocabulary_from_json(Json::parse(R"(["h", "e", "l", "o", " "])"), "c.json", 5, v, &error));
  EXPECT_EQ(v.kind, Vocabulary::Kind::Characters);
  struct Bad {
    const char* json;
    int V;
    const char* says;
  };
  const Bad bad[] = {
      {R"({"the": "one"})", 4, "the id of 'the' is \"one\"; expected a whole number"},
      {R"({"the": -2})", 4, "has id -2"},
      {R"(["a", 3])", 4, "v.json[1] is 3; expected a string"},
      {R"(["a", "b", "c"])", 2, "3 tokens, but the model's embedding has 2 rows"},
      {R"(42)", 4, "expected a word index"},
      {R"({})", 4, "no tokens"},
      {R"({"class_name": "Tokenizer", "config": {"num_words": 3}})", 4, "config has no word_index"},
      {R"({"class_name": "Tokenizer", "config": {"word_index": "{not json"}})", 4, "word_index"},
      {R"([""])", 4, "a token of 0 bytes"},
  };
  for (const Bad& b : bad) {
    error.clear();
    EXPECT_FALSE(vocabulary_from_json(Json::parse(b.json), "v.json", b.V, v, &error)) << b.json;
    EXPECT_NE(error.find(b.says), std::string::npos) << b.json << " -> " << error;
    EXPECT_NE(error.find(".json"), std::string::npos) << "the file is not named: " << error;
  }
  EXPECT_FALSE(read_vocabulary(kInspect + "missing.json", 4, v, &error));
  EXPECT_NE(error.find("missing.json"), std::string::npos) << error;
  // --vocab for a model that reads numbers.
  InspectModel m;
  import::ImportOptions o;
  o.readout = Readout::Every;
  EXPECT_FALSE(open_inspect_model(kImport + "torch_gru.pt", o,
                                  kInspect + "torch_lstm_embedding.vocab.json", m, &error));
  EXPECT_NE(error.find("has no embedding"), std::string::npos) << error;
}

// Typed input that the model cannot read: one message naming the place, the token or value and
// what is allowed; never a crash, never a silent guess.
TEST(InspectView, BadInputIsRefusedWithOneMessage) {
  const InspectModel words = torch_lstm();
  InspectModel numbers;
  import::ImportOptions o;
  o.readout = Readout::Every;
  o.readout_activation = ReadoutActivation::Sigmoid;
  std::string error;
  ASSERT_TRUE(open_inspect_model(kImport + "torch_gru.pt", o, "", numbers, &error)) << error;
  std::string too_many;
  for (int t = 0; t <= kMaxInspectSteps; ++t) too_many += "the ";
  std::string too_many_lines;
  for (int t = 0; t <= kMaxInspectSteps; ++t) too_many_lines += "1, 2\n";
  struct Bad {
    const InspectModel* m;
    std::string text;
    const char* says;
  };
  const Bad bad[] = {
      {&words, "the film is fantastic", "word 4, 'fantastic', is not in the vocabulary"},
      {&words, "   ", "no words yet"},
      {&words, too_many, "401 words: at most 400 steps"},
      {&words, "the \xff film", "byte 4 (0xff) is not valid UTF-8"},
      {&numbers, "1, 2\n3\n", "line 2: 1 value(s); the model reads 2 comma-separated value(s)"},
      {&numbers, "1, 2, 3\n", "line 1: more than 2 value(s)"},
      {&numbers, "1, nan\n", "line 1, value 2: nan is not allowed; values are finite"},
      {&numbers, "1, 1e7\n", "line 1, value 2: 1e7 is not allowed"},
      {&numbers, "1, two\n", "line 1, value 2: 'two' is not a number"},
      {&numbers, "1,\n", "line 1, value 2: '' is not a number"},
      {&numbers, too_many_lines, "more than 400 steps"},
      {&numbers, "", "no steps yet"},
      {&numbers, std::string(kMaxInspectTextBytes + 1, '1'), "bytes of input; at most 1048576"},
  };
  for (const Bad& b : bad) {
    InspectInput in;
    error.clear();
    EXPECT_FALSE(parse_inspect_input(*b.m, b.text, in, &error)) << b.text.substr(0, 40);
    EXPECT_NE(error.find(b.says), std::string::npos) << b.text.substr(0, 40) << " -> " << error;
  }
  // Without a vocabulary, a model with an embedding reads its token ids, one a line.
  InspectModel ids = words;
  ids.vocab = {};
  InspectInput in;
  ASSERT_TRUE(parse_inspect_input(ids, "1\n9\n0\n", in, &error)) << error;
  EXPECT_EQ(in.tokens, (std::vector<int>{1, 9, 0}));
  EXPECT_FALSE(parse_inspect_input(ids, "10\n", in, &error));
  EXPECT_NE(error.find("token id 10 is not allowed; ids are whole numbers from 0 to 9"),
            std::string::npos)
      << error;
  EXPECT_FALSE(parse_inspect_input(ids, "1.5\n", in, &error));
  EXPECT_NE(error.find("token id 1.5"), std::string::npos) << error;
}

ExperimentConfig preset(const std::string& want) {
  ExperimentConfig c;
  for (const auto& [name, text] : embedded_presets())
    if (name == want) {
      EXPECT_TRUE(parse_experiment_text(text, name, c, nullptr));
    }
  c.tour.clear();
  return c;
}

// A lesson's model, probed: the sentiment lesson's LSTM reads the typed review through the
// identity embedding, exactly as its one-hot training inputs, with the lesson's current weights.
TEST(InspectView, ProbingTheSentimentLessonReadsItsWords) {
  TrainingWorker w;
  std::string error;
  ASSERT_TRUE(w.start(preset("sentiment"), &error)) << error;
  w.send(cmd::RunIterations{3});
  w.wait_idle();
  const auto lesson = w.latest();
  InspectModel m;
  ASSERT_TRUE(probe_lesson_model(*lesson, m, &error)) << error;
  EXPECT_EQ(m.vocab.kind, Vocabulary::Kind::Words);
  EXPECT_EQ(m.example, "the film is not bad");
  EXPECT_EQ(m.output_labels, (std::vector<std::string>{"negative", "positive"}));
  InspectInput in;
  ASSERT_TRUE(parse_inspect_input(m, "The film is NOT bad", in, &error)) << error;
  EXPECT_EQ(in.tokens, (std::vector<int>{1, 2, 4, 6, 10}));  // the task's word ids
  Snapshot s;
  OutputGradient g;
  ASSERT_TRUE(build_inspect_snapshot(m, in, {}, s, g, &error)) << error;
  // The same numbers as the lesson's network on one-hot inputs, with its weights as they are now.
  const ModelView& lv = lesson->models[0];
  EXPECT_EQ(lv.iteration, 3);
  const Network net(lv.spec, lv.params);
  Batch b;
  for (int id : in.tokens) {
    Mat x = Mat::Zero(lv.spec.input_size, 1);  // (13, 1) one-hot
    x(id, 0) = 1;
    b.inputs.push_back(x);
  }
  b.targets.assign(1, Mat::Zero(2, 1));  // readout last: 1 x (O, 1)
  Trace tr;
  net.forward(tr, b);
  const ModelView& v = s.models[0];
  for (int t = 0; t < 5; ++t) EXPECT_EQ(v.h[0].col(t), tr.steps[0][t].h.col(0));
  const Mat p = apply_readout_activation(ReadoutActivation::Softmax, tr.y[0]);
  EXPECT_NEAR(v.outputs(1, 0), p(1, 0), 1e-15);
  EXPECT_FALSE(parse_inspect_input(m, "the film is superb", in, &error));
  EXPECT_NE(error.find("'superb', is not in the vocabulary (the lesson's 13 symbols): <pad>, "
                       "the, film"),
            std::string::npos)
      << error;
  w.stop();
}

// The character model reads characters (the lesson's vocabulary, in order of first appearance).
TEST(InspectView, ProbingTheCharacterLessonReadsItsCharacters) {
  TrainingWorker w;
  std::string error;
  ASSERT_TRUE(w.start(preset("hello"), &error)) << error;
  w.wait_idle();
  InspectModel m;
  ASSERT_TRUE(probe_lesson_model(*w.latest(), m, &error)) << error;
  EXPECT_EQ(m.vocab.kind, Vocabulary::Kind::Characters);
  InspectInput in;
  ASSERT_TRUE(parse_inspect_input(m, "hell", in, &error)) << error;
  EXPECT_EQ(in.tokens, (std::vector<int>{0, 1, 2, 2}));  // h e l o: first appearance
  EXPECT_FALSE(parse_inspect_input(m, "help", in, &error));
  EXPECT_NE(error.find("character 4, 'p', is not in the vocabulary"), std::string::npos) << error;
  w.stop();
}

}  // namespace
}  // namespace unrolled
