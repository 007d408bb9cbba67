// The one memory budget (issue 14): every model of an experiment, as the app holds it, in at most
// 2 GiB (core/experiment.hpp, app_memory_bytes). The estimate is checked against the peak
// resident memory (under a sanitizer, the peak of the live heap: tests/heap_peak.hpp) of a child
// process that does what the app's worker does with the file: one training iteration of every
// model, then kMaxLiveSnapshots snapshots held at once. Configurations
// at the edges of the ranges: the widest and deepest model, the longest sequences with the most
// small matrices, a sharded batch in float32 (the double view of its traces), a compare lesson.
//
// Legend: T steps, H hidden, L layers, B batch.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "app/session/commands.hpp"
#include "app/session/training_worker.hpp"
#include "core/checkpoints.hpp"
#include "core/experiment.hpp"
#include "core/undo_budget.hpp"
#include "tests/heap_peak.hpp"

namespace unrolled {
namespace {

using testing_support::kSanitized;

struct Case {
  const char* name;
  CellType cell;
  int layers, hidden, steps, batch;
  Precision precision;
  int models;  // 1, or a compare lesson of 2 or 3 identical models
};

const std::vector<Case>& cases() {
  static const std::vector<Case> c = {
      {"widest_deepest", CellType::Lstm, 4, 512, 20, 8, Precision::Float64, 1},
      {"longest_smallest", CellType::Rnn, 4, 1, 2000, 1, Precision::Float64, 1},
      {"sharded_float32", CellType::Gru, 1, 8, 2000, 200, Precision::Float32, 1},
      {"compare_three", CellType::Lstm, 1, 64, 2000, 8, Precision::Float64, 3},
  };
  return c;
}

ExperimentConfig config_of(const Case& c) {
  ExperimentConfig e = default_experiment();
  e.model.name = c.name;
  e.model.cell = c.cell;
  e.model.layers = c.layers;
  e.model.hidden_size = c.hidden;
  e.task = default_task_spec(TaskKind::Sine);
  e.task.length = c.steps;
  e.training.batch_size = c.batch;
  e.training.precision = c.precision;
  e.compare.assign(c.models - 1, e.model);
  return e;
}

// VmRSS or VmHWM (the peak) of this process, in bytes.
double status_bytes(const char* key) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key, 0) == 0) return std::atof(line.c_str() + std::strlen(key) + 1) * 1024;
  return -1;
}

// The child (run by the parent below through this test binary): what the app's worker holds.
TEST(MemoryBudget, Child) {
  const char* which = std::getenv("UNROLLED_MEMORY_CASE");
  if (!which) GTEST_SKIP() << "run by MemoryBudget.TheEstimateIsNotBelowTheMeasuredPeak";
  const Case& c = cases().at(std::atoi(which));
  testing_support::count_heap();
  const double before = kSanitized ? 0.0 : status_bytes("VmRSS:");
  TrainingWorker w;
  std::string error;
  ASSERT_TRUE(w.start(config_of(c), &error)) << error;
  // No analysis: its results are T + a few numbers, and at H 512 its SVDs take minutes.
  w.send(cmd::RunIterations{1});
  std::vector<std::shared_ptr<const Snapshot>> held;
  for (int i = 0; i < kMaxLiveSnapshots; ++i) {  // each its own: the pool fills that many
    w.send(cmd::SetSample{i % c.batch});
    w.wait_idle();
    held.push_back(w.latest());
  }
  const double peak =
      kSanitized ? static_cast<double>(testing_support::heap_peak()) : status_bytes("VmHWM:");
  std::printf("peak %.0f before %.0f\n", peak, before);
}

TEST(MemoryBudget, TheEstimateIsNotBelowTheMeasuredPeak) {
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  for (size_t i = 0; i < cases().size(); ++i) {
    const Case& c = cases()[i];
    const ExperimentConfig config = config_of(c);
    std::string error;
    auto task = make_task(config.task, &error);
    ASSERT_TRUE(task) << error;
    ASSERT_EQ(validate(config), "") << c.name << ": an accepted file";
    const std::string command = "UNROLLED_MEMORY_CASE=" + std::to_string(i) + " " + self +
                                " --gtest_filter=MemoryBudget.Child 2>&1";
    FILE* p = popen(command.c_str(), "r");
    ASSERT_NE(p, nullptr);
    std::string out;
    std::array<char, 4096> buf;
    for (size_t n; (n = fread(buf.data(), 1, buf.size(), p)) > 0;) out.append(buf.data(), n);
    ASSERT_EQ(pclose(p), 0) << out;
    const size_t at = out.find("peak ");
    ASSERT_NE(at, std::string::npos) << out;
    double peak = 0, before = 0;
    ASSERT_EQ(std::sscanf(out.c_str() + at, "peak %lf before %lf", &peak, &before), 2) << out;
    // The child's own program (the test binary) stands in for the app's fixed part.
    const double measured = peak - before;
    const double estimate = app_memory_bytes(config, task->info()) - kAppFixedBytes;
    std::printf("[ memory   ] %s: measured %.1f MiB (%s), estimate %.1f MiB (+ %.0f MiB fixed)\n",
                c.name, measured / (1 << 20), kSanitized ? "peak heap" : "peak RSS",
                estimate / (1 << 20), kAppFixedBytes / (1 << 20));
    EXPECT_GE(estimate, measured) << c.name;
  }
}

// Beside the models, the estimate holds the app's fixed part, the checkpoints' budget and the
// undo and redo stacks' bound (app/gui/sessions.cpp keeps them within kUndoBytes together): an
// experiment that fits leaves room for all three.
TEST(MemoryBudget, TheEstimateCountsTheCheckpointsAndTheUndoStack) {
  for (const int models : {1, 3}) {
    ExperimentConfig c =
        config_of({"lstm", CellType::Lstm, 1, 32, 50, 8, Precision::Float32, models});
    std::string error;
    auto task = make_task(c.task, &error);
    ASSERT_TRUE(task) << error;
    double per_model = 0;
    for (const ModelConfig& m : c.all_models())
      per_model += trainer_bytes(m, task->info(), c.training.batch_size) +
                   kMaxLiveSnapshots * snapshot_bytes(m, task->info());
    EXPECT_EQ(app_memory_bytes(c, task->info()) - per_model,
              kAppFixedBytes + static_cast<double>(kDefaultCheckpointBudget) +
                  static_cast<double>(kUndoBytes))
        << models << " model(s)";
  }
  EXPECT_EQ(kUndoBytes, 128u << 20);
}

// The audit's case: three LSTMs (H 512, T 2000, B 7), each inside the 1 GiB trace limit, took
// 5.1 GB in the app. One message names the estimate and the limit.
TEST(MemoryBudget, ACompareLessonBeyondTheBudgetIsRefusedWithOneMessage) {
  ExperimentConfig c = config_of({"lstm", CellType::Lstm, 1, 512, 2000, 7, Precision::Float64, 3});
  const std::string why = validate(c);
  EXPECT_NE(why.find("the experiment needs about "), std::string::npos) << why;
  EXPECT_NE(why.find(" MiB in the app"), std::string::npos) << why;
  EXPECT_NE(why.find("at most 2048 MiB are allowed"), std::string::npos) << why;
  c.compare.clear();
  c.training.batch_size = 1;
  EXPECT_EQ(validate(c), "") << "one such LSTM with B 1 fits";
}

}  // namespace
}  // namespace unrolled
