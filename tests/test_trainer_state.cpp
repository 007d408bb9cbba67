// The trainer's state, captured and restored: a restored trainer continues bit for bit as the
// original would (each cell type, both precisions, captured between iterations and in the middle
// of one), and a state that does not fit the experiment is refused with one message.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>

#include "core/interrupt.hpp"
#include "core/trainer.hpp"
#include "small_lesson.hpp"

namespace unrolled {
namespace {

using testing_support::small_lesson;

bool same_bits(const Params& a, const Params& b) {
  const auto ta = a.tensors(), tb = b.tensors();
  if (ta.size() != tb.size()) return false;
  for (size_t k = 0; k < ta.size(); ++k) {
    if (ta[k].rows != tb[k].rows || ta[k].cols != tb[k].cols) return false;
    if (std::memcmp(ta[k].data, tb[k].data, sizeof(double) * ta[k].size()) != 0) return false;
  }
  return true;
}

bool same_bits(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

void configure(Trainer& t, const ExperimentConfig& c, int model = 0) {
  std::string e;
  ASSERT_TRUE(t.configure(c, model, &e)) << e;
}

struct Case {
  CellType cell;
  Precision precision;
};

class TrainerStateTest : public ::testing::TestWithParam<Case> {};

TEST_P(TrainerStateTest, RestoredTrainerContinuesBitForBit) {
  ExperimentConfig c = small_lesson(GetParam().cell, TaskKind::Adding, 2);
  c.training.precision = GetParam().precision;
  c.training.optimizer.learning_rate = 0.01;
  Trainer a, b;
  configure(a, c);
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(a.run_iteration());
  // A live change: it must travel with the state.
  OptimizerSettings o = a.config().training.optimizer;
  o.learning_rate = 0.02;
  ASSERT_TRUE(a.set_optimizer(o));
  a.set_truncation(3, 5);

  configure(b, c);
  std::string e;
  ASSERT_TRUE(b.restore(a.capture(true), &e)) << e;
  EXPECT_EQ(b.iteration(), 6);
  EXPECT_EQ(b.config().training.optimizer.learning_rate, 0.02);
  EXPECT_EQ(b.config().training.k1, 3);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(a.run_iteration());
    ASSERT_TRUE(b.run_iteration());
    ASSERT_TRUE(same_bits(a.last_loss(), b.last_loss())) << "iteration " << a.iteration();
  }
  EXPECT_TRUE(same_bits(a.network().params(), b.network().params()));
  EXPECT_TRUE(same_bits(a.optimizer().state1(), b.optimizer().state1()));
  EXPECT_TRUE(same_bits(a.optimizer().state2(), b.optimizer().state2()));
  EXPECT_EQ(a.optimizer().steps(), b.optimizer().steps());
  // The history came along: every recent loss is the same.
  const Series la = a.history().recent(Field::Loss), lb = b.history().recent(Field::Loss);
  ASSERT_EQ(la.count, 11);
  ASSERT_EQ(lb.count, la.count);
  for (int i = 0; i < la.count; ++i) EXPECT_TRUE(same_bits(la[i], lb[i])) << i;
  EXPECT_EQ(a.history().recent_profiles().cols, b.history().recent_profiles().cols);
}

TEST_P(TrainerStateTest, CapturedMidIterationRecomputesThatIteration) {
  ExperimentConfig c = small_lesson(GetParam().cell, TaskKind::Sine, 1);
  c.training.precision = GetParam().precision;
  Trainer a, b;
  configure(a, c);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(a.run_iteration());
  for (int t = 0; t < 4; ++t) ASSERT_TRUE(a.step_forward());
  ASSERT_EQ(a.phase(), Phase::Forward);
  const TrainerState s = a.capture(false);
  EXPECT_FALSE(s.history.has_value());
  EXPECT_EQ(s.iteration, 3);
  configure(b, c);
  std::string e;
  ASSERT_TRUE(b.restore(s, &e)) << e;
  EXPECT_EQ(b.phase(), Phase::Ready);
  ASSERT_TRUE(a.run_iteration());
  ASSERT_TRUE(b.run_iteration());
  EXPECT_TRUE(same_bits(a.last_loss(), b.last_loss()));
  EXPECT_TRUE(same_bits(a.network().params(), b.network().params()));
  EXPECT_EQ(b.history().appended(), 1) << "a state without history clears it";
}

INSTANTIATE_TEST_SUITE_P(Cells, TrainerStateTest,
                         ::testing::Values(Case{CellType::Rnn, Precision::Float64},
                                           Case{CellType::Lstm, Precision::Float64},
                                           Case{CellType::Gru, Precision::Float64},
                                           Case{CellType::Rnn, Precision::Float32},
                                           Case{CellType::Lstm, Precision::Float32},
                                           Case{CellType::Gru, Precision::Float32}));

// Time travel's lean replay (run_lean_iteration: no decay profile, no history record) leaves
// the state whole iterations leave, bit for bit: every cell type in both precisions, a compared
// model, truncated BPTT, and lean iterations interrupted mid-pass then finished by stepping or
// by run_iteration (they stay lean). The iteration after them, run whole, shows the same trace,
// gradients and decay profile.
struct LeanCase {
  CellType cell;
  Precision precision;
  TaskKind task;  // copy and recall score an accuracy
  bool compare;   // replay model 1 of a compare experiment
  int k1, k2;     // truncation (0: full BPTT)
};

void expect_same_state(const TrainerState& a, const TrainerState& b) {
  EXPECT_EQ(a.iteration, b.iteration);
  EXPECT_TRUE(same_bits(a.params, b.params)) << "params";
  EXPECT_TRUE(same_bits(a.optimizer_state1, b.optimizer_state1)) << "optimizer_state1";
  EXPECT_TRUE(same_bits(a.optimizer_state2, b.optimizer_state2)) << "optimizer_state2";
  EXPECT_EQ(a.optimizer_steps, b.optimizer_steps);
  EXPECT_TRUE(a.data_rng == b.data_rng) << "data_rng";
  EXPECT_TRUE(same_bits(a.last_loss, b.last_loss)) << a.last_loss << " vs " << b.last_loss;
  EXPECT_TRUE(same_bits(a.last_accuracy, b.last_accuracy)) << "last_accuracy";
  EXPECT_TRUE(same_bits(a.last_clip.global_norm_before, b.last_clip.global_norm_before));
  EXPECT_TRUE(same_bits(a.last_clip.global_norm_after, b.last_clip.global_norm_after));
  EXPECT_EQ(a.last_clip.clipped, b.last_clip.clipped);
  ASSERT_EQ(a.last_clip.tensor_norm_before.size(), b.last_clip.tensor_norm_before.size());
  for (size_t k = 0; k < a.last_clip.tensor_norm_before.size(); ++k)
    EXPECT_TRUE(same_bits(a.last_clip.tensor_norm_before[k], b.last_clip.tensor_norm_before[k]));
}

bool same_bits(const Mat& a, const Mat& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         (a.size() == 0 || std::memcmp(a.data(), b.data(), sizeof(double) * a.size()) == 0);
}

class LeanReplay : public ::testing::TestWithParam<LeanCase> {};

TEST_P(LeanReplay, LeavesTheStateWholeIterationsLeave) {
  const LeanCase k = GetParam();
  ExperimentConfig c = small_lesson(k.cell, k.task, 2);
  c.training.precision = k.precision;
  c.training.k1 = k.k1;
  c.training.k2 = k.k2;
  c.training.clip = {ClipMode::Norm, 0.5};  // clipping acts: its record must match too
  int model = 0;
  if (k.compare) {
    ModelConfig other = c.model;
    other.cell = k.cell == CellType::Gru ? CellType::Lstm : CellType::Gru;
    other.name = "other";
    c.compare = {other};
    model = 1;
  }
  Trainer whole, lean;
  configure(whole, c, model);
  configure(lean, c, model);
  Interrupt stop;
  const int T = whole.task().info().steps;
  ASSERT_GT(T, 3);
  for (int i = 0; i < 6; ++i) {
    SCOPED_TRACE("iteration " + std::to_string(i));
    ASSERT_TRUE(whole.run_iteration());
    if (i == 2 || i == 4) {  // interrupted after 3 of the forward pass's T time steps
      stop.raise_after(3);
      ASSERT_TRUE(lean.run_lean_iteration(&stop));
      ASSERT_EQ(lean.phase(), Phase::Forward);
      stop.clear();
      if (i == 2) {
        ASSERT_TRUE(lean.step_backward());  // by stepping: the rest of the forward pass, ...
        EXPECT_FALSE(lean.in_profile_sweep());
        ASSERT_TRUE(lean.apply_update());  // ... BPTT and the update
      } else {
        ASSERT_TRUE(lean.run_iteration());
      }
    } else {
      ASSERT_TRUE(lean.run_lean_iteration());
    }
    ASSERT_EQ(lean.phase(), Phase::Ready);
    expect_same_state(whole.capture(false), lean.capture(false));
  }
  EXPECT_EQ(whole.history().appended(), 6);
  EXPECT_EQ(lean.history().appended(), 0) << "a lean iteration is not recorded";
  EXPECT_EQ(lean.grad_profile().size(), 0) << "nor its decay profile computed";

  ASSERT_TRUE(whole.run_iteration());
  ASSERT_TRUE(lean.run_iteration());
  expect_same_state(whole.capture(false), lean.capture(false));
  const Trace &ta = whole.trace(), &tb = lean.trace();
  ASSERT_EQ(ta.steps.size(), tb.steps.size());
  for (size_t l = 0; l < ta.steps.size(); ++l)
    for (size_t t = 0; t < ta.steps[l].size(); ++t) {
      EXPECT_TRUE(same_bits(ta.steps[l][t].h, tb.steps[l][t].h)) << "h " << l << " " << t;
      EXPECT_TRUE(same_bits(ta.steps[l][t].gates, tb.steps[l][t].gates))
          << "gates " << l << " " << t;
    }
  const GradTrace &ga = whole.grad_trace(), &gb = lean.grad_trace();
  ASSERT_GT(ga.profile.size(), 0);
  EXPECT_TRUE(same_bits(ga.profile, gb.profile)) << "the decay profile";
  EXPECT_TRUE(same_bits(ga.dh_norm, gb.dh_norm)) << "dh_norm";
  EXPECT_TRUE(same_bits(whole.trace_params(), lean.trace_params())) << "trace_params";
  EXPECT_EQ(lean.history().appended(), 1);
  if (lean.task().info().has_accuracy) EXPECT_TRUE(std::isfinite(lean.last_accuracy()));
}

INSTANTIATE_TEST_SUITE_P(
    Cells, LeanReplay,
    ::testing::Values(LeanCase{CellType::Rnn, Precision::Float32, TaskKind::Adding, false, 0, 0},
                      LeanCase{CellType::Lstm, Precision::Float32, TaskKind::Copy, false, 0, 0},
                      LeanCase{CellType::Gru, Precision::Float32, TaskKind::Recall, false, 0, 0},
                      LeanCase{CellType::Rnn, Precision::Float64, TaskKind::Copy, false, 0, 0},
                      LeanCase{CellType::Lstm, Precision::Float64, TaskKind::Adding, false, 0, 0},
                      LeanCase{CellType::Gru, Precision::Float64, TaskKind::Adding, false, 0, 0},
                      LeanCase{CellType::Lstm, Precision::Float32, TaskKind::Recall, true, 0, 0},
                      LeanCase{CellType::Gru, Precision::Float64, TaskKind::Adding, true, 0, 0},
                      LeanCase{CellType::Lstm, Precision::Float32, TaskKind::Adding, false, 3, 5},
                      LeanCase{CellType::Rnn, Precision::Float64, TaskKind::Copy, false, 2, 4}));

TEST(TrainerState, DivergedStateStaysDiverged) {
  ExperimentConfig c = small_lesson(CellType::Rnn, TaskKind::Adding, 1);
  Trainer a, b;
  configure(a, c);
  ASSERT_TRUE(a.run_iteration());
  TrainerState s = a.capture(true);
  s.diverged = true;
  s.divergence_iteration = 1;
  s.divergence_where = "update: the parameters became non-finite";
  configure(b, c);
  std::string e;
  ASSERT_TRUE(b.restore(s, &e)) << e;
  EXPECT_EQ(b.phase(), Phase::Diverged);
  EXPECT_EQ(b.divergence().where, s.divergence_where);
  EXPECT_FALSE(b.run_iteration());
}

// Each problem: one message naming it; the trainer is left as it was.
TEST(TrainerState, MismatchesAreRefusedWithOneMessage) {
  ExperimentConfig c = small_lesson(CellType::Lstm, TaskKind::Adding, 1);
  Trainer a;
  configure(a, c);
  ASSERT_TRUE(a.run_iteration());
  const TrainerState good = a.capture(true);

  ExperimentConfig wider = c;
  wider.model.hidden_size = 7;
  Trainer b;
  configure(b, wider);
  ASSERT_TRUE(b.run_iteration());
  std::string e;
  EXPECT_FALSE(b.restore(good, &e));
  EXPECT_NE(e.find("params.layers.0.W_x is (24, 2)"), std::string::npos) << e;
  EXPECT_NE(e.find("needs (28, 2)"), std::string::npos) << e;
  EXPECT_EQ(b.iteration(), 1) << "a refused state changes nothing";

  Trainer d;
  configure(d, c);
  TrainerState s = good;
  s.params.layers[0].W_h(2, 3) = std::nan("");
  EXPECT_FALSE(d.restore(s, &e));
  EXPECT_NE(e.find("params.layers.0.W_h[74] is NaN"), std::string::npos) << e;

  s = good;
  s.optimizer_state2.b_y.resize(0);
  EXPECT_FALSE(d.restore(s, &e));
  EXPECT_NE(e.find("optimizer_state2.output.b"), std::string::npos) << e;

  s = good;
  s.model_index = 1;
  EXPECT_FALSE(d.restore(s, &e));
  EXPECT_NE(e.find("model_index 1: expected 0"), std::string::npos) << e;

  s = good;
  s.training.optimizer.learning_rate = -1;
  EXPECT_FALSE(d.restore(s, &e));
  EXPECT_NE(e.find("learning_rate"), std::string::npos) << e;

  s = good;
  s.history->ring_next = 5000;
  EXPECT_FALSE(d.restore(s, &e));
  EXPECT_NE(e.find("history.ring_next = 5000"), std::string::npos) << e;

  s = good;
  s.history->pring.pop_back();
  EXPECT_FALSE(d.restore(s, &e));
  EXPECT_NE(e.find("history.pring length"), std::string::npos) << e;

  s = good;
  s.data_rng = RngState{};
  EXPECT_FALSE(d.restore(s, &e));
  EXPECT_NE(e.find("data_rng"), std::string::npos) << e;
  EXPECT_EQ(d.iteration(), 0);
}

}  // namespace
}  // namespace unrolled
