// Legend: B batch, T steps, I input, H hidden, O output, G gate blocks, L layers.
#include "core/network.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <type_traits>
#include <utility>

#include "core/parallel.hpp"

namespace unrolled {
namespace {

// The whole batch's matrices of one step, sized before the shards fill their columns in
// parallel (resizing there would race). Shapes as the cells write them (core/cell.hpp).
template <class S>
void size_step(StepTraceT<S>& st, const NetworkSpec& spec, int B) {
  const CellSpec cell{spec.cell, spec.activation, spec.gru_variant, 1, spec.hidden_size};
  size_step(st, cell, B);
}

// m sized (rows, cols) and viewed whole: a lane's scratch.
template <class S>
MatRefT<S> sized(MatT<S>& m, Eigen::Index rows, Eigen::Index cols) {
  m.resize(rows, cols);
  return MatRefT<S>(m);
}

// Softmax over each column of logits (O, n) into out (O, n), sized.
template <class S>
void softmax_into(const ConstMatRefT<S>& logits, MatRefT<S> out) {
  out = (logits.rowwise() - logits.colwise().maxCoeff()).array().exp();
  out.array().rowwise() /= out.colwise().sum().array();
}

// Σ m², accumulated in double (finite float entries can square beyond float's range) in
// kSums running sums the compiler keeps in vector registers, then added in a fixed order.
// Eigen's squaredNorm of m.cast<double>() is one scalar chain: 13 % of a float LSTM step.
template <class S>
double squared_norm(const ConstMatRefT<S>& m) {
  constexpr int kSums = 16;
  double acc[kSums] = {};
  double tail = 0;
  const Eigen::Index rows = m.rows();
  for (Eigen::Index j = 0; j < m.cols(); ++j) {
    const S* p = m.col(j).data();
    Eigen::Index i = 0;
    for (; i + kSums <= rows; i += kSums)
      for (int k = 0; k < kSums; ++k) {
        const double v = p[i + k];
        acc[k] += v * v;
      }
    for (; i < rows; ++i) {
      const double v = p[i];
      tail += v * v;
    }
  }
  for (int k = 0; k < kSums; ++k) tail += acc[k];
  return tail;
}

template <class S>
double mask_weight(const BatchT<S>& batch, int row, Eigen::Index b) {
  return batch.mask.size() == 0 ? 1.0 : static_cast<double>(batch.mask(row, b));
}

std::string shape_str(Eigen::Index r, Eigen::Index c) {
  return "(" + std::to_string(r) + ", " + std::to_string(c) + ")";
}

}  // namespace

template <class S>
void softmax_columns(const MatT<S>& logits, MatT<S>& out) {
  out.resize(logits.rows(), logits.cols());
  softmax_into<S>(logits, out);
}

template <class S>
int TraceT<S>::output_index(int t) const {
  if (y.size() == steps[0].size()) return t;  // Readout::Every
  return t == num_steps() - 1 ? 0 : -1;
}

int shard_count(int batch_size) {
  if (batch_size < 2 * kShardColumns) return 1;  // B 32: 2 shards of 16
  return std::min(kMaxShards, batch_size / kShardColumns);
}

int shard_begin(int batch_size, int shard) {
  const int64_t n = shard_count(batch_size);
  return static_cast<int>(static_cast<int64_t>(batch_size) * shard / n);
}

template <class S>
NetworkT<S>::NetworkT(const NetworkSpec& spec) : spec_(spec) {
  if constexpr (std::is_same_v<S, double>)
    params_ = make_params(spec);
  else
    cast_params(params_, make_params(spec));
}
template <class S>
NetworkT<S>::NetworkT(const NetworkSpec& spec, ParamsT<S> params)
    : spec_(spec), params_(std::move(params)) {}

template <class S>
CellSpec NetworkT<S>::cell_spec(int layer) const {
  return {spec_.cell,        spec_.activation,     spec_.gru_variant, spec_.layer_input_size(layer),
          spec_.hidden_size, spec_.gate_activation};
}

template <class S>
std::string NetworkT<S>::validate(const BatchT<S>& batch) const {
  std::ostringstream e;
  const int T = batch.steps();
  if (T < 1) return "batch: inputs must hold at least one time step";
  const Eigen::Index B = batch.inputs[0].cols();
  if (B < 1) return "batch: the batch must hold at least one sequence";
  for (int t = 0; t < T; ++t) {
    const MatT<S>& x = batch.inputs[t];
    if (x.rows() != spec_.input_size || x.cols() != B) {
      e << "batch: inputs at t=" << t << " have shape " << shape_str(x.rows(), x.cols())
        << ", expected (I, B) = " << shape_str(spec_.input_size, B);
      return e.str();
    }
    if (!x.allFinite()) return "batch: inputs at t=" + std::to_string(t) + " are not finite";
  }
  const size_t n_targets = spec_.readout == Readout::Every ? T : 1;
  if (batch.targets.size() != n_targets) {
    e << "batch: " << batch.targets.size() << " target steps for readout '"
      << to_string(spec_.readout) << "', expected " << n_targets;
    return e.str();
  }
  for (size_t k = 0; k < n_targets; ++k) {
    const MatT<S>& y = batch.targets[k];
    if (y.rows() != spec_.output_size || y.cols() != B) {
      e << "batch: targets[" << k << "] have shape " << shape_str(y.rows(), y.cols())
        << ", expected (O, B) = " << shape_str(spec_.output_size, B);
      return e.str();
    }
    if (!y.allFinite()) return "batch: targets[" + std::to_string(k) + "] are not finite";
  }
  if (batch.mask.size() != 0) {
    const Eigen::Index rows = static_cast<Eigen::Index>(n_targets);
    if (batch.mask.rows() != rows || batch.mask.cols() != B) {
      e << "batch: mask has shape " << shape_str(batch.mask.rows(), batch.mask.cols())
        << ", expected " << shape_str(rows, B);
      return e.str();
    }
    if (!batch.mask.allFinite() || (batch.mask.array() < S(0)).any())
      return "batch: mask weights must be finite and >= 0";
  }
  return "";
}

template <class S>
void NetworkT<S>::forward(TraceT<S>& trace, const BatchT<S>& batch, const std::vector<MatT<S>>* h0,
                          const std::vector<MatT<S>>* c0) const {
  forward_begin(trace, batch, h0, c0);
  forward_finish(trace, batch);
}

template <class S>
void NetworkT<S>::forward_begin(TraceT<S>& trace, const BatchT<S>& batch,
                                const std::vector<MatT<S>>* h0,
                                const std::vector<MatT<S>>* c0) const {
  const int L = spec_.num_layers, T = batch.steps(), B = batch.batch_size();
  const int H = spec_.hidden_size;
  // Every step's matrices sized here (a no-op for a reused trace), so the cells, and the shards
  // in parallel, write into them in place.
  trace.steps.resize(L);
  for (auto& layer : trace.steps) {
    layer.resize(T);
    for (StepTraceT<S>& st : layer) size_step(st, spec_, B);
  }
  trace.h0.resize(L);
  trace.c0.resize(L);
  for (int l = 0; l < L; ++l) {
    if (h0)
      trace.h0[l] = (*h0)[l];
    else
      trace.h0[l].setZero(H, B);
    if (spec_.cell != CellType::Lstm)
      trace.c0[l].resize(0, 0);
    else if (c0)
      trace.c0[l] = (*c0)[l];
    else
      trace.c0[l].setZero(H, B);
  }
  const int n_out = spec_.readout == Readout::Every ? T : 1;
  trace.y.resize(n_out);
  for (auto& y : trace.y) y.resize(spec_.output_size, B);
  trace.prob.resize(spec_.loss == LossKind::CrossEntropy ? n_out : 0);
  for (auto& p : trace.prob) p.resize(spec_.output_size, B);
  trace.step_loss.setZero(T);
  trace.loss = 0;
  if (batch.mask.size() == 0)
    trace.weight_sum = static_cast<double>(n_out) * B;
  else if constexpr (std::is_same_v<S, double>)
    trace.weight_sum = batch.mask.sum();
  else
    trace.weight_sum = batch.mask.template cast<double>().sum();
  trace.steps_done = 0;
  const int n = shard_count(B);
  trace.shards.resize(n > 1 ? n : 0);
  for (int s = 0; s < static_cast<int>(trace.shards.size()); ++s) {
    TraceShard& sh = trace.shards[s];
    sh.col0 = shard_begin(B, s);
    sh.cols = shard_begin(B, s + 1) - sh.col0;
    sh.steps_done = 0;
    sh.step_loss.setZero(T);
  }
}

template <class S>
void NetworkT<S>::forward_step(TraceT<S>& trace, const BatchT<S>& batch) const {
  const int t = trace.steps_done;
  if (trace.shards.empty()) {
    const double loss = step_columns(trace, batch, t, 0, batch.batch_size());
    trace.step_loss(t) = loss;
    trace.loss += loss;
  } else {
    parallel_for(static_cast<int>(trace.shards.size()), [&](int s) {
      TraceShard& sh = trace.shards[s];
      if (sh.steps_done > t) return;  // ran ahead in an interrupted forward_finish
      sh.step_loss(t) = step_columns(trace, batch, t, sh.col0, sh.cols);
      sh.steps_done = t + 1;
    });
    add_step_loss(trace, t);
  }
  ++trace.steps_done;
}

template <class S>
void NetworkT<S>::forward_finish(TraceT<S>& trace, const BatchT<S>& batch, Interrupt* stop) const {
  // Sharded, every shard's remaining steps are one task (one wait, not one per step); each
  // shard computes what forward_step would, in the same order, so stepping gives these numbers.
  // Interrupted, each shard stops where it is: the whole trace counts the steps all have done.
  const int T = batch.steps();
  if (trace.shards.empty()) {
    while (trace.steps_done < T && !stop_here(stop)) forward_step(trace, batch);
    return;
  }
  parallel_for(static_cast<int>(trace.shards.size()), [&](int s) {
    TraceShard& sh = trace.shards[s];
    while (sh.steps_done < T && !stop_here(stop)) {
      sh.step_loss(sh.steps_done) = step_columns(trace, batch, sh.steps_done, sh.col0, sh.cols);
      ++sh.steps_done;
    }
  });
  int done = T;
  for (const TraceShard& sh : trace.shards) done = std::min(done, sh.steps_done);
  while (trace.steps_done < done) {
    add_step_loss(trace, trace.steps_done);
    ++trace.steps_done;
  }
}

template <class S>
void NetworkT<S>::add_step_loss(TraceT<S>& trace, int t) const {
  double loss = 0;
  for (const TraceShard& sh : trace.shards) loss += sh.step_loss(t);
  trace.step_loss(t) = loss;
  trace.loss += loss;
}

template <class S>
double NetworkT<S>::step_columns(TraceT<S>& trace, const BatchT<S>& batch, int t, int col0,
                                 int n) const {
  for (int l = 0; l < spec_.num_layers; ++l) {
    const MatT<S>& x = l == 0 ? batch.inputs[t] : trace.steps[l - 1][t].h;  // (I_l, B)
    cell_forward<S>(columns(trace.steps[l][t], col0, n), cell_spec(l), params_.layers[l],
                    columns(x, col0, n), columns(trace.h_prev(l, t), col0, n),
                    columns(trace.c_prev(l, t), col0, n));
  }
  const int k = trace.output_index(t);
  if (k < 0) return 0;
  MatRefT<S> y = columns(trace.y[k], col0, n);  // (O, n)
  y.noalias() = params_.W_y * columns(trace.steps.back()[t].h, col0, n);
  y.colwise() += params_.b_y;
  const ConstMatRefT<S> target = columns(batch.targets[k], col0, n);  // (O, n)
  const bool ce = spec_.loss == LossKind::CrossEntropy;
  if (ce) softmax_into<S>(y, columns(trace.prob[k], col0, n));
  if (trace.weight_sum <= 0) return 0;
  double loss = 0;  // accumulated in double in both precisions
  if (!ce) {
    // (1, n) squared errors, in double also for float: y² overflows float from |y| ~ 2e19
    Eigen::RowVectorXd se;
    if constexpr (std::is_same_v<S, double>)
      se = (y - target).colwise().squaredNorm();
    else
      se = (y - target).template cast<double>().colwise().squaredNorm();
    for (Eigen::Index b = 0; b < n; ++b) loss += mask_weight(batch, k, col0 + b) * se(b);
    return loss / (static_cast<double>(spec_.output_size) * trace.weight_sum);
  }
  // -Σ_o target_o log p_o with log p = logit - logsumexp(logits)
  const Eigen::Matrix<S, 1, Eigen::Dynamic> m = y.colwise().maxCoeff();  // (1, n)
  for (Eigen::Index b = 0; b < n; ++b) {
    const S lse = m(b) + std::log((y.col(b).array() - m(b)).exp().sum());
    const double e = -(target.col(b).array() * (y.col(b).array() - lse)).sum();
    loss += mask_weight(batch, k, col0 + b) * e;
  }
  return loss / trace.weight_sum;
}

template <class S>
void NetworkT<S>::backward(ParamsT<S>& grads, GradTraceT<S>& gt, const TraceT<S>& trace,
                           const BatchT<S>& batch, const BackwardOptions& options) const {
  BackwardPassT<S> pass;
  pass.begin(*this, trace, batch, options, grads, gt);
  pass.finish();
}

// [SECTION] BackwardPass

namespace {

// gt sized for a backward pass over L layers, T steps, B sequences (G*H rows of dpre).
template <class S>
void size_grad_trace(GradTraceT<S>& gt, const NetworkSpec& spec, int T, int B, bool profile) {
  const int L = spec.num_layers, H = spec.hidden_size, GH = spec.gates() * H;
  const bool lstm = spec.cell == CellType::Lstm;
  gt.dh.resize(L);
  gt.dc.resize(L);
  gt.dpre.resize(L);
  gt.dh0.resize(L);
  gt.dc0.resize(L);
  // dh, dpre and dc of every step are sized, not zeroed: every step lies in exactly one
  // truncation chunk (or the one full-BPTT window), and the chunk's own window is the first to
  // reach it, so step() assigns them there and only later, overlapping windows accumulate.
  for (int l = 0; l < L; ++l) {
    gt.dh[l].resize(T);
    gt.dc[l].resize(lstm ? T : 0);
    gt.dpre[l].resize(T);
    for (int t = 0; t < T; ++t) {
      gt.dh[l][t].resize(H, B);
      gt.dpre[l][t].resize(GH, B);
      if (lstm) gt.dc[l][t].resize(H, B);
    }
    gt.dh0[l].setZero(H, B);
    if (lstm)
      gt.dc0[l].setZero(H, B);
    else
      gt.dc0[l].resize(0, 0);
  }
  gt.dh_norm.setZero(L, T);
  gt.dc_norm.setZero(L, T);
  if (profile)
    gt.profile.setZero(L, T);
  else
    gt.profile.resize(0, 0);
}

}  // namespace

template <class S>
void BackwardPassT<S>::begin(const NetworkT<S>& net, const TraceT<S>& trace, const BatchT<S>& batch,
                             const BackwardOptions& options, ParamsT<S>& grads, GradTraceT<S>& gt) {
  net_ = &net;
  trace_ = &trace;
  batch_ = &batch;
  grads_ = &grads;
  gt_ = &gt;
  const NetworkSpec& spec = net.spec();
  const int L = spec.num_layers, T = trace.num_steps(), B = batch.batch_size();
  if (grads.layers.size() != net.params().layers.size())
    grads = ParamsT<S>::zeros_like(net.params());
  else
    grads.set_zero();
  size_grad_trace(gt, spec, T, B, options.profile);

  windows_.clear();
  if (options.k1 <= 0) {
    windows_.push_back({T, 0, 0, T, false});
  } else {
    const int k2 = std::max(options.k2 > 0 ? options.k2 : options.k1, options.k1);
    for (int lo = 0; lo < T; lo += options.k1) {
      const int hi = std::min(lo + options.k1, T);
      windows_.push_back({hi, std::max(hi - k2, 0), lo, hi, false});
    }
  }
  // Folded, the profile sweep walks t = T-1..0 beside the one full-BPTT window; truncated
  // windows do not cover [0, T) in one descent, so there it stays a sweep of its own.
  fold_ = options.profile && options.fold_profile && options.k1 <= 0;
  if (options.profile && !fold_) windows_.push_back({T, 0, T - 1, T, true});
  window_ = 0;
  t_ = done() ? 0 : windows_[0].t_end - 1;

  // One lane per shard, or one for the whole batch; the vector keeps its lanes' buffers.
  const int n = std::max<int>(1, static_cast<int>(trace.shards.size()));
  lanes_.resize(n);
  for (int s = 0; s < n; ++s) {
    Lane& lane = lanes_[s];
    lane.col0 = trace.shards.empty() ? 0 : trace.shards[s].col0;
    lane.cols = trace.shards.empty() ? B : trace.shards[s].cols;
    lane.window = window_;
    lane.t = t_;
    lane.t_defer = -1;
    for (Carry* c : {&lane.main, &lane.profile}) {
      c->dh_next.resize(L);
      c->dc_next.resize(L);
    }
    if (n > 1) {
      if (lane.grads.layers.size() != net.params().layers.size())
        lane.grads = ParamsT<S>::zeros_like(net.params());
      else
        lane.grads.set_zero();
    }
    lane.dh_sq.setZero(L, T);
    lane.dc_sq.setZero(L, T);
    lane.profile_sq.setZero(L, T);
  }
  wt_.resize(L);
  for (int l = 0; l < L; ++l) {  // assigned in place: a reused pass keeps the buffers
    wt_[l].W_x = net.params().layers[l].W_x.transpose();
    wt_[l].W_h = net.params().layers[l].W_h.transpose();
  }
}

template <class S>
bool BackwardPassT<S>::step() {
  if (done()) return false;
  const int t = t_;
  const bool record = !windows_[window_].profile_only;
  parallel_for(static_cast<int>(lanes_.size()), [&](int s) {
    // A lane an interrupted finish() left ahead has done this step already.
    if (!lane_ahead(lanes_[s])) lane_step(lanes_[s], window_, t);
  });
  sums_at(t, record, !record || fold_);
  sum_shard_grads();  // stepping shows the gradients summed so far
  advance(window_, t_);
  for (Lane& lane : lanes_)
    if (!lane_ahead(lane)) {
      lane.window = window_;
      lane.t = t_;
    }
  return true;
}

template <class S>
void BackwardPassT<S>::finish(Interrupt* stop) {
  if (done()) return;
  // Each lane's whole remaining pass is one task; then the sums, on this thread in lane order.
  // Every step's norms and profile are those of its final columns, which is what stepping
  // leaves too (its last visit to a step sees the final values), so the numbers are the same.
  // Interrupted, each lane stops where it is and the next call goes on from there.
  parallel_for(static_cast<int>(lanes_.size()), [&](int s) { run_lane(lanes_[s], stop); });
  const int n_windows = static_cast<int>(windows_.size());
  for (const Lane& lane : lanes_)
    if (lane.window < n_windows) return;
  for (int t = trace_->num_steps() - 1; t >= 0; --t) sums_at(t, true, true);
  sum_shard_grads();
  window_ = n_windows;
}

// Full BPTT's one window, from the step the lane is at: the cells leave dW_x and dW_h to one
// product per layer over those steps (the same bits as the per-step products stepping does),
// taken when the lane leaves the window or is interrupted.
template <class S>
void BackwardPassT<S>::run_lane(Lane& lane, Interrupt* stop) {
  const int n_windows = static_cast<int>(windows_.size()), T = trace_->num_steps();
  while (lane.window < n_windows && !stop_here(stop)) {
    const Window& w = windows_[lane.window];
    const bool full = !w.profile_only && w.t_end == T && w.t_start == 0 && w.loss_lo == 0 &&
                      w.loss_hi == T;
    if (full && lane.t_defer < 0) lane.t_defer = lane.t;
    lane_step(lane, lane.window, lane.t);
    const int w_done = lane.window;
    advance(lane.window, lane.t);
    if (lane.t_defer >= 0 && lane.window != w_done) {
      deferred_products(lane, lane.t_defer, 0);
      lane.t_defer = -1;
    }
  }
  if (lane.t_defer >= 0) {  // interrupted inside the window: dW of the steps it has done
    deferred_products(lane, lane.t_defer, lane.t + 1);
    lane.t_defer = -1;
  }
}

// The next step after (w, t): t - 1 in the same window, or the next window's first.
template <class S>
void BackwardPassT<S>::advance(int& w, int& t) const {
  if (--t >= windows_[w].t_start) return;
  if (++w < static_cast<int>(windows_.size())) t = windows_[w].t_end - 1;
}

// One lane's step t of window w: the window's start clears what its sweeps carry; the main
// sweep (and the folded profile sweep); a recording window that reaches t = 0 leaves the
// gradient at the initial states.
template <class S>
void BackwardPassT<S>::lane_step(Lane& lane, int w, int t) {
  const Window& win = windows_[w];
  const NetworkSpec& spec = net_->spec();
  const int L = spec.num_layers, H = spec.hidden_size, n = lane.cols;
  const bool lstm = spec.cell == CellType::Lstm;
  if (t == win.t_end - 1) {
    for (Carry* c : {&lane.main, &lane.profile}) {
      if (c == &lane.profile && !fold_) continue;
      for (int l = 0; l < L; ++l) {
        c->dh_next[l].setZero(H, n);  // (H, n)
        if (lstm) c->dc_next[l].setZero(H, n);
      }
    }
  }
  sweep_step(lane, lane.main, win, t);
  // Folded: the step the separate profile window would take at t, while step t's trace is
  // still in cache.
  const int T = trace_->num_steps();
  if (fold_) sweep_step(lane, lane.profile, {T, 0, T - 1, T, true}, t);
  if (t != 0 || win.profile_only) return;
  for (int l = 0; l < L; ++l) {
    columns(gt_->dh0[l], lane.col0, n) += lane.main.dh_next[l];
    if (lstm) columns(gt_->dc0[l], lane.col0, n) += lane.main.dc_next[l];
  }
}

// dW_x and dW_h the cells left (defer_products) for steps t_hi..t_lo of full BPTT, in the order
// stepping adds them: t descending.
template <class S>
void BackwardPassT<S>::deferred_products(Lane& lane, int t_hi, int t_lo) {
  const TraceT<S>& tr = *trace_;
  const int col0 = lane.col0, n = lane.cols;
  std::vector<ConstMatRefT<S>> dpre, x, h_prev;  // per step: (G·H, n), (I_l, n), (H, n)
  for (int l = 0; l < net_->spec().num_layers; ++l) {
    dpre.clear();
    x.clear();
    h_prev.clear();
    for (int t = t_hi; t >= t_lo; --t) {
      dpre.push_back(columns(gt_->dpre[l][t], col0, n));
      x.push_back(columns(l == 0 ? batch_->inputs[t] : tr.steps[l - 1][t].h, col0, n));
      h_prev.push_back(columns(tr.h_prev(l, t), col0, n));
    }
    weight_products(lane_grads(lane).layers[l], net_->cell_spec(l), dpre, x, h_prev);
  }
}

// The norms over the whole batch at step t (record), and the decay profile at distance T-1-t,
// from the lanes' squared norms: ||v|| = sqrt(Σ_s ||v_s||²), added in lane order.
template <class S>
void BackwardPassT<S>::sums_at(int t, bool record, bool profile) {
  const int L = static_cast<int>(gt_->dh.size()), T = trace_->num_steps();
  auto norm = [&](Mat Lane::*sq, int l, int i) {
    double sum = 0;
    for (const Lane& lane : lanes_) sum += (lane.*sq)(l, i);
    return std::sqrt(sum);
  };
  for (int l = 0; l < L; ++l) {
    if (record) {
      gt_->dh_norm(l, t) = norm(&Lane::dh_sq, l, t);
      if (!gt_->dc[l].empty()) gt_->dc_norm(l, t) = norm(&Lane::dc_sq, l, t);
    }
    if (profile && gt_->profile.size() != 0)
      gt_->profile(l, T - 1 - t) = norm(&Lane::profile_sq, l, T - 1 - t);
  }
}

template <class S>
void BackwardPassT<S>::sum_shard_grads() {
  if (lanes_.size() == 1) return;  // the one lane adds into grads_ itself
  std::vector<TensorRefT<S>> to = grads_->tensors();
  for (size_t s = 0; s < lanes_.size(); ++s) {
    const std::vector<TensorRefT<S>> from = std::as_const(lanes_[s].grads).tensors();
    for (size_t i = 0; i < to.size(); ++i) {
      if (s == 0)
        to[i].array() = from[i].array();
      else
        to[i].array() += from[i].array();
    }
  }
}

// One sweep's step t over one lane's columns, every layer, top first.
template <class S>
void BackwardPassT<S>::sweep_step(Lane& lane, Carry& cy, const Window& w, int t) {
  const NetworkT<S>& net = *net_;
  const NetworkSpec& spec = net.spec();
  const ParamsT<S>& P = net.params();
  const TraceT<S>& tr = *trace_;
  const BatchT<S>& batch = *batch_;
  const int L = spec.num_layers, T = tr.num_steps(), H = spec.hidden_size, GH = spec.gates() * H;
  const int col0 = lane.col0, n = lane.cols;
  const bool lstm = spec.cell == CellType::Lstm;
  const bool record = !w.profile_only;
  ParamsT<S>& grads = lane_grads(lane);

  // The loss at step t, if this sweep injects it: dL/dy_t (O, n).
  const int k = tr.output_index(t);
  const bool scored = k >= 0 && t >= w.loss_lo && t < w.loss_hi && tr.weight_sum > 0;
  if (scored) {
    const ConstMatRefT<S> y = columns(tr.y[k], col0, n);
    const ConstMatRefT<S> target = columns(batch.targets[k], col0, n);
    if (spec.loss == LossKind::Mse) {
      // d/dy of Σ w (y - target)² / (O Σw) = 2 w (y - target) / (O Σw)
      cy.dy = static_cast<S>(2.0 / (spec.output_size * tr.weight_sum)) * (y - target);
    } else {
      // d/dlogits of -Σ target log softmax(logits) = p Σtarget - target, times w / Σw
      const ConstMatRefT<S> prob = columns(tr.prob[k], col0, n);
      cy.dy = (prob.array().rowwise() * target.colwise().sum().array() - target.array()) /
              static_cast<S>(tr.weight_sum);
    }
    if (batch.mask.size() != 0)
      cy.dy.array().rowwise() *= batch.mask.row(k).segment(col0, n).array();
  }

  // The first sweep through step t (its own chunk's window) writes GradTrace's dh, dpre and dc
  // directly; a later, overlapping window works in scratch and accumulates into them.
  const bool first = record && t >= w.loss_lo;
  for (int l = L - 1; l >= 0; --l) {
    MatRefT<S> dh_cur = first ? columns(gt_->dh[l][t], col0, n) : sized(cy.dh_cur, H, n);
    dh_cur = cy.dh_next[l];  // (H, n) from step t + 1
    if (l == L - 1 && scored) {
      dh_cur.noalias() += P.W_y.transpose() * cy.dy;
      if (record) {
        grads.W_y.noalias() += cy.dy * columns(tr.steps[l][t].h, col0, n).transpose();
        grads.b_y += cy.dy.rowwise().sum();
      }
    }
    if (l < L - 1) dh_cur += cy.dx_above;  // from layer l + 1 at the same step
    // The norms are accumulated in double: finite float entries can have a squared norm beyond
    // float's range (the exploding lesson's d0 read inf for iterations before it diverged).
    if (record) {
      MatRefT<S> dh = columns(gt_->dh[l][t], col0, n);  // (H, n) this lane's dL/dh_t
      if (!first) dh += dh_cur;
      lane.dh_sq(l, t) = squared_norm<S>(dh);
    } else {
      lane.profile_sq(l, T - 1 - t) = squared_norm<S>(dh_cur);
    }
    const MatT<S>& x = l == 0 ? batch.inputs[t] : tr.steps[l - 1][t].h;  // (I_l, B)
    MatRefT<S> dpre = first ? columns(gt_->dpre[l][t], col0, n) : sized(cy.dpre, GH, n);
    MatRefT<S> dc_total = first && lstm ? columns(gt_->dc[l][t], col0, n)
                                        : sized(cy.dc_total, lstm ? H : 0, lstm ? n : 0);
    CellBackwardOutT<S> out;
    out.grads = record ? &grads.layers[l] : nullptr;
    out.defer_products = lane.t_defer >= 0;
    out.dx = l > 0 ? &cy.dx : nullptr;
    out.dh_prev = &cy.dh_next[l];
    out.dc_prev = lstm ? &cy.dc_next[l] : nullptr;
    out.dpre = &dpre;
    out.dc_total = lstm && record ? &dc_total : nullptr;
    // dc (dc_next[l]) is read before dc_prev (the same buffer) is written.
    cell_backward<S>(out, cy.scratch, net.cell_spec(l), wt_[l], columns(tr.steps[l][t], col0, n),
                     columns(x, col0, n), columns(tr.h_prev(l, t), col0, n),
                     columns(tr.c_prev(l, t), col0, n), dh_cur, cy.dc_next[l]);
    if (record && !first) {
      columns(gt_->dpre[l][t], col0, n) += cy.dpre;
      if (lstm) columns(gt_->dc[l][t], col0, n) += cy.dc_total;
    }
    if (record && lstm)
      lane.dc_sq(l, t) = squared_norm<S>(columns(gt_->dc[l][t], col0, n));
    if (l > 0) std::swap(cy.dx_above, cy.dx);
  }
}

template <class To, class From>
void cast_trace(TraceT<To>& out, const TraceT<From>& in) {
  out.steps.resize(in.steps.size());
  for (size_t l = 0; l < in.steps.size(); ++l) {
    out.steps[l].resize(in.steps[l].size());
    for (size_t t = 0; t < in.steps[l].size(); ++t) {
      const StepTraceT<From>& a = in.steps[l][t];
      StepTraceT<To>& b = out.steps[l][t];
      b.pre = a.pre.template cast<To>();
      b.gates = a.gates.template cast<To>();
      b.c = a.c.template cast<To>();
      b.tanh_c = a.tanh_c.template cast<To>();
      b.hn = a.hn.template cast<To>();
      b.h = a.h.template cast<To>();
    }
  }
  cast_mats(out.h0, in.h0);
  cast_mats(out.c0, in.c0);
  cast_mats(out.y, in.y);
  cast_mats(out.prob, in.prob);
  out.step_loss = in.step_loss;
  out.loss = in.loss;
  out.weight_sum = in.weight_sum;
  out.steps_done = in.steps_done;
  out.shards.clear();  // a view for reading: the whole batch's columns are all it needs
}

template <class To, class From>
void cast_grad_trace(GradTraceT<To>& out, const GradTraceT<From>& in) {
  auto cast_layers = [](std::vector<std::vector<MatT<To>>>& o,
                        const std::vector<std::vector<MatT<From>>>& i) {
    o.resize(i.size());
    for (size_t l = 0; l < i.size(); ++l) cast_mats(o[l], i[l]);
  };
  cast_layers(out.dh, in.dh);
  cast_layers(out.dc, in.dc);
  cast_layers(out.dpre, in.dpre);
  cast_mats(out.dh0, in.dh0);
  cast_mats(out.dc0, in.dc0);
  out.dh_norm = in.dh_norm;
  out.dc_norm = in.dc_norm;
  out.profile = in.profile;
}

template void softmax_columns(const MatT<float>&, MatT<float>&);
template void softmax_columns(const MatT<double>&, MatT<double>&);
template struct TraceT<float>;
template struct TraceT<double>;
template class NetworkT<float>;
template class NetworkT<double>;
template class BackwardPassT<float>;
template class BackwardPassT<double>;
template void cast_trace(TraceT<double>&, const TraceT<float>&);
template void cast_grad_trace(GradTraceT<double>&, const GradTraceT<float>&);

}  // namespace unrolled
