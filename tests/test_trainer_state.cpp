// The trainer's state, captured and restored: a restored trainer continues bit for bit as the
// original would (each cell type, both precisions, captured between iterations and in the middle
// of one), and a state that does not fit the experiment is refused with one message.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>

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
