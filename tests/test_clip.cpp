// Clipping by global norm and by value, the record it returns, and non-finite gradients.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/clip.hpp"
#include "core/rng.hpp"

namespace unrolled {
namespace {

// LSTM, I = 2, H = 3, O = 2, two layers: 8 tensors of different sizes.
Params gradient_with_norm(double norm, uint64_t seed = 7) {
  NetworkSpec spec;
  spec.input_size = 2;
  spec.hidden_size = 3;
  spec.output_size = 2;
  spec.num_layers = 2;
  Params g = make_params(spec);
  Rng rng(seed);
  for (auto& t : g.tensors())
    for (Eigen::Index i = 0; i < t.size(); ++i) t.data[i] = rng.normal();
  const double s = norm / std::sqrt(g.squared_norm());
  for (auto& t : g.tensors()) t.array() *= s;
  return g;
}

double max_abs_diff(const Params& a, const Params& b) {
  const auto ta = a.tensors(), tb = b.tensors();
  double m = 0;
  for (size_t k = 0; k < ta.size(); ++k)
    m = std::max(m, (ta[k].array() - tb[k].array()).abs().maxCoeff());
  return m;
}

TEST(Clip, NamesRoundTrip) {
  for (auto m : {ClipMode::None, ClipMode::Norm, ClipMode::Value}) {
    ClipMode back{};
    ASSERT_TRUE(parse(to_string(m), back));
    EXPECT_EQ(back, m);
  }
  ClipMode m{};
  EXPECT_FALSE(parse("global", m));
  EXPECT_EQ(allowed_names(ClipMode{}), "none|norm|value");
}

TEST(Clip, ByNormScalesToTheThresholdAndKeepsTheDirection) {
  Params g = gradient_with_norm(10.0);
  const Params before = g;
  ClipRecord r = clip(g, {ClipMode::Norm, 1.0});
  EXPECT_TRUE(r.clipped);
  EXPECT_NEAR(r.global_norm_before, 10.0, 1e-12);
  EXPECT_NEAR(r.global_norm_after, 1.0, 1e-12);
  EXPECT_NEAR(std::sqrt(g.squared_norm()), 1.0, 1e-12);
  EXPECT_NEAR(r.scale, 0.1, 1e-15);
  // Same direction: every component scaled by the same 1/10, in every tensor.
  const auto tb = before.tensors(), ta = g.tensors();
  for (size_t k = 0; k < ta.size(); ++k) {
    EXPECT_LT((ta[k].array() - 0.1 * tb[k].array()).abs().maxCoeff(), 1e-15) << ta[k].name;
    EXPECT_NEAR(r.tensor_norm_after[k], 0.1 * r.tensor_norm_before[k], 1e-15) << ta[k].name;
  }
}

TEST(Clip, BelowTheThresholdNothingChanges) {
  for (auto mode : {ClipMode::Norm, ClipMode::Value, ClipMode::None}) {
    Params g = gradient_with_norm(0.5);
    const Params before = g;
    ClipRecord r = clip(g, {mode, 1.0});  // |g_i| <= ||g|| = 0.5 < 1: neither mode fires
    EXPECT_FALSE(r.clipped) << to_string(mode);
    EXPECT_EQ(max_abs_diff(g, before), 0.0) << to_string(mode);
    EXPECT_EQ(r.scale, 1.0);
    EXPECT_EQ(r.clamped, 0);
    EXPECT_EQ(r.global_norm_after, r.global_norm_before);
    EXPECT_EQ(r.tensor_norm_after, r.tensor_norm_before);
  }
  // None never clips, however large the gradient.
  Params g = gradient_with_norm(1e6);
  const Params before = g;
  ClipRecord r = clip(g, {ClipMode::None, 1.0});
  EXPECT_FALSE(r.clipped);
  EXPECT_NEAR(r.global_norm_before, 1e6, 1e-6);
  EXPECT_EQ(max_abs_diff(g, before), 0.0);
}

TEST(Clip, ByValueClampsExactly) {
  Params g = gradient_with_norm(1.0);
  g.b_y << 7.0, -0.5;
  g.W_y << 5.0, -9.0, 3.0, -5.0, 0.25, 5.0000001;  // (O=2, H=3), column-major
  g.layers[0].b.setConstant(-1e9);                 // 12 components
  ClipRecord r = clip(g, {ClipMode::Value, 5.0});
  EXPECT_TRUE(r.clipped);
  EXPECT_EQ(r.clamped, 1 + 2 + 12);  // 7, -9, 5.0000001, and layers.0.b
  EXPECT_EQ(g.b_y(0), 5.0);
  EXPECT_EQ(g.b_y(1), -0.5);
  Eigen::Matrix<double, 2, 3> expect;
  expect << 5.0, -5.0, 3.0, -5.0, 0.25, 5.0;
  EXPECT_EQ(g.W_y, expect);
  EXPECT_TRUE((g.layers[0].b.array() == -5.0).all());
  EXPECT_NEAR(r.global_norm_after, std::sqrt(g.squared_norm()), 1e-12);
  EXPECT_GT(r.global_norm_before, 1e9);
}

TEST(Clip, RecordsEveryTensorsNorm) {
  Params g = gradient_with_norm(10.0);
  const auto t = g.tensors();
  std::vector<double> expect;
  double sum_sq = 0;
  for (const auto& x : t) {
    expect.push_back(std::sqrt(x.array().square().sum()));
    sum_sq += expect.back() * expect.back();
  }
  ClipRecord r = clip(g, {ClipMode::Norm, 2.0});
  ASSERT_EQ(r.tensor_norm_before.size(), t.size());
  ASSERT_EQ(r.tensor_norm_after.size(), t.size());
  for (size_t k = 0; k < t.size(); ++k) {
    EXPECT_NEAR(r.tensor_norm_before[k], expect[k], 1e-12) << t[k].name;
    EXPECT_NEAR(r.tensor_norm_after[k], 0.2 * expect[k], 1e-12) << t[k].name;
  }
  EXPECT_NEAR(r.global_norm_before, std::sqrt(sum_sq), 1e-12);
}

TEST(Clip, HugeFiniteGradientsStillClip) {
  // Squares of 1e200 overflow; the scaled norm does not, so clipping still rescues the step.
  Params g = gradient_with_norm(1.0);
  for (auto& t : g.tensors()) t.array() *= 1e200;
  ClipRecord r = clip(g, {ClipMode::Norm, 1.0});
  EXPECT_TRUE(std::isfinite(r.global_norm_before));
  EXPECT_NEAR(r.global_norm_before / 1e200, 1.0, 1e-12);
  EXPECT_TRUE(r.clipped);
  EXPECT_NEAR(std::sqrt(g.squared_norm()), 1.0, 1e-12);
}

TEST(Clip, NonFiniteGradientsAreReportedNotHidden) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (auto mode : {ClipMode::None, ClipMode::Norm, ClipMode::Value}) {
    Params g = gradient_with_norm(10.0);
    g.layers[1].W_h(2, 1) = nan;
    ClipRecord r;
    ASSERT_NO_THROW(r = clip(g, {mode, 1.0})) << to_string(mode);
    EXPECT_TRUE(std::isnan(r.global_norm_before)) << to_string(mode);
    EXPECT_TRUE(std::isnan(g.layers[1].W_h(2, 1))) << "NaN must survive clipping";
    const auto t = g.tensors();
    for (size_t k = 0; k < t.size(); ++k)  // only layers.1.W_h is non-finite
      EXPECT_EQ(std::isfinite(r.tensor_norm_before[k]), t[k].name != "layers.1.W_h") << t[k].name;
    EXPECT_FALSE(std::isfinite(r.global_norm_after)) << to_string(mode);
    if (mode == ClipMode::Norm) {
      EXPECT_FALSE(r.clipped);
    }
  }
  // Inf: norm mode leaves the gradient as it is (no zeros or NaNs appear), and says so.
  Params g = gradient_with_norm(10.0);
  g.b_y(1) = -inf;
  const double w = g.W_y(0, 0);
  ClipRecord r = clip(g, {ClipMode::Norm, 1.0});
  EXPECT_TRUE(std::isinf(r.global_norm_before));
  EXPECT_FALSE(r.clipped);
  EXPECT_EQ(g.W_y(0, 0), w);
  EXPECT_EQ(g.b_y(1), -inf);
  // Value mode clamps Inf like np.clip; the record keeps the Inf norm from before.
  r = clip(g, {ClipMode::Value, 5.0});
  EXPECT_EQ(g.b_y(1), -5.0);
  EXPECT_TRUE(std::isinf(r.global_norm_before));
  EXPECT_TRUE(std::isfinite(r.global_norm_after));
}

TEST(Clip, BadThresholdIsRejectedWithItsName) {
  Params g = gradient_with_norm(1.0);
  EXPECT_THROW(clip(g, {ClipMode::Norm, 0.0}), std::invalid_argument);
  EXPECT_NE(validate(ClipSettings{ClipMode::Value, -1.0}).find("clip.threshold"),
            std::string::npos);
  EXPECT_EQ(validate(ClipSettings{ClipMode::None, 0.0}), "");
  EXPECT_EQ(validate(ClipSettings{}), "");
}

}  // namespace
}  // namespace unrolled
