// Unrolled core: the interface every recurrent cell shares (rnn_cell, lstm_cell, gru_cell).
//
// Legend: B batch, T steps, I input (of this layer), H hidden, G gate blocks (vanilla 1, LSTM 4,
//         GRU 3). One column per sequence in the batch.
//
// Each cell is a forward/backward pair over ONE time step for the whole batch:
//   forward (out, params, x_t, h_{t-1}, c_{t-1})                 -> StepTrace
//   backward(grads, dx, dh_prev, dc_prev, dpre,                   <- dL/dh_t, dL/dc_t
//            params, step, x_t, h_{t-1}, c_{t-1}, dh, dc)
// The forward pass caches in StepTrace exactly what the backward pass (and the UI) needs.
#pragma once

#include <cmath>

#include "core/types.hpp"

namespace unrolled {

struct CellSpec {
  CellType type = CellType::Lstm;
  Activation activation = Activation::Tanh;  // vanilla only
  GruVariant gru_variant = GruVariant::ResetBefore;
  int input_size = 1;   // I of this layer
  int hidden_size = 1;  // H
};

// What the forward pass keeps for one layer at one time step.
struct StepTrace {
  Mat pre;     // (G*H, B) pre-activations, gate blocks in order. Vanilla: a_t.
               //   GRU n block: the full argument of tanh (with r applied).
  Mat gates;   // (G*H, B) activations: LSTM [i f g o], GRU [r z n], vanilla h_t = act(a_t)
  Mat c;       // (H, B) LSTM cell state c_t; empty for the other cells
  Mat tanh_c;  // (H, B) LSTM tanh(c_t); empty for the other cells
  Mat hn;      // (H, B) GRU recurrent term of n: W_hn (r ⊙ h_{t-1}) reset-before,
               //   W_hn h_{t-1} + b_hn reset-after; empty for the other cells
  Mat h;       // (H, B) h_t
};

// Where the backward pass writes. Any pointer may be null to skip that output (the Jacobian
// analysis needs only dh_prev; the decay profile needs no parameter gradients).
struct CellBackwardOut {
  LayerParams* grads = nullptr;  // accumulated (+=), shapes of LayerParams
  Mat* dx = nullptr;             // (I, B) dL/dx_t, overwritten
  Mat* dh_prev = nullptr;        // (H, B) dL/dh_{t-1} through this cell, overwritten
  Mat* dc_prev = nullptr;        // (H, B) dL/dc_{t-1} (LSTM), overwritten
  Mat* dpre = nullptr;           // (G*H, B) dL/d(pre-activation), overwritten
  Mat* dc_total = nullptr;       // (H, B) dL/dc_t including the path through h_t (LSTM)
};

// Scratch buffers a cell may reuse between calls, to keep the BPTT loop free of allocations.
struct CellScratch {
  Mat a, b, c;  // shapes vary by cell
};

void rnn_forward(StepTrace& out, const CellSpec& spec, const LayerParams& p, const Mat& x,
                 const Mat& h_prev);
void rnn_backward(const CellBackwardOut& out, CellScratch& scratch, const CellSpec& spec,
                  const LayerParams& p, const StepTrace& step, const Mat& x, const Mat& h_prev,
                  const Mat& dh);

void lstm_forward(StepTrace& out, const CellSpec& spec, const LayerParams& p, const Mat& x,
                  const Mat& h_prev, const Mat& c_prev);
void lstm_backward(const CellBackwardOut& out, CellScratch& scratch, const CellSpec& spec,
                   const LayerParams& p, const StepTrace& step, const Mat& x, const Mat& h_prev,
                   const Mat& c_prev, const Mat& dh, const Mat& dc);

void gru_forward(StepTrace& out, const CellSpec& spec, const LayerParams& p, const Mat& x,
                 const Mat& h_prev);
void gru_backward(const CellBackwardOut& out, CellScratch& scratch, const CellSpec& spec,
                  const LayerParams& p, const StepTrace& step, const Mat& x, const Mat& h_prev,
                  const Mat& dh);

// Dispatch on spec.type. c_prev and dc are ignored by cells without a cell state (pass any).
void cell_forward(StepTrace& out, const CellSpec& spec, const LayerParams& p, const Mat& x,
                  const Mat& h_prev, const Mat& c_prev);
void cell_backward(const CellBackwardOut& out, CellScratch& scratch, const CellSpec& spec,
                   const LayerParams& p, const StepTrace& step, const Mat& x, const Mat& h_prev,
                   const Mat& c_prev, const Mat& dh, const Mat& dc);

// pre (G*H, B) = b + W_x x: resized, written without a zero-fill. A narrow input (I <= 4, the
// first layer of most lessons) is a few column updates instead of a GEMM of depth I. Shared by
// the cells, which then add W_h h_{t-1} (GEMM accumulate, again no zero-fill).
void affine_input(Mat& pre, const Mat& W_x, const Vec& b, const Mat& x);

// Element-wise activations and their derivatives written in terms of the output y = act(a)
// where possible. Shared by the cells and by the analysis code.
inline double sigmoid(double a) {
  return 1.0 / (1.0 + std::exp(-a));
}
void apply_activation(Activation act, const Mat& a, Mat& y);  // y = act(a)
// dy/da given a and y = act(a): tanh 1 - y², sigmoid y(1 - y), relu [a > 0], identity 1.
void activation_derivative(Activation act, const Mat& a, const Mat& y, Mat& out);

}  // namespace unrolled
