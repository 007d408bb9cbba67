// Unrolled core: why gradients vanish or explode, computed from the engine's own numbers.
//
// Legend: T steps, H hidden, G gate blocks, D distance (number of steps back).
//
// The gradient reaching h_{t-d} from h_t is a product of local Jacobians
//   ∂h_t/∂h_{t-d} = ∏_{k = t-d+1..t} ∂h_k/∂h_{k-1},
// and for the vanilla cell ∂h_k/∂h_{k-1} = diag(act'(a_k)) W_hh, so ‖∏‖ ≤ (λ₁ γ)^d with λ₁ the
// largest singular value of W_hh and γ the bound of |act'| (Pascanu et al. 2013).
// The Jacobians here are computed by the cells' own backward functions (a vector-Jacobian
// product per unit), so they agree with BPTT by construction.
#pragma once

#include <complex>
#include <vector>

#include "core/network.hpp"

namespace unrolled {

struct Spectrum {
  Eigen::VectorXcd eigenvalues;  // (n) sorted by decreasing modulus
  Vec singular_values;           // (n) decreasing
  double spectral_radius = 0;    // max |eigenvalue|
  double largest_singular_value = 0;
};

// Eigenvalues and singular values of a square matrix W (n, n).
Spectrum spectrum(const Mat& W);

// One spectrum per gate block of layer l's W_h: G entries, in gate order.
std::vector<Spectrum> recurrent_spectra(const Params& p, const NetworkSpec& spec, int layer);

// The local Jacobian ∂h_t/∂h_{t-1} (H, H) of one layer, for one sequence of the batch. For the
// LSTM, c_{t-1} is held fixed (the h-to-h path only).
Mat local_jacobian(const Network& net, const Trace& trace, const Batch& batch, int layer, int t,
                   int sample);

// ‖∂h_t/∂h_{t-d}‖₂ for d = 0..min(max_distance, t + 1) within one layer, one sequence: the norm of
// the product of Jacobians over distance d. For the LSTM the product runs through the full state
// (h, c), as BPTT does. Entry 0 is 1 (the identity).
Vec jacobian_product_norms(const Network& net, const Trace& trace, const Batch& batch, int layer,
                           int t, int sample, int max_distance);

// Bound γ on |act'(a)|: 1 for tanh, relu and identity, 1/4 for sigmoid.
double activation_derivative_bound(Activation act);

// Largest singular value (spectral norm) of any matrix.
double spectral_norm(const Mat& M);

}  // namespace unrolled
