// Legend: P a parameter tensor, g its gradient, t the step count after this step, lr learning
//         rate. All maps are flat (size(P)) views of column-major tensors; maths is element-wise.
#include "core/optim.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>

#include "core/enum_names.hpp"

namespace unrolled {
namespace {

constexpr detail::NameTable<OptimizerKind, 5> kKind{{{OptimizerKind::Sgd, "sgd"},
                                                     {OptimizerKind::Momentum, "momentum"},
                                                     {OptimizerKind::Adagrad, "adagrad"},
                                                     {OptimizerKind::RmsProp, "rmsprop"},
                                                     {OptimizerKind::Adam, "adam"}}};

// Same number of tensors with the same shapes, in the same order.
bool same_shapes(const std::vector<TensorRef>& a, const std::vector<TensorRef>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].rows != b[i].rows || a[i].cols != b[i].cols) return false;
  return true;
}

std::string bad(std::string_view key, double value, std::string_view allowed) {
  std::ostringstream os;
  os << "optimizer." << key << " = " << value << ": must be " << allowed;
  return os.str();
}

bool in_unit_interval(double x) {
  return x >= 0.0 && x < 1.0;
}  // [0, 1); false for NaN

}  // namespace

std::string_view to_string(OptimizerKind v) {
  return detail::name_of(kKind, v);
}
bool parse(std::string_view s, OptimizerKind& out) {
  return detail::parse_in(kKind, s, out);
}
std::string allowed_names(OptimizerKind) {
  return detail::allowed_in(kKind);
}

double default_learning_rate(OptimizerKind kind) {
  switch (kind) {
    case OptimizerKind::Sgd:
    case OptimizerKind::Momentum:
    case OptimizerKind::Adagrad:
      return 0.1;
    case OptimizerKind::RmsProp:
    case OptimizerKind::Adam:
      break;
  }
  return 1e-3;
}

std::string validate(const OptimizerSettings& s) {
  if (!(s.learning_rate > 0.0 && std::isfinite(s.learning_rate)))
    return bad("learning_rate", s.learning_rate, "a finite number > 0");
  if (!in_unit_interval(s.momentum)) return bad("momentum", s.momentum, "in [0, 1)");
  if (!in_unit_interval(s.beta1)) return bad("beta1", s.beta1, "in [0, 1)");
  if (!in_unit_interval(s.beta2)) return bad("beta2", s.beta2, "in [0, 1)");
  if (!in_unit_interval(s.rmsprop_decay)) return bad("rmsprop_decay", s.rmsprop_decay, "in [0, 1)");
  for (const auto& [key, v] : {std::pair<std::string_view, double>{"eps", s.eps},
                               {"rmsprop_eps", s.rmsprop_eps},
                               {"adagrad_eps", s.adagrad_eps}})
    if (!(v >= 0.0 && std::isfinite(v))) return bad(key, v, "a finite number >= 0");
  return {};
}

std::string_view state1_name(OptimizerKind kind) {
  switch (kind) {
    case OptimizerKind::Sgd:
      return "";
    case OptimizerKind::Momentum:
      return "velocity v";
    case OptimizerKind::Adagrad:
      return "sum of g^2";
    case OptimizerKind::RmsProp:
      return "mean of g^2";
    case OptimizerKind::Adam:
      return "first moment m";
  }
  return "";
}

std::string_view state2_name(OptimizerKind kind) {
  return kind == OptimizerKind::Adam ? "second moment v" : "";
}

Optimizer::Optimizer(const Params& like, OptimizerSettings settings)
    : settings_(settings), state1_(Params::zeros_like(like)), state2_(Params::zeros_like(like)) {}

void Optimizer::set_settings(const OptimizerSettings& settings) {
  const bool kind_changed = settings.kind != settings_.kind;
  settings_ = settings;
  if (kind_changed) reset();
}

bool Optimizer::restore_state(const Params& state1, const Params& state2, int64_t steps) {
  const auto S = state1_.tensors();
  if (steps < 0 || !same_shapes(S, state1.tensors()) || !same_shapes(S, state2.tensors()))
    return false;
  state1_ = state1;
  state2_ = state2;
  steps_ = steps;
  return true;
}

void Optimizer::reset() {
  state1_.set_zero();
  state2_.set_zero();
  steps_ = 0;
}

void Optimizer::step(Params& p, const Params& grad) {
  const auto P = p.tensors(), G = grad.tensors(), S1 = state1_.tensors(), S2 = state2_.tensors();
  if (!same_shapes(P, G) || !same_shapes(P, S1))
    throw std::invalid_argument("Optimizer::step: parameters, gradient and state differ in shape");
  ++steps_;
  const OptimizerSettings& s = settings_;
  const double lr = s.learning_rate;
  // Adam's bias corrections for this step t: m and v start at 0, so early averages are too small
  // by the factors (1 - b^t); dividing them out makes the first step about lr in size.
  const double t = static_cast<double>(steps_);
  const double c1 = 1.0 - std::pow(s.beta1, t);
  const double c2 = 1.0 - std::pow(s.beta2, t);

  for (size_t i = 0; i < P.size(); ++i) {
    auto x = P[i].array();   // (size(P)) parameters, updated in place
    auto g = G[i].array();   // (size(P)) gradient, read only
    auto a = S1[i].array();  // (size(P)) state1: v | n | s | m
    auto b = S2[i].array();  // (size(P)) state2: adam's v
    switch (s.kind) {
      case OptimizerKind::Sgd:
        x -= lr * g;  // p <- p - lr*g
        break;
      case OptimizerKind::Momentum:
        a = s.momentum * a + g;  // v <- mu*v + g
        x -= lr * a;             // p <- p - lr*v
        break;
      case OptimizerKind::Adagrad:
        a += g.square();                           // n <- n + g^2
        x -= lr * g / (a + s.adagrad_eps).sqrt();  // p <- p - lr*g / sqrt(n + eps)
        break;
      case OptimizerKind::RmsProp:
        a = s.rmsprop_decay * a + (1.0 - s.rmsprop_decay) * g.square();  // s <- rho*s + (1-rho)*g^2
        x -= lr * g / (a.sqrt() + s.rmsprop_eps);  // p <- p - lr*g / (sqrt(s) + eps)
        break;
      case OptimizerKind::Adam:
        a = s.beta1 * a + (1.0 - s.beta1) * g;           // m <- b1*m + (1-b1)*g
        b = s.beta2 * b + (1.0 - s.beta2) * g.square();  // v <- b2*v + (1-b2)*g^2
        x -= lr * (a / c1) / ((b / c2).sqrt() + s.eps);  // p <- p - lr*m^ / (sqrt(v^) + eps)
        break;
    }
  }
}

}  // namespace unrolled
