// The LSTM cell, gates stacked [i f g o]:
// (σ is spec.gate: the sigmoid, or a hard sigmoid for models imported from Keras; cell_math.hpp)
//   i = σ(W_xi x + W_hi h_{t-1} + b_i)   input gate
//   f = σ(W_xf x + W_hf h_{t-1} + b_f)   forget gate
//   g = tanh(W_xg x + W_hg h_{t-1} + b_g) candidate
//   o = σ(W_xo x + W_ho h_{t-1} + b_o)   output gate
//   c_t = f ⊙ c_{t-1} + i ⊙ g            the additive cell-state path
//   h_t = o ⊙ tanh(c_t)
// Legend: B batch, I input, H hidden, G = 4: W_x (4H, I), W_h (4H, H), b (4H).
#include "core/cell.hpp"
#include "core/cell_math.hpp"
#include "core/gemm.hpp"

namespace unrolled {

template <class S>
void lstm_forward(StepRefT<S> out, const CellSpec& spec, const LayerParamsT<S>& p, InT<S> x,
                  InT<S> h_prev, InT<S> c_prev) {
  using namespace Eigen::internal;
  using Packet = simd::PacketT<S>;
  constexpr Eigen::Index kLanes = simd::kLanesT<S>;
  const Eigen::Index H = spec.hidden_size, B = x.cols();
  // pre (4H, B) = b + W_x x + W_h h_{t-1}
  affine_input(out.pre, p.W_x, p.b, x);
  gemm_nn<S>(out.pre, p.W_h, h_prev, true);
  // One pass: gates, c_t, tanh(c_t), h_t, packet by packet down each column.
  simd::with_gate(spec.gate, [&](auto gate) {
    for (Eigen::Index col = 0; col < B; ++col) {
      const S* pre = out.pre.col(col).data();
      S* gates = out.gates.col(col).data();
      const S* cp = c_prev.col(col).data();
      S* c = out.c.col(col).data();
      S* tc = out.tanh_c.col(col).data();
      S* h = out.h.col(col).data();
      for (Eigen::Index r = 0; r < H; r += kLanes) {
        const Eigen::Index n = std::min(kLanes, H - r);
        const Packet i = gate(simd::load(pre + r, n));
        const Packet f = gate(simd::load(pre + H + r, n));
        const Packet g = simd::tanh(simd::load(pre + 2 * H + r, n));
        const Packet o = gate(simd::load(pre + 3 * H + r, n));
        const Packet ct = padd(pmul(f, simd::load(cp + r, n)), pmul(i, g));  // f ⊙ c_{t-1} + i ⊙ g
        const Packet tct = simd::tanh(ct);
        simd::store(gates + r, i, n);
        simd::store(gates + H + r, f, n);
        simd::store(gates + 2 * H + r, g, n);
        simd::store(gates + 3 * H + r, o, n);
        simd::store(c + r, ct, n);
        simd::store(tc + r, tct, n);
        simd::store(h + r, pmul(o, tct), n);
      }
    }
  });
}

// Backward, in reverse order of the forward pass:
//   h_t = o ⊙ tanh(c_t)      -> do, and dc_t gains dh ⊙ o ⊙ (1 - tanh²(c_t))
//   c_t = f ⊙ c_{t-1} + i ⊙ g -> df = dc ⊙ c_{t-1}, di = dc ⊙ g, dg = dc ⊙ i, dc_{t-1} = dc ⊙ f
//   gates                    -> through σ' = s(1 - s) (or the hard sigmoid's slope) and
//                               tanh' = 1 - g²
// One element-wise pass computes dc_t (total), dpre and dc_{t-1}; then the products.
template <class S>
void lstm_backward(const CellBackwardOutT<S>& out, CellScratchT<S>& scratch, const CellSpec& spec,
                   const TransposedWeightsT<S>& wt, const StepCRefT<S>& step, InT<S> x,
                   InT<S> h_prev, InT<S> c_prev, InT<S> dh, InT<S> dc) {
  using namespace Eigen::internal;
  using Packet = simd::PacketT<S>;
  constexpr Eigen::Index kLanes = simd::kLanesT<S>;
  const Eigen::Index H = spec.hidden_size, B = dh.cols();
  if (!out.dpre) scratch.a.resize(4 * H, B);
  MatRefT<S> dpre = out.dpre ? *out.dpre : MatRefT<S>(scratch.a);  // (4H, B)
  if (out.dc_prev) out.dc_prev->resize(H, B);  // may be dc itself: read before written
  const Packet one = pset1<Packet>(S(1));
  simd::with_gate(spec.gate, [&](auto gate) {
    for (Eigen::Index col = 0; col < B; ++col) {
      const S* gates = step.gates.col(col).data();
      const S* tcp = step.tanh_c.col(col).data();
      const S* cpp = c_prev.col(col).data();
      const S* dhp = dh.col(col).data();
      const S* dcp = dc.col(col).data();
      S* dp = dpre.col(col).data();
      S* dct_out = out.dc_total ? out.dc_total->col(col).data() : nullptr;
      S* dcprev_out = out.dc_prev ? out.dc_prev->col(col).data() : nullptr;
      for (Eigen::Index r = 0; r < H; r += kLanes) {
        const Eigen::Index n = std::min(kLanes, H - r);
        const Packet i = simd::load(gates + r, n), f = simd::load(gates + H + r, n);
        const Packet g = simd::load(gates + 2 * H + r, n), o = simd::load(gates + 3 * H + r, n);
        const Packet tc = simd::load(tcp + r, n), d_h = simd::load(dhp + r, n);
        // dL/dc_t = dc + dh ⊙ o ⊙ (1 - tanh²(c_t))
        const Packet dct =
            padd(simd::load(dcp + r, n), pmul(pmul(d_h, o), psub(one, pmul(tc, tc))));
        // di ⊙ σ', df ⊙ σ', dg ⊙ tanh', do ⊙ σ'
        simd::store(dp + r, gate.back(pmul(dct, g), i), n);
        simd::store(dp + H + r, gate.back(pmul(dct, simd::load(cpp + r, n)), f), n);
        simd::store(dp + 2 * H + r, pmul(pmul(dct, i), psub(one, pmul(g, g))), n);
        simd::store(dp + 3 * H + r, gate.back(pmul(d_h, tc), o), n);
        if (dct_out) simd::store(dct_out + r, dct, n);
        if (dcprev_out) simd::store(dcprev_out + r, pmul(dct, f), n);  // the highway: dc_t ⊙ f
      }
    }
  });
  if (out.grads) {
    if (!out.defer_products) {
      gemm_nt<S>(out.grads->W_x, dpre, x, true);       // (4H, I) += dpre · xᵀ
      gemm_nt<S>(out.grads->W_h, dpre, h_prev, true);  // (4H, H) += dpre · h_{t-1}ᵀ
    }
    out.grads->b += dpre.rowwise().sum();
  }
  if (out.dx) gemm_nn_assign<S>(*out.dx, wt.W_x, dpre);            // (I, B) = W_xᵀ dpre
  if (out.dh_prev) gemm_nn_assign<S>(*out.dh_prev, wt.W_h, dpre);  // (H, B) = W_hᵀ dpre
}

#define UNROLLED_INSTANTIATE(S)                                                                    \
  template void lstm_forward(StepRefT<S>, const CellSpec&, const LayerParamsT<S>&, InT<S>, InT<S>, \
                             InT<S>);                                                              \
  template void lstm_backward(const CellBackwardOutT<S>&, CellScratchT<S>&, const CellSpec&,       \
                              const TransposedWeightsT<S>&, const StepCRefT<S>&, InT<S>, InT<S>,   \
                              InT<S>, InT<S>, InT<S>);
UNROLLED_INSTANTIATE(float)
UNROLLED_INSTANTIATE(double)
#undef UNROLLED_INSTANTIATE

}  // namespace unrolled
