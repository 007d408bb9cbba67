// Legend: T steps, I input, O output, H hidden, G gate blocks, L layers.
#include "app/session/snapshot.hpp"

#include <algorithm>
#include <cmath>

namespace unrolled {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// out (rows, T) gets column `sample` of each step's matrix for t < valid; NaN elsewhere.
template <class Get>
void gather(Mat& out, Eigen::Index rows, int T, int valid, int sample, Get get) {
  out.setConstant(rows, T, kNaN);
  for (int t = 0; t < std::min(valid, T); ++t) {
    const Mat& m = get(t);
    if (m.rows() == rows && sample < m.cols()) out.col(t) = m.col(sample);
  }
}

}  // namespace

void fill_model_view(ModelView& v, const Trainer& tr, int sample) {
  const Network& net = tr.network();
  const NetworkSpec& spec = net.spec();
  const Trace& trace = tr.trace();
  const GradTrace& gt = tr.grad_trace();
  const Batch& batch = tr.batch();
  const int L = spec.num_layers, H = spec.hidden_size, GH = spec.gates() * H;
  const int T = trace.num_steps();
  const bool lstm = spec.cell == CellType::Lstm, gru = spec.cell == CellType::Gru;
  const int B = batch.batch_size();
  sample = std::clamp(sample, 0, std::max(B - 1, 0));

  v.name = tr.model().name;
  v.spec = spec;
  v.iteration = tr.iteration();
  v.phase = tr.phase();
  v.sample = sample;
  v.steps = T;
  // Forward values exist for t < forward_t during the forward pass and for every t after it.
  const bool forward_running = v.phase == Phase::Forward;
  v.forward_t = forward_running ? tr.forward_t() : T;
  v.backward_t = v.phase == Phase::Backward ? tr.backward_next_t() : -1;
  v.profile_sweep = v.phase == Phase::Backward && tr.in_profile_sweep();
  const int fwd_valid = T == 0 ? 0 : v.forward_t;

  v.pre.resize(L);
  v.gates.resize(L);
  v.c.resize(lstm ? L : 0);
  v.h.resize(L);
  v.hn.resize(gru ? L : 0);
  v.dh.resize(L);
  v.dc.resize(lstm ? L : 0);
  v.h0.setZero(H, L);
  v.c0.setZero(H, L);
  for (int l = 0; l < L && T > 0; ++l) {
    const auto& steps = trace.steps[l];
    gather(v.pre[l], GH, T, fwd_valid, sample, [&](int t) -> const Mat& { return steps[t].pre; });
    gather(v.gates[l], GH, T, fwd_valid, sample,
           [&](int t) -> const Mat& { return steps[t].gates; });
    gather(v.h[l], H, T, fwd_valid, sample, [&](int t) -> const Mat& { return steps[t].h; });
    if (lstm)
      gather(v.c[l], H, T, fwd_valid, sample, [&](int t) -> const Mat& { return steps[t].c; });
    if (gru)
      gather(v.hn[l], H, T, fwd_valid, sample, [&](int t) -> const Mat& { return steps[t].hn; });
    if (sample < trace.h0[l].cols()) v.h0.col(l) = trace.h0[l].col(sample);
    if (lstm && sample < trace.c0[l].cols()) v.c0.col(l) = trace.c0[l].col(sample);
  }
  // Gradients: complete once the backward pass is over (Update, or Ready after an update); during
  // the backward pass, steps t > next_t are done (the last window's sweep, top to bottom).
  const bool grads_known = v.phase == Phase::Update || (v.phase == Phase::Ready && v.iteration > 0);
  const bool in_backward = v.phase == Phase::Backward && !v.profile_sweep;
  for (int l = 0; l < L && T > 0; ++l) {
    const bool have = grads_known || v.profile_sweep || in_backward;
    const int first_valid = in_backward ? v.backward_t + 1 : 0;
    auto fill_grad = [&](Mat& out, const std::vector<Mat>& src) {
      out.setConstant(H, T, kNaN);
      if (!have || static_cast<int>(src.size()) != T) return;
      for (int t = first_valid; t < T; ++t)
        if (sample < src[t].cols()) out.col(t) = src[t].col(sample);
    };
    fill_grad(v.dh[l], l < static_cast<int>(gt.dh.size()) ? gt.dh[l] : std::vector<Mat>{});
    if (lstm)
      fill_grad(v.dc[l], l < static_cast<int>(gt.dc.size()) ? gt.dc[l] : std::vector<Mat>{});
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

  const int I = spec.input_size, O = spec.output_size;
  v.inputs.setConstant(I, T, kNaN);
  for (int t = 0; t < T && t < batch.steps(); ++t) v.inputs.col(t) = batch.inputs[t].col(sample);
  const int n_out = static_cast<int>(batch.targets.size());
  v.targets.setConstant(O, n_out, kNaN);
  v.outputs.setConstant(O, n_out, kNaN);
  const bool ce = spec.loss == LossKind::CrossEntropy;
  for (int k = 0; k < n_out; ++k) {
    v.targets.col(k) = batch.targets[k].col(sample);
    const int t = spec.readout == Readout::Every ? k : T - 1;
    if (t < fwd_valid && k < static_cast<int>(trace.y.size()))
      v.outputs.col(k) = ce ? trace.prob[k].col(sample) : trace.y[k].col(sample);
  }
  v.step_loss = trace.step_loss;
  v.loss = forward_running ? kNaN : trace.loss;
  v.last_loss = tr.last_loss();
  v.last_accuracy = tr.last_accuracy();
  v.clip = tr.last_clip();
  v.params = net.params();
  v.trace_params = tr.trace_params();
  if (v.history.capacity() == tr.history().capacity())
    v.history.copy_from(tr.history());
  else
    v.history = tr.history();
  v.divergence = tr.divergence();
}

}  // namespace unrolled
