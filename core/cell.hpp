// Unrolled core: the interface every recurrent cell shares (rnn_cell, lstm_cell, gru_cell).
//
// Legend: B batch, T steps, I input (of this layer), H hidden, G gate blocks (vanilla 1, LSTM 4,
//         GRU 3). One column per sequence in the batch.
//
// Each cell is a forward/backward pair over ONE time step for the whole batch:
//   forward (out, params, x_t, h_{t-1}, c_{t-1})                 -> StepTrace
//   backward(grads, dx, dh_prev, dc_prev, dpre,                   <- dL/dh_t, dL/dc_t
//            params transposed, step, x_t, h_{t-1}, c_{t-1}, dh, dc)
// The forward pass caches in StepTrace exactly what the backward pass (and the UI) needs.
#pragma once

#include <cmath>
#include <vector>

#include "core/gemm.hpp"
#include "core/types.hpp"

namespace unrolled {

struct CellSpec {
  CellType type = CellType::Lstm;
  Activation activation = Activation::Tanh;  // vanilla only
  GruVariant gru_variant = GruVariant::ResetBefore;
  int input_size = 1;                             // I of this layer
  int hidden_size = 1;                            // H
  GateActivation gate = GateActivation::Sigmoid;  // LSTM i f o, GRU r z
};

// What the forward pass keeps for one layer at one time step.
template <class S>
struct StepTraceT {
  MatT<S> pre;     // (G*H, B) pre-activations, gate blocks in order. Vanilla: a_t.
                   //   GRU n block: the full argument of tanh (with r applied).
  MatT<S> gates;   // (G*H, B) activations: LSTM [i f g o], GRU [r z n], vanilla h_t = act(a_t)
  MatT<S> c;       // (H, B) LSTM cell state c_t; empty for the other cells
  MatT<S> tanh_c;  // (H, B) LSTM tanh(c_t); empty for the other cells
  MatT<S> hn;      // (H, B) GRU recurrent term of n: W_hn (r ⊙ h_{t-1}) reset-before,
                   //   W_hn h_{t-1} + b_hn reset-after; empty for the other cells
  MatT<S> h;       // (H, B) h_t
};
using StepTrace = StepTraceT<double>;

// A StepTrace's columns [col0, col0 + n) as views, for a batch shard writing (StepRefT) or
// reading (StepCRefT) its part of the whole batch's trace in place. A column range of a
// column-major matrix is one contiguous block, so the cells' packet loops run on it unchanged.
// Fields a cell does not use stay empty views.
template <class S>
struct StepRefT {
  MatRefT<S> pre, gates, c, tanh_c, hn, h;  // shapes as StepTraceT's, B = n
};
template <class S>
struct StepCRefT {
  ConstMatRefT<S> pre, gates, c, tanh_c, hn, h;
};
// m's columns [col0, col0 + n), or m itself when it is empty (a field the cell does not use).
template <class S>
MatRefT<S> columns(MatT<S>& m, Eigen::Index col0, Eigen::Index n) {
  if (m.size() == 0) return MatRefT<S>(m);
  return MatRefT<S>(m.middleCols(col0, n));
}
template <class S>
ConstMatRefT<S> columns(const MatT<S>& m, Eigen::Index col0, Eigen::Index n) {
  if (m.size() == 0) return ConstMatRefT<S>(m);
  return ConstMatRefT<S>(m.middleCols(col0, n));
}
template <class S>
StepRefT<S> columns(StepTraceT<S>& st, Eigen::Index col0, Eigen::Index n) {
  return {columns(st.pre, col0, n),    columns(st.gates, col0, n), columns(st.c, col0, n),
          columns(st.tanh_c, col0, n), columns(st.hn, col0, n),    columns(st.h, col0, n)};
}
template <class S>
StepCRefT<S> columns(const StepTraceT<S>& st, Eigen::Index col0, Eigen::Index n) {
  return {columns(st.pre, col0, n),    columns(st.gates, col0, n), columns(st.c, col0, n),
          columns(st.tanh_c, col0, n), columns(st.hn, col0, n),    columns(st.h, col0, n)};
}
// st sized for B sequences of a cell (the fields it does not use emptied), before cell_forward
// writes into views of it.
template <class S>
void size_step(StepTraceT<S>& st, const CellSpec& spec, Eigen::Index B);

// Where the backward pass writes. Any pointer may be null to skip that output (the Jacobian
// analysis needs only dh_prev; the decay profile needs no parameter gradients).
template <class S>
struct CellBackwardOutT {
  LayerParamsT<S>* grads = nullptr;  // accumulated (+=), shapes of LayerParams
  // With grads: leave the products dW_x += dpre·xᵀ (and dW_h += dpre·h_{t-1}ᵀ where
  // defers_recurrent_products) to weight_products, which does a whole pass's steps at once.
  bool defer_products = false;
  MatT<S>* dx = nullptr;           // (I, B) dL/dx_t, overwritten
  MatT<S>* dh_prev = nullptr;      // (H, B) dL/dh_{t-1} through this cell, overwritten
  MatT<S>* dc_prev = nullptr;      // (H, B) dL/dc_{t-1} (LSTM), overwritten
  MatRefT<S>* dpre = nullptr;      // (G*H, B) dL/d(pre-activation), overwritten (sized)
  MatRefT<S>* dc_total = nullptr;  // (H, B) dL/dc_t including the path through h_t (LSTM), sized
};
using CellBackwardOut = CellBackwardOutT<double>;

// W_xᵀ (I, G*H) and W_hᵀ (H, G*H): the backward products dL/dx_t = W_xᵀ dpre and
// dL/dh_{t-1} = W_hᵀ dpre read the weights across their rows, so BPTT lays them out transposed
// once per pass (the weights are fixed within it) and every step's product reads them in order.
template <class S>
struct TransposedWeightsT {
  MatT<S> W_x;  // (I, G*H)
  MatT<S> W_h;  // (H, G*H)
};
template <class S>
TransposedWeightsT<S> transposed(const LayerParamsT<S>& p) {
  return {p.W_x.transpose(), p.W_h.transpose()};
}

// Scratch buffers a cell may reuse between calls, to keep the BPTT loop free of allocations.
template <class S>
struct CellScratchT {
  MatT<S> a, b, c;  // shapes vary by cell
};
using CellScratch = CellScratchT<double>;

// Every function below is a template on the scalar S, instantiated for float and double in the
// cell's .cpp file.
// The forward functions write into views sized by the caller (size_step); inputs are views too,
// so a shard reads and writes its columns of the whole batch's trace in place.
template <class S>
using InT = const ConstMatRefT<S>&;

template <class S>
void rnn_forward(StepRefT<S> out, const CellSpec& spec, const LayerParamsT<S>& p, InT<S> x,
                 InT<S> h_prev);
template <class S>
void rnn_backward(const CellBackwardOutT<S>& out, CellScratchT<S>& scratch, const CellSpec& spec,
                  const TransposedWeightsT<S>& wt, const StepCRefT<S>& step, InT<S> x,
                  InT<S> h_prev, InT<S> dh);

template <class S>
void lstm_forward(StepRefT<S> out, const CellSpec& spec, const LayerParamsT<S>& p, InT<S> x,
                  InT<S> h_prev, InT<S> c_prev);
template <class S>
void lstm_backward(const CellBackwardOutT<S>& out, CellScratchT<S>& scratch, const CellSpec& spec,
                   const TransposedWeightsT<S>& wt, const StepCRefT<S>& step, InT<S> x,
                   InT<S> h_prev, InT<S> c_prev, InT<S> dh, InT<S> dc);

template <class S>
void gru_forward(StepRefT<S> out, const CellSpec& spec, const LayerParamsT<S>& p, InT<S> x,
                 InT<S> h_prev);
template <class S>
void gru_backward(const CellBackwardOutT<S>& out, CellScratchT<S>& scratch, const CellSpec& spec,
                  const TransposedWeightsT<S>& wt, const StepCRefT<S>& step, InT<S> x,
                  InT<S> h_prev, InT<S> dh);

// Dispatch on spec.type. c_prev and dc are ignored by cells without a cell state (pass any).
// The view versions (call them as cell_forward<S>) are the engine's; the StepTrace versions size
// out (forward) and suit one-off callers (sampling, the Jacobian analysis, tests).
template <class S>
void cell_forward(StepRefT<S> out, const CellSpec& spec, const LayerParamsT<S>& p, InT<S> x,
                  InT<S> h_prev, InT<S> c_prev);
template <class S>
void cell_forward(StepTraceT<S>& out, const CellSpec& spec, const LayerParamsT<S>& p,
                  const MatT<S>& x, const MatT<S>& h_prev, const MatT<S>& c_prev);
template <class S>
void cell_backward(const CellBackwardOutT<S>& out, CellScratchT<S>& scratch, const CellSpec& spec,
                   const TransposedWeightsT<S>& wt, const StepCRefT<S>& step, InT<S> x,
                   InT<S> h_prev, InT<S> c_prev, InT<S> dh, InT<S> dc);
template <class S>
void cell_backward(const CellBackwardOutT<S>& out, CellScratchT<S>& scratch, const CellSpec& spec,
                   const TransposedWeightsT<S>& wt, const StepTraceT<S>& step, const MatT<S>& x,
                   const MatT<S>& h_prev, const MatT<S>& c_prev, const MatT<S>& dh,
                   const MatT<S>& dc);

// True when backward with defer_products leaves dW_h to weight_products too (LSTM, vanilla:
// its operands dpre and h_{t-1} are kept in the traces); the GRU's dW_h operands (r ⊙ h_{t-1},
// r ⊙ dpre_n) are not kept, so it defers dW_x alone.
inline bool defers_recurrent_products(CellType type) {
  return type != CellType::Gru;
}

// The deferred products of backward's steps, in the order given (the order backward visited
// them): dW_x += Σ_k dpre_k · x_kᵀ, and dW_h += Σ_k dpre_k · h_prev_kᵀ where
// defers_recurrent_products. The same bits as the per-step products, with each tile of dW kept
// in registers across all the steps (a depth of steps × B instead of B).
template <class S>
void weight_products(LayerParamsT<S>& grads, const CellSpec& spec,
                     const std::vector<ConstMatRefT<S>>& dpre,
                     const std::vector<ConstMatRefT<S>>& x,
                     const std::vector<ConstMatRefT<S>>& h_prev);

// pre (G*H, B) = b + W_x x, written without a zero-fill (pre sized by the caller). A narrow
// input (I <= 4, the first layer of most lessons) is a few column updates instead of a GEMM of
// depth I. Shared by the cells, which then add W_h h_{t-1} (GEMM accumulate, again no zero-fill).
template <class S>
void affine_input(MatRefT<S> pre, const MatT<S>& W_x, const VecT<S>& b, InT<S> x);

// Element-wise activations and their derivatives written in terms of the output y = act(a)
// where possible. Shared by the cells and by the analysis code.
inline double sigmoid(double a) {
  return 1.0 / (1.0 + std::exp(-a));
}
template <class S>
void apply_activation(Activation act, InT<S> a, MatRefT<S> y);  // y = act(a), y sized, contiguous
// dy/da given a and y = act(a): tanh 1 - y², sigmoid y(1 - y), relu [a > 0], identity 1.
template <class S>
void activation_derivative(Activation act, const MatT<S>& a, const MatT<S>& y, MatT<S>& out);

}  // namespace unrolled
