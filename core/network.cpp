// Legend: B batch, T steps, I input, H hidden, O output, G gate blocks, L layers.
#include "core/network.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace unrolled {
namespace {

double mask_weight(const Batch& batch, int row, int b) {
  return batch.mask.size() == 0 ? 1.0 : batch.mask(row, b);
}

std::string shape_str(Eigen::Index r, Eigen::Index c) {
  return "(" + std::to_string(r) + ", " + std::to_string(c) + ")";
}

}  // namespace

void softmax_columns(const Mat& logits, Mat& out) {
  out = (logits.rowwise() - logits.colwise().maxCoeff()).array().exp();
  out.array().rowwise() /= out.colwise().sum().array();
}

int Trace::output_index(int t) const {
  if (y.size() == steps[0].size()) return t;  // Readout::Every
  return t == num_steps() - 1 ? 0 : -1;
}

Network::Network(const NetworkSpec& spec) : spec_(spec), params_(make_params(spec)) {}
Network::Network(const NetworkSpec& spec, Params params)
    : spec_(spec), params_(std::move(params)) {}

CellSpec Network::cell_spec(int layer) const {
  return {spec_.cell, spec_.activation, spec_.gru_variant, spec_.layer_input_size(layer),
          spec_.hidden_size};
}

std::string Network::validate(const Batch& batch) const {
  std::ostringstream e;
  const int T = batch.steps();
  if (T < 1) return "batch: inputs must hold at least one time step";
  const Eigen::Index B = batch.inputs[0].cols();
  if (B < 1) return "batch: the batch must hold at least one sequence";
  for (int t = 0; t < T; ++t) {
    const Mat& x = batch.inputs[t];
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
    const Mat& y = batch.targets[k];
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
    if (!batch.mask.allFinite() || (batch.mask.array() < 0).any())
      return "batch: mask weights must be finite and >= 0";
  }
  return "";
}

void Network::forward(Trace& trace, const Batch& batch, const std::vector<Mat>* h0,
                      const std::vector<Mat>* c0) const {
  forward_begin(trace, batch, h0, c0);
  for (int t = 0; t < batch.steps(); ++t) forward_step(trace, batch);
}

void Network::forward_begin(Trace& trace, const Batch& batch, const std::vector<Mat>* h0,
                            const std::vector<Mat>* c0) const {
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
  trace.weight_sum = batch.mask.size() == 0 ? static_cast<double>(n_out) * B : batch.mask.sum();
  trace.steps_done = 0;
}

