// The trainer's state machine: stepping one time step at a time gives bit-identical numbers to
// whole iterations, settings changed between iterations take effect, divergence stops training
// with finite parameters and a reason, reset/reseed, compare mode's shared data, evaluate and
// the history.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/trainer.hpp"

namespace unrolled {
namespace {

// True when every tensor of a and b has the same shape and the same bits (==, not near).
bool same(const Params& a, const Params& b) {
  const auto ta = a.tensors(), tb = b.tensors();
  if (ta.size() != tb.size()) return false;
  for (size_t k = 0; k < ta.size(); ++k) {
    if (ta[k].rows != tb[k].rows || ta[k].cols != tb[k].cols) return false;
    if (!(ta[k].array() == tb[k].array()).all()) return false;
  }
  return true;
}

bool same(const std::vector<Mat>& a, const std::vector<Mat>& b) {
  if (a.size() != b.size()) return false;
  for (size_t t = 0; t < a.size(); ++t)
    if (a[t].rows() != b[t].rows() || a[t].cols() != b[t].cols() || a[t] != b[t]) return false;
  return true;
}

ExperimentConfig small(CellType cell, TaskKind kind = TaskKind::Sine) {
  ExperimentConfig c;
  c.model.cell = cell;
  c.model.name = std::string(to_string(cell));
  c.model.hidden_size = 6;
  c.task = default_task_spec(kind);
  c.task.length = 12;
  c.training.batch_size = 4;
  c.training.optimizer.kind = OptimizerKind::Adam;
  c.training.optimizer.learning_rate = 0.01;
  c.training.clip = {ClipMode::Norm, 1.0};
  c.training.seed = 7;
  return c;
}

void configure(Trainer& tr, const ExperimentConfig& c, int model_index = 0) {
  std::string error;
  ASSERT_TRUE(tr.configure(c, model_index, &error)) << error;
}

// One iteration one time step at a time; checks the phases on the way. Returns the number of
// forward and backward steps taken.
std::pair<int, int> step_iteration(Trainer& tr) {
  EXPECT_EQ(tr.phase(), Phase::Ready);
  EXPECT_FALSE(tr.step_backward()) << "no backward step before a forward pass";
  EXPECT_FALSE(tr.apply_update()) << "no update before a forward pass";
  int forward = 0, backward = 0;
  while (tr.phase() == Phase::Ready || tr.phase() == Phase::Forward) {
    EXPECT_TRUE(tr.step_forward());
    ++forward;
    if (tr.phase() == Phase::Forward) {
      EXPECT_EQ(tr.forward_t(), forward);
    }
  }
  EXPECT_EQ(tr.phase(), Phase::Backward);
  EXPECT_FALSE(tr.step_forward()) << "no forward step during the backward pass";
  while (tr.phase() == Phase::Backward) {
    EXPECT_GE(tr.backward_next_t(), 0);
    EXPECT_TRUE(tr.step_backward());
    ++backward;
  }
  EXPECT_EQ(tr.phase(), Phase::Update);
  EXPECT_FALSE(tr.step_forward());
  EXPECT_FALSE(tr.step_backward());
  EXPECT_TRUE(tr.apply_update());
  EXPECT_EQ(tr.phase(), Phase::Ready);
  return {forward, backward};
}

struct SteppingCase {
  CellType cell;
  int k1, k2;
};

class TrainerStepping : public ::testing::TestWithParam<SteppingCase> {};

TEST_P(TrainerStepping, StepByStepIsBitIdenticalToWholeIterations) {
  const SteppingCase p = GetParam();
  for (auto [kind, precision] : {std::pair{TaskKind::Sine, Precision::Float64},
                                 std::pair{TaskKind::Recall, Precision::Float64},
                                 std::pair{TaskKind::Sine, Precision::Float32},
                                 std::pair{TaskKind::Recall, Precision::Float32}}) {
    SCOPED_TRACE(std::string(to_string(kind)) + " " + std::string(to_string(precision)));
    ExperimentConfig c = small(p.cell, kind);
    c.training.precision = precision;
    c.model.layers = 2;
    c.training.k1 = p.k1;
    c.training.k2 = p.k2;
    Trainer whole, stepped;
    configure(whole, c);
    configure(stepped, c);
    ASSERT_TRUE(same(whole.network().params(), stepped.network().params()));
    const int T = whole.task().info().steps;
    for (int it = 0; it < 4; ++it) {
      ASSERT_TRUE(whole.run_iteration());
      const auto [forward, backward] = step_iteration(stepped);
      EXPECT_EQ(forward, T);
      // Every time step is visited once per window; the profile sweep adds T more.
      EXPECT_GE(backward, 2 * T);
      EXPECT_EQ(whole.iteration(), it + 1);
      EXPECT_EQ(stepped.iteration(), it + 1);
      EXPECT_EQ(whole.last_loss(), stepped.last_loss());
      EXPECT_EQ(whole.last_clip().global_norm_before, stepped.last_clip().global_norm_before);
      EXPECT_TRUE(same(whole.grads(), stepped.grads()));
      EXPECT_TRUE(same(whole.network().params(), stepped.network().params())) << "iteration " << it;
      EXPECT_EQ(whole.grad_trace().profile, stepped.grad_trace().profile);
    }
    // The stepping really trained: the parameters moved from their initial values.
    Trainer fresh;
    configure(fresh, c);
    EXPECT_FALSE(same(fresh.network().params(), whole.network().params()));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cells, TrainerStepping,
    ::testing::Values(SteppingCase{CellType::Rnn, 0, 0}, SteppingCase{CellType::Lstm, 0, 0},
                      SteppingCase{CellType::Gru, 0, 0}, SteppingCase{CellType::Rnn, 4, 6},
                      SteppingCase{CellType::Lstm, 4, 6}, SteppingCase{CellType::Gru, 3, 3}),
    [](const auto& info) {
      return std::string(to_string(info.param.cell)) + "_k1_" + std::to_string(info.param.k1) +
             "_k2_" + std::to_string(info.param.k2);
    });

TEST(Trainer, UpdateInTheMiddleOfAPassFinishesItFirst) {
  // apply_update() from Forward and run_iteration() from Backward finish the pass they are in.
  const ExperimentConfig c = small(CellType::Lstm);
  Trainer a, b;
  configure(a, c);
  configure(b, c);
  ASSERT_TRUE(a.step_forward());
  ASSERT_TRUE(a.step_forward());
  ASSERT_EQ(a.phase(), Phase::Forward);
  ASSERT_TRUE(a.apply_update());
  ASSERT_EQ(a.phase(), Phase::Ready);
  EXPECT_FALSE(a.step_backward()) << "Ready: a backward step needs a forward pass first";
  ASSERT_TRUE(a.step_forward());
  ASSERT_TRUE(a.step_backward());  // forward pass of iteration 2 finished, one backward step
  ASSERT_EQ(a.phase(), Phase::Backward);
  ASSERT_TRUE(a.run_iteration());
  ASSERT_TRUE(b.run_iteration());
  ASSERT_TRUE(b.run_iteration());
  EXPECT_EQ(a.iteration(), 2);
  EXPECT_TRUE(same(a.network().params(), b.network().params()));
}

TEST(Trainer, TruncationChangeAppliesToTheNextBackwardPass) {
  ExperimentConfig c = small(CellType::Rnn);
  c.training.optimizer.kind = OptimizerKind::Sgd;
  c.training.precision = Precision::Float64;  // compared bit for bit with the double Network
  Trainer tr;
  configure(tr, c);
  ASSERT_TRUE(tr.run_iteration());
  tr.set_truncation(3, 5);
  ASSERT_TRUE(tr.step_forward());
  while (tr.phase() != Phase::Update) ASSERT_TRUE(tr.step_backward());
  // The gradient (before clipping) is the network's truncated BPTT(3, 5) on this batch ...
  Params g;
  GradTrace gt;
  tr.network().backward(g, gt, tr.trace(), tr.batch(), {3, 5, true});
  EXPECT_TRUE(same(g, tr.grads()));
  // ... and not the full one.
  tr.network().backward(g, gt, tr.trace(), tr.batch(), {0, 0, true});
  EXPECT_FALSE(same(g, tr.grads()));
}

TEST(Trainer, LearningRateChangeTakesEffectOnTheNextUpdate) {
  ExperimentConfig c = small(CellType::Gru);
  c.training.optimizer.kind = OptimizerKind::Sgd;
  c.training.optimizer.learning_rate = 0.1;
  c.training.clip.mode = ClipMode::None;
  Trainer tr;
  configure(tr, c);
  ASSERT_TRUE(tr.run_iteration());

  // lr 0 is refused, as in experiment files; the learning rate in force stays.
  OptimizerSettings s = c.training.optimizer;
  const double old_lr = s.learning_rate;
  s.learning_rate = 0;
  EXPECT_FALSE(tr.set_optimizer(s));
  Params before = tr.network().params();
  ASSERT_TRUE(tr.run_iteration());
  EXPECT_GT(tr.last_clip().global_norm_after, 0);
  EXPECT_FALSE(same(before, tr.network().params()));
  EXPECT_EQ(tr.history().recent(Field::LearningRate)[1], old_lr);

  // lr 0.5: p moves by exactly -0.5 g.
  s.learning_rate = 0.5;
  tr.set_optimizer(s);
  before = tr.network().params();
  ASSERT_TRUE(tr.run_iteration());
  const auto pb = before.tensors(), pa = tr.network().params().tensors(), g = tr.grads().tensors();
  for (size_t k = 0; k < pa.size(); ++k) {
    const Eigen::ArrayXd expected = pb[k].array() - 0.5 * g[k].array();
    EXPECT_LE((pa[k].array() - expected).abs().maxCoeff(), 1e-15) << pa[k].name;
    EXPECT_GT(g[k].array().abs().maxCoeff(), 0) << pa[k].name;
  }
  EXPECT_EQ(tr.history().recent(Field::LearningRate)[2], 0.5);
}

TEST(Trainer, OptimiserChangeTakesEffectOnTheNextUpdate) {
  ExperimentConfig c = small(CellType::Lstm);
  c.training.optimizer.kind = OptimizerKind::Sgd;
  c.training.optimizer.learning_rate = 1e-6;
  Trainer tr;
  configure(tr, c);
  ASSERT_TRUE(tr.run_iteration());
  // Adam's first step moves each parameter by lr * g / (|g| + eps): about lr where g is not tiny.
  OptimizerSettings adam;
  adam.kind = OptimizerKind::Adam;
  adam.learning_rate = 0.01;
  tr.set_optimizer(adam);
  const Params before = tr.network().params();
  ASSERT_TRUE(tr.run_iteration());
  EXPECT_EQ(tr.optimizer().settings().kind, OptimizerKind::Adam);
  EXPECT_EQ(tr.optimizer().steps(), 1) << "a new kind starts from step 1";
  double largest = 0;
  const auto pb = before.tensors(), pa = tr.network().params().tensors();
  for (size_t k = 0; k < pa.size(); ++k)
    largest = std::max(largest, (pa[k].array() - pb[k].array()).abs().maxCoeff());
  EXPECT_LE(largest, 0.01 * (1 + 1e-9));
  EXPECT_GT(largest, 0.009) << "SGD at lr 1e-6 would have moved by about 1e-6";
}

TEST(Trainer, ClipChangeShowsInTheNextClipRecord) {
  ExperimentConfig c = small(CellType::Rnn);
  c.training.clip = {ClipMode::Norm, 1e6};
  Trainer tr;
  configure(tr, c);
  ASSERT_TRUE(tr.run_iteration());
  const double norm = tr.last_clip().global_norm_before;
  ASSERT_GT(norm, 0);
  EXPECT_FALSE(tr.last_clip().clipped);
  EXPECT_EQ(tr.last_clip().global_norm_after, norm);

  // A threshold well below the gradient's norm: clipped to it.
  const double threshold = 1e-3;
  ASSERT_GT(norm, 10 * threshold);
  tr.set_clip({ClipMode::Norm, threshold});
  ASSERT_TRUE(tr.run_iteration());
  EXPECT_TRUE(tr.last_clip().clipped);
  EXPECT_NEAR(tr.last_clip().global_norm_after, threshold, 1e-12);
  EXPECT_NEAR(tr.last_clip().scale, threshold / tr.last_clip().global_norm_before, 1e-12);
  EXPECT_NEAR(std::sqrt(tr.grads().squared_norm()), threshold, 1e-12);
  EXPECT_EQ(tr.history().recent(Field::Clipped)[1], 1.0);

  // Value mode: components clamped and counted.
  tr.set_clip({ClipMode::Value, 1e-5});
  ASSERT_TRUE(tr.run_iteration());
  EXPECT_TRUE(tr.last_clip().clipped);
  EXPECT_GT(tr.last_clip().clamped, 0);
  for (const auto& t : tr.grads().tensors()) EXPECT_LE(t.array().abs().maxCoeff(), 1e-5);

  // Off: nothing clipped, norms still recorded.
  tr.set_clip({ClipMode::None, 1.0});
  ASSERT_TRUE(tr.run_iteration());
  EXPECT_FALSE(tr.last_clip().clipped);
  EXPECT_GT(tr.last_clip().global_norm_before, 0);
  EXPECT_EQ(tr.last_clip().global_norm_after, tr.last_clip().global_norm_before);
}

// A vanilla RNN set up to blow up: W_hh at spectral radius 3, no clipping, SGD at lr 10.
ExperimentConfig exploding(Activation act) {
  ExperimentConfig c = small(CellType::Rnn);
  c.model.activation = act;
  c.model.hidden_size = 16;
  c.model.init.spectral_radius = 3.0;
  c.task.length = 60;
  c.training.optimizer.kind = OptimizerKind::Sgd;
  c.training.optimizer.learning_rate = 10;
  c.training.clip.mode = ClipMode::None;
  // Double's range: in float32 (max 3.4e38) this network already overflows in its first
  // iteration, and these tests need a finite first iteration before (and after) the divergence.
  c.training.precision = Precision::Float64;
  return c;
}

class TrainerDivergence : public ::testing::TestWithParam<Activation> {};

TEST_P(TrainerDivergence, StopsWithTheLastFiniteParametersAndSaysWhy) {
  Trainer tr;
  configure(tr, exploding(GetParam()));
  Params before;
  bool diverged = false;
  for (int it = 0; it < 100 && !diverged; ++it) {
    before = tr.network().params();
    ASSERT_TRUE(before.all_finite());
    diverged = !tr.run_iteration();
  }
  ASSERT_TRUE(diverged) << "expected NaN/Inf within 100 iterations";
  EXPECT_EQ(tr.phase(), Phase::Diverged);
  EXPECT_TRUE(tr.network().params().all_finite());
  EXPECT_TRUE(same(before, tr.network().params()));
  const Divergence& d = tr.divergence();
  EXPECT_EQ(d.iteration, tr.iteration());
  EXPECT_FALSE(d.where.empty());
  std::printf("[ diverged ] %s at iteration %lld: %s. %s\n",
              std::string(to_string(GetParam())).c_str(), static_cast<long long>(d.iteration),
              d.where.c_str(), d.cause.c_str());
  EXPECT_NE(d.cause.find("no gradient clipping"), std::string::npos) << d.cause;
  EXPECT_NE(d.cause.find("learning rate 10"), std::string::npos) << d.cause;
  // Stopped for good: nothing steps, nothing crashes, the parameters stay.
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(tr.run_iteration());
    EXPECT_FALSE(tr.step_forward());
    EXPECT_FALSE(tr.step_backward());
    EXPECT_FALSE(tr.apply_update());
  }
  EXPECT_EQ(tr.phase(), Phase::Diverged);
  EXPECT_TRUE(same(before, tr.network().params()));
  EXPECT_EQ(tr.history().appended(), tr.iteration());
  (void)tr.evaluate(1);  // the held-out loss may be huge; it must not crash
  // reset() recovers.
  tr.reset();
  EXPECT_EQ(tr.phase(), Phase::Ready);
  EXPECT_TRUE(tr.run_iteration());
}

INSTANTIATE_TEST_SUITE_P(Activations, TrainerDivergence,
                         ::testing::Values(Activation::Relu, Activation::Identity),
                         [](const auto& info) { return std::string(to_string(info.param)); });

TEST(Trainer, DivergenceInTheUpdateRestoresTheParameters) {
  // Finite gradients times an absurd learning rate (only code can set one) overflow in the
  // update itself: the trainer puts the parameters back as they were before it.
  Trainer tr;
  configure(tr, exploding(Activation::Relu));
  OptimizerSettings s = tr.config().training.optimizer;
  s.learning_rate = 1e300;
  tr.set_optimizer(s);
  const Params before = tr.network().params();
  EXPECT_FALSE(tr.run_iteration());
  ASSERT_EQ(tr.phase(), Phase::Diverged);
  EXPECT_NE(tr.divergence().where.find("update"), std::string::npos) << tr.divergence().where;
  EXPECT_EQ(tr.divergence().iteration, 0);
  EXPECT_TRUE(tr.network().params().all_finite());
  EXPECT_TRUE(same(before, tr.network().params()));
  EXPECT_NE(tr.divergence().cause.find("learning rate 1e+300"), std::string::npos)
      << tr.divergence().cause;
}

TEST(Trainer, DivergenceNamesASpectralRadiusAboveOne) {
  // At lr 0.1 (the SGD default) the learning rate is not blamed, the radius and clipping are.
  ExperimentConfig c = exploding(Activation::Identity);
  c.training.optimizer.learning_rate = 0.1;
  c.model.init.spectral_radius = 5.0;
  c.task.length = 500;
  Trainer tr;
  configure(tr, c);
  bool diverged = false;
  for (int it = 0; it < 50 && !diverged; ++it) diverged = !tr.run_iteration();
  ASSERT_TRUE(diverged);
  const Divergence& d = tr.divergence();
  std::printf("[ diverged ] %s. %s\n", d.where.c_str(), d.cause.c_str());
  EXPECT_NE(d.cause.find("spectral radius"), std::string::npos) << d.cause;
  EXPECT_NE(d.cause.find("> 1"), std::string::npos) << d.cause;
  EXPECT_EQ(d.cause.find("learning rate"), std::string::npos) << d.cause;
}

TEST(Trainer, ResetReproducesAndReseedAltersTheStream) {
  const ExperimentConfig c = small(CellType::Lstm);
  Trainer tr;
  configure(tr, c);
  const Params initial = tr.network().params();
  std::vector<double> losses;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(tr.run_iteration());
    losses.push_back(tr.last_loss());
  }
  const Params trained = tr.network().params();

