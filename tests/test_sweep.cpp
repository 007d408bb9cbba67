#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

#include "core/sweep.hpp"
#include "core/trainer.hpp"

namespace unrolled {
namespace {

ExperimentConfig small_compare() {
  ExperimentConfig c;
  c.model.name = "RNN";
  c.model.cell = CellType::Rnn;
  c.model.hidden_size = 8;
  ModelConfig lstm = c.model;
  lstm.name = "LSTM";
  lstm.cell = CellType::Lstm;
  c.compare.push_back(lstm);
  c.task = default_task_spec(TaskKind::Recall);
  c.training.batch_size = 8;
  c.training.optimizer.learning_rate = 0.01;
  return c;
}

TEST(CompareSweep, TrainsEveryModelAtEveryLagLikeTheTrainerWould) {
  SweepSpec spec;
  spec.base = small_compare();
  spec.lags = {3, 6};
  spec.iterations = 20;
  spec.eval_batches = 2;
  Sweep sweep;
  std::string error;
  ASSERT_TRUE(sweep.start(spec, &error)) << error;
  while (sweep.running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const auto results = sweep.results();
  ASSERT_EQ(results.size(), 4u);
  EXPECT_DOUBLE_EQ(sweep.progress(), 1.0);
  // The same numbers as training that model at that lag directly: same seed, same data.
  ExperimentConfig c = spec.base;
  c.task.length = 6;
  Trainer t;
  ASSERT_TRUE(t.configure(c, 1, &error)) << error;
  for (int i = 0; i < 20; ++i) t.run_iteration();
  EXPECT_EQ(results[3].model_name, "LSTM");
  EXPECT_EQ(results[3].lag, 6);
  EXPECT_EQ(results[3].loss, t.evaluate(2));
  EXPECT_NEAR(results[0].baseline, std::log(4.0), 1e-12);
  const std::string csv = Sweep::to_csv(results);
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "model,lag,seed,loss,baseline,accuracy,iterations,diverged");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 5);
}

// Several seeds: each (lag, model) is run from seed, seed + 1, ...; the summary gives the mean and
// the best and worst of them, and each run is the trainer's own run from its seed.
TEST(CompareSweep, SeveralSeedsGiveMeanAndBand) {
  SweepSpec spec;
  spec.base = small_compare();
  spec.base.training.seed = 7;
  spec.lags = {3, 6};
  spec.iterations = 10;
  spec.eval_batches = 2;
  spec.seeds = 3;
  Sweep sweep;
  std::string error;
  ASSERT_TRUE(sweep.start(spec, &error)) << error;
  while (sweep.running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const auto results = sweep.results();
  ASSERT_EQ(results.size(), 12u);
  for (size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i].seed, 7u + i % 3) << i;
    EXPECT_EQ(results[i].model, static_cast<int>(i / 3 % 2)) << i;
    EXPECT_EQ(results[i].lag, spec.lags[i / 6]) << i;
  }
  ExperimentConfig c = spec.base;
  c.task.length = 6;
  c.training.seed = 9;
  Trainer t;
  ASSERT_TRUE(t.configure(c, 1, &error)) << error;
  for (int i = 0; i < 10; ++i) t.run_iteration();
  EXPECT_EQ(results[11].loss, t.evaluate(2));

  const auto summary = summarize(results);
  ASSERT_EQ(summary.size(), 4u);
  for (size_t k = 0; k < summary.size(); ++k) {
    const SweepSummary& s = summary[k];
    EXPECT_EQ(s.runs, 3);
    double sum = 0, lo = 1e300, hi = -1e300;
    for (int i = 0; i < 3; ++i) {
      const double loss = results[3 * k + i].loss;
      sum += loss, lo = std::min(lo, loss), hi = std::max(hi, loss);
    }
    EXPECT_DOUBLE_EQ(s.mean, sum / 3);
    EXPECT_EQ(s.min, lo);
    EXPECT_EQ(s.max, hi);
    EXPECT_LT(s.min, s.max) << "different seeds, different runs";
  }
  const std::string csv = Sweep::to_csv(results);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 13);
}

TEST(CompareSweep, CancelStopsPromptly) {
  SweepSpec spec;
  spec.base = small_compare();
  spec.lags = {50, 100, 200};
  spec.iterations = 1000000;
  Sweep sweep;
  std::string error;
  ASSERT_TRUE(sweep.start(spec, &error)) << error;
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_TRUE(sweep.running());
  sweep.cancel();
  EXPECT_FALSE(sweep.running());
  EXPECT_TRUE(sweep.results().empty());
  EXPECT_LT(sweep.progress(), 0.01);
}

TEST(CompareSweep, RefusesAnInvalidLag) {
  SweepSpec spec;
  spec.base = small_compare();
  spec.lags = {5, 5000};
  Sweep sweep;
  std::string error;
  EXPECT_FALSE(sweep.start(spec, &error));
  EXPECT_NE(error.find("lag 5000"), std::string::npos) << error;
}

}  // namespace
}  // namespace unrolled
