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

// C tile (MP·lanes, NR) = or += Σ_s A_s · B_s over the n terms (one for a plain product), the
// tile held in registers while k runs over each term's depth in turn: each k loads MP packets of
// A's column k and broadcasts NR scalars of B's row k. op[s] points at the tile's first row of
// A_s and first column of B_s.
template <class S, int MP, int NR, bool kTransB>
inline void tile(S* c, Index ldc, const Operands<S>* op, size_t n, bool accumulate) {
  using namespace Eigen::internal;
  using P = Packet<S>;
  constexpr Index L = kLanes<S>;
  P acc[MP][NR];
  for (int j = 0; j < NR; ++j)
    for (int p = 0; p < MP; ++p)
      acc[p][j] = accumulate ? ploadu<P>(c + j * ldc + p * L) : pset1<P>(S(0));
  for (size_t s = 0; s < n; ++s) {
    const S* a = op[s].a;
    const S* b = op[s].b;
    const Index lda = op[s].lda, ldb = op[s].ldb;
    for (Index k = 0; k < op[s].K; ++k) {
      P av[MP];
      for (int p = 0; p < MP; ++p) av[p] = ploadu<P>(a + k * lda + p * L);
      const S* bk = kTransB ? b + k * ldb : b + k;
      for (int j = 0; j < NR; ++j) {
        const P bv = pset1<P>(kTransB ? bk[j] : bk[j * ldb]);
        for (int p = 0; p < MP; ++p) acc[p][j] = pmadd(av[p], bv, acc[p][j]);
      }
    }
  }
  for (int j = 0; j < NR; ++j)
    for (int p = 0; p < MP; ++p) pstoreu(c + j * ldc + p * L, acc[p][j]);
}

// One strip of MP·lanes rows of C across all N columns: full nr-wide tiles, then one narrower.
// op: the n terms, pointing at the strip's first row of A and B's first column.
template <class S, int MP, bool kTransB>
void strip(S* c, Index ldc, Index N, std::vector<Operands<S>>& op, bool accumulate) {
  const size_t n = op.size();
  // Column j of B starts at b + j·ldb (NN) or b + j (NT): move every term's b to the next tile.
  auto next_tile = [&](Index width) {
    for (Operands<S>& o : op) o.b += width * (kTransB ? 1 : o.ldb);
  };
  Index j = 0;
  for (; j + kNr <= N; j += kNr, c += kNr * ldc, next_tile(kNr))
    tile<S, MP, kNr, kTransB>(c, ldc, op.data(), n, accumulate);
  switch (N - j) {
#define UNROLLED_TAIL(W)                                                              \
  case W:                                                                             \
    if constexpr (W < kNr) tile<S, MP, W, kTransB>(c, ldc, op.data(), n, accumulate); \
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

// C = or += Σ_s A_s · B_s (A_s · B_sᵀ when kTransB), strip by strip; the rows left below one
// packet go through Eigen, term by term.
template <class S, bool kTransB>
void product(MatRefT<S>& C, const ConstMatRefT<S>* A, const ConstMatRefT<S>* B, size_t n,
             bool accumulate) {
  constexpr Index L = kLanes<S>;
  const Index M = C.rows(), N = C.cols();
  for (size_t s = 0; s < n; ++s) {
    eigen_assert(A[s].rows() == M);
    eigen_assert(kTransB ? B[s].rows() == N && B[s].cols() == A[s].cols()
                         : B[s].rows() == A[s].cols() && B[s].cols() == N);
  }
  if (M == 0 || N == 0) return;
  // Terms of depth 0 add nothing (and their A may hold no storage: no pointer into it is formed).
  size_t terms = 0;
  for (size_t s = 0; s < n; ++s) terms += A[s].cols() > 0;
  if (terms == 0) {
    if (!accumulate) C.setZero();
    return;
  }
  const Index ldc = C.outerStride();
  thread_local std::vector<Operands<S>> op;  // the terms at row i of A, reused: no allocation
  auto operands = [&](Index i) -> std::vector<Operands<S>>& {
    op.clear();
    for (size_t s = 0; s < n; ++s)
      if (A[s].cols() > 0)
        op.push_back({A[s].data() + i, A[s].outerStride(), B[s].data(), B[s].outerStride(),
                      A[s].cols()});
    return op;
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
  if (!accumulate) Cr.setZero();
  for (size_t s = 0; s < n; ++s) {
    if (A[s].cols() == 0) continue;
    const auto Ar = A[s].bottomRows(M - i);
    if constexpr (kTransB)
      Cr.noalias() += Ar * B[s].transpose();
    else
      Cr.noalias() += Ar * B[s];
  }
}

}  // namespace

template <class S>
void gemm_nn(MatRefT<S> C, const ConstMatRefT<S>& A, const ConstMatRefT<S>& B, bool accumulate) {
  product<S, false>(C, &A, &B, 1, accumulate);
}

template <class S>
void gemm_nt(MatRefT<S> C, const ConstMatRefT<S>& A, const ConstMatRefT<S>& B, bool accumulate) {
  product<S, true>(C, &A, &B, 1, accumulate);
}

template <class S>
void gemm_nt_sum(MatRefT<S> C, const std::vector<ConstMatRefT<S>>& A,
                 const std::vector<ConstMatRefT<S>>& B) {
  eigen_assert(A.size() == B.size());
  product<S, true>(C, A.data(), B.data(), A.size(), true);
}

#define UNROLLED_INSTANTIATE(S)                                                               \
  template void gemm_nn<S>(MatRefT<S>, const ConstMatRefT<S>&, const ConstMatRefT<S>&, bool); \
  template void gemm_nt<S>(MatRefT<S>, const ConstMatRefT<S>&, const ConstMatRefT<S>&, bool); \
  template void gemm_nt_sum<S>(MatRefT<S>, const std::vector<ConstMatRefT<S>>&,               \
                               const std::vector<ConstMatRefT<S>>&);
UNROLLED_INSTANTIATE(float)
UNROLLED_INSTANTIATE(double)
#undef UNROLLED_INSTANTIATE

}  // namespace unrolled
