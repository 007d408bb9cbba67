// `unrolled train --save-session` and `--resume`: 200 iterations saved and resumed for 100 more
// give, concatenated (header once), byte for byte the metrics and profile CSVs of 300 iterations
// in one run — each cell type, float64 and the float32 engine, and a compare lesson (its CSVs
// those of its second model, --model 1); the session holds every model with its checkpoints, and
// the resumed run's session is byte for byte the longer run's; bad sessions and outputs are refused with one message before training.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "core/experiment.hpp"
#include "core/session_file.hpp"
#include "small_lesson.hpp"
#include "tests/test_support.hpp"

namespace unrolled {
namespace {

using testing_support::ExeResult;
using testing_support::run_exe;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// text without its first line.
std::string body(const std::string& text) {
  const size_t nl = text.find('\n');
  return nl == std::string::npos ? "" : text.substr(nl + 1);
}

struct Case {
  CellType cell;
  Precision precision;
  bool compare;  // train the compare lesson's second model (--model 1)
};

class CliSession : public ::testing::TestWithParam<Case> {
 protected:
  std::string path(const std::string& name) const { return dir_ / name; }
  testing_support::TempDir dir_{"cli_session"};
};

TEST_P(CliSession, SavedAndResumedMatchesOneRunByteForByte) {
  const Case k = GetParam();
  ExperimentConfig c = testing_support::small_lesson(k.cell, TaskKind::Adding, 1);
  c.training.precision = k.precision;
  std::string model;
  if (k.compare) {
    ModelConfig other = c.model;
    other.cell = CellType::Rnn;
    other.name = "RNN";
    c.compare = {c.model};
    c.model = other;
    model = " --model 1";
  }
  std::ofstream(path("x.json")) << experiment_to_json(c).dump(1);
  const std::string cfg = "--config " + path("x.json") + model;
  const std::string out = " --profile-every 1";
  ExeResult r = run_exe("train " + cfg + " --iterations 300 --metrics " + path("full.csv") +
                        " --profile " + path("full_p.csv") + out + " --save-session " +
                        path("full.unrolled"),
                        true);
  ASSERT_EQ(r.code, 0) << r.out;
  r = run_exe("train " + cfg + " --iterations 200 --metrics " + path("a.csv") + " --profile " +
                  path("a_p.csv") + out + " --save-session " + path("s.unrolled"),
              true);
  ASSERT_EQ(r.code, 0) << r.out;
  r = run_exe("train --resume " + path("s.unrolled") + model + " --iterations 100 --metrics " +
                  path("b.csv") + " --profile " + path("b_p.csv") + out + " --save-session " +
                  path("b.unrolled"),
              true);
  ASSERT_EQ(r.code, 0) << r.out;
  const std::string full = slurp(path("full.csv")), a = slurp(path("a.csv")), b = slurp(path("b.csv"));
  ASSERT_GT(full.size(), 1000u);
  EXPECT_EQ(a.substr(0, a.find('\n')), b.substr(0, b.find('\n'))) << "the same header";
  EXPECT_TRUE(a + body(b) == full) << "metrics differ";
  EXPECT_TRUE(slurp(path("a_p.csv")) + body(slurp(path("b_p.csv"))) == slurp(path("full_p.csv")))
      << "profiles differ";
  // The session holds every model of the experiment, each with its history and checkpoints.
  Session s;
  std::string e;
  ASSERT_TRUE(load_session(path("s.unrolled"), s, &e)) << e;
  const size_t models = c.all_models().size();
  ASSERT_EQ(s.models.size(), models);
  ASSERT_EQ(s.checkpoints.size(), models);
  for (size_t m = 0; m < models; ++m) {
    EXPECT_EQ(s.models[m].model_index, static_cast<int>(m));
    EXPECT_EQ(s.models[m].iteration, 200);
    ASSERT_FALSE(s.checkpoints[m].empty());
    EXPECT_EQ(s.checkpoints[m].front().state.iteration, 0);
    EXPECT_EQ(s.checkpoints[m].back().state.iteration, 199);
  }
  // ... and the resumed run's session is, byte for byte, the one run of 300 saved: every model's
  // weights, optimiser and data state, history and checkpoints. Only the planned length differs
  // (training.iterations: 200 for the run that was resumed, 300 for the other), set alike here.
  Session resumed, whole;
  ASSERT_TRUE(load_session(path("b.unrolled"), resumed, &e)) << e;
  ASSERT_TRUE(load_session(path("full.unrolled"), whole, &e)) << e;
  EXPECT_EQ(resumed.config.training.iterations, 200);
  EXPECT_EQ(whole.config.training.iterations, 300);
  for (Session* x : {&resumed, &whole}) {
    x->config.training.iterations = 1;
    for (auto& m : x->models) m.training.iterations = 1;
    for (auto& list : x->checkpoints)
      for (auto& k : list) k.state.training.iterations = 1;
  }
  ASSERT_EQ(resumed.models.size(), models);
  EXPECT_EQ(resumed.models[0].iteration, 300);
  const std::string a_bytes = session_to_bytes(resumed), b_bytes = session_to_bytes(whole);
  EXPECT_TRUE(a_bytes == b_bytes) << "sessions differ (" << a_bytes.size() << " and "
                                  << b_bytes.size() << " bytes)";
}

INSTANTIATE_TEST_SUITE_P(Cells, CliSession,
                         ::testing::Values(Case{CellType::Rnn, Precision::Float64, false},
                                           Case{CellType::Lstm, Precision::Float64, false},
                                           Case{CellType::Gru, Precision::Float64, false},
                                           Case{CellType::Rnn, Precision::Float32, false},
                                           Case{CellType::Lstm, Precision::Float32, false},
                                           Case{CellType::Gru, Precision::Float32, false},
                                           Case{CellType::Lstm, Precision::Float32, true}));

class CliSessionErrors : public ::testing::Test {
 protected:
  std::string path(const std::string& name) const { return dir_ / name; }
  // One line on stderr starting "unrolled train:", exit 2; returns it.
  std::string refused(const std::string& args) const {
    const ExeResult r = run_exe("train " + args, true);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.out;
    EXPECT_EQ(r.out.rfind("unrolled train: ", 0), 0u) << r.out;
    EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << "one line: " << r.out;
    return r.out;
  }
  testing_support::TempDir dir_{"cli_session_err"};
};

TEST_F(CliSessionErrors, BadSessionsAndOutputsAreRefusedBeforeTraining) {
  const ExeResult r = run_exe("train --preset default --iterations 3 --save-session " +
                              path("s.unrolled"), true);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(refused("--resume " + path("s.unrolled") + " --preset default").find("leave out --config"),
            std::string::npos);
  EXPECT_NE(refused("--resume " + path("s.unrolled") + " --seed 3").find("--seed"),
            std::string::npos);
  EXPECT_NE(refused("--resume " + path("s.unrolled") + " --model 1").find("holds model(s) 0"),
            std::string::npos);
  EXPECT_NE(refused("--resume " + path("absent.unrolled")).find("cannot be opened"),
            std::string::npos);
  const std::string bytes = [&] {
    std::ifstream in(path("s.unrolled"), std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }();
  std::ofstream(path("cut.unrolled"), std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  EXPECT_NE(refused("--resume " + path("cut.unrolled") + " --iterations 2").find("truncated"),
            std::string::npos);
  EXPECT_NE(refused("--preset default --iterations 2 --save-session " + path("no/dir/s.unrolled"))
                .find("cannot be written"),
            std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(path("no")));
}

}  // namespace
}  // namespace unrolled
