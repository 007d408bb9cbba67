// Legend: T steps, H hidden, G gate blocks, D distance.
#include "core/analysis.hpp"
#include "core/init.hpp"

#include <Eigen/Eigenvalues>
#include <Eigen/SVD>
#include <algorithm>
#include <numeric>

namespace unrolled {

double spectral_radius(const Mat& W) {
  if (W.size() == 0) return 0;
  Eigen::EigenSolver<Mat> es(W, /*computeEigenvectors=*/false);
  return es.eigenvalues().cwiseAbs().maxCoeff();
}

Spectrum spectrum(const Mat& W) {
  Spectrum s;
  if (W.size() == 0) return s;
  Eigen::EigenSolver<Mat> es(W, /*computeEigenvectors=*/false);
  Eigen::VectorXcd ev = es.eigenvalues();
  std::vector<int> order(ev.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return std::abs(ev(a)) > std::abs(ev(b)); });
  s.eigenvalues.resize(ev.size());
  for (size_t i = 0; i < order.size(); ++i) s.eigenvalues(i) = ev(order[i]);
  // Divide and conquer: the same values as JacobiSVD to ~1e-14, 2x (random) to 20x (orthogonal
  // W) faster at H = 64, where time travel computes four blocks per view.
  s.singular_values = Eigen::BDCSVD<Mat>(W).singularValues();
  s.spectral_radius = std::abs(s.eigenvalues(0));
  s.largest_singular_value = s.singular_values(0);
  return s;
}

std::vector<Spectrum> recurrent_spectra(const Params& p, const NetworkSpec& spec, int layer) {
  std::vector<Spectrum> out;
  const int H = spec.hidden_size;
  for (int g = 0; g < spec.gates(); ++g)
    out.push_back(spectrum(p.layers[layer].W_h.middleRows(g * H, H)));
  return out;
}

double spectral_norm(const Mat& M) {
  if (M.size() == 0) return 0;
  return Eigen::JacobiSVD<Mat>(M).singularValues()(0);
}

double activation_derivative_bound(Activation act) {
  return act == Activation::Sigmoid ? 0.25 : 1.0;
}

namespace {

// Column `b` of every (·, B) matrix of a step, repeated n times, so n vector-Jacobian products
// for the same sequence run as one batched backward call.
Mat repeat_col(const Mat& m, int b, int n) {
  if (m.size() == 0) return m;
  return m.col(b).replicate(1, n);
}

StepTrace repeat_step(const StepTrace& s, int b, int n) {
  StepTrace r;
  r.pre = repeat_col(s.pre, b, n);
  r.gates = repeat_col(s.gates, b, n);
  r.c = repeat_col(s.c, b, n);
  r.tanh_c = repeat_col(s.tanh_c, b, n);
  r.hn = repeat_col(s.hn, b, n);
  r.h = repeat_col(s.h, b, n);
  return r;
}

// One backward step of layer l at time t for sequence b, applied to the H columns of dh
// (and dc): returns dh_prev (and dc_prev) — i.e. Jᵀ applied to each column.
void vjp_step(const Network& net, const Trace& trace, const Batch& batch, int l, int t, int b,
              const Mat& dh, const Mat& dc, Mat& dh_prev, Mat& dc_prev) {
  const int n = static_cast<int>(dh.cols());
  const Mat& x_full = l == 0 ? batch.inputs[t] : trace.steps[l - 1][t].h;
  const StepTrace step = repeat_step(trace.steps[l][t], b, n);
  const Mat x = repeat_col(x_full, b, n);
  const Mat h_prev = repeat_col(trace.h_prev(l, t), b, n);
  const Mat c_prev = repeat_col(trace.c_prev(l, t), b, n);
  CellBackwardOut out;
  out.dh_prev = &dh_prev;
  const bool lstm = net.spec().cell == CellType::Lstm;
  if (lstm) out.dc_prev = &dc_prev;
  CellScratch scratch;
  const LayerParams& p = net.params().layers[l];
  cell_backward(out, scratch, net.cell_spec(l), transposed(p), step, x, h_prev, c_prev, dh,
                lstm ? dc : Mat());
}

}  // namespace

Mat local_jacobian(const Network& net, const Trace& trace, const Batch& batch, int layer, int t,
                   int sample) {
  const int H = net.spec().hidden_size;
  const Mat I = Mat::Identity(H, H);
  Mat dh_prev, dc_prev;
  // Column k of the result of the backward step is Jᵀ e_k, so the result is Jᵀ.
  vjp_step(net, trace, batch, layer, t, sample, I, Mat::Zero(H, H), dh_prev, dc_prev);
  return dh_prev.transpose();
}

Vec jacobian_product_norms(const Network& net, const Trace& trace, const Batch& batch, int layer,
                           int t, int sample, int max_distance) {
  const int H = net.spec().hidden_size;
  const int D = std::min(max_distance, t + 1);
  Vec norms(D + 1);
  norms(0) = 1.0;
  Mat dh = Mat::Identity(H, H), dc = Mat::Zero(H, H), dh_prev, dc_prev;  // (H, H)
  for (int d = 1; d <= D; ++d) {
    const int k = t - d + 1;  // the step whose Jacobian joins the product
    vjp_step(net, trace, batch, layer, k, sample, dh, dc, dh_prev, dc_prev);
    dh.swap(dh_prev);  // now (∂h_t/∂h_{k-1})ᵀ
    if (net.spec().cell == CellType::Lstm) dc.swap(dc_prev);
    norms(d) = spectral_norm(dh);
  }
  return norms;
}

}  // namespace unrolled
