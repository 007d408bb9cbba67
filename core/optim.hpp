// Unrolled core: optimisers. Their state is shaped like the parameters (a Params), so the update
// is one "for each tensor" loop over parameters, gradient and state in lockstep.
//
// Legend: P a parameter tensor, g its gradient, t the step count after this step (1, 2, ...),
//         lr learning rate. Every operation below is element-wise.
//
//   sgd       p <- p - lr*g
//   momentum  v <- mu*v + g;              p <- p - lr*v               (PyTorch's form, dampening 0)
//   adagrad   n <- n + g^2;               p <- p - lr*g / sqrt(n + eps)   (min-char-rnn; eps inside
//                                                                          the root)
//   rmsprop   s <- rho*s + (1-rho)*g^2;   p <- p - lr*g / (sqrt(s) + eps)  (Tieleman & Hinton 2012)
//   adam      m <- b1*m + (1-b1)*g;       v <- b2*v + (1-b2)*g^2;          (Kingma & Ba 2015)
//             m^ = m / (1-b1^t);          v^ = v / (1-b2^t);  p <- p - lr*m^ / (sqrt(v^) + eps)
//
// Momentum is written in the "gradient units" form (v accumulates gradients, lr is applied when
// stepping), not the CS231n form v <- mu*v - lr*g; p <- p + v. The two agree while lr is constant;
// with this form a changed learning rate takes effect on the very next step.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/types.hpp"

namespace unrolled {

enum class OptimizerKind { Sgd, Momentum, Adagrad, RmsProp, Adam };

// "sgd|momentum|adagrad|rmsprop|adam"; parse returns false for an unknown name.
std::string_view to_string(OptimizerKind v);
bool parse(std::string_view s, OptimizerKind& out);
std::string allowed_names(OptimizerKind);

struct OptimizerSettings {
  OptimizerKind kind = OptimizerKind::Adam;
  double learning_rate = 1e-3;  // lr, > 0
  double momentum = 0.9;        // mu, momentum only, in [0, 1)
  double beta1 = 0.9;           // b1, adam, in [0, 1)
  double beta2 = 0.999;         // b2, adam, in [0, 1)
  double eps = 1e-8;            // adam, added to sqrt(v^)
  // rho, rmsprop. 0.9 as in Tieleman & Hinton's lecture 6e and Keras; PyTorch's default alpha is
  // 0.99 (a longer memory: the mean square then averages over ~100 steps instead of ~10).
  double rmsprop_decay = 0.9;
  double rmsprop_eps = 1e-8;  // added to sqrt(s)
  double adagrad_eps = 1e-8;  // inside the root, as min-char-rnn: sqrt(n + 1e-8)
};

// A learning rate that works for the kind on the built-in lessons' scale of gradients
// (sgd/momentum 0.1, adagrad 0.1, rmsprop 1e-3, adam 1e-3): a starting point for the UI.
double default_learning_rate(OptimizerKind kind);

// "" when s is usable; otherwise one message naming the field, its value and what is allowed.
std::string validate(const OptimizerSettings& s);

// What state1/state2 hold for a kind, for labels: "velocity v", "sum of g^2", "mean of g^2",
// "first moment m" / "second moment v"; "" when the kind does not use that slot.
std::string_view state1_name(OptimizerKind kind);
std::string_view state2_name(OptimizerKind kind);

class Optimizer {
 public:
  // State is zero-filled and shaped like `like` (only the shapes are read).
  explicit Optimizer(const Params& like, OptimizerSettings settings = {});

  // One update of p from grad (both shaped like the Params given to the constructor; throws
  // std::invalid_argument otherwise). Non-finite gradients are not checked: they propagate into
  // p and the state, and the trainer's divergence check sees them.
  void step(Params& p, const Params& grad);

  // Learning rate, momentum, betas, ... may change between steps and apply from the next step.
  // Changing the kind resets the state (the old kind's state means nothing to the new one).
  void set_settings(const OptimizerSettings& settings);
  const OptimizerSettings& settings() const { return settings_; }

  // Zero the state and the step count; the next step is step 1 again (Adam's bias correction).
  void reset();
  int64_t steps() const { return steps_; }
  // The state a session or checkpoint saved: state1/state2 shaped like the parameters (checked,
  // false otherwise and nothing changes) and steps >= 0.
  bool restore_state(const Params& state1, const Params& state2, int64_t steps);

  // Per-kind meaning in state1_name / state2_name; unused slots stay zero.
  const Params& state1() const { return state1_; }  // v | n | s | m
  const Params& state2() const { return state2_; }  // adam's v

 private:
  OptimizerSettings settings_;
  Params state1_;  // like the parameters
  Params state2_;  // like the parameters
  int64_t steps_ = 0;
};

}  // namespace unrolled
