// The LSTM cell, gates stacked [i f g o]:
//   i = σ(W_xi x + W_hi h_{t-1} + b_i)   input gate
//   f = σ(W_xf x + W_hf h_{t-1} + b_f)   forget gate
//   g = tanh(W_xg x + W_hg h_{t-1} + b_g) candidate
//   o = σ(W_xo x + W_ho h_{t-1} + b_o)   output gate
//   c_t = f ⊙ c_{t-1} + i ⊙ g            the additive cell-state path
//   h_t = o ⊙ tanh(c_t)
// Legend: B batch, I input, H hidden, G = 4: W_x (4H, I), W_h (4H, H), b (4H).
#include "core/cell.hpp"

namespace unrolled {

void lstm_forward(StepTrace& out, const CellSpec& spec, const LayerParams& p, const Mat& x,
                  const Mat& h_prev, const Mat& c_prev) {
  const Eigen::Index H = spec.hidden_size;
  // pre (4H, B) = W_x x + W_h h_{t-1} + b
  out.pre.noalias() = p.W_x * x;
  out.pre.noalias() += p.W_h * h_prev;
  out.pre.colwise() += p.b;
  out.gates.resize(out.pre.rows(), out.pre.cols());
  out.gates.topRows(2 * H) = (1.0 + (-out.pre.topRows(2 * H).array()).exp()).inverse();  // i, f
  out.gates.middleRows(2 * H, H) = out.pre.middleRows(2 * H, H).array().tanh();          // g
  out.gates.bottomRows(H) = (1.0 + (-out.pre.bottomRows(H).array()).exp()).inverse();    // o
  const auto i = out.gates.topRows(H).array();
  const auto f = out.gates.middleRows(H, H).array();
  const auto g = out.gates.middleRows(2 * H, H).array();
  const auto o = out.gates.bottomRows(H).array();
  out.c = f * c_prev.array() + i * g;
  out.tanh_c = out.c.array().tanh();
  out.h = o * out.tanh_c.array();
}

// Backward, in reverse order of the forward pass:
//   h_t = o ⊙ tanh(c_t)      -> do, and dc_t gains dh ⊙ o ⊙ (1 - tanh²(c_t))
//   c_t = f ⊙ c_{t-1} + i ⊙ g -> df = dc ⊙ c_{t-1}, di = dc ⊙ g, dg = dc ⊙ i, dc_{t-1} = dc ⊙ f
//   gates                    -> through σ' = s(1 - s) and tanh' = 1 - g²
void lstm_backward(const CellBackwardOut& out, CellScratch& scratch, const CellSpec& spec,
                   const LayerParams& p, const StepTrace& step, const Mat& x, const Mat& h_prev,
                   const Mat& c_prev, const Mat& dh, const Mat& dc) {
  const Eigen::Index H = spec.hidden_size;
  const auto i = step.gates.topRows(H).array();
  const auto f = step.gates.middleRows(H, H).array();
  const auto g = step.gates.middleRows(2 * H, H).array();
  const auto o = step.gates.bottomRows(H).array();
  const auto tc = step.tanh_c.array();

  Mat& dct = out.dc_total ? *out.dc_total : scratch.b;  // (H, B) total dL/dc_t
  dct = dc.array() + dh.array() * o * (1.0 - tc.square());

  Mat& dpre = out.dpre ? *out.dpre : scratch.a;  // (4H, B)
  dpre.resize(4 * H, dh.cols());
  dpre.topRows(H) = dct.array() * g * i * (1.0 - i);                       // di ⊙ σ'
  dpre.middleRows(H, H) = dct.array() * c_prev.array() * f * (1.0 - f);    // df ⊙ σ'
  dpre.middleRows(2 * H, H) = dct.array() * i * (1.0 - g.square());        // dg ⊙ tanh'
  dpre.bottomRows(H) = dh.array() * tc * o * (1.0 - o);                    // do ⊙ σ'

  if (out.dc_prev) *out.dc_prev = dct.array() * f;  // the highway: dL/dc_{t-1} = dL/dc_t ⊙ f
  if (out.grads) {
    out.grads->W_x.noalias() += dpre * x.transpose();
    out.grads->W_h.noalias() += dpre * h_prev.transpose();
    out.grads->b += dpre.rowwise().sum();
  }
  if (out.dx) out.dx->noalias() = p.W_x.transpose() * dpre;
  if (out.dh_prev) out.dh_prev->noalias() = p.W_h.transpose() * dpre;
}

}  // namespace unrolled
