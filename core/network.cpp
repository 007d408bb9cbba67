// Legend: B batch, T steps, I input, H hidden, O output, G gate blocks, L layers.
#include "core/network.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <type_traits>

namespace unrolled {
namespace {

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
  return {spec_.cell, spec_.activation, spec_.gru_variant, spec_.layer_input_size(layer),
          spec_.hidden_size};
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
  for (int t = 0; t < batch.steps(); ++t) forward_step(trace, batch);
}

template <class S>
void NetworkT<S>::forward_begin(TraceT<S>& trace, const BatchT<S>& batch,
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
void NetworkT<S>::forward_step(TraceT<S>& trace, const BatchT<S>& batch) const {
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
  while (pass.step()) {
  }
}

// [SECTION] BackwardPass

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
  const int H = spec.hidden_size, GH = spec.gates() * H;
  const bool lstm = spec.cell == CellType::Lstm;

  if (grads.layers.size() != net.params().layers.size())
    grads = ParamsT<S>::zeros_like(net.params());
  else
    grads.set_zero();
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
  if (options.profile)
    gt.profile.setZero(L, T);
  else
    gt.profile.resize(0, 0);

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
  if (options.profile) windows_.push_back({T, 0, T - 1, T, true});
  dh_next_.resize(L);
  dc_next_.resize(L);
  wt_.resize(L);
  for (int l = 0; l < L; ++l) {  // assigned in place: a reused pass keeps the buffers
    wt_[l].W_x = net.params().layers[l].W_x.transpose();
    wt_[l].W_h = net.params().layers[l].W_h.transpose();
  }
  window_ = 0;
  if (!done()) start_window();
}

template <class S>
void BackwardPassT<S>::start_window() {
  const NetworkSpec& spec = net_->spec();
  const int B = batch_->batch_size(), H = spec.hidden_size;
  t_ = windows_[window_].t_end - 1;
  for (int l = 0; l < spec.num_layers; ++l) {
    dh_next_[l].setZero(H, B);
    if (spec.cell == CellType::Lstm) dc_next_[l].setZero(H, B);
  }
}

template <class S>
bool BackwardPassT<S>::step() {
  if (done()) return false;
  const NetworkT<S>& net = *net_;
  const NetworkSpec& spec = net.spec();
  const ParamsT<S>& P = net.params();
  const TraceT<S>& tr = *trace_;
  const BatchT<S>& batch = *batch_;
  const Window& w = windows_[window_];
  const int t = t_, L = spec.num_layers, T = tr.num_steps();
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
      dy_ = static_cast<S>(2.0 / (spec.output_size * tr.weight_sum)) * (y - target);
    } else {
      // d/dlogits of -Σ target log softmax(logits) = p Σtarget - target, times w / Σw
      dy_ = (tr.prob[k].array().rowwise() * target.colwise().sum().array() - target.array()) /
            static_cast<S>(tr.weight_sum);
    }
    if (batch.mask.size() != 0) dy_.array().rowwise() *= batch.mask.row(k).array();
  }

  // The first sweep through step t (its own chunk's window) writes GradTrace's dh, dpre and dc
  // directly; a later, overlapping window works in scratch and accumulates into them.
  const bool first = record && t >= w.loss_lo;
  for (int l = L - 1; l >= 0; --l) {
    MatT<S>& dh_cur = first ? gt_->dh[l][t] : dh_cur_;
    dh_cur = dh_next_[l];  // (H, B) from step t + 1
    if (l == L - 1 && scored) {
      dh_cur.noalias() += P.W_y.transpose() * dy_;
      if (record) {
        grads_->W_y.noalias() += dy_ * tr.steps[l][t].h.transpose();
        grads_->b_y += dy_.rowwise().sum();
      }
    }
    if (l < L - 1) dh_cur += dx_above_;  // from layer l + 1 at the same step
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
    out.dx = l > 0 ? &dx_ : nullptr;
    out.dh_prev = &dh_next_[l];
    out.dc_prev = lstm ? &dc_next_[l] : nullptr;
    out.dpre = first ? &gt_->dpre[l][t] : &dpre_;
    out.dc_total = lstm && record ? (first ? &gt_->dc[l][t] : &dc_total_) : nullptr;
    // dc (dc_next_[l]) is read before dc_prev (the same buffer) is written.
    cell_backward(out, scratch_, net.cell_spec(l), wt_[l], tr.steps[l][t], x, tr.h_prev(l, t),
                  tr.c_prev(l, t), dh_cur, dc_next_[l]);
    if (record) {
      if (!first) {
        gt_->dpre[l][t] += dpre_;
        if (lstm) gt_->dc[l][t] += dc_total_;
      }
      if (lstm) gt_->dc_norm(l, t) = gt_->dc[l][t].template cast<double>().norm();
    }
    if (l > 0) std::swap(dx_above_, dx_);
  }

  if (--t_ < w.t_start) {
    if (w.t_start == 0 && record) {
      for (int l = 0; l < L; ++l) {
        gt_->dh0[l] += dh_next_[l];
        if (lstm) gt_->dc0[l] += dc_next_[l];
      }
    }
    if (++window_ < static_cast<int>(windows_.size())) start_window();
  }
  return true;
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
