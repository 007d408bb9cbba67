// The register-blocked products (core/gemm.hpp) against a plain triple loop summed in long
// double: every shape class the tiles meet (full tiles, a one-packet strip, the rows Eigen
// takes, narrow column tails, depth 0 and 1), blocks of larger matrices, both precisions, both
// the = and the += forms; and the same bits on every call.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <tuple>
#include <utility>
#include <vector>

#include "core/gemm.hpp"

namespace unrolled {
namespace {

template <class S>
MatT<S> random_mat(Eigen::Index rows, Eigen::Index cols, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  MatT<S> m(rows, cols);
  for (Eigen::Index k = 0; k < m.size(); ++k) m.data()[k] = static_cast<S>(u(rng));
  return m;
}

// C0 + A · op(B) summed exactly enough (long double), and Σ |a||b| per entry for the bound.
template <class CM, class AM, class BM>
void reference(const CM& C0, const AM& A, const BM& B, bool trans_b, bool accumulate,
               Eigen::Matrix<long double, -1, -1>& want, Eigen::Matrix<long double, -1, -1>& mag) {
  const Eigen::Index M = A.rows(), K = A.cols(), N = trans_b ? B.rows() : B.cols();
  want.setZero(M, N);
  mag.setZero(M, N);
  for (Eigen::Index i = 0; i < M; ++i)
    for (Eigen::Index j = 0; j < N; ++j) {
      long double s = accumulate ? static_cast<long double>(C0(i, j)) : 0.0L;
      long double m = accumulate ? std::fabs(static_cast<long double>(C0(i, j))) : 0.0L;
      for (Eigen::Index k = 0; k < K; ++k) {
        const long double p = static_cast<long double>(A(i, k)) *
                              static_cast<long double>(trans_b ? B(j, k) : B(k, j));
        s += p;
        m += std::fabs(p);
      }
      want(i, j) = s;
      mag(i, j) = m;
    }
}

// Largest |got - want| / (Σ|a||b| + tiny): a float sum of K products is within about K ulp of
// that magnitude.
template <class GM>
double worst_error(const GM& got, const Eigen::Matrix<long double, -1, -1>& want,
                   const Eigen::Matrix<long double, -1, -1>& mag) {
  double worst = 0;
  for (Eigen::Index i = 0; i < want.rows(); ++i)
    for (Eigen::Index j = 0; j < want.cols(); ++j) {
      const long double d = std::fabs(static_cast<long double>(got(i, j)) - want(i, j));
      worst = std::max(worst, static_cast<double>(d / (mag(i, j) + 1e-30L)));
    }
  return worst;
}

template <class S>
double tolerance(Eigen::Index K) {
  return 2.0 * static_cast<double>(K + 2) * std::numeric_limits<S>::epsilon();
}

// M around the tile heights (2 packets = 32 floats / 16 doubles with AVX-512, 16 / 8 with AVX2),
// N around the tile widths (8 or 4), K from empty to a full recurrent depth.
const int kRows[] = {1, 3, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 40, 48, 63, 64, 65, 100, 256};
const int kCols[] = {1, 2, 3, 4, 5, 7, 8, 9, 12, 13, 16, 32};
const int kDepths[] = {0, 1, 5, 32, 64};

template <class S>
void check_all_shapes(bool trans_b) {
  std::mt19937_64 rng(20261122);
  double worst_rel = 0;
  for (int M : kRows)
    for (int N : kCols)
      for (int K : kDepths)
        for (bool accumulate : {false, true}) {
          const MatT<S> A = random_mat<S>(M, K, rng);
          const MatT<S> B = trans_b ? random_mat<S>(N, K, rng) : random_mat<S>(K, N, rng);
          const MatT<S> C0 = random_mat<S>(M, N, rng);
          MatT<S> C = C0;
          if (trans_b)
            gemm_nt<S>(C, A, B, accumulate);
          else
            gemm_nn<S>(C, A, B, accumulate);
          Eigen::Matrix<long double, -1, -1> want, mag;
          reference(C0, A, B, trans_b, accumulate, want, mag);
          const double e = worst_error(C, want, mag);
          worst_rel = std::max(worst_rel, e);
          ASSERT_LE(e, tolerance<S>(K))
              << "M=" << M << " N=" << N << " K=" << K << (accumulate ? " +=" : " =");
        }
  std::printf("  %s %s: largest error %.3e of sum |a||b| (bound 2 (K+2) eps)\n",
              sizeof(S) == 4 ? "float" : "double", trans_b ? "A·Bt" : "A·B", worst_rel);
}

TEST(Gemm, ProductMatchesAnExactSumForEveryShapeFloat) {
  check_all_shapes<float>(false);
}
TEST(Gemm, ProductMatchesAnExactSumForEveryShapeDouble) {
  check_all_shapes<double>(false);
}
TEST(Gemm, TransposedProductMatchesAnExactSumForEveryShapeFloat) {
  check_all_shapes<float>(true);
}
TEST(Gemm, TransposedProductMatchesAnExactSumForEveryShapeDouble) {
  check_all_shapes<double>(true);
}

// The cells hand over blocks: GRU W_h.topRows(2H), W_hᵀ.rightCols(H), dW_h.bottomRows(H). A block
// is read through its outer stride, and nothing of the matrix around it is written.
TEST(Gemm, BlocksOfLargerMatricesAreReadAndWrittenInPlace) {
  std::mt19937_64 rng(7);
  const int H = 21, B = 11;
  const MatT<float> W = random_mat<float>(3 * H, H, rng);  // (3H, H) like a GRU's W_h
  const MatT<float> h = random_mat<float>(H, B, rng);      // (H, B)
  const MatT<float> big0 = random_mat<float>(3 * H + 5, B + 3, rng);
  MatT<float> big = big0;
  // rows [2H, 3H) of columns [1, 1 + B) of big += W.bottomRows(H) · h
  gemm_nn<float>(big.block(2 * H, 1, H, B), W.bottomRows(H), h, true);
  MatT<float> want = big0;
  want.block(2 * H, 1, H, B) += W.bottomRows(H) * h;
  EXPECT_LE((big - want).cwiseAbs().maxCoeff(), 1e-5f);
  big.block(2 * H, 1, H, B) = big0.block(2 * H, 1, H, B);
  EXPECT_EQ(big, big0) << "an entry outside the block was written";

  // dW.bottomRows(H) (H, H) += dpre.bottomRows(H) (H, B) · hᵀ
  const MatT<float> dpre = random_mat<float>(3 * H, B, rng);
  const MatT<float> dW0 = random_mat<float>(3 * H, H, rng);
  MatT<float> dW = dW0;
  gemm_nt<float>(dW.bottomRows(H), dpre.bottomRows(H), h, true);
  MatT<float> dW_want = dW0;
  dW_want.bottomRows(H) += dpre.bottomRows(H) * h.transpose();
  EXPECT_LE((dW - dW_want).cwiseAbs().maxCoeff(), 1e-5f);
  EXPECT_EQ(dW.topRows(2 * H), dW0.topRows(2 * H));
}

// Same inputs, same bits: the engine's determinism rests on this.
TEST(Gemm, RepeatedCallsGiveTheSameBits) {
  std::mt19937_64 rng(3);
  const MatT<float> A = random_mat<float>(256, 64, rng), B = random_mat<float>(64, 32, rng);
  MatT<float> C1(256, 32), C2(256, 32);
  gemm_nn<float>(C1, A, B, false);
  gemm_nn<float>(C2, A, B, false);
  EXPECT_EQ(C1, C2);
  MatT<double> D1, D2;
  gemm_nn_assign<double>(D1, A.cast<double>(), B.cast<double>());
  gemm_nn_assign<double>(D2, A.cast<double>(), B.cast<double>());
  EXPECT_EQ(D1, D2);
  EXPECT_EQ(D1.rows(), 256);
  EXPECT_EQ(D1.cols(), 32);
}

// The summed form (BPTT's deferred weight gradient) gives the bits of one accumulating product
// per term, in order: full tiles, a one-packet strip, the rows Eigen takes, narrow column tails,
// terms of different depths (a shard of 16 or 17 sequences, and an empty one), column blocks of
// wider matrices.
template <class S>
void expect_sum_equals_per_term(Eigen::Index M, Eigen::Index N) {
  std::mt19937_64 rng(static_cast<uint64_t>(M * 131 + N));
  std::vector<MatT<S>> a_whole, b_whole;
  std::vector<ConstMatRefT<S>> A, B;
  for (Eigen::Index k : {16, 17, 0, 1, 16, 5}) {
    a_whole.push_back(random_mat<S>(M, k + 3, rng));  // (M, k + 3): the term is k columns of it
    b_whole.push_back(random_mat<S>(N, k + 2, rng));
  }
  for (size_t s = 0; s < a_whole.size(); ++s) {
    const Eigen::Index k = a_whole[s].cols() - 3;
    A.emplace_back(a_whole[s].middleCols(2, k));
    B.emplace_back(b_whole[s].middleCols(1, k));
  }
  const MatT<S> C0 = random_mat<S>(M, N, rng);
  MatT<S> per_term = C0, summed = C0;
  for (size_t s = 0; s < A.size(); ++s) gemm_nt<S>(per_term, A[s], B[s], true);
  gemm_nt_sum<S>(summed, A, B);
  EXPECT_EQ(per_term, summed) << M << " x " << N;
  // Only empty terms (A with no storage): C is left alone.
  const MatT<S> none_a(M, 0), none_b(N, 0);
  gemm_nt_sum<S>(summed, {ConstMatRefT<S>(none_a)}, {ConstMatRefT<S>(none_b)});
  EXPECT_EQ(per_term, summed);
}

TEST(Gemm, SummedTransposedProductEqualsOneProductPerTerm) {
  for (auto [M, N] : {std::pair{256, 64}, std::pair{20, 5}, std::pair{37, 9}, std::pair{8, 1}}) {
    expect_sum_equals_per_term<float>(M, N);
    expect_sum_equals_per_term<double>(M, N);
  }
}

// An identity A returns B exactly; a zero-depth product is zero (=) or leaves C alone (+=).
TEST(Gemm, IdentityAndEmptyDepth) {
  std::mt19937_64 rng(11);
  const MatT<float> B = random_mat<float>(37, 9, rng);
  MatT<float> C(37, 9);
  gemm_nn<float>(C, MatT<float>::Identity(37, 37), B, false);
  EXPECT_EQ(C, B);
  const MatT<float> none_a(37, 0), none_b(0, 9);
  gemm_nn<float>(C, none_a, none_b, true);
  EXPECT_EQ(C, B);
  gemm_nn<float>(C, none_a, none_b, false);
  EXPECT_EQ(C, MatT<float>::Zero(37, 9));
}

}  // namespace
}  // namespace unrolled
