// Unrolled core: the small matrix products of one time step, register-blocked.
//
// Every step of the unrolled network does three products whose shapes are small and fixed
// (LSTM H 64, B 32: (256, 64)·(64, 32), (64, 256)·(256, 32) and (256, 32)·(32, 64)). Eigen's
// general GEMM packs both operands into blocks on every call, which at these sizes costs as much
// as the arithmetic, and reaches about 75 GFLOP/s in float on one core here; these loops read
// the column-major operands in place and reach about 110 (bench: BM_Gemm, README).
//
// The kernel: a tile of C, mr rows (two SIMD packets: 32 floats or 16 doubles with AVX-512) by
// nr columns (8 with 32 vector registers, 4 with 16), stays in registers while k runs over the
// whole depth; each k loads one column slice of A and broadcasts nr scalars of B. Rows left over
// below a multiple of one packet are done by Eigen on that strip. Summation order is fixed by
// the shapes alone, so results are deterministic run to run.
//
// Operands are column-major views (a Matrix or a block of one: topRows, bottomRows, leftCols...).
#pragma once

#include <Eigen/Core>
#include <vector>

#include "core/types.hpp"

namespace unrolled {

template <class S>
using MatRefT = Eigen::Ref<MatT<S>, 0, Eigen::OuterStride<>>;
template <class S>
using ConstMatRefT = Eigen::Ref<const MatT<S>, 0, Eigen::OuterStride<>>;

// C (M, N) = A (M, K) · B (K, N), or += when accumulate. C is sized by the caller.
template <class S>
void gemm_nn(MatRefT<S> C, const ConstMatRefT<S>& A, const ConstMatRefT<S>& B, bool accumulate);

// C (M, N) = A (M, K) · Bᵀ with B (N, K), or += when accumulate: a weight gradient
// dW += dpre · hᵀ, where the batch is the depth K.
template <class S>
void gemm_nt(MatRefT<S> C, const ConstMatRefT<S>& A, const ConstMatRefT<S>& B, bool accumulate);

// C (M, N) += Σ_s A_s (M, K_s) · B_sᵀ with B_s (N, K_s), the terms in the order given: the same
// bits as gemm_nt(C, A_s, B_s, true) for s = 0, 1, ..., but each tile of C stays in registers
// across all the terms (BPTT's weight gradient, summed over the time steps at once).
template <class S>
void gemm_nt_sum(MatRefT<S> C, const std::vector<ConstMatRefT<S>>& A,
                 const std::vector<ConstMatRefT<S>>& B);

// out (M, N) = A · B, out resized.
template <class S>
void gemm_nn_assign(MatT<S>& out, const ConstMatRefT<S>& A, const ConstMatRefT<S>& B) {
  out.resize(A.rows(), B.cols());
  gemm_nn<S>(out, A, B, false);
}

}  // namespace unrolled
