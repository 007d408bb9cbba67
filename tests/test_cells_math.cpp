// The cells' vectorised tanh and sigmoid (core/cell_math.hpp) against the library and the exact
// values: error over a dense range, saturation far out, NaN, and the same bits in every lane.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <vector>

#include "core/cell_math.hpp"

namespace unrolled {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// -40..40 every 1e-4, the ends of the range (±40, ±710, ±1000, ±inf) and the numbers around the
// series / exp switch at |a| = 0.25, 0 and the subnormals.
std::vector<double> dense_inputs() {
  std::vector<double> a;
  for (int k = -400000; k <= 400000; ++k) a.push_back(k * 1e-4);
  for (double v : {40.0, 709.0, 709.78, 710.0, 711.0, 1000.0, 1e300, kInf, 0.25, 1e-3, 1e-8, 1e-300,
                   4.9e-324, 0.0}) {
    a.push_back(v);
    a.push_back(-v);
  }
  for (int k = -1000; k <= 1000; ++k) {
    a.push_back(std::nextafter(0.25, 1.0) + k * 1e-17);
    a.push_back(-0.25 + k * 1e-17);
  }
  return a;
}

long double exact_sigmoid(double a) {
  return 1.0L / (1.0L + std::exp(-static_cast<long double>(a)));
}

struct Errors {
  double abs = 0, rel = 0;  // rel only where |exact| >= 1e-300 (not subnormal)
  void add(double got, long double want) {
    const long double d = std::fabs(static_cast<long double>(got) - want);
    abs = std::max(abs, static_cast<double>(d));
    if (std::fabs(want) >= 1e-300L) rel = std::max(rel, static_cast<double>(d / std::fabs(want)));
  }
};

TEST(CellsMath, TanhMatchesStdTanhOverADenseRange) {
  const std::vector<double> a = dense_inputs();
  std::vector<double> y(a.size());
  simd::tanh(a.data(), y.data(), static_cast<Eigen::Index>(a.size()));
  Errors e;
  for (size_t k = 0; k < a.size(); ++k) {
    e.add(y[k], std::tanh(static_cast<long double>(a[k])));
    ASSERT_LE(std::fabs(y[k]), 1.0) << "a=" << a[k];
  }
  std::printf("  tanh: max abs error %.3e, max rel error %.3e (vs long double)\n", e.abs, e.rel);
  EXPECT_LE(e.abs, 2.5e-16);  // measured 1.7e-16 (AVX-512): about 1.5 ulp next to ±1
  EXPECT_LE(e.rel, 6e-16);    // measured 3.4e-16: the series keeps small |a| accurate too
  // And against what the cells used before (glibc's double tanh, itself within an ulp).
  double worst = 0;
  for (size_t k = 0; k < a.size(); ++k) worst = std::max(worst, std::fabs(y[k] - std::tanh(a[k])));
  std::printf("  tanh: max abs difference from std::tanh %.3e\n", worst);
  EXPECT_LE(worst, 4.5e-16);
}

TEST(CellsMath, TanhSaturatesExactlyAndKeepsSignAndZero) {
  const std::vector<double> a = {40.0, -40.0, 710.0, -710.0, 1e300, -1e300, kInf, -kInf, 0.0};
  std::vector<double> y(a.size());
  simd::tanh(a.data(), y.data(), static_cast<Eigen::Index>(a.size()));
  for (size_t k = 0; k + 1 < a.size(); ++k) EXPECT_EQ(y[k], a[k] > 0 ? 1.0 : -1.0) << a[k];
  EXPECT_EQ(y.back(), 0.0);
}

TEST(CellsMath, SigmoidMatchesTheExactValueOverADenseRange) {
  const std::vector<double> a = dense_inputs();
  std::vector<double> y(a.size());
  simd::sigmoid(a.data(), y.data(), static_cast<Eigen::Index>(a.size()));
  Errors e;
  for (size_t k = 0; k < a.size(); ++k) {
    e.add(y[k], exact_sigmoid(a[k]));
    ASSERT_GE(y[k], 0.0) << "a=" << a[k];
    ASSERT_LE(y[k], 1.0) << "a=" << a[k];
  }
  std::printf("  sigmoid: max abs error %.3e, max rel error %.3e (vs long double)\n", e.abs, e.rel);
  EXPECT_LE(e.abs, 2.5e-16);  // measured 1.7e-16 (AVX-512)
  EXPECT_LE(e.rel, 6e-16);    // measured 3.1e-16
}

TEST(CellsMath, SigmoidSaturatesExactly) {
  // The LSTM highway test relies on σ(-1000) = 0 and σ(1000) = 1 exactly.
  const std::vector<double> a = {710.0, 1000.0, kInf, -710.0, -1000.0, -kInf};
  std::vector<double> y(a.size());
  simd::sigmoid(a.data(), y.data(), static_cast<Eigen::Index>(a.size()));
  for (size_t k = 0; k < 3; ++k) EXPECT_EQ(y[k], 1.0) << a[k];
  for (size_t k = 3; k < 6; ++k) EXPECT_EQ(y[k], 0.0) << a[k];
}

TEST(CellsMath, NaNStaysNaN) {
  for (Eigen::Index n = 1; n <= 2 * simd::kLanes + 1; ++n) {
    std::vector<double> a(n, 0.5), t(n), s(n);
    a[n - 1] = kNaN;
    a[0] = -kNaN;
    simd::tanh(a.data(), t.data(), n);
    simd::sigmoid(a.data(), s.data(), n);
    EXPECT_TRUE(std::isnan(t[0]) && std::isnan(t[n - 1])) << "n=" << n;
    EXPECT_TRUE(std::isnan(s[0]) && std::isnan(s[n - 1])) << "n=" << n;
    for (Eigen::Index k = 1; k + 1 < n; ++k) {
      EXPECT_FALSE(std::isnan(t[k]) || std::isnan(s[k])) << "a NaN leaked into lane " << k;
    }
  }
}

TEST(CellsMath, EveryLaneAndTheTailGiveTheSameBits) {
  // The same value at every position of arrays of every length up to three packets: the full
  // packets and the zero-padded tail must agree bit for bit (the cells rely on it: H need not be a
  // multiple of the packet width).
  for (double v : {-3.7, -0.2, 1e-5, 0.24999, 0.9, 19.0}) {
    const std::vector<double> ref_in(1, v);
    double t_ref, s_ref;
    simd::tanh(ref_in.data(), &t_ref, 1);
    simd::sigmoid(ref_in.data(), &s_ref, 1);
    for (Eigen::Index n = 1; n <= 3 * simd::kLanes; ++n) {
      std::vector<double> a(n, v), t(n), s(n);
      simd::tanh(a.data(), t.data(), n);
      simd::sigmoid(a.data(), s.data(), n);
      for (Eigen::Index k = 0; k < n; ++k) {
        ASSERT_EQ(t[k], t_ref) << "v=" << v << " n=" << n << " k=" << k;
        ASSERT_EQ(s[k], s_ref) << "v=" << v << " n=" << n << " k=" << k;
      }
    }
  }
}

TEST(CellsMath, SigmoidIsBitIdenticalToTheEigenExpressionItReplaces) {
  std::vector<double> a;
  for (int k = -20000; k <= 20000; ++k) a.push_back(k * 1.7e-3);
  const Eigen::Map<const Eigen::ArrayXd> in(a.data(), static_cast<Eigen::Index>(a.size()));
  const Eigen::ArrayXd want = (1.0 + (-in).exp()).inverse();
  std::vector<double> y(a.size());
  simd::sigmoid(a.data(), y.data(), static_cast<Eigen::Index>(a.size()));
  for (size_t k = 0; k < a.size(); ++k) ASSERT_EQ(y[k], want(k)) << "a=" << a[k];
}

// The float32 engine's tanh and sigmoid (float packets): error against the exact value in float
// ulps (float's ulp at y: 2^(exponent(y) - 23)), saturation, NaN and every lane the same.
TEST(CellsMath, FloatTanhAndSigmoidAreWithinAFewFloatUlps) {
  std::vector<float> a;
  for (int k = -200000; k <= 200000; ++k) a.push_back(static_cast<float>(k * 1e-4));
  for (float v : {1e-3f, 1e-8f, 1e-30f, 50.0f, 88.0f, 89.0f, 200.0f, 1e30f}) {
    a.push_back(v);
    a.push_back(-v);
  }
  const auto n = static_cast<Eigen::Index>(a.size());
  std::vector<float> t(a.size()), s(a.size());
  simd::tanh(a.data(), t.data(), n);
  simd::sigmoid(a.data(), s.data(), n);
  auto ulps = [](float got, long double want) {
    // float's ulp at |want|, and at least the smallest normal float's (|want| 0 or subnormal)
    const float at =
        std::max(std::fabs(static_cast<float>(want)), std::numeric_limits<float>::min());
    const long double ulp = std::ldexp(1.0L, std::ilogb(at) - 23);
    return std::fabs(static_cast<long double>(got) - want) / ulp;
  };
  long double worst_t = 0, worst_s = 0;
  for (size_t k = 0; k < a.size(); ++k) {
    ASSERT_LE(std::fabs(t[k]), 1.0f) << "a=" << a[k];
    ASSERT_GE(s[k], 0.0f) << "a=" << a[k];
    ASSERT_LE(s[k], 1.0f) << "a=" << a[k];
    worst_t = std::max(worst_t, ulps(t[k], std::tanh(static_cast<long double>(a[k]))));
    // sigmoid's exact value below 1e-38 is subnormal in float: compare in absolute terms there.
    const long double want_s = 1.0L / (1.0L + std::exp(-static_cast<long double>(a[k])));
    if (want_s > 1e-37L) worst_s = std::max(worst_s, ulps(s[k], want_s));
  }
  std::printf("  float tanh: max error %.2Lf ulp; float sigmoid: max error %.2Lf ulp\n", worst_t,
              worst_s);
  // Eigen's rational tanh for float: measured 4.3 ulp with AVX-512 (fused multiply-adds), 5.45
  // in the portable SSE2 build (separate multiplies and adds: one more rounding per term).
  EXPECT_LE(worst_t, 6);
  EXPECT_LE(worst_s, 4);              // measured 3.1: exp, 1 +, 1 / (...)
  EXPECT_EQ(t[a.size() - 2], 1.0f);   // tanh(1e30)
  EXPECT_EQ(t[a.size() - 1], -1.0f);  // tanh(-1e30)
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> in(simd::kLanesT<float> + 3, 0.5f), out_t(in.size()), out_s(in.size());
  in[1] = nan;
  simd::tanh(in.data(), out_t.data(), static_cast<Eigen::Index>(in.size()));
  simd::sigmoid(in.data(), out_s.data(), static_cast<Eigen::Index>(in.size()));
  EXPECT_TRUE(std::isnan(out_t[1]));
  EXPECT_TRUE(std::isnan(out_s[1]));
  for (size_t k = 0; k < in.size(); ++k)
    if (k != 1) {  // every lane, and the tail packet, the same bits
      EXPECT_EQ(out_t[k], out_t[0]) << k;
      EXPECT_EQ(out_s[k], out_s[0]) << k;
    }
}

}  // namespace
}  // namespace unrolled
