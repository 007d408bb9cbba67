// The float32 engine: its parameter gradients agree with the double engine's on the same weights
// and batch for every cell, and a float32 trainer learns as a float64 one does. (Float step mode
// against whole iterations: tests/test_trainer.cpp, both precisions. Central-difference gradient
// checks stay in double: tests/test_network_grad.cpp.)
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "core/network.hpp"
#include "core/rng.hpp"
#include "core/trainer.hpp"
#include "tests/grad_cases.hpp"

namespace unrolled {
namespace {

using testing_support::case_name;
using Case = testing_support::GradCase;

// Doubles that a float holds exactly, so that both engines start from the very same numbers.
double representable(double v) {
  return static_cast<double>(static_cast<float>(v));
}

class FloatEngineGrad : public ::testing::TestWithParam<Case> {};

// Tolerance: each gradient is a sum over T·B = 80 time-step/sequence terms of products through
// up to T = 20 steps of recurrence; float's unit roundoff is 6e-8 and its tanh/sigmoid/exp are
// within a few ulp, so with errors growing roughly linearly in the depth of the computation we
// expect a relative error of order 20 · 80 · 6e-8 ≈ 1e-4 in the worst case and far less in
// practice (errors of both signs partly cancel). Measured: below 4e-6 for every case. Error
// measure: the largest |g_float - g_double| over a tensor, divided by the tensor's largest
// |g_double| (element-wise relative error is meaningless for entries near 0).
constexpr double kTolerance = 1e-4;

TEST_P(FloatEngineGrad, FloatGradientsMatchTheDoubleEngine) {
  const Case c = GetParam();
  const NetworkSpec spec = testing_support::spec_for(c, 3, 16, 4);
  const int T = 20, B = 4;

  // Weights and data rounded to floats, so that both engines start from the very same numbers.
  Rng rng(11);
  Params p = make_params(spec);
  testing_support::randomize(p, rng, 0.5);
  for (auto& t : p.tensors()) t.array() = t.array().unaryExpr(&representable);
  Batch batch = testing_support::random_batch(spec, T, B, rng);
  for (Mat& m : batch.inputs) m = m.unaryExpr(&representable);
  for (Mat& m : batch.targets) m = m.unaryExpr(&representable);

  Network net_d(spec, p);
  NetworkT<float> net_f(spec);
  cast_params(net_f.params(), p);
  BatchT<float> batch_f;
  cast_batch(batch_f, batch);
  ASSERT_EQ(net_f.validate(batch_f), "");

  Trace tr_d;
  GradTrace gt_d;
  Params g_d;
  net_d.forward(tr_d, batch);
  net_d.backward(g_d, gt_d, tr_d, batch);
  TraceT<float> tr_f;
  GradTraceT<float> gt_f;
  ParamsT<float> g_f;
  net_f.forward(tr_f, batch_f);
  net_f.backward(g_f, gt_f, tr_f, batch_f);

  EXPECT_NEAR(tr_f.loss, tr_d.loss, kTolerance * std::abs(tr_d.loss)) << "loss";
  Params g_f_as_d;
  cast_params(g_f_as_d, g_f);
  const auto td = g_d.tensors(), tf = g_f_as_d.tensors();
  ASSERT_EQ(td.size(), tf.size());
  double worst = 0;
  std::string worst_name;
  for (size_t k = 0; k < td.size(); ++k) {
    const double scale = td[k].array().abs().maxCoeff();
    ASSERT_GT(scale, 0) << td[k].name << " has no gradient: the check would be empty";
    const double err = (tf[k].array() - td[k].array()).abs().maxCoeff() / scale;
    EXPECT_LE(err, kTolerance) << td[k].name;
    if (err > worst) worst = err, worst_name = td[k].name;
  }
  // The decay profile, which the app plots, agrees too.
  const double profile_scale = gt_d.profile.cwiseAbs().maxCoeff();
  EXPECT_LE((gt_f.profile - gt_d.profile).cwiseAbs().maxCoeff(), kTolerance * profile_scale);
  std::printf("  %-40s largest relative gradient error float vs double %.2e (%s)\n",
              case_name(c).c_str(), worst, worst_name.c_str());
}

INSTANTIATE_TEST_SUITE_P(Cells, FloatEngineGrad,
                         ::testing::ValuesIn(testing_support::shape_cases()),
                         [](const auto& info) { return case_name(info.param); });

ExperimentConfig learning_task(Precision precision) {
  ExperimentConfig c;
  c.model.cell = CellType::Lstm;
  c.model.name = "lstm";
  c.model.hidden_size = 16;
  c.task = default_task_spec(TaskKind::Sine);
  c.task.length = 20;
  c.training.batch_size = 16;
  c.training.optimizer.kind = OptimizerKind::Adam;
  c.training.optimizer.learning_rate = 0.01;
  c.training.clip = {ClipMode::Norm, 1.0};
  c.training.seed = 5;
  c.training.precision = precision;
  return c;
}

// Mean loss over the last n recorded iterations.
double recent_loss(const Trainer& tr, int n) {
  const auto recent = tr.history().recent(Field::Loss);
  double s = 0;
  const int k = std::min(n, recent.count);
  for (int i = recent.count - k; i < recent.count; ++i) s += recent[i];
  return s / k;
}

TEST(FloatTrainer, ReachesTheLossOfTheDoubleTrainer) {
  Trainer f, d;
  std::string error;
  ASSERT_TRUE(f.configure(learning_task(Precision::Float32), 0, &error)) << error;
  ASSERT_TRUE(d.configure(learning_task(Precision::Float64), 0, &error)) << error;
  const int kIterations = 300;
  for (int i = 0; i < kIterations; ++i) {
    ASSERT_TRUE(f.run_iteration());
    ASSERT_TRUE(d.run_iteration());
    if (i == 0) {  // the same weights and batch: the first losses agree to float's precision
      EXPECT_NEAR(f.last_loss(), d.last_loss(), 1e-5 * d.last_loss());
      EXPECT_EQ(f.engine_precision(), Precision::Float32);
      EXPECT_EQ(d.engine_precision(), Precision::Float64);
    }
  }
  const double first = f.history().recent(Field::Loss)[0];
  const double lf = recent_loss(f, 30), ld = recent_loss(d, 30);
  std::printf(
      "  first loss %.4f; mean of the last 30 after %d iterations: float32 %.5f, "
      "float64 %.5f\n",
      first, kIterations, lf, ld);
  EXPECT_LT(ld, 0.3 * first) << "the task is learned at all";
  // Rounding differences grow over hundreds of iterations (the trajectories part), so "similar"
  // is the same learning progress: within 20% of each other.
  EXPECT_NEAR(lf, ld, 0.2 * ld);
}

TEST(FloatTrainer, PrecisionCanChangeBetweenIterationsAndTracesStayDouble) {
  Trainer tr;
  std::string error;
  ASSERT_TRUE(tr.configure(learning_task(Precision::Float32), 0, &error)) << error;
  ASSERT_TRUE(tr.run_iteration());
  EXPECT_EQ(tr.engine_precision(), Precision::Float32);
  // The double view of the float trace: the loss is the one recorded, and it is what the double
  // engine computes from the same weights (before the update) to float's precision.
  const Trace& view = tr.trace();
  EXPECT_EQ(view.loss, tr.last_loss());
  EXPECT_EQ(&tr.trace(), &view) << "asked again without a step: the same cached view";
  Trace check;
  Network(tr.network().spec(), tr.trace_params()).forward(check, tr.batch());
  EXPECT_NEAR(view.loss, check.loss, 1e-5 * check.loss);
  const int T = view.num_steps();
  EXPECT_LE((view.steps[0][T - 1].h - check.steps[0][T - 1].h).cwiseAbs().maxCoeff(), 1e-5);
  EXPECT_EQ(tr.grad_trace().dh[0].size(), static_cast<size_t>(T));
  // Step mode: the view follows each step.
  ASSERT_TRUE(tr.step_forward());
  EXPECT_EQ(tr.trace().steps_done, 1);
  ASSERT_TRUE(tr.step_forward());
  EXPECT_EQ(tr.trace().steps_done, 2);
  ASSERT_TRUE(tr.run_iteration());

  tr.set_precision(Precision::Float64);
  EXPECT_EQ(tr.engine_precision(), Precision::Float32) << "until the next iteration starts";
  ASSERT_TRUE(tr.run_iteration());
  EXPECT_EQ(tr.engine_precision(), Precision::Float64);
  Trace exact;
  Network(tr.network().spec(), tr.trace_params()).forward(exact, tr.batch());
  EXPECT_EQ(tr.trace().loss, exact.loss) << "float64 is the double engine itself";
  tr.set_precision(Precision::Float32);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(tr.run_iteration());
  EXPECT_EQ(tr.engine_precision(), Precision::Float32);
  EXPECT_EQ(tr.iteration(), 6);
  EXPECT_TRUE(tr.network().params().all_finite());
}

}  // namespace
}  // namespace unrolled