  tr.reset();
  EXPECT_EQ(tr.iteration(), 0);
  EXPECT_EQ(tr.history().appended(), 0);
  EXPECT_EQ(tr.optimizer().steps(), 0);
  EXPECT_TRUE(same(initial, tr.network().params()));
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(tr.run_iteration());
    EXPECT_EQ(tr.last_loss(), losses[i]);
  }
  EXPECT_TRUE(same(trained, tr.network().params()));

  // Reset in the middle of an iteration goes back to Ready.
  ASSERT_TRUE(tr.step_forward());
  tr.reset();
  EXPECT_EQ(tr.phase(), Phase::Ready);
  EXPECT_TRUE(same(initial, tr.network().params()));

  tr.reseed(c.training.seed + 1);
  EXPECT_EQ(tr.config().training.seed, c.training.seed + 1);
  EXPECT_FALSE(same(initial, tr.network().params()));
  ASSERT_TRUE(tr.run_iteration());
  EXPECT_NE(tr.last_loss(), losses[0]);

  tr.reseed(c.training.seed);
  EXPECT_TRUE(same(initial, tr.network().params()));
  ASSERT_TRUE(tr.run_iteration());
  EXPECT_EQ(tr.last_loss(), losses[0]);
}

TEST(Trainer, CompareModeFeedsEveryModelTheSameBatches) {
  ExperimentConfig c = small(CellType::Rnn, TaskKind::Recall);
  ModelConfig lstm;
  lstm.cell = CellType::Lstm;
  lstm.name = "LSTM";
  lstm.hidden_size = 9;
  c.compare.push_back(lstm);
  Trainer rnn, other;
  configure(rnn, c, 0);
  configure(other, c, 1);
  EXPECT_EQ(rnn.model().cell, CellType::Rnn);
  EXPECT_EQ(other.model().cell, CellType::Lstm);
  EXPECT_EQ(other.model().hidden_size, 9);
  for (int it = 0; it < 6; ++it) {
    ASSERT_TRUE(rnn.run_iteration());
    ASSERT_TRUE(other.run_iteration());
    EXPECT_TRUE(same(rnn.batch().inputs, other.batch().inputs)) << "iteration " << it;
    EXPECT_TRUE(same(rnn.batch().targets, other.batch().targets)) << "iteration " << it;
    EXPECT_NE(rnn.last_loss(), other.last_loss()) << "different models, different losses";
  }
  // The held-out stream is shared too.
  EXPECT_EQ(rnn.task().info().baseline, other.task().info().baseline);
  Trainer bad;
  std::string error;
  EXPECT_FALSE(bad.configure(c, 2, &error));
  EXPECT_NE(error.find("model index 2"), std::string::npos) << error;
}