void Network::forward_step(Trace& trace, const Batch& batch) const {
  const int t = trace.steps_done;
  for (int l = 0; l < spec_.num_layers; ++l) {
    const Mat& x = l == 0 ? batch.inputs[t] : trace.steps[l - 1][t].h;
    cell_forward(trace.steps[l][t], cell_spec(l), params_.layers[l], x, trace.h_prev(l, t),
                 trace.c_prev(l, t));
  }
  const int k = trace.output_index(t);
  if (k >= 0) {
    Mat& y = trace.y[k];  // (O, B)
    y.noalias() = params_.W_y * trace.steps.back()[t].h;
    y.colwise() += params_.b_y;
    const Mat& target = batch.targets[k];
    double loss = 0;
    if (trace.weight_sum > 0) {
      if (spec_.loss == LossKind::Mse) {
        const Eigen::RowVectorXd se = (y - target).colwise().squaredNorm();  // (1, B)
        for (Eigen::Index b = 0; b < y.cols(); ++b) loss += mask_weight(batch, k, b) * se(b);
        loss /= static_cast<double>(spec_.output_size) * trace.weight_sum;
      } else {
        softmax_columns(y, trace.prob[k]);
        // -Σ_o target_o log p_o with log p = logit - logsumexp(logits)
        const Eigen::RowVectorXd m = y.colwise().maxCoeff();
        for (Eigen::Index b = 0; b < y.cols(); ++b) {
          const double lse = m(b) + std::log((y.col(b).array() - m(b)).exp().sum());
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

void Network::backward(Params& grads, GradTrace& gt, const Trace& trace, const Batch& batch,
                       const BackwardOptions& options) const {
  BackwardPass pass;
  pass.begin(*this, trace, batch, options, grads, gt);
  while (pass.step()) {
  }
}

// [SECTION] BackwardPass

void BackwardPass::begin(const Network& net, const Trace& trace, const Batch& batch,
                         const BackwardOptions& options, Params& grads, GradTrace& gt) {
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
    grads = Params::zeros_like(net.params());
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
  window_ = 0;
  if (!done()) start_window();
}

void BackwardPass::start_window() {
  const NetworkSpec& spec = net_->spec();
  const int B = batch_->batch_size(), H = spec.hidden_size;
  t_ = windows_[window_].t_end - 1;
  for (int l = 0; l < spec.num_layers; ++l) {
    dh_next_[l].setZero(H, B);
    if (spec.cell == CellType::Lstm) dc_next_[l].setZero(H, B);
  }
}

bool BackwardPass::step() {
  if (done()) return false;
  const Network& net = *net_;
  const NetworkSpec& spec = net.spec();
  const Params& P = net.params();
  const Trace& tr = *trace_;
  const Batch& batch = *batch_;
  const Window& w = windows_[window_];
  const int t = t_, L = spec.num_layers, T = tr.num_steps();
  const bool lstm = spec.cell == CellType::Lstm;
  const bool record = !w.profile_only;

  // The loss at step t, if this sweep injects it: dL/dy_t (O, B).
  const int k = tr.output_index(t);
  const bool scored = k >= 0 && t >= w.loss_lo && t < w.loss_hi && tr.weight_sum > 0;
  if (scored) {
    const Mat& y = tr.y[k];
    const Mat& target = batch.targets[k];
    if (spec.loss == LossKind::Mse) {
      // d/dy of Σ w (y - target)² / (O Σw) = 2 w (y - target) / (O Σw)
      dy_ = (2.0 / (spec.output_size * tr.weight_sum)) * (y - target);
    } else {
      // d/dlogits of -Σ target log softmax(logits) = p Σtarget - target, times w / Σw
      dy_ = (tr.prob[k].array().rowwise() * target.colwise().sum().array() - target.array()) /
            tr.weight_sum;
    }
    if (batch.mask.size() != 0) dy_.array().rowwise() *= batch.mask.row(k).array();
  }

  // The first sweep through step t (its own chunk's window) writes GradTrace's dh, dpre and dc
  // directly; a later, overlapping window works in scratch and accumulates into them.
  const bool first = record && t >= w.loss_lo;
  for (int l = L - 1; l >= 0; --l) {
    Mat& dh_cur = first ? gt_->dh[l][t] : dh_cur_;
    dh_cur = dh_next_[l];  // (H, B) from step t + 1
    if (l == L - 1 && scored) {
      dh_cur.noalias() += P.W_y.transpose() * dy_;
      if (record) {
        grads_->W_y.noalias() += dy_ * tr.steps[l][t].h.transpose();
        grads_->b_y += dy_.rowwise().sum();
      }
    }
    if (l < L - 1) dh_cur += dx_above_;  // from layer l + 1 at the same step
    if (record) {
      if (!first) gt_->dh[l][t] += dh_cur;
      gt_->dh_norm(l, t) = gt_->dh[l][t].norm();
    } else {
      gt_->profile(l, T - 1 - t) = dh_cur.norm();
    }
    const Mat& x = l == 0 ? batch.inputs[t] : tr.steps[l - 1][t].h;
    CellBackwardOut out;
    out.grads = record ? &grads_->layers[l] : nullptr;
    out.dx = l > 0 ? &dx_ : nullptr;
    out.dh_prev = &dh_next_[l];
    out.dc_prev = lstm ? &dc_next_[l] : nullptr;
    out.dpre = first ? &gt_->dpre[l][t] : &dpre_;
    out.dc_total = lstm && record ? (first ? &gt_->dc[l][t] : &dc_total_) : nullptr;
    // dc (dc_next_[l]) is read before dc_prev (the same buffer) is written.
    cell_backward(out, scratch_, net.cell_spec(l), P.layers[l], tr.steps[l][t], x, tr.h_prev(l, t),
                  tr.c_prev(l, t), dh_cur, dc_next_[l]);
    if (record) {
      if (!first) {
        gt_->dpre[l][t] += dpre_;
        if (lstm) gt_->dc[l][t] += dc_total_;
      }
      if (lstm) gt_->dc_norm(l, t) = gt_->dc[l][t].norm();
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

}  // namespace unrolled
