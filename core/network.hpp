// Unrolled core: stacked recurrent layers + a linear readout + the loss, unrolled through time.
//
// Legend: B batch, T steps, I input, H hidden, O output, G gate blocks, L layers.
//
//   forward:  for t = 0..T-1, for l = 0..L-1: cell(x^l_t, h^l_{t-1}, c^l_{t-1}) -> StepTrace;
//             readout y_t = W_y h^{L-1}_t + b_y at every step (Readout::Every) or the last (Last)
//   loss:     MSE, the mean over every scored target element (as Keras and PyTorch define it), or
//             softmax cross-entropy, the mean over the scored steps and the batch. A mask weighs
//             each (step, sequence); the mean divides by the sum of the weights.
//   backward: BPTT walks the forward pass in reverse, one time step (all layers, top first) at a
//             time. Truncated BPTT(k1, k2): every k1 steps, the losses of those k1 steps are
//             back-propagated through at most k2 steps; the hidden state still flows forward
//             across chunks, its gradient does not flow back across the cut.
//
// Step mode: forward_begin/forward_step and BackwardPass::step run one time step at a time;
// forward() and backward() are exactly those loops, so stepping gives bit-identical numbers.
//
// Shards: a batch of B >= 32 sequences is cut into shard_count(B) column ranges, fixed by B alone
// (never by the thread count). Each shard runs the forward pass and BPTT on its own columns, on
// whichever pool thread is free (core/parallel), reading and writing its columns of the whole
// batch's Trace and GradTrace in place (one copy of each; a column range of a column-major
// matrix is one contiguous block). Whatever is summed across the batch (the loss, the weight
// gradients, the norms) is summed afterwards in shard order. So the numbers are the same bit for
// bit with 1, 2 or 16 threads, and stepping gives the same numbers as whole passes.
//
// Weight gradients: stepping accumulates dW_x and dW_h at every step, as the UI shows them; a
// whole full-BPTT pass (BackwardPass::finish) leaves them to one product per shard and layer over
// all its steps at once (weight_products, core/cell.hpp), the same bits with a depth of T·B_s
// instead of B_s: what lets a shard of 16 sequences run as fast per sequence as the whole batch.
//
// Precision: every type here is a template on the scalar S (float or double, instantiated in
// network.cpp); Network, Trace, GradTrace and BackwardPass are the double versions. The loss, the
// per-step losses, the mask weight sum and the gradient norms are double in both.
#pragma once

#include <vector>

#include "core/cell.hpp"
#include "core/interrupt.hpp"
#include "core/types.hpp"

namespace unrolled {

// The batch's shards: 1 below 32 sequences, else B / 16 (at most kMaxShards), so the lessons'
// batches of 32 run as 2 shards of 16. Narrower shards would cost more in their per-step products
// (the recurrent products' width, the readout's, the loss's) than they save. Shard s holds the
// columns [shard_begin(B, s), shard_begin(B, s + 1)).
constexpr int kShardColumns = 16;
constexpr int kMaxShards = 16;
int shard_count(int batch_size);
int shard_begin(int batch_size, int shard);

// One shard of a sharded forward pass: its columns of the batch and its losses. Its trace is the
// whole batch's trace's columns [col0, col0 + cols).
struct TraceShard {
  int col0 = 0, cols = 0;
  int steps_done = 0;  // ahead of the trace's own count only after an interrupted forward_finish
  Vec step_loss;  // (T) each step's loss over these columns (over the whole batch's weight sum)
};

// Everything the forward pass computed, for every layer and time step, for the whole batch.
template <class S>
struct TraceT {
  std::vector<std::vector<StepTraceT<S>>> steps;  // [L][T]
  std::vector<MatT<S>> h0, c0;                    // L x (H, B) initial states (c0 LSTM only)
  std::vector<MatT<S>> y;     // T x (O, B) readout (Every), 1 x (O, B) (Last): predictions for
                              //   MSE, logits for cross-entropy
  std::vector<MatT<S>> prob;  // same shape as y: softmax(y) for cross-entropy; empty for MSE
  Vec step_loss;              // (T) each step's share of the loss; they sum to loss
  double loss = 0;
  double weight_sum = 0;           // sum of the mask weights scored (the loss's denominator)
  int steps_done = 0;              // forward steps computed so far (step mode)
  std::vector<TraceShard> shards;  // shard_count(B) of them when B is sharded, else empty

