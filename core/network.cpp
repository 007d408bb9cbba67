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

// Width of a shard, at least 16 sequences: each shard pays per time step for its own weight-
// gradient products (whose depth is the shard's width, so narrow shards spend more on loading
// and storing dW than on arithmetic) and its own small readout products. Measured (loaded
// machine, LSTM H 64, one thread): 8-wide shards cost ~70 % more than no shards, 16-wide ~20 %.
// A batch of 32 gives 2 shards; compare mode and the sweep fill further cores with models.
constexpr int kShardColumns = 32;

// The whole batch's matrices of one step, sized before the shards fill their columns in
// parallel (resizing there would race). Shapes as the cells write them (core/cell.hpp).
template <class S>
void size_step(StepTraceT<S>& st, const NetworkSpec& spec, int B) {
  const int H = spec.hidden_size, GH = spec.gates() * H;
  const bool lstm = spec.cell == CellType::Lstm, gru = spec.cell == CellType::Gru;
  st.pre.resize(GH, B);
  st.gates.resize(GH, B);
  st.c.resize(lstm ? H : 0, lstm ? B : 0);
  st.tanh_c.resize(lstm ? H : 0, lstm ? B : 0);
  st.hn.resize(gru ? H : 0, gru ? B : 0);
  st.h.resize(H, B);
}

// dst's columns [col0, col0 + src.cols()) = src; both empty for fields a cell does not use.
template <class S>
void put_columns(MatT<S>& dst, Eigen::Index col0, const MatT<S>& src) {
  eigen_assert(dst.rows() == src.rows() && col0 + src.cols() <= dst.cols());
  dst.middleCols(col0, src.cols()) = src;
}

// Step t of a shard's trace into its columns of the whole batch's trace.
template <class S>
void put_step(TraceT<S>& trace, const TraceShardT<S>& sh, int t) {
  for (size_t l = 0; l < trace.steps.size(); ++l) {
    const StepTraceT<S>& from = sh.trace.steps[l][t];
    StepTraceT<S>& to = trace.steps[l][t];
    for (auto m : {&StepTraceT<S>::pre, &StepTraceT<S>::gates, &StepTraceT<S>::c,
                   &StepTraceT<S>::tanh_c, &StepTraceT<S>::hn, &StepTraceT<S>::h})
      put_columns(to.*m, sh.col0, from.*m);
  }
  const int k = trace.output_index(t);
  if (k < 0) return;
  put_columns(trace.y[k], sh.col0, sh.trace.y[k]);
  if (!trace.prob.empty()) put_columns(trace.prob[k], sh.col0, sh.trace.prob[k]);
}

template <class S>
void take_columns(MatT<S>& dst, const MatT<S>& src, Eigen::Index col0, Eigen::Index n) {
  dst = src.middleCols(col0, n);
}

template <class S>
double mask_weight(const BatchT<S>& batch, int row, int b) {
  return batch.mask.size() == 0 ? 1.0 : static_cast<double>(batch.mask(row, b));
}

std::string shape_str(Eigen::Index r, Eigen::Index c) {
  return "(" + std::to_string(r) + ", " + std::to_string(c) + ")";
}

}  // namespace

template <class S>
void softmax_columns(const MatT<S>& logits, MatT<S>& out) {
  out = (logits.rowwise() - logits.colwise().maxCoeff()).array().exp();
  out.array().rowwise() /= out.colwise().sum().array();
}

template <class S>
int TraceT<S>::output_index(int t) const {
  if (y.size() == steps[0].size()) return t;  // Readout::Every
  return t == num_steps() - 1 ? 0 : -1;
}

int shard_count(int batch_size) {
  if (batch_size < 2 * kShardColumns) return 1;
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
  begin_columns(trace, batch, h0, c0);
  if (shard_count(batch.batch_size()) > 1)
    begin_shards(trace, batch);
  else
    trace.shards.clear();
}

