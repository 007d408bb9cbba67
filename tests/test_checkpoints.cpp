// The checkpoint store: 10^6 iterations through it stay within the count bound and the memory
// budget, keep every recent iteration and the spacing the rule promises; pins survive and are
// capped; a store recorded from a real trainer holds states that recompute the run.
#include <gtest/gtest.h>

#include <cstring>

#include "core/checkpoints.hpp"
#include "core/trainer.hpp"
#include "small_lesson.hpp"

namespace unrolled {
namespace {

// The spacing the rule promises at age a (checkpoints.hpp).
int64_t spacing(int64_t a, int R) {
  if (a < R) return 1;
  int64_t s = 2;
  for (int64_t q = a / R; q >= 2; q /= 2) s *= 2;
  return s;
}

TEST(Checkpoints, MillionIterationsStayWithinTheBoundWithWideningSpacing) {
  // A checkpoint of the default lesson's size, within the 64 MB budget.
  Trainer t;
  std::string e;
  ASSERT_TRUE(t.configure(default_experiment(), 0, &e)) << e;
  const size_t bytes = CheckpointStore::checkpoint_bytes_for(t);
  CheckpointStore store(bytes, kDefaultCheckpointBudget);
  const int R = store.recent();
  EXPECT_GE(R, 16);
  EXPECT_LE(CheckpointStore::count_bound(R, kCheckpointHorizon),
            static_cast<int64_t>(store.capacity()));
  // The fill only stamps the iteration: the rule decides from the number alone.
  size_t most = 0;
  const int64_t N = 1'000'000;
  for (int64_t n = 0; n < N; ++n) {
    store.record(n, false, [](TrainerState&) {});
    most = std::max(most, store.count());
  }
  EXPECT_LE(static_cast<int64_t>(most), CheckpointStore::count_bound(R, N));
  EXPECT_LE(most * bytes, kDefaultCheckpointBudget);
  std::printf("default lesson: %zu bytes a checkpoint, R = %d, at most %zu checkpoints "
              "(%.1f MB) over 10^6 iterations\n",
              bytes, R, most, most * bytes / 1e6);
  const int64_t n = N - 1;
  // Exactly the iterations the rule keeps, and no others.
  std::vector<int64_t> kept;
  for (const Checkpoint* c : store.all()) kept.push_back(c->state.iteration);
  std::vector<int64_t> want;
  for (int64_t j = 0; j <= n; ++j)
    if (j % spacing(n - j, R) == 0) want.push_back(j);
  EXPECT_EQ(kept, want);
  EXPECT_EQ(kept.front(), 0) << "iteration 0 is always there";
  // Every one of the last R, then gaps that never shrink going back.
  for (int k = 0; k < R; ++k) EXPECT_EQ(kept[kept.size() - 1 - k], n - k);
  for (size_t i = 2; i < kept.size(); ++i)
    EXPECT_GE(kept[kept.size() - i] - kept[kept.size() - i - 1],
              kept[kept.size() - i + 1] - kept[kept.size() - i]);
  // The nearest at or before any iteration is no further back than its spacing.
  for (int64_t q : {n, n - 5, n - 100, n - 1000, n - 123456, int64_t{7}}) {
    const Checkpoint* c = store.at_or_before(q);
    ASSERT_NE(c, nullptr);
    EXPECT_LE(c->state.iteration, q);
    EXPECT_LT(q - c->state.iteration, 2 * spacing(n - q, R)) << q;
  }
}

TEST(Checkpoints, PinsSurviveAndAreCapped) {
  CheckpointStore store(1000, 1000 * 200);
  const int R = store.recent();
  for (int64_t n = 0; n < 5000; ++n) store.record(n, n == 1001, [](TrainerState&) {});
  ASSERT_NE(store.at_or_before(1001), nullptr);
  EXPECT_EQ(store.at_or_before(1001)->state.iteration, 1001);
  EXPECT_TRUE(store.at_or_before(1001)->pinned);
  // pin_next: the next record is pinned.
  store.pin_next();
  store.record(5000, false, [](TrainerState&) {});
  for (int64_t n = 5001; n < 5000 + 64 * R; ++n) store.record(n, false, [](TrainerState&) {});
  EXPECT_EQ(store.at_or_before(5000)->state.iteration, 5000);
  // More than kMaxPinned pins: the oldest goes with everything before it.
  int64_t n = store.newest() + 1;
  for (int k = 0; k < kMaxPinned - 2; ++k) store.record(n++, true, [](TrainerState&) {});
  EXPECT_EQ(store.at_or_before(1001)->state.iteration, 1001) << "32 pins: all kept";
  store.record(n++, true, [](TrainerState&) {});
  EXPECT_EQ(store.at_or_before(1001), nullptr) << "the pin at 1001 went, with all before it";
  EXPECT_GT(store.oldest(), 1001);
}

TEST(Checkpoints, ReRecordingTheSameIterationReplacesIt) {
  CheckpointStore store(1000, 1 << 20);
  store.record(0, false, [](TrainerState& s) { s.optimizer_steps = 1; });
  store.record(0, true, [](TrainerState& s) { s.optimizer_steps = 2; });
  EXPECT_EQ(store.count(), 1u);
  EXPECT_EQ(store.at_or_before(0)->state.optimizer_steps, 2);
  EXPECT_TRUE(store.at_or_before(0)->pinned);
  store.record(5, false, [](TrainerState&) {});
  store.record(3, false, [](TrainerState& s) { s.optimizer_steps = 9; });  // older: ignored
  EXPECT_EQ(store.count(), 2u);
}

TEST(Checkpoints, RecordedTrainerStatesReplayTheRun) {
  const ExperimentConfig c = testing_support::small_lesson(CellType::Gru, TaskKind::Copy, 1);
  Trainer t;
  std::string e;
  ASSERT_TRUE(t.configure(c, 0, &e)) << e;
  CheckpointStore store(CheckpointStore::checkpoint_bytes_for(t), 1 << 20);
  std::vector<double> losses;
  for (int i = 0; i < 40; ++i) {
    store.record(t);
    ASSERT_TRUE(t.run_iteration());
    losses.push_back(t.last_loss());
  }
  Trainer r;
  ASSERT_TRUE(r.configure(c, 0, &e)) << e;
  const Checkpoint* cp = store.at_or_before(23);
  ASSERT_NE(cp, nullptr);
  ASSERT_TRUE(r.restore(cp->state, &e)) << e;
  while (r.iteration() < 30) ASSERT_TRUE(r.run_iteration());
  const double recomputed = r.last_loss();
  EXPECT_EQ(std::memcmp(&recomputed, &losses[29], 8), 0);
}

}  // namespace
}  // namespace unrolled
