// Legend: T steps, I input, O output, H hidden, G gate blocks, L layers.
#include "app/session/snapshot.hpp"

#include <algorithm>
#include <cmath>

namespace unrolled {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The views read the engine's own traces (S float or double) and cast only the columns they
// keep: the same values as reading Trainer::trace(), whose double copy of a float iteration
// converts every column of every step (a few ms at H 64, T 100, B 32, once per iteration).

// out (rows, T) gets column `sample` of each step's matrix for t < valid; NaN elsewhere.
template <class Get>
void gather(Mat& out, Eigen::Index rows, int T, int valid, int sample, Get get) {
  out.setConstant(rows, T, kNaN);
  for (int t = 0; t < std::min(valid, T); ++t) {
    const auto& m = get(t);
    if (m.rows() == rows && sample < m.cols()) out.col(t) = m.col(sample).template cast<double>();
  }
}

// Where the trainer is in its iteration; sample clamped to the batch. T: the trace's steps.
void fill_position(ModelView& v, const Trainer& tr, int T, int sample) {
  v.name = tr.model().name;
  v.spec = tr.network().spec();
  v.iteration = tr.iteration();
  v.phase = tr.phase();
  v.sample = std::clamp(sample, 0, std::max(tr.batch().batch_size() - 1, 0));
  v.steps = T;
  // Forward values exist for t < forward_t during the forward pass and for every t after it.
  v.forward_t = v.phase == Phase::Forward ? tr.forward_t() : T;
  v.backward_t = v.phase == Phase::Backward ? tr.backward_next_t() : -1;
  v.profile_sweep = v.phase == Phase::Backward && tr.in_profile_sweep();
}

// The inspected sequence's forward values for t < forward_t, and its initial states.
template <class S>
void fill_forward_values(ModelView& v, const TraceT<S>& trace) {
  const NetworkSpec& spec = v.spec;
  const int L = spec.num_layers, H = spec.hidden_size, GH = spec.gates() * H, T = v.steps;
  const bool lstm = spec.cell == CellType::Lstm, gru = spec.cell == CellType::Gru;
  const int valid = T == 0 ? 0 : v.forward_t, b = v.sample;
  v.pre.resize(L);
  v.gates.resize(L);
  v.c.resize(lstm ? L : 0);
  v.h.resize(L);
  v.hn.resize(gru ? L : 0);
  v.h0.setZero(H, L);
  v.c0.setZero(H, L);
  for (int l = 0; l < L && T > 0; ++l) {
    const auto& steps = trace.steps[l];
    using M = MatT<S>;
    gather(v.pre[l], GH, T, valid, b, [&](int t) -> const M& { return steps[t].pre; });
    gather(v.gates[l], GH, T, valid, b, [&](int t) -> const M& { return steps[t].gates; });
    gather(v.h[l], H, T, valid, b, [&](int t) -> const M& { return steps[t].h; });
    if (lstm) gather(v.c[l], H, T, valid, b, [&](int t) -> const M& { return steps[t].c; });
    if (gru) gather(v.hn[l], H, T, valid, b, [&](int t) -> const M& { return steps[t].hn; });
    if (b < trace.h0[l].cols()) v.h0.col(l) = trace.h0[l].col(b).template cast<double>();
    if (lstm && b < trace.c0[l].cols()) v.c0.col(l) = trace.c0[l].col(b).template cast<double>();
  }
}

// Gradients: complete once the backward pass is over (Update, or Ready after an update); during
// the backward pass, steps t > next_t are done (the last window's sweep, top to bottom).
template <class S>
void fill_gradients(ModelView& v, const GradTraceT<S>& gt) {
  const int L = v.spec.num_layers, H = v.spec.hidden_size, T = v.steps;
  const bool lstm = v.spec.cell == CellType::Lstm;
  const bool grads_known = v.phase == Phase::Update || (v.phase == Phase::Ready && v.iteration > 0);
  const bool in_backward = v.phase == Phase::Backward && !v.profile_sweep;
  const bool have = grads_known || v.profile_sweep || in_backward;
  const int first_valid = in_backward ? v.backward_t + 1 : 0;
  // out (H, T): column `sample` of src[t] for the steps already reached; NaN elsewhere.
  auto fill_grad = [&](Mat& out, const std::vector<std::vector<MatT<S>>>& src, int l) {
    out.setConstant(H, T, kNaN);
    if (!have || l >= static_cast<int>(src.size()) || static_cast<int>(src[l].size()) != T) return;
    for (int t = first_valid; t < T; ++t)
      if (v.sample < src[l][t].cols()) out.col(t) = src[l][t].col(v.sample).template cast<double>();
  };
  v.dh.resize(L);
  v.dc.resize(lstm ? L : 0);
  for (int l = 0; l < L && T > 0; ++l) {
    fill_grad(v.dh[l], gt.dh, l);
    if (lstm) fill_grad(v.dc[l], gt.dc, l);
  }
  v.dh_norm = gt.dh_norm;
  v.dc_norm = gt.dc_norm;
  v.profile = gt.profile;
  if (!(grads_known || v.profile_sweep)) v.profile.setConstant(kNaN);
  if (in_backward)  // norms of steps not reached yet are stale from the last iteration
    for (int t = 0; t <= v.backward_t && t < v.dh_norm.cols(); ++t) {
      v.dh_norm.col(t).setConstant(kNaN);
      if (t < v.dc_norm.cols()) v.dc_norm.col(t).setConstant(kNaN);
    }
}

// The inspected sequence's inputs, targets and (once computed) predictions.
template <class S>
void fill_inputs_outputs(ModelView& v, const Batch& batch, const TraceT<S>& trace) {
  const NetworkSpec& spec = v.spec;
  const int T = v.steps, I = spec.input_size, O = spec.output_size, b = v.sample;
  const int valid = T == 0 ? 0 : v.forward_t;
  v.inputs.setConstant(I, T, kNaN);
  for (int t = 0; t < T && t < batch.steps(); ++t) v.inputs.col(t) = batch.inputs[t].col(b);
  const int n_out = static_cast<int>(batch.targets.size());
  v.targets.setConstant(O, n_out, kNaN);
  v.outputs.setConstant(O, n_out, kNaN);
  const bool ce = spec.loss == LossKind::CrossEntropy;
  for (int k = 0; k < n_out; ++k) {
    v.targets.col(k) = batch.targets[k].col(b);
    const int t = spec.readout == Readout::Every ? k : T - 1;
    if (t < valid && k < static_cast<int>(trace.y.size()))
      v.outputs.col(k) = (ce ? trace.prob[k].col(b) : trace.y[k].col(b)).template cast<double>();
  }
}

template <class S>
void fill_pictures(ModelView& v, const Trainer& tr, const TraceT<S>& trace, const GradTraceT<S>& gt,
                   int sample) {
  fill_position(v, tr, trace.num_steps(), sample);
  fill_forward_values(v, trace);
  fill_gradients(v, gt);
  fill_inputs_outputs(v, tr.batch(), trace);
  v.step_loss = trace.step_loss;
  v.loss = v.phase == Phase::Forward ? kNaN : trace.loss;
}

}  // namespace