TEST(Trainer, EvaluateLeavesTheTrainingStreamAlone) {
  const ExperimentConfig c = small(CellType::Gru, TaskKind::Recall);
  Trainer a, b;
  configure(a, c);
  configure(b, c);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(a.run_iteration());
    ASSERT_TRUE(b.run_iteration());
  }
  double acc1 = 0, acc2 = 0;
  const double e1 = a.evaluate(3, &acc1);
  const double e2 = a.evaluate(3, &acc2);
  EXPECT_EQ(e1, e2);
  EXPECT_EQ(acc1, acc2);
  EXPECT_TRUE(std::isfinite(e1));
  EXPECT_GE(acc1, 0);
  EXPECT_LE(acc1, 1);
  EXPECT_NE(e1, a.last_loss()) << "held-out batches are not the training batch";
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(a.run_iteration());
    ASSERT_TRUE(b.run_iteration());
    EXPECT_TRUE(same(a.batch().inputs, b.batch().inputs));
    EXPECT_EQ(a.last_loss(), b.last_loss());
  }
  EXPECT_TRUE(same(a.network().params(), b.network().params()));
  // Evaluating in the middle of an iteration changes nothing either.
  ASSERT_TRUE(a.step_forward());
  ASSERT_TRUE(b.step_forward());
  (void)a.evaluate(2);
  ASSERT_TRUE(a.run_iteration());
  ASSERT_TRUE(b.run_iteration());
  EXPECT_TRUE(same(a.network().params(), b.network().params()));
  // No accuracy where the task has none.
  Trainer s;
  configure(s, small(CellType::Lstm, TaskKind::Sine));
  double acc = 0;
  (void)s.evaluate(1, &acc);
  EXPECT_TRUE(std::isnan(acc));
}

