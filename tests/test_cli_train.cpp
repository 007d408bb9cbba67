// `unrolled train` as a user runs it: a preset or a file in, a summary, CSV metrics and profiles
// and a model file out; bad input refused with one message and exit 2, divergence exit 3.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "app/cli/cli.hpp"
#include "core/experiment.hpp"
#include "core/model_io.hpp"
#include "core/network.hpp"
#include "tests/test_support.hpp"

namespace unrolled {
namespace {

namespace fs = std::filesystem;

using testing_support::ExeResult;
using testing_support::run_exe;

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string cell; std::getline(in, cell, ',');) out.push_back(cell);
  return out;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class CliTrain : public ::testing::Test {
 protected:
  std::string path(const std::string& name) const { return dir_ / name; }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(path(name), std::ios::binary) << text;
  }
  // Runs a command that must fail with exit 2 and one line on stderr starting "unrolled train:".
  std::string refused(const std::string& args) const {
    const ExeResult r = run_exe("train " + args, true);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.out;
    const auto ls = lines(r.out);
    EXPECT_EQ(ls.size(), 1u) << "one message: " << r.out;
    EXPECT_EQ(r.out.rfind("unrolled train: ", 0), 0u) << r.out;
    return r.out;
  }
  testing_support::TempDir dir_{"cli_train"};
};