template <class S>
void NetworkT<S>::forward_step(TraceT<S>& trace, const BatchT<S>& batch) const {
  if (trace.shards.empty()) return step_columns(trace, batch);
  const int t = trace.steps_done;
  parallel_for(static_cast<int>(trace.shards.size()), [&](int s) {
    TraceShardT<S>& sh = trace.shards[s];
    if (sh.trace.steps_done > t) return;  // ran ahead in an interrupted forward_finish
    step_columns(sh.trace, sh.batch);
    put_step(trace, sh, t);
  });
  add_step_loss(trace, t);
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
    TraceShardT<S>& sh = trace.shards[s];
    while (sh.trace.steps_done < T && !stop_here(stop)) {
      const int t = sh.trace.steps_done;
      step_columns(sh.trace, sh.batch);
      put_step(trace, sh, t);
    }
  });
  int done = T;
  for (const TraceShardT<S>& sh : trace.shards) done = std::min(done, sh.trace.steps_done);
  for (int t = trace.steps_done; t < done; ++t) {
    add_step_loss(trace, t);
    ++trace.steps_done;
  }
}

template <class S>
void NetworkT<S>::add_step_loss(TraceT<S>& trace, int t) const {
  double loss = 0;
  for (const TraceShardT<S>& sh : trace.shards) loss += sh.trace.step_loss(t);
  trace.step_loss(t) = loss;
  trace.loss += loss;
}

template <class S>
void NetworkT<S>::begin_shards(TraceT<S>& trace, const BatchT<S>& batch) const {
  const int L = spec_.num_layers, T = batch.steps(), B = batch.batch_size();
  const int n = shard_count(B);
  for (int l = 0; l < L; ++l)
    for (int t = 0; t < T; ++t) size_step(trace.steps[l][t], spec_, B);
  for (auto& y : trace.y) y.resize(spec_.output_size, B);
  for (auto& p : trace.prob) p.resize(spec_.output_size, B);
  trace.shards.resize(n);
  std::vector<MatT<S>> h0(L), c0(L);  // L x (H, B_s) the shard's initial states
  for (int s = 0; s < n; ++s) {
    TraceShardT<S>& sh = trace.shards[s];
    sh.col0 = shard_begin(B, s);
    const int cols = shard_begin(B, s + 1) - sh.col0;
    sh.batch.inputs.resize(T);
    for (int t = 0; t < T; ++t) take_columns(sh.batch.inputs[t], batch.inputs[t], sh.col0, cols);
    sh.batch.targets.resize(batch.targets.size());
    for (size_t k = 0; k < batch.targets.size(); ++k)
      take_columns(sh.batch.targets[k], batch.targets[k], sh.col0, cols);
    if (batch.mask.size() != 0)
      take_columns(sh.batch.mask, batch.mask, sh.col0, cols);
    else
      sh.batch.mask.resize(0, 0);
    for (int l = 0; l < L; ++l) {
      take_columns(h0[l], trace.h0[l], sh.col0, cols);
      if (trace.c0[l].size() != 0) take_columns(c0[l], trace.c0[l], sh.col0, cols);
    }
    begin_columns(sh.trace, sh.batch, &h0, spec_.cell == CellType::Lstm ? &c0 : nullptr);
    sh.trace.weight_sum = trace.weight_sum;  // each shard's loss is its share of the batch's
    sh.trace.shards.clear();
  }
}

template <class S>
void NetworkT<S>::begin_columns(TraceT<S>& trace, const BatchT<S>& batch,
                                const std::vector<MatT<S>>* h0,
                                const std::vector<MatT<S>>* c0) const {
  const int L = spec_.num_layers, T = batch.steps(), B = batch.batch_size();
  const int H = spec_.hidden_size;
  trace.steps.resize(L);
  for (auto& layer : trace.steps) layer.resize(T);
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
  trace.prob.resize(spec_.loss == LossKind::CrossEntropy ? n_out : 0);
  trace.step_loss.setZero(T);
  trace.loss = 0;
  if (batch.mask.size() == 0)
    trace.weight_sum = static_cast<double>(n_out) * B;
  else if constexpr (std::is_same_v<S, double>)
    trace.weight_sum = batch.mask.sum();
  else
    trace.weight_sum = batch.mask.template cast<double>().sum();
  trace.steps_done = 0;
}

