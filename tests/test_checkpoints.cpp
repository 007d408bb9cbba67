// The checkpoint store: 10^6 iterations through it stay within the count bound and the memory
// budget, keep every recent iteration and the uniform lattice the rule names (neighbours at most
// s(n) <= 2n / L apart); pins survive and are capped; loaded checkpoints come under the rule; a
// store recorded from a real trainer holds states that recompute the run.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/checkpoints.hpp"
#include "core/trainer.hpp"
#include "small_lesson.hpp"

namespace unrolled {
namespace {

// The lattice's spacing once the newest is n, from its definition (checkpoints.hpp): the smallest
// power of two s whose lattice 0, s, 2s, ... <= n has at most L points.
int64_t lattice_spacing(int64_t n, int L) {
  int64_t s = 1;
  while (n / s + 1 > L) s *= 2;
  return s;
}

// The iterations the rule keeps once the newest is n, oldest first.
std::vector<int64_t> rule(int64_t n, int R, int L) {
  std::vector<int64_t> want;
  const int64_t s = lattice_spacing(n, L);
  for (int64_t j = 0; j <= n; ++j)
    if (n - j < R || j % s == 0) want.push_back(j);
  return want;
}

std::vector<int64_t> kept_by(const CheckpointStore& store) {
  std::vector<int64_t> kept;
  for (const Checkpoint* c : store.all()) kept.push_back(c->state.iteration);
  return kept;
}

int64_t widest_gap(const std::vector<int64_t>& kept) {
  int64_t gap = 0;
  for (size_t i = 1; i < kept.size(); ++i) gap = std::max(gap, kept[i] - kept[i - 1]);
  return gap;
}

TEST(Checkpoints, MillionIterationsStayWithinTheBoundWithAUniformLattice) {
  // A checkpoint of the default lesson's size, within the 64 MB budget.
  Trainer t;
  std::string e;
  ASSERT_TRUE(t.configure(default_experiment(), 0, &e)) << e;
  const size_t bytes = CheckpointStore::checkpoint_bytes_for(t);
  CheckpointStore store(bytes, kDefaultCheckpointBudget);
  const int R = store.recent(), L = store.lattice();
  const int64_t slots = static_cast<int64_t>(store.capacity()) - kMaxPinned;
  EXPECT_EQ(R + L, slots) << "the slots the budget allows, minus the pins, are split";
  EXPECT_LE(std::abs(R - L), 1);
  EXPECT_GE(R, 16);
  EXPECT_EQ(CheckpointStore::count_bound(R, L, kCheckpointHorizon),
            static_cast<int64_t>(store.capacity()))
      << "the bound does not grow with the run: 10^9 iterations fit as 10^3 do";
  // The fill only stamps the iteration: the rule decides from the number alone. At several n
  // the store holds exactly what the rule names, 0 included, neighbours at most s(n) apart.
  size_t most = 0;
  const int64_t N = 1'000'000;
  const std::vector<int64_t> looks = {3, L - 1, L, 2 * L + 7, 1000, 12345, 262143, N - 1};
  size_t next_look = 0;
  for (int64_t n = 0; n < N; ++n) {
    store.record(n, false, [](TrainerState&) {});
    most = std::max(most, store.count());
    if (next_look < looks.size() && n == looks[next_look]) {
      ++next_look;
      const std::vector<int64_t> kept = kept_by(store);
      EXPECT_EQ(kept, rule(n, R, L)) << "n = " << n;
      EXPECT_EQ(kept.front(), 0) << "iteration 0 is always there";
      const int64_t s = lattice_spacing(n, L);
      EXPECT_EQ(store.spacing(n), s) << n;
      EXPECT_LE(widest_gap(kept), s) << n;
      EXPECT_LE(s, std::max<int64_t>(1, 2 * n / L)) << "the stated bound on the gap, n = " << n;
      EXPECT_LE(static_cast<int64_t>(kept.size()), std::min<int64_t>(n + 1, R + L)) << n;
    }
  }
  EXPECT_EQ(next_look, looks.size());
  EXPECT_LE(static_cast<int64_t>(most), CheckpointStore::count_bound(R, L, N) - kMaxPinned);
  EXPECT_LE(most * bytes, kDefaultCheckpointBudget);
  std::printf("default lesson: %zu bytes a checkpoint, R = %d, L = %d, at most %zu checkpoints "
              "(%.1f MB) over 10^6 iterations, s(10^6 - 1) = %lld\n",
              bytes, R, L, most, most * bytes / 1e6,
              static_cast<long long>(store.spacing(N - 1)));
  const int64_t n = N - 1;
  const std::vector<int64_t> kept = kept_by(store);
  // Every one of the last R.
  for (int k = 0; k < R; ++k) EXPECT_EQ(kept[kept.size() - 1 - k], n - k);
  // The nearest at or before any iteration is less than s(n) back.
  const int64_t s = lattice_spacing(n, L);
  for (int64_t q : {n, n - 5, n - 100, n - 1000, n - 123456, int64_t{7}}) {
    const Checkpoint* c = store.at_or_before(q);
    ASSERT_NE(c, nullptr);
    EXPECT_LE(c->state.iteration, q);
    EXPECT_LT(q - c->state.iteration, s) << q;
  }
}

TEST(Checkpoints, TheH64LstmReplaysAtMost16AfterAThousand) {
  // Issue 17's benchmark LSTM (samples/adding.json at H 64, T 100, B 32): its checkpoints are
  // ~407 kB, so 64 MB holds ~157; the lattice half then spaces 1000 iterations 16 apart.
  ExperimentConfig c = default_experiment();
  c.model.cell = CellType::Lstm;
  c.model.hidden_size = 64;
  c.task = default_task_spec(TaskKind::Adding);
  c.task.length = 100;
  c.training.batch_size = 32;
  Trainer t;
  std::string e;
  ASSERT_TRUE(t.configure(c, 0, &e)) << e;
  CheckpointStore store(CheckpointStore::checkpoint_bytes_for(t), kDefaultCheckpointBudget);
  for (int64_t n = 0; n < 1000; ++n) store.record(n, false, [](TrainerState&) {});
  const std::vector<int64_t> kept = kept_by(store);
  EXPECT_EQ(kept, rule(999, store.recent(), store.lattice()));
  EXPECT_LE(widest_gap(kept), 16) << "L = " << store.lattice();
  EXPECT_GE(store.recent(), 32);
  std::printf("H 64 LSTM: %zu bytes a checkpoint, %zu slots, R = %d, L = %d, %zu kept after 1000\n",
              store.checkpoint_bytes(), store.capacity(), store.recent(), store.lattice(),
              store.count());
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
  EXPECT_EQ(store.oldest(), 0) << "checkpoint 0 beside the pins";
  EXPECT_LE(static_cast<int64_t>(store.count()),
            CheckpointStore::count_bound(R, store.lattice(), n));
  // Pins only add checkpoints: the store holds what the rule keeps and the pins.
  std::vector<int64_t> want = rule(n - 1, R, store.lattice());
  for (const Checkpoint* c : store.all())
    if (c->pinned) want.push_back(c->state.iteration);
  std::sort(want.begin(), want.end());
  want.erase(std::unique(want.begin(), want.end()), want.end());
  EXPECT_EQ(kept_by(store), want);
  store.record(n++, true, [](TrainerState&) {});
  EXPECT_EQ(store.at_or_before(1001), nullptr) << "the pin at 1001 went, with all before it";
  EXPECT_GT(store.oldest(), 1001);
}

TEST(Checkpoints, InsertedCheckpointsComeUnderTheRuleAtTheNextRecord) {
  // A session kept by another rule (every iteration, say) is loaded, then training goes on.
  CheckpointStore store(1000, 1000 * 200);
  const int R = store.recent(), L = store.lattice();
  for (int64_t j = 0; j < 1000; ++j) {
    Checkpoint c;
    c.state.iteration = j;
    ASSERT_TRUE(store.insert(std::move(c)));
  }
  EXPECT_EQ(store.count(), 1000u);
  store.record(1000, false, [](TrainerState&) {});
  EXPECT_EQ(kept_by(store), rule(1000, R, L));
  EXPECT_LE(static_cast<int64_t>(store.count()), CheckpointStore::count_bound(R, L, 1001));
}

TEST(Checkpoints, AModelTooLargeForTheSplitKeepsTheNewestWithinTheBudget) {
  CheckpointStore store(1000, 1000 * 10);  // 10 slots: fewer than kMaxPinned + 4
  EXPECT_EQ(store.recent(), 2);
  EXPECT_EQ(store.lattice(), 2);
  for (int64_t n = 0; n < 300; ++n) {
    store.record(n, false, [](TrainerState&) {});
    ASSERT_LE(store.count(), 10u) << n;
  }
  EXPECT_EQ(store.oldest(), 0);
  EXPECT_EQ(store.newest(), 299);
  CheckpointStore none(1000, 999);  // one checkpoint is over the budget
  none.record(0, false, [](TrainerState&) {});
  EXPECT_EQ(none.count(), 0u);
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
