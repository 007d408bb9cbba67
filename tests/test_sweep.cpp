#include <gtest/gtest.h>

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
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "model,lag,loss,baseline,accuracy,iterations,diverged");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 5);
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