template <class S>
void NetworkT<S>::step_columns(TraceT<S>& trace, const BatchT<S>& batch) const {
  const int t = trace.steps_done;
  for (int l = 0; l < spec_.num_layers; ++l) {
    const MatT<S>& x = l == 0 ? batch.inputs[t] : trace.steps[l - 1][t].h;
    cell_forward(trace.steps[l][t], cell_spec(l), params_.layers[l], x, trace.h_prev(l, t),
                 trace.c_prev(l, t));
  }
  const int k = trace.output_index(t);
  if (k >= 0) {
    MatT<S>& y = trace.y[k];  // (O, B)
    y.noalias() = params_.W_y * trace.steps.back()[t].h;
    y.colwise() += params_.b_y;
    const MatT<S>& target = batch.targets[k];
    double loss = 0;  // accumulated in double in both precisions
    if (trace.weight_sum > 0) {
      if (spec_.loss == LossKind::Mse) {
        // (1, B) squared errors, in double also for float: y² overflows float from |y| ~ 2e19
        Eigen::RowVectorXd se;
        if constexpr (std::is_same_v<S, double>)
          se = (y - target).colwise().squaredNorm();
        else
          se = (y - target).template cast<double>().colwise().squaredNorm();
        for (Eigen::Index b = 0; b < y.cols(); ++b) loss += mask_weight(batch, k, b) * se(b);
        loss /= static_cast<double>(spec_.output_size) * trace.weight_sum;
      } else {
        softmax_columns(y, trace.prob[k]);
        // -Σ_o target_o log p_o with log p = logit - logsumexp(logits)
        const Eigen::Matrix<S, 1, Eigen::Dynamic> m = y.colwise().maxCoeff();  // (1, B)
        for (Eigen::Index b = 0; b < y.cols(); ++b) {
          const S lse = m(b) + std::log((y.col(b).array() - m(b)).exp().sum());
          const double ce = -(target.col(b).array() * (y.col(b).array() - lse)).sum();
          loss += mask_weight(batch, k, b) * ce;
        }
        loss /= trace.weight_sum;
      }
    } else if (spec_.loss == LossKind::CrossEntropy) {
      softmax_columns(y, trace.prob[k]);
    }
    trace.step_loss(t) = loss;
    trace.loss += loss;
  }
  ++trace.steps_done;
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
  const int L = spec.num_layers, T = trace.num_steps();
  if (grads.layers.size() != net.params().layers.size())
    grads = ParamsT<S>::zeros_like(net.params());
  else
    grads.set_zero();
  size_grad_trace(gt, spec, T, batch.batch_size(), options.profile);

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

  const int n = static_cast<int>(trace.shards.size());
  shard_passes_.resize(n);
  shard_grads_.resize(n);
  shard_gts_.resize(n);
  for (int s = 0; s < n; ++s)  // the vectors are sized: the passes keep pointers into them
    shard_passes_[s].begin(net, trace.shards[s].trace, trace.shards[s].batch, options,
                           shard_grads_[s], shard_gts_[s]);
  if (n == 0) {
    for (Carry* c : {&main_, &profile_}) {
      c->dh_next.resize(L);
      c->dc_next.resize(L);
    }
    wt_.resize(L);
    for (int l = 0; l < L; ++l) {  // assigned in place: a reused pass keeps the buffers
      wt_[l].W_x = net.params().layers[l].W_x.transpose();
      wt_[l].W_h = net.params().layers[l].W_h.transpose();
    }
  }
  window_ = 0;
  if (!done()) start_window();
}

template <class S>
void BackwardPassT<S>::start_window() {
  t_ = windows_[window_].t_end - 1;
  if (!shard_passes_.empty()) return;  // the shards carry their own gradients
  const NetworkSpec& spec = net_->spec();
  const int B = batch_->batch_size(), H = spec.hidden_size;
  for (Carry* c : {&main_, &profile_}) {
    if (c == &profile_ && !fold_) continue;
    for (int l = 0; l < spec.num_layers; ++l) {
      c->dh_next[l].setZero(H, B);
      if (spec.cell == CellType::Lstm) c->dc_next[l].setZero(H, B);
    }
  }
}

template <class S>
bool BackwardPassT<S>::step() {
  if (done()) return false;
  const int t = t_;
  const bool record = !windows_[window_].profile_only;
  if (shard_passes_.empty()) {
    sweep_step(main_, windows_[window_], t);
    // Folded: the step the separate profile window would take at t, while step t's trace is
    // still in cache.
    const int T = trace_->num_steps();
    if (fold_) sweep_step(profile_, {T, 0, T - 1, T, true}, t);
  } else {
    parallel_for(static_cast<int>(shard_passes_.size()), [&](int s) {
      // A shard an interrupted finish() left ahead has done this step already.
      if (!shard_passes_[s].ahead_of(*this)) shard_passes_[s].step();
      if (record) put_shard_step(s, t);
    });
    sums_at(t, record, !record || fold_);
    sum_shard_grads();  // stepping shows the gradients summed so far
  }
  advance();
  return true;
}

