// The GRU cell, gates stacked [r z n]:
//   r = σ(W_xr x + W_hr h_{t-1} + b_r)                    reset gate
//   z = σ(W_xz x + W_hz h_{t-1} + b_z)                    update gate
//   n = tanh(W_xn x + W_hn (r ⊙ h_{t-1}) + b_n)           candidate, reset-before (Cho et al. 2014)
//   n = tanh(W_xn x + b_n + r ⊙ (W_hn h_{t-1} + b_hn))    candidate, reset-after (PyTorch, cuDNN)
//   h_t = z ⊙ h_{t-1} + (1 - z) ⊙ n
// (σ is spec.gate: the sigmoid, or a hard sigmoid for models imported from Keras; cell_math.hpp)
// Legend: B batch, I input, H hidden, G = 3: W_x (3H, I), W_h (3H, H), b (3H), b_hn (H).
#include "core/cell.hpp"
#include "core/cell_math.hpp"
#include "core/gemm.hpp"

namespace unrolled {

template <class S>
void gru_forward(StepRefT<S> out, const CellSpec& spec, const LayerParamsT<S>& p, InT<S> x,
                 InT<S> h_prev) {
  using namespace Eigen::internal;
  using Packet = simd::PacketT<S>;
  constexpr Eigen::Index kLanes = simd::kLanesT<S>;
  const Eigen::Index H = spec.hidden_size, B = x.cols();
  const bool after = spec.gru_variant == GruVariant::ResetAfter;
  affine_input(out.pre, p.W_x, p.b, x);  // (3H, B) = b + W_x x
  gemm_nn<S>(out.pre.topRows(2 * H), p.W_h.topRows(2 * H), h_prev, true);
  const Packet one = pset1<Packet>(S(1));
  // n = tanh(pre_n), h_t = z ⊙ h_{t-1} + (1 - z) ⊙ n, for the packet at row r of column col
  // (pre_n already holds the full argument).
  auto finish = [&](Eigen::Index col, Eigen::Index r, Eigen::Index n, const Packet& z,
                    const Packet& pre_n) {
    const Packet nn = simd::tanh(pre_n);
    const Packet hp = simd::load(h_prev.col(col).data() + r, n);
    simd::store(out.gates.col(col).data() + 2 * H + r, nn, n);
    simd::store(out.h.col(col).data() + r, padd(pmul(z, hp), pmul(psub(one, z), nn)), n);
  };
  if (after) {
    // hn = b_hn + W_hn h_{t-1}; then one pass: r, z, pre_n += r ⊙ hn, n, h.
    out.hn.colwise() = p.b_hn;
    gemm_nn<S>(out.hn, p.W_h.bottomRows(H), h_prev, true);
    simd::with_gate(spec.gate, [&](auto gate) {
      for (Eigen::Index col = 0; col < B; ++col) {
        S* pre = out.pre.col(col).data();
        S* gates = out.gates.col(col).data();
        const S* hn = out.hn.col(col).data();
        for (Eigen::Index r = 0; r < H; r += kLanes) {
          const Eigen::Index n = std::min(kLanes, H - r);
          const Packet rr = gate(simd::load(pre + r, n));
          const Packet z = gate(simd::load(pre + H + r, n));
          const Packet pre_n =
              padd(simd::load(pre + 2 * H + r, n), pmul(rr, simd::load(hn + r, n)));
          simd::store(gates + r, rr, n);
          simd::store(gates + H + r, z, n);
          simd::store(pre + 2 * H + r, pre_n, n);
          finish(col, r, n, z, pre_n);
        }
      }
    });
    return;
  }
  // Reset-before: r, z and r ⊙ h_{t-1}; hn = W_hn (r ⊙ h_{t-1}); then pre_n += hn, n, h.
  thread_local MatT<S> rh;  // (H, B) r ⊙ h_{t-1}; the forward pass has no scratch argument
  rh.resize(H, B);
  simd::with_gate(spec.gate, [&](auto gate) {
    for (Eigen::Index col = 0; col < B; ++col) {
      const S* pre = out.pre.col(col).data();
      S* gates = out.gates.col(col).data();
      const S* hp = h_prev.col(col).data();
      for (Eigen::Index r = 0; r < H; r += kLanes) {
        const Eigen::Index n = std::min(kLanes, H - r);
        const Packet rr = gate(simd::load(pre + r, n));
        simd::store(gates + r, rr, n);
        simd::store(gates + H + r, gate(simd::load(pre + H + r, n)), n);
        simd::store(rh.col(col).data() + r, pmul(rr, simd::load(hp + r, n)), n);
      }
    }
  });
  gemm_nn<S>(out.hn, p.W_h.bottomRows(H), rh, false);
  for (Eigen::Index col = 0; col < B; ++col) {
    S* pre = out.pre.col(col).data();
    const S* gates = out.gates.col(col).data();
    const S* hn = out.hn.col(col).data();
    for (Eigen::Index r = 0; r < H; r += kLanes) {
      const Eigen::Index n = std::min(kLanes, H - r);
      const Packet pre_n = padd(simd::load(pre + 2 * H + r, n), simd::load(hn + r, n));
      simd::store(pre + 2 * H + r, pre_n, n);
      finish(col, r, n, simd::load(gates + H + r, n), pre_n);
    }
  }
}

// Backward, in reverse order of the forward pass:
//   h_t = z ⊙ h_{t-1} + (1 - z) ⊙ n -> dn = dh ⊙ (1 - z), dz = dh ⊙ (h_{t-1} - n), dh_{t-1} += dh ⊙
//   z n = tanh(...)                    -> dpre_n = dn ⊙ (1 - n²) reset-before: d(r ⊙ h) = W_hnᵀ
//   dpre_n, dr = d(r ⊙ h) ⊙ h_{t-1}, dh_{t-1} += d(r ⊙ h) ⊙ r reset-after:  d(hn) = dpre_n ⊙ r, dr
//   = dpre_n ⊙ hn,          dh_{t-1} += W_hnᵀ d(hn) r, z = σ(...)                    -> through σ'
//   = s(1 - s)
// Reset-after stacks [dpre_r; dpre_z; d(hn)] (3H, B) so that dW_h and W_hᵀ(...) are one GEMM each.
template <class S>
void gru_backward(const CellBackwardOutT<S>& out, CellScratchT<S>& scratch, const CellSpec& spec,
                  const TransposedWeightsT<S>& wt, const StepCRefT<S>& step, InT<S> x,
                  InT<S> h_prev, InT<S> dh) {
  using namespace Eigen::internal;
  using Packet = simd::PacketT<S>;
  constexpr Eigen::Index kLanes = simd::kLanesT<S>;
  const Eigen::Index H = spec.hidden_size, B = dh.cols();
  const bool after = spec.gru_variant == GruVariant::ResetAfter;
  const Packet one = pset1<Packet>(S(1));

  if (!out.dpre) scratch.a.resize(3 * H, B);
  MatRefT<S> dpre = out.dpre ? *out.dpre : MatRefT<S>(scratch.a);  // (3H, B)
  MatT<S>& d_rec = scratch.b;  // reset-before: (H, B) d(r ⊙ h_{t-1}); reset-after: (3H, B) stacked
  d_rec.resize(after ? 3 * H : H, B);
  simd::with_gate(spec.gate, [&](auto gate) {
    for (Eigen::Index col = 0; col < B; ++col) {
      const S* gates = step.gates.col(col).data();
      const S* hp = h_prev.col(col).data();
      const S* dhp = dh.col(col).data();
      S* dp = dpre.col(col).data();
      for (Eigen::Index r = 0; r < H; r += kLanes) {
        const Eigen::Index n = std::min(kLanes, H - r);
        const Packet z = simd::load(gates + H + r, n), nn = simd::load(gates + 2 * H + r, n);
        const Packet d_h = simd::load(dhp + r, n);
        const Packet dpre_n = pmul(pmul(d_h, psub(one, z)), psub(one, pmul(nn, nn)));
        const Packet dpre_z = gate.back(pmul(d_h, psub(simd::load(hp + r, n), nn)), z);
        simd::store(dp + 2 * H + r, dpre_n, n);
        simd::store(dp + H + r, dpre_z, n);
        if (after) {
          const Packet rr = simd::load(gates + r, n);
          const Packet hn = simd::load(step.hn.col(col).data() + r, n);
          const Packet dpre_r = gate.back(pmul(dpre_n, hn), rr);
          S* st = d_rec.col(col).data();
          simd::store(dp + r, dpre_r, n);
          simd::store(st + r, dpre_r, n);
          simd::store(st + H + r, dpre_z, n);
          simd::store(st + 2 * H + r, pmul(dpre_n, rr), n);
        }
      }
    }
  });
  if (!after) {
    gemm_nn<S>(d_rec, wt.W_h.rightCols(H), dpre.bottomRows(H), false);  // W_hnᵀ dpre_n
    simd::with_gate(spec.gate, [&](auto gate) {
      for (Eigen::Index col = 0; col < B; ++col) {
        const S* gates = step.gates.col(col).data();
        const S* hp = h_prev.col(col).data();
        const S* dr = d_rec.col(col).data();
        S* dp = dpre.col(col).data();
        for (Eigen::Index r = 0; r < H; r += kLanes) {
          const Eigen::Index n = std::min(kLanes, H - r);
          const Packet rr = simd::load(gates + r, n);
          simd::store(dp + r, gate.back(pmul(simd::load(dr + r, n), simd::load(hp + r, n)), rr), n);
        }
      }
    });
  }

  const auto r = step.gates.topRows(H).array();
  const auto z = step.gates.middleRows(H, H).array();
  if (out.grads) {
    LayerParamsT<S>& gr = *out.grads;
    if (!out.defer_products) gemm_nt<S>(gr.W_x, dpre, x, true);  // (3H, I) += dpre · xᵀ
    gr.b += dpre.rowwise().sum();
    if (after) {
      gemm_nt<S>(gr.W_h, d_rec, h_prev, true);
      gr.b_hn += d_rec.bottomRows(H).rowwise().sum();
    } else {
      gemm_nt<S>(gr.W_h.topRows(2 * H), dpre.topRows(2 * H), h_prev, true);
      scratch.c = r * h_prev.array();  // r ⊙ h_{t-1}
      gemm_nt<S>(gr.W_h.bottomRows(H), dpre.bottomRows(H), scratch.c, true);
    }
  }
  if (out.dx) gemm_nn_assign<S>(*out.dx, wt.W_x, dpre);  // (I, B) = W_xᵀ dpre
  if (out.dh_prev) {
    MatT<S>& dhp = *out.dh_prev;
    dhp = dh.array() * z;
    if (after) {
      gemm_nn<S>(dhp, wt.W_h, d_rec, true);  // += W_hᵀ d_rec
    } else {
      gemm_nn<S>(dhp, wt.W_h.leftCols(2 * H), dpre.topRows(2 * H), true);  // += W_{hr,hz}ᵀ dpre_rz
      dhp.array() += d_rec.array() * r;
    }
  }
}

#define UNROLLED_INSTANTIATE(S)                                                                    \
  template void gru_forward(StepRefT<S>, const CellSpec&, const LayerParamsT<S>&, InT<S>, InT<S>); \
  template void gru_backward(const CellBackwardOutT<S>&, CellScratchT<S>&, const CellSpec&,        \
                             const TransposedWeightsT<S>&, const StepCRefT<S>&, InT<S>, InT<S>,    \
                             InT<S>);
UNROLLED_INSTANTIATE(float)
UNROLLED_INSTANTIATE(double)
#undef UNROLLED_INSTANTIATE

}  // namespace unrolled
