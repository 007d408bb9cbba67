// The register-blocked products of core/gemm.hpp.
#include "core/gemm.hpp"

namespace unrolled {

namespace {

using Eigen::Index;

template <class S>
using Packet = typename Eigen::internal::packet_traits<S>::type;
template <class S>
constexpr Index kLanes = Eigen::internal::unpacket_traits<Packet<S>>::size;
// Tile height in packets and width in columns: 2·nr accumulators, 2 slices of A and one
// broadcast of B must fit in the vector registers.
constexpr int kMp = 2;
constexpr int kNr = EIGEN_ARCH_DEFAULT_NUMBER_OF_REGISTERS >= 32   ? 8
                    : EIGEN_ARCH_DEFAULT_NUMBER_OF_REGISTERS >= 16 ? 4
                                                                   : 2;

// The operands of one product, pointing at a tile's first row of A and first column of B.
// Column k of A starts at a + k·lda. B(k, j) is b[k + j·ldb] (NN), or b[j + k·ldb] when B is
// given transposed (NT).
template <class S>
struct Operands {
  const S* a;
  Index lda;
  const S* b;
  Index ldb;
  Index K;
};

// C tile (MP·lanes, NR) = or += A · B, the tile held in registers while k runs over the depth:
// each k loads MP packets of A's column k and broadcasts NR scalars of B's row k.
template <class S, int MP, int NR, bool kTransB>
inline void tile(S* c, Index ldc, const Operands<S>& op, bool accumulate) {
  using namespace Eigen::internal;
  using P = Packet<S>;
  constexpr Index L = kLanes<S>;
  P acc[MP][NR];
  for (int j = 0; j < NR; ++j)
    for (int p = 0; p < MP; ++p)
      acc[p][j] = accumulate ? ploadu<P>(c + j * ldc + p * L) : pset1<P>(S(0));
  const S* a = op.a;
  const S* b = op.b;
  const Index lda = op.lda, ldb = op.ldb;
  for (Index k = 0; k < op.K; ++k) {
    P av[MP];
    for (int p = 0; p < MP; ++p) av[p] = ploadu<P>(a + k * lda + p * L);
    const S* bk = kTransB ? b + k * ldb : b + k;
    for (int j = 0; j < NR; ++j) {
      const P bv = pset1<P>(kTransB ? bk[j] : bk[j * ldb]);
      for (int p = 0; p < MP; ++p) acc[p][j] = pmadd(av[p], bv, acc[p][j]);
    }
  }
  for (int j = 0; j < NR; ++j)
    for (int p = 0; p < MP; ++p) pstoreu(c + j * ldc + p * L, acc[p][j]);
}

// One strip of MP·lanes rows of C across all N columns: full nr-wide tiles, then one narrower.
template <class S, int MP, bool kTransB>
void strip(S* c, Index ldc, Index N, Operands<S> op, bool accumulate) {
  // Column j of B starts at b + j·ldb (NN) or b + j (NT).
  const Index bj = kTransB ? 1 : op.ldb;
  Index j = 0;
  for (; j + kNr <= N; j += kNr, c += kNr * ldc, op.b += kNr * bj)
    tile<S, MP, kNr, kTransB>(c, ldc, op, accumulate);
  switch (N - j) {
#define UNROLLED_TAIL(W)                                                    \
  case W:                                                                   \
    if constexpr (W < kNr) tile<S, MP, W, kTransB>(c, ldc, op, accumulate); \
    break;
    UNROLLED_TAIL(1)
    UNROLLED_TAIL(2)
    UNROLLED_TAIL(3)
    UNROLLED_TAIL(4)
    UNROLLED_TAIL(5)
    UNROLLED_TAIL(6)
    UNROLLED_TAIL(7)
#undef UNROLLED_TAIL
    default:
      break;
  }
}

// C = or += A · B (A · Bᵀ when kTransB), strip by strip; the rows left below one packet go
// through Eigen.
template <class S, bool kTransB>
void product(MatRefT<S>& C, const ConstMatRefT<S>& A, const ConstMatRefT<S>& B, bool accumulate) {
  constexpr Index L = kLanes<S>;
  const Index M = C.rows(), N = C.cols(), K = A.cols();
  eigen_assert(A.rows() == M);
  eigen_assert(kTransB ? B.rows() == N && B.cols() == K : B.rows() == K && B.cols() == N);
  if (M == 0 || N == 0) return;
  if (K == 0) {  // an empty sum (A may hold no storage at all: no pointer into it is formed)
    if (!accumulate) C.setZero();
    return;
  }
  const Index ldc = C.outerStride();
  auto operands = [&](Index i) {
    return Operands<S>{A.data() + i, A.outerStride(), B.data(), B.outerStride(), K};
  };
  Index i = 0;
  for (; i + kMp * L <= M; i += kMp * L)
    strip<S, kMp, kTransB>(C.data() + i, ldc, N, operands(i), accumulate);
  if (i + L <= M) {
    strip<S, 1, kTransB>(C.data() + i, ldc, N, operands(i), accumulate);
    i += L;
  }
  if (i == M) return;
  auto Cr = C.bottomRows(M - i);
  const auto Ar = A.bottomRows(M - i);
  if (!accumulate) Cr.setZero();
  if constexpr (kTransB)
    Cr.noalias() += Ar * B.transpose();
  else
    Cr.noalias() += Ar * B;
}

}  // namespace

template <class S>
void gemm_nn(MatRefT<S> C, const ConstMatRefT<S>& A, const ConstMatRefT<S>& B, bool accumulate) {
  product<S, false>(C, A, B, accumulate);
}

template <class S>
void gemm_nt(MatRefT<S> C, const ConstMatRefT<S>& A, const ConstMatRefT<S>& B, bool accumulate) {
  product<S, true>(C, A, B, accumulate);
}

#define UNROLLED_INSTANTIATE(S)                                                               \
  template void gemm_nn<S>(MatRefT<S>, const ConstMatRefT<S>&, const ConstMatRefT<S>&, bool); \
  template void gemm_nt<S>(MatRefT<S>, const ConstMatRefT<S>&, const ConstMatRefT<S>&, bool);
UNROLLED_INSTANTIATE(float)
UNROLLED_INSTANTIATE(double)
#undef UNROLLED_INSTANTIATE

}  // namespace unrolled
