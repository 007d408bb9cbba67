// The vanilla (Elman) cell: a_t = W_xh x_t + W_hh h_{t-1} + b,  h_t = act(a_t).
// Legend: B batch, I input, H hidden (G = 1: W_x (H, I), W_h (H, H), b (H)).
#include <cmath>

#include "core/cell.hpp"
#include "core/cell_math.hpp"
#include "core/gemm.hpp"

namespace unrolled {

template <class S>
void affine_input(MatRefT<S> pre, const MatT<S>& W_x, const VecT<S>& b, InT<S> x) {
  const Eigen::Index I = x.rows(), B = x.cols();
  eigen_assert(pre.rows() == W_x.rows() && pre.cols() == B);
  if (I > 4) {
    pre.noalias() = W_x * x;
    pre.colwise() += b;
    return;
  }
  for (Eigen::Index j = 0; j < B; ++j) {
    auto col = pre.col(j);
    if (I == 0) {
      col = b;
      continue;
    }
    col = b + x(0, j) * W_x.col(0);
    for (Eigen::Index k = 1; k < I; ++k) col += x(k, j) * W_x.col(k);
  }
}

template <class S>
void apply_activation(Activation act, InT<S> a, MatRefT<S> y) {
  // The packet loops run over a and y as one block each (a column range of a whole matrix is).
  eigen_assert(a.outerStride() == a.rows() && y.outerStride() == y.rows());
  switch (act) {
    case Activation::Tanh:
      simd::tanh(a.data(), y.data(), a.size());
      break;
    case Activation::Relu:
      y = a.array().max(S(0));
      break;
    case Activation::Sigmoid:
      simd::sigmoid(a.data(), y.data(), a.size());
      break;
    case Activation::Identity:
      y = a;
      break;
  }
}

template <class S>
void activation_derivative(Activation act, const MatT<S>& a, const MatT<S>& y, MatT<S>& out) {
  switch (act) {
    case Activation::Tanh:
      out = S(1) - y.array().square();
      break;  // 1 - tanh(a)^2
    case Activation::Relu:
      out = (a.array() > S(0)).template cast<S>();
      break;  // [a > 0]
    case Activation::Sigmoid:
      out = y.array() * (S(1) - y.array());
      break;  // s(a)(1 - s(a))
    case Activation::Identity:
      out.setOnes(a.rows(), a.cols());
      break;
  }
}

template <class S>
void rnn_forward(StepRefT<S> out, const CellSpec& spec, const LayerParamsT<S>& p, InT<S> x,
                 InT<S> h_prev) {
  // a_t (H, B) = b + W_x (H, I) x_t (I, B) + W_h (H, H) h_{t-1} (H, B)
  affine_input(out.pre, p.W_x, p.b, x);
  gemm_nn<S>(out.pre, p.W_h, h_prev, true);
  apply_activation<S>(spec.activation, out.pre, out.gates);
  out.h = out.gates;
}

// Backward walks the forward pass in reverse: h_t = act(a_t), then the affine map.
// dL/da_t = dL/dh_t ⊙ act'(a_t), in one pass (act' from h_t = act(a_t) where it can).
template <class S>
void rnn_backward(const CellBackwardOutT<S>& out, CellScratchT<S>& scratch, const CellSpec& spec,
                  const TransposedWeightsT<S>& wt, const StepCRefT<S>& step, InT<S> x,
                  InT<S> h_prev, InT<S> dh) {
  if (!out.dpre) scratch.a.resize(dh.rows(), dh.cols());
  MatRefT<S> da = out.dpre ? *out.dpre : MatRefT<S>(scratch.a);  // (H, B)
  const auto y = step.h.array();
  switch (spec.activation) {
    case Activation::Tanh:
      da = dh.array() * (S(1) - y.square());
      break;
    case Activation::Relu:
      da = dh.array() * (step.pre.array() > S(0)).template cast<S>();
      break;
    case Activation::Sigmoid:
      da = dh.array() * (y * (S(1) - y));
      break;
    case Activation::Identity:
      da = dh;
      break;
  }
  if (out.grads) {
    if (!out.defer_products) {
      gemm_nt<S>(out.grads->W_x, da, x, true);       // (H, I) += da · xᵀ
      gemm_nt<S>(out.grads->W_h, da, h_prev, true);  // (H, H) += da · h_{t-1}ᵀ
    }
    out.grads->b += da.rowwise().sum();
  }
  if (out.dx) gemm_nn_assign<S>(*out.dx, wt.W_x, da);            // (I, B) = W_xᵀ da
  if (out.dh_prev) gemm_nn_assign<S>(*out.dh_prev, wt.W_h, da);  // (H, B) = W_hᵀ da
}

template <class S>
void size_step(StepTraceT<S>& st, const CellSpec& spec, Eigen::Index B) {
  const Eigen::Index H = spec.hidden_size, GH = gate_blocks(spec.type) * H;
  const bool lstm = spec.type == CellType::Lstm, gru = spec.type == CellType::Gru;
  st.pre.resize(GH, B);
  st.gates.resize(GH, B);
  st.c.resize(lstm ? H : 0, lstm ? B : 0);
  st.tanh_c.resize(lstm ? H : 0, lstm ? B : 0);
  st.hn.resize(gru ? H : 0, gru ? B : 0);
  st.h.resize(H, B);
}

template <class S>
void cell_forward(StepRefT<S> out, const CellSpec& spec, const LayerParamsT<S>& p, InT<S> x,
                  InT<S> h_prev, InT<S> c_prev) {
  switch (spec.type) {
    case CellType::Rnn:
      rnn_forward(out, spec, p, x, h_prev);
      break;
    case CellType::Lstm:
      lstm_forward(out, spec, p, x, h_prev, c_prev);
      break;
    case CellType::Gru:
      gru_forward(out, spec, p, x, h_prev);
      break;
  }
}

template <class S>
void cell_forward(StepTraceT<S>& out, const CellSpec& spec, const LayerParamsT<S>& p,
                  const MatT<S>& x, const MatT<S>& h_prev, const MatT<S>& c_prev) {
  size_step(out, spec, x.cols());
  cell_forward<S>(columns(out, 0, x.cols()), spec, p, x, h_prev, c_prev);
}

template <class S>
void cell_backward(const CellBackwardOutT<S>& out, CellScratchT<S>& scratch, const CellSpec& spec,
                   const TransposedWeightsT<S>& wt, const StepCRefT<S>& step, InT<S> x,
                   InT<S> h_prev, InT<S> c_prev, InT<S> dh, InT<S> dc) {
  switch (spec.type) {
    case CellType::Rnn:
      rnn_backward(out, scratch, spec, wt, step, x, h_prev, dh);
      break;
    case CellType::Lstm:
      lstm_backward(out, scratch, spec, wt, step, x, h_prev, c_prev, dh, dc);
      break;
    case CellType::Gru:
      gru_backward(out, scratch, spec, wt, step, x, h_prev, dh);
      break;
  }
}

template <class S>
void cell_backward(const CellBackwardOutT<S>& out, CellScratchT<S>& scratch, const CellSpec& spec,
                   const TransposedWeightsT<S>& wt, const StepTraceT<S>& step, const MatT<S>& x,
                   const MatT<S>& h_prev, const MatT<S>& c_prev, const MatT<S>& dh,
                   const MatT<S>& dc) {
  cell_backward<S>(out, scratch, spec, wt, columns(step, 0, dh.cols()), x, h_prev, c_prev, dh, dc);
}

template <class S>
void weight_products(LayerParamsT<S>& grads, const CellSpec& spec,
                     const std::vector<ConstMatRefT<S>>& dpre,
                     const std::vector<ConstMatRefT<S>>& x,
                     const std::vector<ConstMatRefT<S>>& h_prev) {
  gemm_nt_sum<S>(grads.W_x, dpre, x);  // (G·H, I) += Σ dpre · xᵀ
  if (defers_recurrent_products(spec.type))
    gemm_nt_sum<S>(grads.W_h, dpre, h_prev);  // (G·H, H) += Σ dpre · h_{t-1}ᵀ
}

#define UNROLLED_INSTANTIATE(S)                                                                    \
  template void affine_input(MatRefT<S>, const MatT<S>&, const VecT<S>&, InT<S>);                  \
  template void apply_activation(Activation, InT<S>, MatRefT<S>);                                  \
  template void activation_derivative(Activation, const MatT<S>&, const MatT<S>&, MatT<S>&);       \
  template void size_step(StepTraceT<S>&, const CellSpec&, Eigen::Index);                          \
  template void rnn_forward(StepRefT<S>, const CellSpec&, const LayerParamsT<S>&, InT<S>, InT<S>); \
  template void rnn_backward(const CellBackwardOutT<S>&, CellScratchT<S>&, const CellSpec&,        \
                             const TransposedWeightsT<S>&, const StepCRefT<S>&, InT<S>, InT<S>,    \
                             InT<S>);                                                              \
  template void cell_forward(StepRefT<S>, const CellSpec&, const LayerParamsT<S>&, InT<S>, InT<S>, \
                             InT<S>);                                                              \
  template void cell_forward(StepTraceT<S>&, const CellSpec&, const LayerParamsT<S>&,              \
                             const MatT<S>&, const MatT<S>&, const MatT<S>&);                      \
  template void cell_backward(const CellBackwardOutT<S>&, CellScratchT<S>&, const CellSpec&,       \
                              const TransposedWeightsT<S>&, const StepCRefT<S>&, InT<S>, InT<S>,   \
                              InT<S>, InT<S>, InT<S>);                                             \
  template void cell_backward(const CellBackwardOutT<S>&, CellScratchT<S>&, const CellSpec&,       \
                              const TransposedWeightsT<S>&, const StepTraceT<S>&, const MatT<S>&,  \
                              const MatT<S>&, const MatT<S>&, const MatT<S>&, const MatT<S>&);     \
  template void weight_products(                                                                   \
      LayerParamsT<S>&, const CellSpec&, const std::vector<ConstMatRefT<S>>&,                      \
      const std::vector<ConstMatRefT<S>>&, const std::vector<ConstMatRefT<S>>&);
UNROLLED_INSTANTIATE(float)
UNROLLED_INSTANTIATE(double)
#undef UNROLLED_INSTANTIATE

}  // namespace unrolled