void fill_model_view(ModelView& v, const Trainer& tr, int sample, bool with_history) {
  if (tr.engine_precision() == Precision::Float32)
    fill_pictures(v, tr, tr.float_trace(), tr.float_grad_trace(), sample);
  else
    fill_pictures(v, tr, tr.trace(), tr.grad_trace(), sample);
  v.last_loss = tr.last_loss();
  v.last_accuracy = tr.last_accuracy();
  v.clip = tr.last_clip();
  v.params = tr.network().params();
  v.trace_params = tr.trace_params();
  if (with_history) {  // else the caller puts another one in
    if (v.history.capacity() == tr.history().capacity())
      v.history.copy_from(tr.history());
    else
      v.history = tr.history();
  }
  v.divergence = tr.divergence();
}

void copy_pictures(const ModelView& from, ModelView& to) {
  to.pre = from.pre;
  to.gates = from.gates;
  to.c = from.c;
  to.h = from.h;
  to.hn = from.hn;
  to.dh = from.dh;
  to.dc = from.dc;
  to.inputs = from.inputs;
  to.targets = from.targets;
  to.outputs = from.outputs;
  to.h0 = from.h0;
  to.c0 = from.c0;
  to.dh_norm = from.dh_norm;
  to.dc_norm = from.dc_norm;
  to.profile = from.profile;
  to.step_loss = from.step_loss;
  to.forward_t = from.forward_t;
  to.pictures_from = from.iteration;
}

}  // namespace unrolled
