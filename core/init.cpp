// Legend: I input, H hidden, O output, G gate blocks.
#include "core/init.hpp"

#include <cmath>

namespace unrolled {

std::string_view to_string(InitKind v) {
  switch (v) {
    case InitKind::Uniform:
      return "uniform";
    case InitKind::Glorot:
      return "glorot";
    case InitKind::Orthogonal:
      return "orthogonal";
    case InitKind::Identity:
      return "identity";
  }
  return "?";
}

bool parse(std::string_view s, InitKind& out) {
  for (InitKind k : {InitKind::Uniform, InitKind::Glorot, InitKind::Orthogonal, InitKind::Identity})
    if (to_string(k) == s) {
      out = k;
      return true;
    }
  return false;
}

std::string allowed_names(InitKind) {
  return "uniform|glorot|orthogonal|identity";
}

// spectral_radius(W) is defined in analysis.cpp, beside the spectrum: one EigenSolver per build.

void rescale_recurrent_blocks(Mat& W_h, int hidden, double rho) {
  for (Eigen::Index r = 0; r + hidden <= W_h.rows(); r += hidden) {
    auto block = W_h.middleRows(r, hidden);
    const double current = spectral_radius(block);
    if (current > 0) block *= rho / current;
  }
}

Mat random_orthogonal(int n, Rng& rng) {
  const Mat A = Mat::NullaryExpr(n, n, [&] { return rng.normal(); });
  Eigen::HouseholderQR<Mat> qr(A);
  Mat Q = qr.householderQ();
  const Mat R = qr.matrixQR().triangularView<Eigen::Upper>();
  for (int j = 0; j < n; ++j)
    if (R(j, j) < 0) Q.col(j) *= -1.0;
  return Q;
}

namespace {

void fill_uniform(double* data, Eigen::Index n, double limit, Rng& rng) {
  for (Eigen::Index i = 0; i < n; ++i) data[i] = rng.uniform(-limit, limit);
}

// Glorot uniform for each (H, fan_in) gate block of W (G*H, fan_in).
void glorot_blocks(Mat& W, int hidden, Rng& rng) {
  const double limit = std::sqrt(6.0 / (static_cast<double>(W.cols()) + hidden));
  fill_uniform(W.data(), W.size(), limit, rng);
}

}  // namespace

void initialize(Params& p, const NetworkSpec& spec, const InitSettings& s, Rng& rng) {
  p = make_params(spec);
  const int H = spec.hidden_size, G = spec.gates();
  const double u = 1.0 / std::sqrt(static_cast<double>(H));
  for (auto& layer : p.layers) {
    switch (s.kind) {
      case InitKind::Uniform:
        fill_uniform(layer.W_x.data(), layer.W_x.size(), u, rng);
        fill_uniform(layer.W_h.data(), layer.W_h.size(), u, rng);
        fill_uniform(layer.b.data(), layer.b.size(), u, rng);
        fill_uniform(layer.b_hn.data(), layer.b_hn.size(), u, rng);
        break;
      case InitKind::Glorot:
        glorot_blocks(layer.W_x, H, rng);
        glorot_blocks(layer.W_h, H, rng);
        break;
      case InitKind::Orthogonal:
        glorot_blocks(layer.W_x, H, rng);
        for (int g = 0; g < G; ++g) layer.W_h.middleRows(g * H, H) = random_orthogonal(H, rng);
        break;
      case InitKind::Identity:
        for (Eigen::Index i = 0; i < layer.W_x.size(); ++i)
          layer.W_x.data()[i] = 1e-3 * rng.normal();
        for (int g = 0; g < G; ++g) layer.W_h.middleRows(g * H, H).setIdentity();
        break;
    }
    if (s.spectral_radius > 0) rescale_recurrent_blocks(layer.W_h, H, s.spectral_radius);
    if (spec.cell == CellType::Lstm) layer.b.segment(H, H).setConstant(s.forget_bias);
  }
  // Readout: Glorot uniform for every kind but uniform, which follows PyTorch's Linear.
  if (s.kind == InitKind::Uniform) {
    fill_uniform(p.W_y.data(), p.W_y.size(), u, rng);
    fill_uniform(p.b_y.data(), p.b_y.size(), u, rng);
  } else {
    const double limit = std::sqrt(6.0 / (static_cast<double>(H) + spec.output_size));
    fill_uniform(p.W_y.data(), p.W_y.size(), limit, rng);
  }
}

}  // namespace unrolled
