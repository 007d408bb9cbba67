// Legend: g the gradient, g_k one tensor (a flat size(g_k) view), N the number of tensors.
#include "core/clip.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "core/enum_names.hpp"

namespace unrolled {
namespace {

constexpr detail::NameTable<ClipMode, 3> kMode{
    {{ClipMode::None, "none"}, {ClipMode::Norm, "norm"}, {ClipMode::Value, "value"}}};

// ||g_k||, scaled so that components near 1e200 do not overflow their squares.
double tensor_norm(const TensorRef& t) {
  return t.array().matrix().stableNorm();
}

// sqrt(sum_k n_k^2), scaled by the largest n_k for the same reason. NaN if any n_k is NaN,
// Inf if any is Inf (and none NaN).
double global_norm(const std::vector<double>& n) {
  double big = 0;
  for (double x : n) {
    if (std::isnan(x)) return x;
    big = std::max(big, x);
  }
  if (big == 0 || std::isinf(big)) return big;
  double s = 0;
  for (double x : n) s += (x / big) * (x / big);
  return big * std::sqrt(s);
}

void record_norms(const std::vector<TensorRef>& g, std::vector<double>& out, double& global) {
  out.resize(g.size());
  for (size_t k = 0; k < g.size(); ++k) out[k] = tensor_norm(g[k]);
  global = global_norm(out);
}

}  // namespace

std::string_view to_string(ClipMode v) {
  return detail::name_of(kMode, v);
}
bool parse(std::string_view s, ClipMode& out) {
  return detail::parse_in(kMode, s, out);
}
std::string allowed_names(ClipMode) {
  return detail::allowed_in(kMode);
}

std::string validate(const ClipSettings& s) {
  if (s.mode == ClipMode::None || (s.threshold > 0 && std::isfinite(s.threshold))) return {};
  std::ostringstream os;
  os << "clip.threshold = " << s.threshold << ": must be a finite number > 0 (or clip.mode = none)";
  return os.str();
}

ClipRecord clip(Params& grad, const ClipSettings& settings) {
  if (auto err = validate(settings); !err.empty()) throw std::invalid_argument(err);
  const auto g = grad.tensors();
  ClipRecord r;
  record_norms(g, r.tensor_norm_before, r.global_norm_before);

  switch (settings.mode) {
    case ClipMode::None:
      break;
    case ClipMode::Norm:
      // NaN > threshold is false; Inf is excluded explicitly: leave non-finite gradients visible.
      if (std::isfinite(r.global_norm_before) && r.global_norm_before > settings.threshold) {
        r.scale = settings.threshold / r.global_norm_before;
        for (const auto& t : g) t.array() *= r.scale;  // g <- (threshold / ||g||) g
        r.clipped = true;
      }
      break;
    case ClipMode::Value: {
      const double v = settings.threshold;
      for (const auto& t : g) {
        double* x = t.data;
        for (Eigen::Index i = 0; i < t.size(); ++i) {  // g_i <- clamp(g_i, -v, v); NaN stays NaN
          if (x[i] > v) {
            x[i] = v;
            ++r.clamped;
          } else if (x[i] < -v) {
            x[i] = -v;
            ++r.clamped;
          }
        }
      }
      r.clipped = r.clamped > 0;
      break;
    }
  }

  if (r.clipped) {
    record_norms(g, r.tensor_norm_after, r.global_norm_after);
  } else {
    r.tensor_norm_after = r.tensor_norm_before;
    r.global_norm_after = r.global_norm_before;
  }
  return r;
}

}  // namespace unrolled