  int num_steps() const { return steps.empty() ? 0 : static_cast<int>(steps[0].size()); }
  const MatT<S>& h_prev(int layer, int t) const {
    return t == 0 ? h0[layer] : steps[layer][t - 1].h;
  }
  const MatT<S>& c_prev(int layer, int t) const {
    return t == 0 ? c0[layer] : steps[layer][t - 1].c;
  }
  // The readout's output index for time step t, or -1 if step t has no output.
  int output_index(int t) const;
};
using Trace = TraceT<double>;

// What BPTT found besides the parameter gradients: the gradient flowing back through time.
template <class S>
struct GradTraceT {
  std::vector<std::vector<MatT<S>>> dh;    // [L][T] (H, B) dL/dh_t: from the loss at t, from t+1
                                           //   and from the layer above
  std::vector<std::vector<MatT<S>>> dc;    // [L][T] (H, B) dL/dc_t (LSTM; empty otherwise)
  std::vector<std::vector<MatT<S>>> dpre;  // [L][T] (G*H, B) dL/d(pre-activations)
  std::vector<MatT<S>> dh0, dc0;           // L x (H, B) gradient at the initial states
  Mat dh_norm;                             // (L, T) Frobenius norm of dh[l][t] over the batch
  Mat dc_norm;                             // (L, T) same for dc (LSTM; zeros otherwise)
  Mat profile;  // (L, T) decay profile: profile(l, d) = ||dL_T/dh^l_{T-1-d}|| for the last step's
                //   loss alone, d = distance 0..T-1. Empty when not requested.
};
using GradTrace = GradTraceT<double>;

// out = in converted to To, for the trainer's double view of a float engine's traces.
template <class To, class From>
void cast_trace(TraceT<To>& out, const TraceT<From>& in);
template <class To, class From>
void cast_grad_trace(GradTraceT<To>& out, const GradTraceT<From>& in);

struct BackwardOptions {
  int k1 = 0;           // truncated BPTT: back-propagate every k1 steps (0: full BPTT)
  int k2 = 0;           //   through at most k2 steps (0: k2 = k1); requires k2 >= k1
  bool profile = true;  // also compute the decay profile (one more backward sweep, no weights)
  // With profile and full BPTT: run the profile sweep beside the main one, time step by time
  // step, so the trace is read once (the numbers are the same; no separate sweep to step through).
  bool fold_profile = false;
};

template <class S>
class NetworkT {
 public:
  NetworkT() = default;
  explicit NetworkT(const NetworkSpec& spec);  // zero parameters of the right shapes
  NetworkT(const NetworkSpec& spec, ParamsT<S> params);

  const NetworkSpec& spec() const { return spec_; }
  CellSpec cell_spec(int layer) const;
  ParamsT<S>& params() { return params_; }
  const ParamsT<S>& params() const { return params_; }

  // Whole forward pass. h0/c0: L x (H, B) initial states, nullptr for zeros.
  void forward(TraceT<S>& trace, const BatchT<S>& batch, const std::vector<MatT<S>>* h0 = nullptr,
               const std::vector<MatT<S>>* c0 = nullptr) const;
  // Step mode: begin sizes the trace and sets the initial states; step computes time step
  // trace.steps_done for every layer, its readout and its loss, then advances steps_done.
  void forward_begin(TraceT<S>& trace, const BatchT<S>& batch,
                     const std::vector<MatT<S>>* h0 = nullptr,
                     const std::vector<MatT<S>>* c0 = nullptr) const;
  void forward_step(TraceT<S>& trace, const BatchT<S>& batch) const;
  // The remaining time steps of a begun forward pass, each shard on its own thread. Once `stop`
  // is raised no further time step starts and it returns early; calling it (or forward_step)
  // again resumes, each shard from its own step.
  void forward_finish(TraceT<S>& trace, const BatchT<S>& batch, Interrupt* stop = nullptr) const;

  // Whole backward pass: grads (zeroed here) and gt for a finished trace.
  void backward(ParamsT<S>& grads, GradTraceT<S>& gt, const TraceT<S>& trace,
                const BatchT<S>& batch, const BackwardOptions& options = {}) const;

  // Checks the batch against the spec; returns "" or one message naming what is wrong.
  std::string validate(const BatchT<S>& batch) const;

 private:
  // Step t of the columns [col0, col0 + n): every layer, the readout; returns their loss (over
  // the whole batch's weight sum).
  double step_columns(TraceT<S>& trace, const BatchT<S>& batch, int t, int col0, int n) const;
  void add_step_loss(TraceT<S>& trace, int t) const;  // the shards' losses at t, in shard order

