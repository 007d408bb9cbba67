// The bounded history: the recent ring, the downsampled overview of everything, profiles with
// changing lengths, and a million iterations in fixed memory.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

#include "core/history.hpp"

namespace unrolled {
namespace {

IterationRecord record(int64_t i) {
  IterationRecord r;
  r.iteration = i;
  r.loss = 2.0 / (1.0 + 1e-4 * i) + 0.1 * std::sin(0.37 * i);
  r.baseline = 1.0;
  r.grad_norm_before = 1.0 + (i % 7);
  r.grad_norm_after = std::min(r.grad_norm_before, 5.0);
  r.learning_rate = 1e-3;
  r.clipped = r.grad_norm_before > 5.0;  // i % 7 in {5, 6}: 2 of 7
  return r;
}

// Every scalar of Field summed with its bucket's count (the overview's weighted mean).
double weighted_mean(const History& h, Field f) {
  const Series v = h.overview(f), n = h.overview(Field::Count);
  double s = 0, c = 0;
  for (int i = 0; i < v.count; ++i) {
    s += v[i] * n[i];
    c += n[i];
  }
  return s / c;
}

TEST(History, AMillionIterationsInFixedMemoryDownsampledNeverDropped) {
  constexpr int64_t N = 1'000'000;
  constexpr int D = 50;
  // Budget with the defaults (C 2048, R 256, D 2000): 10,676,224 bytes of buffers + the object.
  constexpr size_t kBudget = 11'000'000;
  History h;
  const size_t bytes_before = h.memory_bytes();
  EXPECT_LT(bytes_before, kBudget);
  EXPECT_GE(bytes_before, 10'676'224u);

  IterationRecord r;
  r.profile.resize(D);
  double loss_sum = 0, profile0_sum = 0, profile49_sum = 0, grad_sum = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < N; ++i) {
    IterationRecord s = record(i);
    r.iteration = i;
    r.loss = s.loss;
    r.grad_norm_before = s.grad_norm_before;
    r.clipped = s.clipped;
    for (int d = 0; d < D; ++d)
      r.profile[d] = std::exp(-0.1 * d) * (1.0 + 0.5 * std::sin(1e-3 * i));
    if (i == 500'000) r.loss = 1e3;  // one spike
    h.append(r);
    loss_sum += r.loss;
    grad_sum += r.grad_norm_before;
    profile0_sum += r.profile[0];
    profile49_sum += r.profile[D - 1];
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("[          ] 1e6 appends: %.3f s, memory_bytes() = %zu\n", seconds,
              h.memory_bytes());

  EXPECT_EQ(h.memory_bytes(), bytes_before) << "append() must not grow any buffer";
  EXPECT_EQ(h.appended(), N);

  // The overview spans 0 .. N-1, in at most C buckets of a power-of-two width, all full but the
  // last, and counts add up to N: nothing dropped.
  const Series first = h.overview(Field::IterationFirst), last = h.overview(Field::IterationLast);
  const Series count = h.overview(Field::Count);
  ASSERT_GT(first.count, h.capacity() / 2);
  ASSERT_LE(first.count, h.capacity());
  EXPECT_EQ(first[0], 0.0);
  EXPECT_EQ(last[last.count - 1], N - 1.0);
  const int64_t w = h.overview_bucket_width();
  EXPECT_EQ(w & (w - 1), 0);
  double total = 0;
  for (int i = 0; i < count.count; ++i) {
    total += count[i];
    if (i + 1 < count.count) {
      ASSERT_EQ(count[i], static_cast<double>(w)) << i;
      ASSERT_EQ(last[i] + 1, first[i + 1]) << "buckets are consecutive";
    }
  }
  EXPECT_EQ(total, static_cast<double>(N));

  // Means survive downsampling exactly (to rounding).
  EXPECT_NEAR(weighted_mean(h, Field::Loss), loss_sum / N, 1e-9 * loss_sum / N);
  EXPECT_NEAR(weighted_mean(h, Field::GradNormBefore), grad_sum / N, 1e-9 * grad_sum / N);
  EXPECT_NEAR(weighted_mean(h, Field::Clipped), 2.0 / 7.0, 1e-5);
  EXPECT_NEAR(weighted_mean(h, Field::Iteration), (N - 1) / 2.0, 1e-9 * N);

  // The spike is averaged away in Loss but kept in LossMax, in the bucket that holds it.
  const Series mx = h.overview(Field::LossMax), loss = h.overview(Field::Loss);
  int spike = -1;
  for (int i = 0; i < mx.count; ++i)
    if (mx[i] == 1e3) spike = i;
  ASSERT_GE(spike, 0);
  EXPECT_LE(first[spike], 500'000.0);
  EXPECT_GE(last[spike], 500'000.0);
  EXPECT_LT(loss[spike], 1e3 / w + 3.0);

  // Profiles: same bounds; the per-distance means are the true means.
  const ProfileView pv = h.overview_profiles();
  EXPECT_EQ(pv.cols, D);
  ASSERT_GT(pv.rows, h.profile_rows() / 2);
  ASSERT_LE(pv.rows, h.profile_rows());
  EXPECT_EQ(pv.iteration_first[0], 0.0);
  EXPECT_EQ(pv.iteration_last[pv.rows - 1], N - 1.0);
  double m0 = 0, m49 = 0, pc = 0;
  for (int r = 0; r < pv.rows; ++r) {
    m0 += pv.data[r * pv.cols + 0] * pv.count[r];
    m49 += pv.data[r * pv.cols + D - 1] * pv.count[r];
    pc += pv.count[r];
  }
  EXPECT_EQ(pc, static_cast<double>(N));
  EXPECT_NEAR(m0 / pc, profile0_sum / N, 1e-9 * profile0_sum / N);
  EXPECT_NEAR(m49 / pc, profile49_sum / N, 1e-9 * profile49_sum / N);
}

TEST(History, RecentRingReturnsTheLastIterationsInOrder) {
  History h(8, 4, 10);
  for (int64_t i = 0; i < 5; ++i) h.append(record(i));
  Series s = h.recent(Field::Iteration);
  ASSERT_EQ(s.count, 5);
  EXPECT_EQ(s.offset, 0);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(s[i], i);

  for (int64_t i = 5; i < 21; ++i) h.append(record(i));
  s = h.recent(Field::Iteration);
  ASSERT_EQ(s.count, 8);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(s[i], 13 + i) << i;  // 13 .. 20
  const Series loss = h.recent(Field::Loss);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(loss[i], record(13 + i).loss);
  // The raw data pointer plus offset, as a plot reads it (wrap at count).
  EXPECT_EQ(s.data[s.offset], 13.0);
  EXPECT_EQ(s.data[(s.offset + 7) % s.count], 20.0);
}

TEST(History, ClipFractionIsOverTheRecentIterations) {
  History h(100, 4, 10);
  EXPECT_EQ(h.clip_fraction(), 0.0);
  IterationRecord r;
  for (int i = 0; i < 40; ++i) {
    r.iteration = i;
    r.clipped = true;  // all clipped, then pushed out of the ring below
    h.append(r);
  }
  EXPECT_EQ(h.clip_fraction(), 1.0);
  for (int i = 40; i < 240; ++i) {
    r.iteration = i;
    r.clipped = i % 4 == 0;
    h.append(r);
  }
  EXPECT_DOUBLE_EQ(h.clip_fraction(), 0.25);
  // In the overview, Clipped is a per-bucket fraction: (40 + 50) of 240 overall.
  EXPECT_NEAR(weighted_mean(h, Field::Clipped), 90.0 / 240.0, 1e-12);
}

TEST(History, OverviewBucketsMergeInPairsWithMinMaxAndMeans) {
  History h(4, 2, 4);
  const double losses[] = {4, 2, 6, 8, 1, 3};
  for (int i = 0; i < 6; ++i) {
    IterationRecord r;
    r.iteration = 10 + i;
    r.loss = losses[i];
    r.clipped = i == 2;
    h.append(r);
  }
  // 4 points of width 1 filled, then merged into 2 of width 2 and extended: {4,2} {6,8} {1,3}.
  EXPECT_EQ(h.overview_bucket_width(), 2);
  const Series loss = h.overview(Field::Loss), lo = h.overview(Field::LossMin),
               hi = h.overview(Field::LossMax), it = h.overview(Field::Iteration),
               clipped = h.overview(Field::Clipped);
  ASSERT_EQ(loss.count, 3);
  EXPECT_EQ(loss[0], 3.0);
  EXPECT_EQ(loss[1], 7.0);
  EXPECT_EQ(loss[2], 2.0);
  EXPECT_EQ(lo[1], 6.0);
  EXPECT_EQ(hi[1], 8.0);
  EXPECT_EQ(hi[2], 3.0);
  EXPECT_EQ(it[0], 10.5);
  EXPECT_EQ(clipped[1], 0.5);
  EXPECT_EQ(clipped[0], 0.0);
  EXPECT_TRUE(std::isnan(h.overview(Field::Accuracy)[0])) << "n/a stays n/a";
}

TEST(History, ProfilesOfDifferentLengthsAverageEachDistanceOverWhoHasIt) {
  History h(16, 2, 6);
  IterationRecord r;
  r.profile = {1, 1};
  r.iteration = 0;
  h.append(r);
  r.profile = {3, 3, 3, 3};
  r.iteration = 1;
  h.append(r);
  // Ring: row 0 is padded with NaN beyond its length, in the new width.
  ProfileView ring = h.recent_profiles();
  ASSERT_EQ(ring.rows, 2);
  ASSERT_EQ(ring.cols, 4);
  EXPECT_EQ(ring.data[0], 1.0);
  EXPECT_EQ(ring.data[1], 1.0);
  EXPECT_TRUE(std::isnan(ring.data[2]));
  EXPECT_TRUE(std::isnan(ring.data[3]));
  EXPECT_EQ(ring.data[4 + 3], 3.0);

  r.profile = {5, 5, 5, 5, 5, 5, 5, 5};  // longer than D = 6: distances 0..5 kept
  r.iteration = 2;
  h.append(r);
  // Overview: rows {0,1} merged into one bucket, then {2} started a new one.
  ProfileView ov = h.overview_profiles();
  ASSERT_EQ(ov.cols, 6);
  ASSERT_EQ(ov.rows, 2);
  EXPECT_EQ(h.profile_bucket_width(), 2);
  const double* row0 = ov.data;
  EXPECT_EQ(row0[0], 2.0);  // (1 + 3) / 2
  EXPECT_EQ(row0[1], 2.0);
  EXPECT_EQ(row0[2], 3.0);  // only iteration 1 reached distance 2
  EXPECT_EQ(row0[3], 3.0);
  EXPECT_TRUE(std::isnan(row0[4]));
  EXPECT_EQ(ov.count[0], 2.0);
  EXPECT_EQ(ov.iteration_first[0], 0.0);
  EXPECT_EQ(ov.iteration_last[0], 1.0);

  r.profile = {7, 7};
  r.iteration = 3;
  h.append(r);  // joins bucket {2}: distances 0,1 average 5 and 7; 2..5 keep 5
  // Next append compacts the two buckets into one of width 4.
  r.profile = {9};
  r.iteration = 4;
  h.append(r);
  ov = h.overview_profiles();
  ASSERT_EQ(ov.rows, 2);
  EXPECT_EQ(h.profile_bucket_width(), 4);
  // Row 0 holds iterations 0..3: d0 = (1+3+5+7)/4, d2 = (3+5)/2, d4 = 5.
  EXPECT_DOUBLE_EQ(ov.data[0], 4.0);
  EXPECT_DOUBLE_EQ(ov.data[2], 4.0);
  EXPECT_DOUBLE_EQ(ov.data[4], 5.0);
  EXPECT_DOUBLE_EQ(ov.data[5], 5.0);
  EXPECT_EQ(ov.count[0], 4.0);
  EXPECT_EQ(ov.data[6 + 0], 9.0);
  EXPECT_TRUE(std::isnan(ov.data[6 + 1]));
  EXPECT_EQ(ov.iteration_first[1], 4.0);

  // An empty profile adds scalars but no profile row.
  r.profile.clear();
  r.iteration = 5;
  h.append(r);
  EXPECT_EQ(h.recent(Field::Iteration).count, 6);
  EXPECT_EQ(h.overview_profiles().count[1], 1.0);
  // Ring of 2 profile rows: the oldest is at offset.
  ring = h.recent_profiles();
  ASSERT_EQ(ring.rows, 2);
  EXPECT_EQ(ring.iteration_first[ring.offset], 3.0);
  EXPECT_EQ(ring.iteration_first[(ring.offset + 1) % 2], 4.0);
  EXPECT_EQ(ring.data[ring.offset * ring.cols + 1], 7.0);
  for (int d = 2; d < ring.cols; ++d)  // the slot held {3,3,3,3} before: no leftovers
    EXPECT_TRUE(std::isnan(ring.data[ring.offset * ring.cols + d])) << d;
}

TEST(History, ClearForgetsAndCopyFromCopiesWithoutAllocating) {
  History h(8, 4, 10), snap(8, 4, 10);
  IterationRecord r;
  r.profile = {1, 2, 3};
  for (int i = 0; i < 50; ++i) {
    r.iteration = i;
    r.loss = i;
    h.append(r);
  }
  const size_t bytes = snap.memory_bytes();
  snap.copy_from(h);
  EXPECT_EQ(snap.memory_bytes(), bytes);
  EXPECT_EQ(snap.appended(), 50);
  for (Field f : {Field::Loss, Field::Count, Field::IterationLast}) {
    const Series a = h.overview(f), b = snap.overview(f);
    ASSERT_EQ(a.count, b.count);
    for (int i = 0; i < a.count; ++i) EXPECT_EQ(a[i], b[i]);
    const Series ra = h.recent(f), rb = snap.recent(f);
    ASSERT_EQ(ra.count, rb.count);
    for (int i = 0; i < ra.count; ++i) EXPECT_EQ(ra[i], rb[i]);
  }
  const ProfileView pa = h.overview_profiles(), pb = snap.overview_profiles();
  ASSERT_EQ(pa.rows * pa.cols, pb.rows * pb.cols);
  for (int i = 0; i < pa.rows * pa.cols; ++i) EXPECT_EQ(pa.data[i], pb.data[i]);
  // The copy goes on independently.
  r.iteration = 50;
  snap.append(r);
  EXPECT_EQ(h.appended(), 50);

  h.clear();
  EXPECT_EQ(h.appended(), 0);
  EXPECT_EQ(h.recent(Field::Loss).count, 0);
  EXPECT_EQ(h.overview(Field::Loss).count, 0);
  EXPECT_EQ(h.overview_profiles().rows, 0);
  EXPECT_EQ(h.overview_bucket_width(), 1);
  h.append(record(7));
  EXPECT_EQ(h.overview(Field::Iteration)[0], 7.0);
  EXPECT_EQ(to_string(Field::GradNormBefore), "grad_norm_before");
}

TEST(History, RejectsCapacitiesThatCannotMergeInPairs) {
  EXPECT_THROW(History(7), std::invalid_argument);
  EXPECT_THROW(History(0), std::invalid_argument);
  EXPECT_THROW(History(8, 3), std::invalid_argument);
  EXPECT_THROW(History(8, 4, 0), std::invalid_argument);
}

}  // namespace
}  // namespace unrolled
