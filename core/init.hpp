// Unrolled core: weight initialisers.
//
// Legend: I input, H hidden, O output, G gate blocks. W_h (G*H, H) holds G square blocks (H, H).
//
//   uniform     every weight and bias ~ U(-1/√H, 1/√H), PyTorch's default for RNN/LSTM/GRU
//   glorot      weights ~ U(±√(6 / (fan_in + fan_out))) per gate block, biases 0 (Keras kernels)
//   orthogonal  each recurrent block orthogonal (Saxe et al. 2014), input weights Glorot, biases 0
//   identity    each recurrent block the identity (IRNN, Le et al. 2015), input weights
//               N(0, 0.001²), biases 0
// Any of them can then rescale every recurrent block to a chosen spectral radius ρ, which is
// what decides vanishing (ρ < 1) or exploding (ρ > 1) in the linear regime. The LSTM forget
// gate's bias is set last (default 1, Gers et al. 2000; Jozefowicz et al. 2015).
#pragma once

#include "core/rng.hpp"
#include "core/types.hpp"

namespace unrolled {

enum class InitKind { Uniform, Glorot, Orthogonal, Identity };
std::string_view to_string(InitKind v);
bool parse(std::string_view s, InitKind& out);
std::string allowed_names(InitKind);

struct InitSettings {
  InitKind kind = InitKind::Uniform;
  double spectral_radius = 0;  // > 0: rescale each recurrent block to this radius; 0: keep
  double forget_bias = 1.0;    // LSTM only
};

void initialize(Params& p, const NetworkSpec& spec, const InitSettings& s, Rng& rng);

// Largest |eigenvalue| of a square matrix.
double spectral_radius(const Mat& W);  // W (n, n)
// Scales each (H, H) block of W_h (G*H, H) so that its spectral radius is rho (blocks with
// radius 0 are left alone).
void rescale_recurrent_blocks(Mat& W_h, int hidden, double rho);
// An orthogonal (n, n) matrix from the QR decomposition of a Gaussian one, signs fixed so the
// distribution is uniform (Haar).
Mat random_orthogonal(int n, Rng& rng);

}  // namespace unrolled
