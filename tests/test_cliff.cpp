#include <gtest/gtest.h>

#include <cmath>

#include "core/cliff.hpp"

namespace unrolled {
namespace {

TEST(Cliff, GradientMatchesCentralDifferences) {
  const CliffModel m;
  double worst = 0;
  for (double w : {-0.5, 1.0, 3.0, 5.5, 8.0})
    for (double b : {-6.0, -3.0, -1.0, 0.5, 2.0}) {
      const CliffPoint p = cliff_eval(m, w, b);
      const double h = 1e-6;
      const double dw = (cliff_eval(m, w + h, b).loss - cliff_eval(m, w - h, b).loss) / (2 * h);
      const double db = (cliff_eval(m, w, b + h).loss - cliff_eval(m, w, b - h).loss) / (2 * h);
      worst = std::max({worst, std::abs(dw - p.dw) / std::max({std::abs(dw), std::abs(p.dw), 1e-4}),
                        std::abs(db - p.db) / std::max({std::abs(db), std::abs(p.db), 1e-4})});
    }
  std::printf("  cliff gradient: largest relative error %.2e\n", worst);
  EXPECT_LT(worst, 1e-6);
}

TEST(Cliff, LossIsTheRecurrenceWrittenOut) {
  const CliffModel m;
  double x = 0.5;
  for (int t = 0; t < 50; ++t) x = 4.0 / (1 + std::exp(-x)) - 2.0;
  const double s = 1 / (1 + std::exp(-x));
  EXPECT_DOUBLE_EQ(cliff_eval(m, 4.0, -2.0).loss, (s - 0.7) * (s - 0.7));
}

TEST(Cliff, GridHoldsTheLossAtEachPoint) {
  const CliffModel m;
  CliffGrid g;
  g.nw = 11;
  g.nb = 7;
  cliff_grid(m, g);
  ASSERT_EQ(g.loss.rows(), 7);
  ASSERT_EQ(g.loss.cols(), 11);
  EXPECT_EQ(g.loss(3, 5), cliff_eval(m, g.w_min + 5 * (g.w_max - g.w_min) / 10,
                                     g.b_min + 3 * (g.b_max - g.b_min) / 6)
                              .loss);
}

// The cliff face along a line of constant w: where x_T switches between the recurrence's two
// stable fixed points. Found by bisection, since the face is far thinner than any grid.
double cliff_face_b(const CliffModel& m, double w, double b_lo, double b_hi) {
  auto high = [&](double b) {
    double x = m.x0;
    for (int t = 0; t < m.steps; ++t) x = w / (1 + std::exp(-x)) + b;
    return x > w / 2 + b;
  };
  EXPECT_NE(high(b_lo), high(b_hi));
  for (int k = 0; k < 80; ++k) {
    const double mid = 0.5 * (b_lo + b_hi);
    (high(mid) == high(b_lo) ? b_lo : b_hi) = mid;
  }
  return 0.5 * (b_lo + b_hi);
}

TEST(Cliff, TheSurfaceHasACliffWhereTheGradientExplodes) {
  const CliffModel m;
  CliffGrid g;
  cliff_grid(m, g);
  // On the grid: neighbouring points whose losses differ by a large step.
  double largest_jump = 0;
  for (int i = 0; i < g.nw; ++i)
    for (int j = 1; j < g.nb; ++j)
      largest_jump = std::max(largest_jump, std::abs(g.loss(j, i) - g.loss(j - 1, i)));
  // Near the face: the gradient grows without bound as the face is approached.
  const double b_face = cliff_face_b(m, 5.0, -5.0, 0.0);
  const double near =
      std::hypot(cliff_eval(m, 5.0, b_face + 1e-9).dw, cliff_eval(m, 5.0, b_face + 1e-9).db);
  const double away =
      std::hypot(cliff_eval(m, 5.0, b_face + 0.5).dw, cliff_eval(m, 5.0, b_face + 0.5).db);
  std::printf(
      "  largest loss step between grid neighbours %.3f; gradient norm 1e-9 from the face %.3g, "
      "0.5 away %.3g\n",
      largest_jump, near, away);
  EXPECT_GT(largest_jump, 0.1);
  EXPECT_GT(near, 1e3);
  EXPECT_GT(near, 1e4 * away);
  EXPECT_LT(away, 1.0);
}

TEST(Cliff, ClippingBoundsEveryStepAndKeepsThePathNearby) {
  const CliffModel m;
  const double w0 = 5.0, b0 = cliff_face_b(m, w0, -5.0, 0.0) + 1e-6;  // on the cliff face
  const double lr = 0.5, threshold = 1.0;
  const auto clipped = cliff_descent(m, w0, b0, lr, 30, threshold);
  const auto plain = cliff_descent(m, w0, b0, lr, 30, 0);
  ASSERT_GE(clipped.size(), 2u);
  ASSERT_GE(plain.size(), 2u);
  for (size_t k = 1; k < clipped.size(); ++k)
    EXPECT_LE(std::hypot(clipped[k].w - clipped[k - 1].w, clipped[k].b - clipped[k - 1].b),
              lr * threshold + 1e-12);
  const double jump_plain = std::hypot(plain[1].w - plain[0].w, plain[1].b - plain[0].b);
  std::printf("  first step from the cliff face: %.3g unclipped, %.3g clipped\n", jump_plain,
              std::hypot(clipped[1].w - clipped[0].w, clipped[1].b - clipped[0].b));
  EXPECT_GT(jump_plain, 100 * lr * threshold);  // the unclipped step is thrown off the map
}

}  // namespace
}  // namespace unrolled