template <class S>
void BackwardPassT<S>::finish(Interrupt* stop) {
  if (shard_passes_.empty()) {
    while (!done() && !stop_here(stop)) step();
    return;
  }
  // Each shard's whole remaining pass is one task; then the sums, on this thread in shard order.
  // Every step's norms and profile are those of its final columns, which is what stepping
  // leaves too (its last visit to a step sees the final values), so the numbers are the same.
  // Interrupted, each shard's pass stops where it is and the next call goes on from there.
  const int n = static_cast<int>(shard_passes_.size());
  parallel_for(n, [&](int s) {
    BackwardPassT<S>& pass = shard_passes_[s];
    while (!pass.done() && !stop_here(stop)) pass.step();
  });
  for (const BackwardPassT<S>& pass : shard_passes_)
    if (!pass.done()) return;
  const int T = trace_->num_steps();
  parallel_for(n, [&](int s) {
    for (int t = 0; t < T; ++t) put_shard_step(s, t);
    put_shard_ends(s);
  });
  for (int t = T - 1; t >= 0; --t) sums_at(t, true, true);
  sum_shard_grads();
  window_ = static_cast<int>(windows_.size());
}

template <class S>
void BackwardPassT<S>::advance() {
  const Window& w = windows_[window_];
  if (--t_ >= w.t_start) return;
  if (w.t_start == 0 && !w.profile_only) {
    if (!shard_passes_.empty()) {
      for (int s = 0; s < static_cast<int>(shard_passes_.size()); ++s) put_shard_ends(s);
    } else {
      for (int l = 0; l < net_->spec().num_layers; ++l) {
        gt_->dh0[l] += main_.dh_next[l];
        if (net_->spec().cell == CellType::Lstm) gt_->dc0[l] += main_.dc_next[l];
      }
    }
  }
  if (++window_ < static_cast<int>(windows_.size())) start_window();
}

// Shard s's dL/dh_t, dL/d(pre) and dL/dc_t at step t into its columns of the whole batch's.
template <class S>
void BackwardPassT<S>::put_shard_step(int s, int t) {
  const Eigen::Index col0 = trace_->shards[s].col0;
  const GradTraceT<S>& from = shard_gts_[s];
  for (size_t l = 0; l < gt_->dh.size(); ++l) {
    put_columns(gt_->dh[l][t], col0, from.dh[l][t]);
    put_columns(gt_->dpre[l][t], col0, from.dpre[l][t]);
    if (!gt_->dc[l].empty()) put_columns(gt_->dc[l][t], col0, from.dc[l][t]);
  }
}

template <class S>
void BackwardPassT<S>::put_shard_ends(int s) {
  const Eigen::Index col0 = trace_->shards[s].col0;
  const GradTraceT<S>& from = shard_gts_[s];
  for (size_t l = 0; l < gt_->dh0.size(); ++l) {
    put_columns(gt_->dh0[l], col0, from.dh0[l]);
    if (gt_->dc0[l].size() != 0) put_columns(gt_->dc0[l], col0, from.dc0[l]);
  }
}

// The norms over the whole batch at step t (record), and the decay profile at distance T-1-t
// from the shards' norms: ||v|| = sqrt(Σ_s ||v_s||²), added in shard order.
template <class S>
void BackwardPassT<S>::sums_at(int t, bool record, bool profile) {
  const int L = static_cast<int>(gt_->dh.size()), T = trace_->num_steps();
  for (int l = 0; l < L; ++l) {
    if (record) {
      gt_->dh_norm(l, t) = gt_->dh[l][t].template cast<double>().norm();
      if (!gt_->dc[l].empty()) gt_->dc_norm(l, t) = gt_->dc[l][t].template cast<double>().norm();
    }
    if (profile && gt_->profile.size() != 0) {
      double sq = 0;
      for (const GradTraceT<S>& g : shard_gts_) {
        const double p = g.profile(l, T - 1 - t);
        sq += p * p;
      }
      gt_->profile(l, T - 1 - t) = std::sqrt(sq);
    }
  }
}

