// `unrolled grad` as a user runs it: a model file and a batch file in, JSON out.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/init.hpp"
#include "core/model_io.hpp"
#include "tests/test_support.hpp"

namespace unrolled {
namespace {

namespace fs = std::filesystem;

using testing_support::ExeResult;
using testing_support::run_exe;

class CliGrad : public ::testing::Test {
 protected:
  std::string path(const std::string& name) const { return dir_ / name; }
  testing_support::TempDir dir_{"cli_grad"};
};

TEST_F(CliGrad, PrintsTheSameLossAndGradientsAsTheEngine) {
  NetworkSpec s;
  s.cell = CellType::Lstm;
  s.input_size = 2;
  s.hidden_size = 5;
  s.output_size = 3;
  s.num_layers = 2;
  s.loss = LossKind::CrossEntropy;
  Network net(s);
  Rng rng(3);
  initialize(net.params(), s, {}, rng);
  Batch b;
  for (int t = 0; t < 6; ++t)
    b.inputs.push_back(Mat::NullaryExpr(2, 4, [&] { return rng.normal(); }));
  for (int t = 0; t < 6; ++t) {
    Mat y = Mat::Zero(3, 4);
    for (int j = 0; j < 4; ++j) y(rng.index(3), j) = 1;
    b.targets.push_back(y);
  }
  std::string error;
  ASSERT_TRUE(save_model(path("m.json"), net, &error));
  std::ofstream(path("b.json")) << batch_to_json(b, s.readout).dump();

  const ExeResult r = run_exe("grad --model " + path("m.json") + " --batch " + path("b.json"));
  ASSERT_EQ(r.code, 0) << r.out;
  const Json j = Json::parse(r.out);
  Trace tr;
  net.forward(tr, b);
  Params g;
  GradTrace gt;
  net.backward(g, gt, tr, b);
  EXPECT_EQ(j["loss"].get<double>(), tr.loss);
  EXPECT_EQ(j["grads"], params_to_json(g));
  EXPECT_EQ(j["dh_norm"], matrix_to_json(gt.dh_norm));
  EXPECT_EQ(j["decay_profile"].size(), 2u);
}

TEST_F(CliGrad, BadInputGetsOneMessageAndANonZeroExit) {
  NetworkSpec s;
  s.input_size = 2;
  Network net(s);
  std::string error;
  ASSERT_TRUE(save_model(path("m.json"), net, &error));
  std::ofstream(path("bad_batch.json")) << R"({"inputs": [[[1, 2, 3]]], "targets": [[[0]]]})";
  std::ofstream(path("junk.json")) << "{not json";

  ExeResult r =
      run_exe("grad --model " + path("absent.json") + " --batch " + path("bad_batch.json"), true);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("absent.json: no such file"), std::string::npos) << r.out;

  r = run_exe("grad --model " + path("m.json") + " --batch " + path("bad_batch.json"), true);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("inputs[0]: expected shape (T, I) = (1, 2)"), std::string::npos) << r.out;

  r = run_exe("grad --model " + path("junk.json") + " --batch " + path("bad_batch.json"), true);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("not valid JSON"), std::string::npos) << r.out;

  r = run_exe("grad --model " + path("m.json") + " --frobnicate 3", true);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("unknown argument '--frobnicate'"), std::string::npos) << r.out;

  r = run_exe("grad --model " + path("m.json") + " --batch " + path("m.json") + " --k1 -4", true);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("--k1 '-4': expected an integer in [0, 100000]"), std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace unrolled
