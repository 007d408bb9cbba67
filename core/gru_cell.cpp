// The GRU cell, gates stacked [r z n]:
//   r = σ(W_xr x + W_hr h_{t-1} + b_r)                    reset gate
//   z = σ(W_xz x + W_hz h_{t-1} + b_z)                    update gate
//   n = tanh(W_xn x + W_hn (r ⊙ h_{t-1}) + b_n)           candidate, reset-before (Cho et al. 2014)
//   n = tanh(W_xn x + b_n + r ⊙ (W_hn h_{t-1} + b_hn))    candidate, reset-after (PyTorch, cuDNN)
//   h_t = z ⊙ h_{t-1} + (1 - z) ⊙ n
// Legend: B batch, I input, H hidden, G = 3: W_x (3H, I), W_h (3H, H), b (3H), b_hn (H).
#include "core/cell.hpp"

namespace unrolled {

void gru_forward(StepTrace& out, const CellSpec& spec, const LayerParams& p, const Mat& x,
                 const Mat& h_prev) {
  const Eigen::Index H = spec.hidden_size;
  const bool after = spec.gru_variant == GruVariant::ResetAfter;
  out.pre.noalias() = p.W_x * x;  // (3H, B)
  out.pre.colwise() += p.b;
  if (after) {
    // One product for all three blocks: [W_hr h; W_hz h; W_hn h].
    out.hn.noalias() = p.W_h.bottomRows(H) * h_prev;  // (H, B)
    out.hn.colwise() += p.b_hn;
    out.pre.topRows(2 * H).noalias() += p.W_h.topRows(2 * H) * h_prev;
  } else {
    out.pre.topRows(2 * H).noalias() += p.W_h.topRows(2 * H) * h_prev;
  }
  out.gates.resize(3 * H, x.cols());
  out.gates.topRows(2 * H) = (1.0 + (-out.pre.topRows(2 * H).array()).exp()).inverse();  // r, z
  const auto r = out.gates.topRows(H).array();
  if (after) {
    out.pre.bottomRows(H).array() += r * out.hn.array();
  } else {
    out.hn.noalias() = p.W_h.bottomRows(H) * (r * h_prev.array()).matrix();
    out.pre.bottomRows(H) += out.hn;
  }
  out.gates.bottomRows(H) = out.pre.bottomRows(H).array().tanh();  // n
  const auto z = out.gates.middleRows(H, H).array();
  const auto n = out.gates.bottomRows(H).array();
  out.h = z * h_prev.array() + (1.0 - z) * n;
}

// Backward, in reverse order of the forward pass:
//   h_t = z ⊙ h_{t-1} + (1 - z) ⊙ n -> dn = dh ⊙ (1 - z), dz = dh ⊙ (h_{t-1} - n), dh_{t-1} += dh ⊙ z
//   n = tanh(...)                    -> dpre_n = dn ⊙ (1 - n²)
//   reset-before: d(r ⊙ h) = W_hnᵀ dpre_n, dr = d(r ⊙ h) ⊙ h_{t-1}, dh_{t-1} += d(r ⊙ h) ⊙ r
//   reset-after:  d(hn) = dpre_n ⊙ r,     dr = dpre_n ⊙ hn,          dh_{t-1} += W_hnᵀ d(hn)
//   r, z = σ(...)                    -> through σ' = s(1 - s)
void gru_backward(const CellBackwardOut& out, CellScratch& scratch, const CellSpec& spec,
                  const LayerParams& p, const StepTrace& step, const Mat& x, const Mat& h_prev,
                  const Mat& dh) {
  const Eigen::Index H = spec.hidden_size;
  const bool after = spec.gru_variant == GruVariant::ResetAfter;
  const auto r = step.gates.topRows(H).array();
  const auto z = step.gates.middleRows(H, H).array();
  const auto n = step.gates.bottomRows(H).array();

  Mat& dpre = out.dpre ? *out.dpre : scratch.a;  // (3H, B)
  dpre.resize(3 * H, dh.cols());
  dpre.bottomRows(H) = dh.array() * (1.0 - z) * (1.0 - n.square());          // dn ⊙ tanh'
  dpre.middleRows(H, H) = dh.array() * (h_prev.array() - n) * z * (1.0 - z);  // dz ⊙ σ'

  Mat& d_rec = scratch.b;  // (H, B) reset-before: d(r ⊙ h_{t-1}); reset-after: d(hn)
  if (after) {
    d_rec = dpre.bottomRows(H).array() * r;
    dpre.topRows(H) = dpre.bottomRows(H).array() * step.hn.array() * r * (1.0 - r);
  } else {
    d_rec.noalias() = p.W_h.bottomRows(H).transpose() * dpre.bottomRows(H);
    dpre.topRows(H) = d_rec.array() * h_prev.array() * r * (1.0 - r);
  }

  if (out.grads) {
    LayerParams& gr = *out.grads;
    gr.W_x.noalias() += dpre * x.transpose();
    gr.b += dpre.rowwise().sum();
    gr.W_h.topRows(2 * H).noalias() += dpre.topRows(2 * H) * h_prev.transpose();
    if (after) {
      gr.W_h.bottomRows(H).noalias() += d_rec * h_prev.transpose();
      gr.b_hn += d_rec.rowwise().sum();
    } else {
      scratch.c = r * h_prev.array();  // r ⊙ h_{t-1}
      gr.W_h.bottomRows(H).noalias() += dpre.bottomRows(H) * scratch.c.transpose();
    }
  }
  if (out.dx) out.dx->noalias() = p.W_x.transpose() * dpre;
  if (out.dh_prev) {
    Mat& dhp = *out.dh_prev;
    dhp = dh.array() * z;
    dhp.noalias() += p.W_h.topRows(2 * H).transpose() * dpre.topRows(2 * H);
    if (after) {
      dhp.noalias() += p.W_h.bottomRows(H).transpose() * d_rec;
    } else {
      dhp.array() += d_rec.array() * r;
    }
  }
}

}  // namespace unrolled