template <class S>
void BackwardPassT<S>::sum_shard_grads() {
  std::vector<TensorRefT<S>> to = grads_->tensors();
  for (size_t s = 0; s < shard_grads_.size(); ++s) {
    const std::vector<TensorRefT<S>> from = std::as_const(shard_grads_[s]).tensors();
    for (size_t i = 0; i < to.size(); ++i) {
      if (s == 0)
        to[i].array() = from[i].array();
      else
        to[i].array() += from[i].array();
    }
  }
}

// One sweep's step t, every layer, top first.
template <class S>
void BackwardPassT<S>::sweep_step(Carry& cy, const Window& w, int t) {
  const NetworkT<S>& net = *net_;
  const NetworkSpec& spec = net.spec();
  const ParamsT<S>& P = net.params();
  const TraceT<S>& tr = *trace_;
  const BatchT<S>& batch = *batch_;
  const int L = spec.num_layers, T = tr.num_steps();
  const bool lstm = spec.cell == CellType::Lstm;
  const bool record = !w.profile_only;

  // The loss at step t, if this sweep injects it: dL/dy_t (O, B).
  const int k = tr.output_index(t);
  const bool scored = k >= 0 && t >= w.loss_lo && t < w.loss_hi && tr.weight_sum > 0;
  if (scored) {
    const MatT<S>& y = tr.y[k];
    const MatT<S>& target = batch.targets[k];
    if (spec.loss == LossKind::Mse) {
      // d/dy of Σ w (y - target)² / (O Σw) = 2 w (y - target) / (O Σw)
      cy.dy = static_cast<S>(2.0 / (spec.output_size * tr.weight_sum)) * (y - target);
    } else {
      // d/dlogits of -Σ target log softmax(logits) = p Σtarget - target, times w / Σw
      cy.dy = (tr.prob[k].array().rowwise() * target.colwise().sum().array() - target.array()) /
              static_cast<S>(tr.weight_sum);
    }
    if (batch.mask.size() != 0) cy.dy.array().rowwise() *= batch.mask.row(k).array();
  }

  // The first sweep through step t (its own chunk's window) writes GradTrace's dh, dpre and dc
  // directly; a later, overlapping window works in scratch and accumulates into them.
  const bool first = record && t >= w.loss_lo;
  for (int l = L - 1; l >= 0; --l) {
    MatT<S>& dh_cur = first ? gt_->dh[l][t] : cy.dh_cur;
    dh_cur = cy.dh_next[l];  // (H, B) from step t + 1
    if (l == L - 1 && scored) {
      dh_cur.noalias() += P.W_y.transpose() * cy.dy;
      if (record) {
        grads_->W_y.noalias() += cy.dy * tr.steps[l][t].h.transpose();
        grads_->b_y += cy.dy.rowwise().sum();
      }
    }
    if (l < L - 1) dh_cur += cy.dx_above;  // from layer l + 1 at the same step
    // The norms are accumulated in double: finite float entries can have a squared norm beyond
    // float's range (the exploding lesson's d0 read inf for iterations before it diverged).
    if (record) {
      if (!first) gt_->dh[l][t] += dh_cur;
      gt_->dh_norm(l, t) = gt_->dh[l][t].template cast<double>().norm();
    } else {
      gt_->profile(l, T - 1 - t) = dh_cur.template cast<double>().norm();
    }
    const MatT<S>& x = l == 0 ? batch.inputs[t] : tr.steps[l - 1][t].h;
    CellBackwardOutT<S> out;
    out.grads = record ? &grads_->layers[l] : nullptr;
    out.dx = l > 0 ? &cy.dx : nullptr;
    out.dh_prev = &cy.dh_next[l];
    out.dc_prev = lstm ? &cy.dc_next[l] : nullptr;
    out.dpre = first ? &gt_->dpre[l][t] : &cy.dpre;
    out.dc_total = lstm && record ? (first ? &gt_->dc[l][t] : &cy.dc_total) : nullptr;
    // dc (dc_next[l]) is read before dc_prev (the same buffer) is written.
    cell_backward(out, cy.scratch, net.cell_spec(l), wt_[l], tr.steps[l][t], x, tr.h_prev(l, t),
                  tr.c_prev(l, t), dh_cur, cy.dc_next[l]);
    if (record) {
      if (!first) {
        gt_->dpre[l][t] += cy.dpre;
        if (lstm) gt_->dc[l][t] += cy.dc_total;
      }
      if (lstm) gt_->dc_norm(l, t) = gt_->dc[l][t].template cast<double>().norm();
    }
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