TEST(Trainer, HistoryRecordsEveryIteration) {
  ExperimentConfig c = small(CellType::Lstm, TaskKind::Recall);
  c.training.clip = {ClipMode::Norm, 0.05};
  Trainer tr;
  configure(tr, c);
  const int n = 12;
  std::vector<double> loss, before, after, clipped, accuracy;
  std::vector<double> last_profile;
  for (int i = 0; i < n; ++i) {
    ASSERT_TRUE(tr.run_iteration());
    EXPECT_EQ(tr.history().appended(), i + 1);
    loss.push_back(tr.last_loss());
    accuracy.push_back(tr.last_accuracy());
    before.push_back(tr.last_clip().global_norm_before);
    after.push_back(tr.last_clip().global_norm_after);
    clipped.push_back(tr.last_clip().clipped ? 1 : 0);
  }
  const Mat& p = tr.grad_trace().profile;
  const History& h = tr.history();
  ASSERT_EQ(h.recent(Field::Loss).count, n);
  int clips = 0;
  for (int i = 0; i < n; ++i) {
    EXPECT_EQ(h.recent(Field::Iteration)[i], i);
    EXPECT_EQ(h.recent(Field::Loss)[i], loss[i]);
    EXPECT_EQ(h.recent(Field::Accuracy)[i], accuracy[i]);
    EXPECT_EQ(h.recent(Field::GradNormBefore)[i], before[i]);
    EXPECT_EQ(h.recent(Field::GradNormAfter)[i], after[i]);
    EXPECT_EQ(h.recent(Field::Clipped)[i], clipped[i]);
    EXPECT_EQ(h.recent(Field::Baseline)[i], tr.task().info().baseline);
    EXPECT_EQ(h.recent(Field::LearningRate)[i], c.training.optimizer.learning_rate);
    clips += static_cast<int>(clipped[i]);
  }
  EXPECT_GT(clips, 0) << "a threshold of 0.05 clips some iterations";
  // The newest profile row is the top layer's decay profile of the last iteration.
  const ProfileView v = h.recent_profiles();
  ASSERT_EQ(v.cols, p.cols());
  const int newest = (v.offset + v.rows - 1) % v.rows;
  for (int d = 0; d < v.cols; ++d) EXPECT_EQ(v.data[newest * v.cols + d], p(p.rows() - 1, d));
  EXPECT_EQ(h.clip_fraction(), clips / static_cast<double>(n));
}

TEST(Trainer, ConfigureRefusesABadExperimentAndKeepsTheOldOne) {
  Trainer tr;
  configure(tr, small(CellType::Gru));
  ASSERT_TRUE(tr.run_iteration());
  ExperimentConfig bad = small(CellType::Lstm);
  bad.task.length = 0;
  std::string error;
  EXPECT_FALSE(tr.configure(bad, 0, &error));
  EXPECT_NE(error.find("length"), std::string::npos) << error;
  EXPECT_EQ(tr.model().cell, CellType::Gru);
  EXPECT_EQ(tr.iteration(), 1);
  EXPECT_TRUE(tr.run_iteration());
}

}  // namespace
}  // namespace unrolled
