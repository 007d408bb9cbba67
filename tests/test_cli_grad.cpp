// `unrolled grad` as a user runs it: a model file and a batch file in, JSON out.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include "app/cli/cli.hpp"
#include "core/init.hpp"
#include "core/model_io.hpp"
#include "tests/heap_peak.hpp"
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

// A one-layer model and a batch of one sequence of T steps (I = O = 1, readout every).
void write_case(const std::string& model, const std::string& batch, CellType cell, int hidden,
                int steps) {
  NetworkSpec s;
  s.cell = cell;
  s.input_size = 1;
  s.hidden_size = hidden;
  s.output_size = 1;
  Network net(s);
  Rng rng(5);
  initialize(net.params(), s, {}, rng);
  std::string error;
  ASSERT_TRUE(save_model(model, net, &error)) << error;
  std::ofstream out(batch);
  out << R"({"inputs": [[)";
  for (int t = 0; t < steps; ++t) out << (t ? ",[0.5]" : "[0.5]");
  out << R"(]], "targets": [[)";
  for (int t = 0; t < steps; ++t) out << (t ? ",[1]" : "[1]");
  out << "]]}";
}

TEST_F(CliGrad, NumbersBeyondADoubleGetAMessageNotAnAbort) {
  write_case(path("m.json"), path("b.json"), CellType::Rnn, 3, 4);
  std::ofstream(path("tiny.json")) << "1e309";
  ExeResult r = run_exe("grad --model " + path("tiny.json") + " --batch " + path("b.json"), true);
  EXPECT_EQ(r.code, 2) << "was 134 (SIGABRT) before issue 14: " << r.out;
  EXPECT_NE(r.out.find("tiny.json: number out of range at byte 5: 1e309"), std::string::npos)
      << r.out;
  std::ofstream(path("b400.json")) << R"({"inputs": [[[0.5]]], "targets": [[[1e400]]]})";
  r = run_exe("grad --model " + path("m.json") + " --batch " + path("b400.json"), true);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("b400.json: number out of range"), std::string::npos) << r.out;
}

TEST_F(CliGrad, ATraceBeyondTheLimitIsRefusedBeforeTheForwardPass) {
  // The audit's case, scaled: T = 100000 steps of an LSTM with H = 128 need about 1.8 GiB.
  write_case(path("m.json"), path("b.json"), CellType::Lstm, 128, 100000);
  const ExeResult r =
      run_exe("grad --model " + path("m.json") + " --batch " + path("b.json"), true);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("b.json: hidden_size 128 x layers 1 x steps 100000 x batch 1 needs about"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("at most 1024 MiB are allowed"), std::string::npos) << r.out;
}

TEST_F(CliGrad, NonFiniteResultsAreRefusedNamingTheFirstTensor) {
  write_case(path("m.json"), path("b.json"), CellType::Rnn, 3, 4);
  std::ifstream in(path("m.json"));
  Json m = Json::parse(in);
  // Finite weights whose products overflow: the readout gives 1e300 and its square is inf.
  m["output"]["W"] = {{1e300, 1e300, 1e300}};
  m["output"]["b"] = {1e300};
  std::ofstream(path("huge.json")) << m.dump();
  const ExeResult r =
      run_exe("grad --model " + path("huge.json") + " --batch " + path("b.json"), true);
  EXPECT_EQ(r.code, 3) << "was 0 with \"loss\": null before issue 14: " << r.out;
  EXPECT_NE(r.out.find("unrolled grad: loss is not finite"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\"loss\""), std::string::npos) << "nothing printed: " << r.out;
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << "one message: " << r.out;
}

