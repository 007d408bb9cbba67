// Unrolled core: gradient clipping, which records what it did so the UI can show it.
//
// Legend: g the gradient (all tensors of a Params), g_k one tensor, N the number of tensors,
//         ||.|| the Euclidean (Frobenius) norm; ||g|| = sqrt(sum_k ||g_k||^2), the GLOBAL norm.
//
//   none   g unchanged (norms are still recorded)
//   norm   if ||g|| > threshold: g <- threshold * g / ||g||   (Pascanu, Mikolov & Bengio 2013):
//          one scale for every tensor, so the direction of the whole gradient is kept
//   value  g_i <- clamp(g_i, -v, v) per component (min-char-rnn, v = 5): the direction changes
//
// Non-finite gradients never crash and are never hidden in the record: a NaN or Inf component
// makes global_norm_before non-finite (the trainer's divergence check reads it). Norm mode leaves
// a non-finite gradient untouched (scaling by threshold/Inf would turn it into zeros and NaNs);
// value mode clamps +-Inf to +-v as np.clip does and leaves NaN as NaN. Norms are computed with
// scaling (Eigen's stableNorm), so huge but finite gradients (1e200) still give a finite norm.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.hpp"

namespace unrolled {

enum class ClipMode { None, Norm, Value };

// "none|norm|value"; parse returns false for an unknown name.
std::string_view to_string(ClipMode v);
bool parse(std::string_view s, ClipMode& out);
std::string allowed_names(ClipMode);

struct ClipSettings {
  ClipMode mode = ClipMode::Norm;
  double threshold = 5.0;  // norm mode: the largest global norm kept; value mode: v, the bound
};

// "" when s is usable (threshold finite and > 0 unless mode is none); otherwise one message naming
// the field, its value and what is allowed.
std::string validate(const ClipSettings& s);

struct ClipRecord {
  double global_norm_before = 0;           // ||g|| as computed by backward()
  double global_norm_after = 0;            // ||g|| as the optimiser sees it
  std::vector<double> tensor_norm_before;  // (N) ||g_k||, in Params::tensors() order
  std::vector<double> tensor_norm_after;   // (N)
  bool clipped = false;  // norm: the scale was applied; value: at least one component clamped
  double scale = 1.0;    // norm mode: threshold / ||g|| when clipped, else 1
  int64_t clamped = 0;   // value mode: number of components clamped to +-v
};

// Clips grad in place as settings say and returns what happened. Throws std::invalid_argument
// when validate(settings) fails (a threshold of 0 would silently zero every gradient).
ClipRecord clip(Params& grad, const ClipSettings& settings);

}  // namespace unrolled