  NetworkSpec spec_;
  ParamsT<S> params_;
};
using Network = NetworkT<double>;

// The backward pass as a sequence of sweeps ("windows"), advanced one time step at a time.
// Full BPTT is one window over [0, T); truncated BPTT one per chunk; the decay profile one more
// sweep from the last step's loss that accumulates no parameter gradients.
template <class S>
class BackwardPassT {
 public:
  // The referenced objects must outlive the pass. Zeroes grads and gt.
  void begin(const NetworkT<S>& net, const TraceT<S>& trace, const BatchT<S>& batch,
             const BackwardOptions& options, ParamsT<S>& grads, GradTraceT<S>& gt);
  // Processes one time step (every layer, top first). Returns false when nothing was left.
  bool step();
  // Processes every step left, each shard's on its own thread. Once `stop` is raised no further
  // time step starts and it returns with done() false; finish() or step() resume it.
  void finish(Interrupt* stop = nullptr);
  bool done() const { return window_ >= static_cast<int>(windows_.size()); }
  // The time step the next step() processes, or -1 when done.
  int next_t() const { return done() ? -1 : t_; }
  // True while the decay-profile sweep (no parameter gradients) is running.
  bool in_profile_sweep() const { return !done() && windows_[window_].profile_only; }

 private:
  struct Window {
    int t_end;             // the sweep starts at t_end - 1 ...
    int t_start;           // ... and stops after t_start
    int loss_lo, loss_hi;  // losses of steps in [loss_lo, loss_hi) are injected
    bool profile_only;
  };
  // What one sweep carries back through time, and its scratch. Shapes for a lane of n columns.
  struct Carry {
    std::vector<MatT<S>> dh_next, dc_next;  // L x (H, n) gradient arriving from step t + 1
    MatT<S> dy, dh_cur, dx_above, dx, dpre, dc_total;  // scratch
    CellScratchT<S> scratch;
  };
  // One shard's columns (the whole batch when unsharded) and what its sweeps carry.
  struct Lane {
    int col0 = 0, cols = 0;
    // Where the lane's next step is (window, t): the pass's own (window_, t_), or past it after
    // an interrupted finish(); t_defer: while finish() defers dW (full BPTT), the step it began
    // at (-1: not deferring).
    int window = 0, t = 0, t_defer = -1;
    Carry main, profile;  // profile: the folded profile sweep's
    ParamsT<S> grads;     // the shard's gradient sums (sharded; unsharded, grads_ directly)
    // (L, T) squared norms over these columns, in double: dh and dc (as last written), the
    // profile sweep's dh. The whole batch's norms are sqrt(Σ over lanes), in lane order.
    Mat dh_sq, dc_sq, profile_sq;
  };
  ParamsT<S>& lane_grads(Lane& lane) { return lanes_.size() == 1 ? *grads_ : lane.grads; }
  void lane_step(Lane& lane, int w, int t);  // one lane's step t of window w, every sweep
  bool lane_ahead(const Lane& lane) const {  // past the pass's (window_, t_)
    return lane.window > window_ || (lane.window == window_ && lane.t < t_);
  }
  void run_lane(Lane& lane, Interrupt* stop);  // the lane's steps left, from its own position
  void advance(int& w, int& t) const;          // (w, t) to the next step or window
  void sweep_step(Lane& lane, Carry& carry, const Window& w, int t);  // every layer at step t
  void deferred_products(Lane& lane, int t_hi, int t_lo);  // dW over steps t_hi..t_lo (deferred)
  void sums_at(int t, bool record, bool profile);  // norms, profile at step t
  void sum_shard_grads();                          // grads = shard 0 + shard 1 + ..., in that order

  const NetworkT<S>* net_ = nullptr;
  const TraceT<S>* trace_ = nullptr;
  const BatchT<S>* batch_ = nullptr;
  ParamsT<S>* grads_ = nullptr;
  GradTraceT<S>* gt_ = nullptr;
  std::vector<Window> windows_;
  int window_ = 0;
  int t_ = 0;
  bool fold_ = false;   // the profile sweep runs beside the main one (options.fold_profile)
  std::vector<TransposedWeightsT<S>> wt_;  // L: each layer's weights transposed, made in begin()
  std::vector<Lane> lanes_;                // the trace's shards, or one lane for the whole batch
};
using BackwardPass = BackwardPassT<double>;

// Softmax over each column, numerically stable. logits, out: (O, B).
template <class S>
void softmax_columns(const MatT<S>& logits, MatT<S>& out);
inline void softmax_columns(const Mat& logits, Mat& out) {  // double, from any expression
  softmax_columns<double>(logits, out);
}

}  // namespace unrolled