TEST_F(CliGrad, MaskWeightsAndTargetsOutOfRangeAreRefused) {
  write_case(path("m.json"), path("b.json"), CellType::Rnn, 3, 2);
  std::ofstream(path("mask.json"))
      << R"({"inputs": [[[0.5], [0.5]]], "targets": [[[1], [1]]], "mask": [[1, 1e308]]})";
  ExeResult r = run_exe("grad --model " + path("m.json") + " --batch " + path("mask.json"), true);
  EXPECT_EQ(r.code, 2) << "was 0 with loss 0 before issue 14: " << r.out;
  EXPECT_NE(r.out.find("mask[0][1]: 1e+308 is out of range; each weight is in [0, 1e+06]"),
            std::string::npos)
      << r.out;
  std::ofstream(path("target.json"))
      << R"({"inputs": [[[0.5], [0.5]]], "targets": [[[1], [1e308]]]})";
  r = run_exe("grad --model " + path("m.json") + " --batch " + path("target.json"), true);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("targets[0][1][0]: 1e+308 is out of range"), std::string::npos) << r.out;
}

// Peak RSS in bytes of `unrolled grad` on the two files (its exit code must be 0). Under a
// sanitizer, the peak of the live heap of a child that runs the same subcommand in-process
// (tests/heap_peak.hpp), sent back through a pipe.
double grad_peak_rss(const std::string& model, const std::string& batch) {
  int fds[2] = {-1, -1};
  if (testing_support::kSanitized && pipe(fds) != 0) return -1;
  const pid_t pid = fork();
  if (pid == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    dup2(null, 1);
    if (testing_support::kSanitized) {
      testing_support::count_heap();
      const int code = cli_grad({"--model", model, "--batch", batch});
      const int64_t peak = testing_support::heap_peak();
      if (write(fds[1], &peak, sizeof peak) != sizeof peak) _exit(126);
      _exit(code);
    }
    execl(UNROLLED_EXE, UNROLLED_EXE, "grad", "--model", model.c_str(), "--batch", batch.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  struct rusage usage {};
  if (pid < 0 || wait4(pid, &status, 0, &usage) != pid) return -1;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << model << " " << batch;
  if (!testing_support::kSanitized) return usage.ru_maxrss * 1024.0;  // kilobytes on Linux
  int64_t peak = -1;
  if (read(fds[0], &peak, sizeof peak) != sizeof peak) peak = -1;
  close(fds[0]);
  close(fds[1]);
  return static_cast<double>(peak);
}

TEST_F(CliGrad, TheMemoryEstimateIsNotBelowTheMeasuredPeak) {
  struct Case {
    CellType cell;
    GruVariant variant;
    int layers, hidden, steps, batch;
  };
  // A long sequence, a wide batch of a 2-layer GRU, and a model whose parameters dominate.
  const std::vector<Case> cases = {{CellType::Lstm, GruVariant::ResetBefore, 1, 128, 10000, 1},
                                   {CellType::Gru, GruVariant::ResetAfter, 2, 64, 200, 64},
                                   {CellType::Lstm, GruVariant::ResetBefore, 1, 384, 2, 1}};
  for (const Case& c : cases) {
    NetworkSpec s;
    s.cell = c.cell;
    s.gru_variant = c.variant;
    s.num_layers = c.layers;
    s.input_size = 2;
    s.hidden_size = c.hidden;
    s.output_size = 2;
    Network net(s);
    Rng rng(7);
    initialize(net.params(), s, {}, rng);
    Batch b;
    for (int t = 0; t < c.steps; ++t) {
      b.inputs.push_back(Mat::NullaryExpr(2, c.batch, [&] { return rng.normal(); }));
      b.targets.push_back(Mat::NullaryExpr(2, c.batch, [&] { return rng.normal(); }));
    }
    std::string error;
    ASSERT_TRUE(save_model(path("m.json"), net, &error)) << error;
    std::ofstream(path("b.json")) << batch_to_json(b, s.readout).dump();
    const double measured = grad_peak_rss(path("m.json"), path("b.json"));
    const double estimate = grad_memory_bytes(s, c.steps, c.batch);
    std::printf("[ memory   ] H %d x L %d, T %d, B %d: measured %.1f MiB (%s), estimate %.1f MiB\n",
                c.hidden, c.layers, c.steps, c.batch, measured / (1 << 20),
                testing_support::kSanitized ? "peak heap" : "peak RSS", estimate / (1 << 20));
    EXPECT_GT(measured, 0);
    EXPECT_GE(estimate, measured) << "H " << c.hidden << ", T " << c.steps << ", B " << c.batch;
  }
}

}  // namespace
}  // namespace unrolled
