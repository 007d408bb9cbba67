// Model format version 2 (issue 15): the input embedding, the gates' hard sigmoids, the readout's
// activation, version 1 still read; `unrolled predict` as a user runs it.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "core/cell.hpp"
#include "core/init.hpp"
#include "core/predict.hpp"
#include "tests/test_support.hpp"

namespace unrolled {
namespace {

using testing_support::ExeResult;
using testing_support::run_exe;

Model make_model(CellType cell, GateActivation gate, bool embedding, Readout readout) {
  NetworkSpec s;
  s.cell = cell;
  s.gate_activation = gate;
  s.gru_variant = GruVariant::ResetAfter;
  s.input_size = 3;
  s.hidden_size = 4;
  s.output_size = 2;
  s.num_layers = 2;
  s.readout = readout;
  Model m;
  m.net = Network(s);
  Rng rng(5);
  initialize(m.net.params(), s, {InitKind::Glorot, 1.5, 1.0}, rng);
  if (embedding) m.embedding = Mat::NullaryExpr(7, 3, [&] { return rng.normal(); });  // (V, I)
  m.readout_activation = ReadoutActivation::Softmax;
  return m;
}

TEST(ModelV2, RoundTripKeepsEveryNewField) {
  const Model m =
      make_model(CellType::Lstm, GateActivation::HardSigmoidKeras3, true, Readout::Last);
  const Json j = model_to_json(m);
  EXPECT_EQ(j["version"], 2);
  Model back;
  std::string error;
  ASSERT_TRUE(model_from_json(j, back, &error)) << error;
  EXPECT_EQ(back.net.spec().gate_activation, GateActivation::HardSigmoidKeras3);
  EXPECT_EQ(back.readout_activation, ReadoutActivation::Softmax);
  EXPECT_EQ(back.embedding, m.embedding);
  EXPECT_EQ(back.net.params().layers[1].W_h, m.net.params().layers[1].W_h);
}

TEST(ModelV2, VersionOneFilesAreStillReadAndKeepToVersionOneKeys) {
  Json j = model_to_json(make_model(CellType::Gru, GateActivation::Sigmoid, false, Readout::Every));
  j["version"] = 1;
  j.erase("gate_activation");
  j.erase("readout_activation");
  Model m;
  std::string error;
  ASSERT_TRUE(model_from_json(j, m, &error)) << error;
  EXPECT_EQ(m.net.spec().gate_activation, GateActivation::Sigmoid);
  EXPECT_EQ(m.readout_activation, ReadoutActivation::None);
  j["gate_activation"] = "sigmoid";
  EXPECT_FALSE(model_from_json(j, m, &error));
  EXPECT_NE(error.find("model (version 1): unknown key 'gate_activation'"), std::string::npos)
      << error;
}

TEST(ModelV2, BadNewFieldsAreRefusedByName) {
  const Json good =
      model_to_json(make_model(CellType::Lstm, GateActivation::Sigmoid, true, Readout::Every));
  struct Bad {
    std::function<void(Json&)> edit;
    std::string expect;
  };
  const std::vector<Bad> cases = {
      {[](Json& j) { j["gate_activation"] = "relu"; },
       "gate_activation: 'relu' is not allowed; allowed: "
       "sigmoid|hard_sigmoid_keras2|hard_sigmoid_keras3"},
      {[](Json& j) { j["readout_activation"] = "tanh"; }, "allowed: none|sigmoid|softmax"},
      {[](Json& j) {
         j["embedding"]["W"][6] = Json::array({1, 2});
       },
       "embedding.W: expected shape (V, I) = (7, 3), found row 6 with 2 values"},
      {[](Json& j) { j["embedding"]["W"] = Json::array(); }, "embedding.W: 0 rows of 3"},
      {[](Json& j) { j["embedding"]["vocab"] = 1; }, "embedding: unknown key 'vocab'"},
      {[](Json& j) {
         j["cell"] = "rnn";
         j["gate_activation"] = "hard_sigmoid_keras2";
       },
       "a vanilla rnn has none"},
  };
  for (const auto& c : cases) {
    Json j = good;
    c.edit(j);
    Model out;
    std::string error;
    EXPECT_FALSE(model_from_json(j, out, &error));
    EXPECT_NE(error.find(c.expect), std::string::npos) << "got: " << error;
  }
  // The network alone (grad, the app) cannot read tokens.
  Network net;
  std::string error;
  EXPECT_FALSE(model_from_json(good, net, &error));
  EXPECT_NE(error.find("only `unrolled predict`"), std::string::npos) << error;
}

// The gates' values against the two hard sigmoids written out in scalars.
TEST(ModelV2, HardSigmoidGatesFollowKerasDefinitions) {
  for (GateActivation gate : {GateActivation::HardSigmoidKeras2, GateActivation::HardSigmoidKeras3})
    for (CellType cell : {CellType::Lstm, CellType::Gru}) {
      const Model m = make_model(cell, gate, false, Readout::Every);
      const CellSpec cs = m.net.cell_spec(0);
      const int H = 4, G = gate_blocks(cell);
      Mat x(3, 5), h(H, 5), c(H, 5);  // (I, B), (H, B), (H, B)
      Rng rng(9);
      for (Mat* mm : {&x, &h, &c})
        *mm = Mat::NullaryExpr(mm->rows(), 5, [&] { return 3 * rng.normal(); });
      StepTrace st;
      cell_forward(st, cs, m.net.params().layers[0], x, h, c);
      int inside = 0, clipped = 0;
      for (int g = 0; g < G; ++g) {
        if ((cell == CellType::Lstm && g == 2) || (cell == CellType::Gru && g == 2)) continue;
        for (int r = 0; r < H; ++r)
          for (int b = 0; b < 5; ++b) {
            const double a = st.pre(g * H + r, b);
            const double want = gate == GateActivation::HardSigmoidKeras2
                                    ? std::clamp(0.2 * a + 0.5, 0.0, 1.0)
                                    : std::clamp(a + 3.0, 0.0, 6.0) / 6.0;
            EXPECT_NEAR(st.gates(g * H + r, b), want, 1e-15) << "gate block " << g;
            (want > 0 && want < 1 ? inside : clipped)++;
          }
      }
      EXPECT_GT(inside, 0);  // the inputs reach both the slope and the flat ends
      EXPECT_GT(clipped, 0);
    }
}

TEST(ModelV2, TokensAreLookedUpAsTheEmbeddingsRows) {
  const Model m = make_model(CellType::Gru, GateActivation::Sigmoid, true, Readout::Every);
  const Json tokens = {{"tokens", {{0, 6, 2}, {5, 5, 1}}}};
  Batch b;
  std::string error;
  ASSERT_TRUE(inputs_from_json(tokens, m, b, &error)) << error;
  ASSERT_EQ(b.steps(), 3);
  EXPECT_EQ(b.inputs[1].col(0), m.embedding.row(6).transpose());
  EXPECT_EQ(b.inputs[2].col(1), m.embedding.row(1).transpose());
  // The same numbers given as inputs to the model without its embedding predict the same.
  Model plain = m;
  plain.embedding.resize(0, 0);
  Json inputs = {{"inputs", Json::array()}};
  for (int s = 0; s < 2; ++s) {
    Json seq = Json::array();
    for (int t = 0; t < 3; ++t) seq.push_back(vector_to_json(b.inputs[t].col(s)));
    inputs["inputs"].push_back(seq);
  }
  Batch bp;
  ASSERT_TRUE(inputs_from_json(inputs, plain, bp, &error)) << error;
  Prediction p1, p2;
  ASSERT_EQ(predict(m, b, p1), "");
  ASSERT_EQ(predict(plain, bp, p2), "");
  ASSERT_EQ(p1.outputs.size(), 3u);
  for (int t = 0; t < 3; ++t) {
    EXPECT_EQ(p1.outputs[t], p2.outputs[t]);
    // Softmax applied: each column sums to 1 and is softmax(y).
    Mat sm;
    softmax_columns(p1.trace.y[t], sm);
    EXPECT_EQ(p1.outputs[t], sm);
    EXPECT_NEAR(p1.outputs[t].col(0).sum(), 1.0, 1e-15);
  }
  EXPECT_FALSE(inputs_from_json({{"tokens", {{0, 7}}}}, m, b, &error));
  EXPECT_NE(error.find("tokens[0][1]: 7 is not a token id; expected an integer in [0, 6]"),
            std::string::npos)
      << error;
  EXPECT_FALSE(inputs_from_json({{"tokens", {{0, 1.5}}}}, m, b, &error));
  EXPECT_FALSE(inputs_from_json(inputs, m, b, &error));
  EXPECT_NE(error.find("give \"tokens\" [B][T]"), std::string::npos) << error;
  EXPECT_FALSE(inputs_from_json(tokens, plain, b, &error));
  EXPECT_NE(error.find("has no embedding"), std::string::npos) << error;
}

TEST(ModelV2, ReadoutActivations) {
  Mat y(2, 1);
  y << 0.5, -1.0;
  EXPECT_EQ(apply_readout_activation(ReadoutActivation::None, y), y);
  const Mat s = apply_readout_activation(ReadoutActivation::Sigmoid, y);
  EXPECT_NEAR(s(0), 1 / (1 + std::exp(-0.5)), 1e-16);
  EXPECT_NEAR(s(1), 1 / (1 + std::exp(1.0)), 1e-16);
  const Mat p = apply_readout_activation(ReadoutActivation::Softmax, y);
  EXPECT_NEAR(p(0), std::exp(0.5) / (std::exp(0.5) + std::exp(-1.0)), 1e-15);
}

class CliPredict : public ::testing::Test {
 protected:
  std::string path(const std::string& name) const { return dir_ / name; }
  testing_support::TempDir dir_{"cli_predict"};
};

TEST_F(CliPredict, PrintsOutputsAndEveryLayersStates) {
  Model m = make_model(CellType::Lstm, GateActivation::HardSigmoidKeras2, true, Readout::Last);
  m.readout_activation = ReadoutActivation::Sigmoid;
  std::string error;
  ASSERT_TRUE(save_model(path("m.json"), m, &error)) << error;
  std::ofstream(path("b.json")) << R"({"tokens": [[1, 2, 3, 4], [6, 0, 0, 1]]})";
  const ExeResult r = run_exe("predict --model " + path("m.json") + " --batch " + path("b.json"));
  ASSERT_EQ(r.code, 0) << r.out;
  const Json j = Json::parse(r.out);
  Batch b;
  ASSERT_TRUE(
      inputs_from_json(Json::parse(R"({"tokens": [[1, 2, 3, 4], [6, 0, 0, 1]]})"), m, b, &error));
  Prediction p;
  ASSERT_EQ(predict(m, b, p), "");
  ASSERT_EQ(j["outputs"].size(), 2u);  // [B][O]
  for (int s = 0; s < 2; ++s)
    for (int o = 0; o < 2; ++o) EXPECT_EQ(j["outputs"][s][o].get<double>(), p.outputs[0](o, s));
  ASSERT_EQ(j["layers"].size(), 2u);
  EXPECT_EQ(j["layers"][1]["h"][1][3][2].get<double>(), p.trace.steps[1][3].h(2, 1));
  EXPECT_EQ(j["layers"][0]["c"][0][2][0].get<double>(), p.trace.steps[0][2].c(0, 0));
}

TEST_F(CliPredict, RefusesBadInputAndNonFiniteResults) {
  // A linear rnn whose recurrent weights are 1e300: h_t overflows by the third step.
  Model m = make_model(CellType::Rnn, GateActivation::Sigmoid, false, Readout::Every);
  NetworkSpec s = m.net.spec();
  s.activation = Activation::Identity;
  Params p = m.net.params();
  p.layers[1].W_h.setConstant(1e300);
  m.net = Network(s, p);
  std::string error;
  ASSERT_TRUE(save_model(path("m.json"), m, &error)) << error;
  std::ofstream(path("b.json")) << R"({"inputs": [[[1, 2, 3], [1, 1, 1], [1, 1, 1]]]})";
  ExeResult r = run_exe("predict --model " + path("m.json") + " --batch " + path("b.json"), true);
  EXPECT_EQ(r.code, 3) << r.out;
  EXPECT_NE(r.out.find("outputs is not finite"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\"outputs\""), std::string::npos);  // nothing printed
  std::ofstream(path("bad.json")) << R"({"inputs": [[[1, 2]]]})";
  r = run_exe("predict --model " + path("m.json") + " --batch " + path("bad.json"), true);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("bad.json: inputs[0]: expected shape (T, I) = (1, 3)"), std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace unrolled
