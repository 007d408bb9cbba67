// Optimisers against hand-computed first two steps, Adam's bias correction, a quadratic bowl,
// learning-rate changes between steps, and the state's shape.
#include <gtest/gtest.h>

#include <cmath>

#include "core/optim.hpp"

namespace unrolled {
namespace {

// Vanilla RNN, I = H = O = 1: five 1x1 tensors (W_x, W_h, b, W_y, b_y).
Params tiny() {
  NetworkSpec spec;
  spec.cell = CellType::Rnn;
  spec.input_size = spec.hidden_size = spec.output_size = 1;
  return make_params(spec);
}

void fill(Params& p, double v) {
  for (auto& t : p.tensors()) t.array().setConstant(v);
}

// Two steps from p = 1 with g = 0.5 then g = -0.25, lr = 0.1; returns p after each step.
std::pair<double, double> two_steps(OptimizerKind kind) {
  Params p = tiny(), g = tiny();
  fill(p, 1.0);
  OptimizerSettings s;
  s.kind = kind;
  s.learning_rate = 0.1;
  Optimizer opt(p, s);
  fill(g, 0.5);
  opt.step(p, g);
  const double p1 = p.W_y(0, 0);
  fill(g, -0.25);
  opt.step(p, g);
  // Every tensor moved the same way.
  for (const auto& t : p.tensors()) EXPECT_EQ(t.array()(0), p.W_y(0, 0)) << t.name;
  return {p1, p.W_y(0, 0)};
}

TEST(Optim, NamesRoundTrip) {
  for (auto k : {OptimizerKind::Sgd, OptimizerKind::Momentum, OptimizerKind::Adagrad,
                 OptimizerKind::RmsProp, OptimizerKind::Adam}) {
    OptimizerKind back{};
    ASSERT_TRUE(parse(to_string(k), back));
    EXPECT_EQ(back, k);
  }
  OptimizerKind k{};
  EXPECT_FALSE(parse("adamw", k));
  EXPECT_EQ(allowed_names(OptimizerKind{}), "sgd|momentum|adagrad|rmsprop|adam");
}

TEST(Optim, ValidateNamesTheField) {
  EXPECT_EQ(validate(OptimizerSettings{}), "");
  OptimizerSettings s;
  s.learning_rate = -1;
  EXPECT_NE(validate(s).find("learning_rate"), std::string::npos);
  s = {};
  s.beta2 = 1.0;
  EXPECT_NE(validate(s).find("beta2"), std::string::npos);
  s = {};
  s.adagrad_eps = std::nan("");
  EXPECT_NE(validate(s).find("adagrad_eps"), std::string::npos);
}

TEST(Optim, SgdFirstTwoSteps) {
  auto [p1, p2] = two_steps(OptimizerKind::Sgd);
  EXPECT_NEAR(p1, 0.95, 1e-15);   // 1 - 0.1*0.5
  EXPECT_NEAR(p2, 0.975, 1e-15);  // 0.95 + 0.1*0.25
}

TEST(Optim, MomentumFirstTwoSteps) {
  auto [p1, p2] = two_steps(OptimizerKind::Momentum);
  EXPECT_NEAR(p1, 0.95, 1e-15);  // v = 0.5; 1 - 0.1*0.5
  // v = 0.9*0.5 - 0.25 = 0.2; 0.95 - 0.1*0.2 = 0.93
  EXPECT_NEAR(p2, 0.93, 1e-15);
}

TEST(Optim, AdagradFirstTwoSteps) {
  auto [p1, p2] = two_steps(OptimizerKind::Adagrad);
  // n = 0.25; 1 - 0.1*0.5/sqrt(0.25 + 1e-8) = 1 - 0.05/0.50000001 (to 1e-16)
  EXPECT_NEAR(p1, 1.0 - 0.05 / 0.50000001, 1e-14);
  EXPECT_NEAR(p1, 0.9, 1e-8);
  // n = 0.3125; p1 + 0.1*0.25/sqrt(0.3125 + 1e-8) = p1 + 0.025/0.559016985...
  EXPECT_NEAR(p2, p1 + 0.025 / std::sqrt(0.31250001), 1e-14);
  EXPECT_NEAR(p2 - p1, 0.0447213595, 1e-9);
}

TEST(Optim, RmsPropFirstTwoSteps) {
  auto [p1, p2] = two_steps(OptimizerKind::RmsProp);
  // s = 0.1*0.25 = 0.025; 1 - 0.05/(0.158113883... + 1e-8)
  EXPECT_NEAR(p1, 1.0 - 0.05 / (std::sqrt(0.025) + 1e-8), 1e-14);
  EXPECT_NEAR(p1, 1.0 - 0.316227746, 1e-8);
  // s = 0.9*0.025 + 0.1*0.0625 = 0.02875; p1 + 0.025/(0.169558249... + 1e-8)
  EXPECT_NEAR(p2, p1 + 0.025 / (std::sqrt(0.02875) + 1e-8), 1e-14);
  EXPECT_NEAR(p2 - p1, 0.147441950, 1e-8);
}

TEST(Optim, AdamFirstTwoSteps) {
  auto [p1, p2] = two_steps(OptimizerKind::Adam);
  // m = 0.05, v = 0.00025; m^ = 0.5, v^ = 0.25; 1 - 0.1*0.5/(0.5 + 1e-8)
  EXPECT_NEAR(p1, 1.0 - 0.05 / 0.50000001, 1e-14);
  // m = 0.045 - 0.025 = 0.02, v = 0.00024975 + 0.0000625 = 0.00031225;
  // m^ = 0.02/0.19, v^ = 0.00031225/0.001999
  EXPECT_NEAR(p2, p1 - 0.1 * (0.02 / 0.19) / (std::sqrt(0.00031225 / 0.001999) + 1e-8), 1e-14);
  EXPECT_NEAR(p2 - p1, -0.0266335, 1e-6);
}

TEST(Optim, AdamBiasCorrectionMakesFirstStepAboutLr) {
  // Without correction the first step would be lr * 0.1g / sqrt(0.001 g^2) ~ 0.32 lr; with it,
  // lr * sign(g) whatever the gradient's scale.
  for (double gv : {1e-4, 1.0, 1e4}) {
    Params p = tiny(), g = tiny();
    OptimizerSettings s;
    s.kind = OptimizerKind::Adam;
    s.learning_rate = 0.01;
    s.eps = 0.0;
    Optimizer opt(p, s);
    fill(g, gv);
    opt.step(p, g);
    EXPECT_NEAR(p.b_y(0), -0.01, 1e-15) << gv;
    EXPECT_NEAR(opt.state1().b_y(0), 0.1 * gv, 1e-12 * gv);  // raw m stays uncorrected
    EXPECT_NEAR(opt.state2().b_y(0), 0.001 * gv * gv, 1e-12 * gv * gv);
    // Constant gradient: m^ = g and v^ = g^2 exactly at every step, so every step is lr.
    for (int k = 2; k <= 50; ++k) {
      const double before = p.b_y(0);
      opt.step(p, g);
      EXPECT_NEAR(p.b_y(0) - before, -0.01, 1e-12) << "step " << k;
    }
    EXPECT_EQ(opt.steps(), 50);
  }
}

// f(p) = 1/2 sum_i a_i (p_i - c_i)^2 with a_i spread over two decades; df/dp_i = a_i (p_i - c_i).
TEST(Optim, EveryOptimizerMinimisesAQuadratic) {
  struct Case {
    OptimizerKind kind;
    double lr;
    int steps;
  };
  for (Case c : {Case{OptimizerKind::Sgd, 0.15, 2000}, Case{OptimizerKind::Momentum, 0.05, 2000},
                 Case{OptimizerKind::Adagrad, 0.5, 2000}, Case{OptimizerKind::RmsProp, 0.01, 3000},
                 Case{OptimizerKind::Adam, 0.05, 3000}}) {
    Params p = tiny(), g = tiny();
    const auto P = p.tensors(), Gt = g.tensors();
    const double a[5] = {0.1, 0.5, 1.0, 3.0, 10.0}, target[5] = {1.0, -2.0, 0.5, 3.0, -0.25};
    OptimizerSettings s;
    s.kind = c.kind;
    s.learning_rate = c.lr;
    Optimizer opt(p, s);
    auto loss = [&] {
      double f = 0;
      for (int i = 0; i < 5; ++i) f += 0.5 * a[i] * std::pow(P[i].array()(0) - target[i], 2);
      return f;
    };
    const double f0 = loss();
    for (int k = 0; k < c.steps; ++k) {
      for (int i = 0; i < 5; ++i) Gt[i].array()(0) = a[i] * (P[i].array()(0) - target[i]);
      opt.step(p, g);
    }
    EXPECT_LT(loss(), 1e-6 * f0) << to_string(c.kind);
    for (int i = 0; i < 5; ++i)
      EXPECT_NEAR(P[i].array()(0), target[i], 1e-2) << to_string(c.kind) << " " << P[i].name;
  }
}

TEST(Optim, ChangingTheLearningRateTakesEffectOnTheNextStep) {
  for (auto kind : {OptimizerKind::Sgd, OptimizerKind::Momentum, OptimizerKind::Adagrad,
                    OptimizerKind::RmsProp, OptimizerKind::Adam}) {
    Params p = tiny(), g = tiny();
    fill(p, 1.0);
    fill(g, 0.3);
    OptimizerSettings s;
    s.kind = kind;
    s.learning_rate = 0.1;
    Optimizer a(p, s);
    a.step(p, g);
    Optimizer b = a;  // same state, same step count
    Params pa = p, pb = p;
    fill(g, -0.7);
    s.learning_rate = 0.01;
    a.set_settings(s);
    EXPECT_EQ(a.steps(), 1) << "changing lr must keep the state";
    a.step(pa, g);
    b.step(pb, g);
    const double da = pa.layers[0].W_h(0, 0) - p.layers[0].W_h(0, 0);
    const double db = pb.layers[0].W_h(0, 0) - p.layers[0].W_h(0, 0);
    EXPECT_NE(db, 0.0);
    EXPECT_NEAR(da, 0.1 * db, 1e-15) << to_string(kind);
  }
}

TEST(Optim, ChangingTheKindResetsTheState) {
  Params p = tiny(), g = tiny();
  fill(g, 1.0);
  OptimizerSettings s;
  s.kind = OptimizerKind::Momentum;
  Optimizer opt(p, s);
  opt.step(p, g);
  opt.step(p, g);
  EXPECT_EQ(opt.steps(), 2);
  EXPECT_GT(opt.state1().squared_norm(), 0.0);
  s.momentum = 0.5;  // same kind: state kept
  opt.set_settings(s);
  EXPECT_EQ(opt.steps(), 2);
  EXPECT_GT(opt.state1().squared_norm(), 0.0);
  s.kind = OptimizerKind::Adam;
  opt.set_settings(s);
  EXPECT_EQ(opt.steps(), 0);
  EXPECT_EQ(opt.state1().squared_norm(), 0.0);
  EXPECT_EQ(opt.state2().squared_norm(), 0.0);
  opt.step(p, g);
  opt.reset();
  EXPECT_EQ(opt.steps(), 0);
  EXPECT_EQ(opt.state2().squared_norm(), 0.0);
}

TEST(Optim, StateIsShapedLikeTheParameters) {
  NetworkSpec spec;
  spec.cell = CellType::Gru;
  spec.gru_variant = GruVariant::ResetAfter;
  spec.input_size = 3;
  spec.hidden_size = 4;
  spec.output_size = 2;
  spec.num_layers = 2;
  Params p = make_params(spec);
  Optimizer opt(p, {});
  for (const Params* st : {&opt.state1(), &opt.state2()}) {
    const auto a = p.tensors(), b = st->tensors();
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].name, b[i].name);
      EXPECT_EQ(a[i].rows, b[i].rows) << a[i].name;
      EXPECT_EQ(a[i].cols, b[i].cols) << a[i].name;
    }
  }
  EXPECT_EQ(state1_name(OptimizerKind::Adam), "first moment m");
  EXPECT_EQ(state2_name(OptimizerKind::Momentum), "");
}

TEST(Optim, MismatchedShapesThrowInsteadOfWritingOutOfBounds) {
  Params p = tiny();
  Optimizer opt(p, {});
  NetworkSpec spec;
  spec.hidden_size = 3;
  Params other = make_params(spec);
  EXPECT_THROW(opt.step(p, other), std::invalid_argument);
  EXPECT_EQ(opt.steps(), 0);
}

}  // namespace
}  // namespace unrolled