TEST_F(CliTrain, PresetWritesMetricsProfilesAndModel) {
  const ExeResult r = run_exe("train --preset default --iterations 20 --metrics " + path("m.csv") +
                              " --profile " + path("p.csv") + " --save " + path("model.json"));
  ASSERT_EQ(r.code, 0) << r.out;

  const auto m = lines(slurp(path("m.csv")));
  ASSERT_EQ(m.size(), 21u) << "a header and 20 rows";
  EXPECT_EQ(m[0],
            "iteration,loss,baseline,accuracy,grad_norm_before,grad_norm_after,clipped,"
            "learning_rate");
  const ExperimentConfig d = default_experiment();
  for (int i = 1; i <= 20; ++i) {
    const auto cells = split(m[i]);
    ASSERT_EQ(cells.size(), 8u) << m[i];
    EXPECT_EQ(std::stoi(cells[0]), i - 1);
    EXPECT_GT(std::stod(cells[1]), 0);
    EXPECT_NEAR(std::stod(cells[2]), std::log(4.0), 1e-5);  // recall over 4 keys
    EXPECT_GE(std::stod(cells[3]), 0);
    EXPECT_LE(std::stod(cells[3]), 1);
    EXPECT_LE(std::stod(cells[5]), std::stod(cells[4]) * (1 + 1e-9));
    EXPECT_TRUE(cells[6] == "0" || cells[6] == "1") << cells[6];
    EXPECT_DOUBLE_EQ(std::stod(cells[7]), d.training.optimizer.learning_rate);
  }

  const int T = d.task.length + 1;  // recall: the key, then `length` distractors
  const auto p = lines(slurp(path("p.csv")));
  ASSERT_EQ(p.size(), 21u) << "a header and 20 rows";
  const auto header = split(p[0]);
  ASSERT_EQ(header.size(), static_cast<size_t>(T + 1));
  EXPECT_EQ(header[0], "iteration");
  EXPECT_EQ(header[1], "d0");
  EXPECT_EQ(header[T], "d" + std::to_string(T - 1));
  for (int i = 1; i <= 20; ++i) {
    const auto cells = split(p[i]);
    ASSERT_EQ(cells.size(), static_cast<size_t>(T + 1)) << p[i];
    EXPECT_EQ(std::stoi(cells[0]), i - 1);
    for (int k = 1; k <= T; ++k) EXPECT_GE(std::stod(cells[k]), 0);
  }

  Network net;
  std::string error;
  ASSERT_TRUE(load_model(path("model.json"), net, &error)) << error;
  EXPECT_EQ(net.spec().cell, CellType::Lstm);
  EXPECT_EQ(net.spec().hidden_size, d.model.hidden_size);

  // The summary names the final loss and the baseline.
  EXPECT_NE(r.out.find("20 iterations"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("final training loss"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("baseline 1.386"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("held-out accuracy"), std::string::npos) << r.out;
  // No temporary files left behind.
  for (const auto& e : fs::directory_iterator(dir_.path()))
    EXPECT_EQ(e.path().string().find("tmp-unrolled"), std::string::npos) << e.path();
}

TEST_F(CliTrain, SameSeedSameNumbersOtherSeedOthers) {
  auto run = [&](const std::string& seed, const std::string& out) {
    const ExeResult r =
        run_exe("train --preset hello --iterations 5 --seed " + seed + " --metrics " + path(out));
    EXPECT_EQ(r.code, 0) << r.out;
    return slurp(path(out));
  };
  EXPECT_EQ(run("3", "a.csv"), run("3", "b.csv"));
  EXPECT_NE(run("3", "a.csv"), run("4", "c.csv"));
}

TEST_F(CliTrain, ConfigFileAndCompareModel) {
  write("e.json", R"({"task": {"kind": "sine", "length": 8},
                      "model": {"cell": "gru", "hidden_size": 4},
                      "training": {"batch_size": 2, "iterations": 3},
                      "compare": [{"cell": "rnn", "hidden_size": 5}]})");
  ExeResult r = run_exe("train --config " + path("e.json") + " --metrics " + path("m.csv"));
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(lines(slurp(path("m.csv"))).size(), 4u) << "the file's own 3 iterations";
  EXPECT_NE(r.out.find("gru on sine"), std::string::npos) << r.out;
  r = run_exe("train --config " + path("e.json") + " --model 1");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("rnn on sine"), std::string::npos) << r.out;
  const std::string e = refused("--config " + path("e.json") + " --model 2");
  EXPECT_NE(e.find("--model 2"), std::string::npos) << e;
  EXPECT_NE(e.find("2 model(s)"), std::string::npos) << e;
}

TEST_F(CliTrain, MissingFileIsRefused) {
  const std::string e = refused("--config " + path("absent.json"));
  EXPECT_NE(e.find("absent.json: no such file"), std::string::npos) << e;
}

TEST_F(CliTrain, BadJsonIsRefused) {
  write("bad.json", R"({"task": {"kind": "sine",)");
  std::string e = refused("--config " + path("bad.json"));
  EXPECT_NE(e.find("bad.json: not valid JSON (at byte"), std::string::npos) << e;
  write("key.json", R"({"task": {"kind": "sine"}, "model": {"hidden_size": 0}})");
  e = refused("--config " + path("key.json"));
  EXPECT_NE(e.find("model.hidden_size: 0 is out of range; expected an integer in [1, 512]"),
            std::string::npos)
      << e;
}

TEST_F(CliTrain, UnknownPresetIsRefusedWithTheBuiltInNames) {
  const std::string e = refused("--preset nosuch");
  EXPECT_NE(e.find("'nosuch' is not built in"), std::string::npos) << e;
  EXPECT_NE(e.find("default"), std::string::npos) << e;
  EXPECT_NE(e.find("adding"), std::string::npos) << e;
}

TEST_F(CliTrain, UnknownFlagIsRefused) {
  const std::string e = refused("--preset default --epochs 3");
  EXPECT_NE(e.find("unknown argument '--epochs'"), std::string::npos) << e;
  EXPECT_NE(e.find("--iterations"), std::string::npos) << e;
}

TEST_F(CliTrain, BadNumbersAreRefused) {
  std::string e = refused("--preset default --iterations 0");
  EXPECT_NE(e.find("--iterations '0': expected an integer in [1, 1000000000]"), std::string::npos)
      << e;
  e = refused("--preset default --iterations ten");
  EXPECT_NE(e.find("--iterations 'ten'"), std::string::npos) << e;
  e = refused("--preset default --seed -1");
  EXPECT_NE(e.find("--seed '-1': expected an integer in [0, 2^53]"), std::string::npos) << e;
  e = refused("--preset default --iterations");
  EXPECT_NE(e.find("--iterations needs a value"), std::string::npos) << e;
}

TEST_F(CliTrain, NeitherOrBothSourcesAreRefused) {
  std::string e = refused("--iterations 3");
  EXPECT_NE(e.find("give either --config FILE.json or --preset NAME"), std::string::npos) << e;
  write("e.json", R"({"task": {"kind": "sine"}})");
  e = refused("--preset default --config " + path("e.json"));
  EXPECT_NE(e.find("give either"), std::string::npos) << e;
}

TEST_F(CliTrain, AnExistingMetricsFileSurvivesAFailedRunAndIsReplacedByAGoodOne) {
  const std::string old = "my earlier results\n";
  write("m.csv", old);
  write("p.csv", old);
  write("bad.json", R"({"task": {"kind": "copy", "classes": 4}})");
  refused("--config " + path("bad.json") + " --metrics " + path("m.csv") + " --profile " +
          path("p.csv"));
  EXPECT_EQ(slurp(path("m.csv")), old);
  EXPECT_EQ(slurp(path("p.csv")), old);
  refused("--preset default --iterations 0 --metrics " + path("m.csv"));
  EXPECT_EQ(slurp(path("m.csv")), old);

  const ExeResult r = run_exe("train --preset hello --iterations 4 --metrics " + path("m.csv") +
                              " --profile " + path("p.csv"));
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(lines(slurp(path("m.csv"))).size(), 5u);
  EXPECT_EQ(lines(slurp(path("p.csv"))).size(), 5u);
}

TEST_F(CliTrain, DivergenceExitsThreeWithTheReasonAndStillWritesTheCsv) {
  const ExeResult r = run_exe(
      "train --preset exploding --metrics " + path("m.csv") + " --profile " + path("p.csv"), true);
  ASSERT_EQ(r.code, 3) << r.out;
  EXPECT_NE(r.out.find("training diverged at iteration"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("no gradient clipping"), std::string::npos) << r.out;
  const auto m = lines(slurp(path("m.csv")));
  ASSERT_GT(m.size(), 2u);
  // One row per completed iteration: the summary's count.
  const std::string done = std::to_string(m.size() - 1) + " iterations";
  EXPECT_NE(r.out.find(done), std::string::npos) << done << "\n" << r.out;
  EXPECT_EQ(lines(slurp(path("p.csv"))).size(), m.size());
  // The last rows show the blow-up: a loss far above where training started.
  EXPECT_GT(std::stod(split(m.back())[1]), 1e6 * std::stod(split(m[1])[1]));
}

// Issue 14: every output is checked before training, so a bad --save no longer fails only after
// the whole run.
TEST_F(CliTrain, AnUnwritableSaveIsRefusedBeforeTraining) {
  std::string out = refused("--preset hello --iterations 50 --metrics " + path("m.csv") +
                            " --save " + path("no_such_folder/model.json"));
  EXPECT_NE(out.find("no_such_folder/model.json: cannot be written"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(path("m.csv"))) << "nothing trained, nothing written";
  out = refused("--preset hello --iterations 50 --save " + dir_.path().string());
  EXPECT_NE(out.find(": is a directory, expected a file name"), std::string::npos) << out;
  out = refused("--preset hello --iterations 50 --profile " + path("no_such_folder/p.csv"));
  EXPECT_NE(out.find("no_such_folder/p.csv: cannot be written"), std::string::npos) << out;
  for (const auto& entry : fs::directory_iterator(dir_.path()))
    ADD_FAILURE() << "left behind: " << entry.path();
}

// Runs `sh -c script` and returns its exit code and merged output.
ExeResult run_shell(const std::string& script) {
  FILE* p = popen(("(" + script + ") 2>&1").c_str(), "r");
  if (!p) return {-1, "popen failed"};
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

TEST_F(CliTrain, AWriteThatFailsMidRunIsReportedAtOnceAndTheOthersAreStillWritten) {
  // A file size limit stands in for a full disk: with SIGXFSZ ignored, a write beyond it fails
  // (EFBIG) as a write to a full disk does (ENOSPC). 100 blocks are at most 100 KiB: the metrics
  // of 5000 iterations (about 300 KiB) fail part way, the model (a few KiB) fits.
  write("small.json", R"({"model": {"cell": "rnn", "hidden_size": 4},
                          "task": {"kind": "adding", "length": 8},
                          "training": {"batch_size": 4, "iterations": 5000}})");
  const ExeResult r = run_shell("ulimit -f 100; trap '' XFSZ; exec " + std::string(UNROLLED_EXE) +
                                " train --config " + path("small.json") + " --metrics " +
                                path("m.csv") + " --save " + path("model.json"));
  EXPECT_EQ(r.code, 4) << r.out;
  const size_t failed = r.out.find("m.csv: writing failed at iteration ");
  ASSERT_NE(failed, std::string::npos) << r.out;
  EXPECT_NE(r.out.find("training goes on and the other outputs are still written"),
            std::string::npos)
      << r.out;
  const size_t done = r.out.find("iteration 5000/5000");
  ASSERT_NE(done, std::string::npos) << r.out;
  EXPECT_LT(failed, done) << "reported when it happened, not at the end:\n" << r.out;
  EXPECT_FALSE(fs::exists(path("m.csv")));
  EXPECT_FALSE(fs::exists(path("m.csv.tmp-unrolled")));
  Network net;
  std::string error;
  EXPECT_TRUE(load_model(path("model.json"), net, &error)) << error;
}

TEST_F(CliTrain, SigintAndSigtermKeepWhatIsCompleteAndLeaveNoTemporaryFile) {
  for (const int sig : {SIGTERM, SIGINT}) {
    const std::string tag = sig == SIGTERM ? "term" : "int";
    const std::string m = path(tag + "_m.csv"), p = path(tag + "_p.csv"),
                      model = path(tag + "_model.json"), log = path(tag + ".log");
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, 1);
      dup2(fd, 2);
      execl(UNROLLED_EXE, UNROLLED_EXE, "train", "--preset", "hello", "--iterations", "1000000000",
            "--metrics", m.c_str(), "--profile", p.c_str(), "--profile-every", "1", "--save",
            model.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    // Wait (a bounded while, in case the run never starts) until rows are being written.
    auto written = [&] {  // file_size gives -1 for a file not there yet
      std::error_code ec;
      const auto n = fs::file_size(m + ".tmp-unrolled", ec);
      return ec ? 0 : n;
    };
    for (int i = 0; i < 6000 && written() < 10000; ++i) usleep(10000);
    kill(pid, sig);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    const std::string said = slurp(log);
    ASSERT_TRUE(WIFEXITED(status)) << "the run ended itself, not the signal: " << said;
    EXPECT_EQ(WEXITSTATUS(status), 128 + sig) << said;
    const std::string name = sig == SIGTERM ? "SIGTERM" : "SIGINT";
    const size_t at = said.find("stopped by " + name + " after ");
    ASSERT_NE(at, std::string::npos) << said;
    const long long done = std::stoll(said.substr(at + 11 + name.size() + 7));  // the N after it
    EXPECT_GT(done, 0) << said;
    EXPECT_EQ(lines(slurp(m)).size(), static_cast<size_t>(done + 1)) << "header + every row";
    EXPECT_EQ(lines(slurp(p)).size(), static_cast<size_t>(done + 1));
    Network net;
    std::string error;
    EXPECT_TRUE(load_model(model, net, &error)) << error;
    for (const auto& f : {m, p, model}) EXPECT_FALSE(fs::exists(f + ".tmp-unrolled")) << f;
  }
}

TEST_F(CliTrain, DivergenceBeforeAnyUpdateDoesNotBlameTheLearningRate) {
  // Identity activation and spectral radius 10: the first forward pass overflows float.
  write("blowup.json", R"({"model": {"cell": "rnn", "activation": "identity", "hidden_size": 8,
                                     "init": "orthogonal", "spectral_radius": 10},
                           "task": {"kind": "sine", "length": 200},
                           "training": {"optimizer": "sgd", "learning_rate": 10,
                                        "clip": {"mode": "none"}}})");
  const ExeResult r = run_exe("train --config " + path("blowup.json"), true);
  ASSERT_EQ(r.code, 3) << r.out;
  EXPECT_NE(r.out.find("training diverged at iteration 0"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("learning rate 10"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("no gradient clipping"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("No update has happened yet, so only the initial weights or the data"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("spectral radius 10 > 1"), std::string::npos) << r.out;
}

TEST_F(CliTrain, TheExplodingLessonsProfileIsFiniteUntilItDiverges) {
  // Before issue 14 the profile's d0 read inf for several iterations while the loss and the
  // gradients were still finite: its float norm overflowed.
  const ExeResult r = run_exe("train --preset exploding --profile " + path("p.csv"), true);
  ASSERT_EQ(r.code, 3) << r.out;
  const auto rows = lines(slurp(path("p.csv")));
  ASSERT_GT(rows.size(), 2u);
  for (size_t i = 1; i < rows.size(); ++i)
    for (const std::string& cell : split(rows[i]))
      EXPECT_TRUE(std::isfinite(std::stod(cell))) << "row " << i << ": " << rows[i].substr(0, 80);
}


// The profile CSV is bounded: by default every K-th row, K the smallest keeping it under 64 MiB
// (the audit's run, T 2000 for 10^6 iterations, would have written 22 GB); --profile-every K
// chooses.
TEST_F(CliTrain, TheProfileKeepsEveryKthIterationUnderItsBound) {
  EXPECT_EQ(default_profile_every(50, 2000), 1);
  for (int T : {1, 50, 2000, 10000})
    for (int64_t n : {int64_t{1}, int64_t{1000}, int64_t{1'000'000}, int64_t{1'000'000'000}}) {
      const int64_t k = default_profile_every(T, n);
      const double rows = std::ceil(static_cast<double>(n) / k);
      EXPECT_LE(rows * (13.0 * T + 12), 64.0 * (1 << 20)) << "T " << T << ", " << n;
      if (k > 1) {
        EXPECT_GT(n / (k - 1) * (13.0 * T + 12), 64.0 * (1 << 20) * 0.9) << "smallest";
      }
    }
  const ExeResult r = run_exe("train --preset hello --iterations 20 --profile " + path("p.csv") +
                                  " --profile-every 7",
                              true);
  ASSERT_EQ(r.code, 0) << r.out;
  const auto rows = lines(slurp(path("p.csv")));
  ASSERT_EQ(rows.size(), 4u) << "the header and iterations 0, 7, 14";
  EXPECT_EQ(split(rows[2])[0], "7");
  EXPECT_EQ(split(rows[3])[0], "14");
}

// Issue 14: a signal stops a run within a time step of an iteration that would take most of an
// hour (a GRU H 256 on sine T 2000, k1 1, k2 2000), not after it: the test ends at all only if
// it does. The unfinished iteration is dropped; the outputs hold the completed ones (none).
TEST_F(CliTrain, ASignalStopsALongIterationBetweenTimeSteps) {
  write("slow.json", R"({"model": {"name": "GRU", "cell": "gru", "hidden_size": 256},
                         "task": {"kind": "sine", "length": 2000},
                         "training": {"batch_size": 1, "iterations": 3,
                                      "truncation": {"k1": 1, "k2": 2000}}})");
  const std::string m = path("m.csv"), log = path("slow.log");
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    execl(UNROLLED_EXE, UNROLLED_EXE, "train", "--config", path("slow.json").c_str(), "--metrics",
          m.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  for (int i = 0; i < 6000 && slurp(log).find("training GRU") == std::string::npos; ++i)
    usleep(10000);
  usleep(200000);  // well inside the first iteration
  kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  const std::string said = slurp(log);
  ASSERT_TRUE(WIFEXITED(status)) << said;
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGTERM) << said;
  EXPECT_NE(said.find("warning: one iteration of model 'GRU' takes about "), std::string::npos)
      << said;
  EXPECT_NE(said.find("stopped by SIGTERM after 0 of 3 iterations"), std::string::npos) << said;
  EXPECT_EQ(lines(slurp(m)).size(), 1u) << "the header alone";
  EXPECT_FALSE(fs::exists(m + ".tmp-unrolled"));
}

}  // namespace
}  // namespace unrolled
