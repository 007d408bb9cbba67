#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>
#include <cmath>

#include "core/analysis.hpp"
#include "core/init.hpp"

namespace unrolled {
namespace {

Batch normal_batch(int I, int O, int T, int B, Rng& rng) {
  Batch b;
  for (int t = 0; t < T; ++t)
    b.inputs.push_back(Mat::NullaryExpr(I, B, [&] { return rng.normal(); }));
  for (int t = 0; t < T; ++t) b.targets.push_back(Mat::Zero(O, B));
  return b;
}

TEST(Spectrum, MatchesEigensSolverOnKnownMatrices) {
  const double theta = 0.7, rho = 1.3;
  Mat rot(2, 2);
  rot << std::cos(theta), -std::sin(theta), std::sin(theta), std::cos(theta);
  const Spectrum s = spectrum(rho * rot);
  EXPECT_NEAR(s.spectral_radius, rho, 1e-12);
  EXPECT_NEAR(std::abs(s.eigenvalues(0).imag()), rho * std::sin(theta), 1e-12);
  EXPECT_NEAR(s.largest_singular_value, rho, 1e-12);

  Mat tri(3, 3);  // upper triangular: eigenvalues on the diagonal, singular values differ
  tri << 0.5, 2.0, 0.0, 0.0, -0.9, 1.0, 0.0, 0.0, 0.2;
  const Spectrum t = spectrum(tri);
  EXPECT_NEAR(t.spectral_radius, 0.9, 1e-12);
  EXPECT_NEAR(std::abs(t.eigenvalues(2)), 0.2, 1e-12);
  EXPECT_GT(t.largest_singular_value, 2.0);  // non-normal: σ₁ > ρ

  Rng rng(3);
  const Mat R = Mat::NullaryExpr(6, 6, [&] { return rng.normal(); });
  const Spectrum r = spectrum(R);
  const Eigen::VectorXcd ev = Eigen::EigenSolver<Mat>(R).eigenvalues();
  EXPECT_NEAR(r.spectral_radius, ev.cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_NEAR(r.singular_values.prod(), std::abs(R.determinant()), 1e-9);
  for (int i = 1; i < 6; ++i) EXPECT_GE(std::abs(r.eigenvalues(i - 1)), std::abs(r.eigenvalues(i)));
}

TEST(Spectrum, RecurrentSpectraOnePerGateBlock) {
  NetworkSpec spec;
  spec.cell = CellType::Lstm;
  spec.hidden_size = 4;
  Params p = make_params(spec);
  Rng rng(1);
  initialize(p, spec, {InitKind::Orthogonal, 0.5, 1.0}, rng);
  const auto s = recurrent_spectra(p, spec, 0);
  ASSERT_EQ(s.size(), 4u);
  for (const auto& b : s) EXPECT_NEAR(b.spectral_radius, 0.5, 1e-12);
}

TEST(Jacobian, VanillaLocalJacobianIsDiagActDerivativeTimesWhh) {
  NetworkSpec spec;
  spec.cell = CellType::Rnn;
  spec.input_size = 2;
  spec.hidden_size = 5;
  Network net(spec);
  Rng rng(2);
  initialize(net.params(), spec, {}, rng);
  const Batch batch = normal_batch(2, 1, 6, 3, rng);
  Trace tr;
  net.forward(tr, batch);
  const Mat J = local_jacobian(net, tr, batch, 0, 4, 1);
  const Vec d = 1.0 - tr.steps[0][4].h.col(1).array().square();
  const Mat expected = d.asDiagonal() * net.params().layers[0].W_h;
  EXPECT_LT((J - expected).cwiseAbs().maxCoeff(), 1e-14);
}

TEST(Jacobian, LocalJacobianMatchesFiniteDifferencesForEveryCell) {
  for (CellType cell : {CellType::Rnn, CellType::Lstm, CellType::Gru}) {
    NetworkSpec spec;
    spec.cell = cell;
    spec.input_size = 2;
    spec.hidden_size = 4;
    spec.num_layers = 2;
    Network net(spec);
    Rng rng(4);
    initialize(net.params(), spec, {}, rng);
    const Batch batch = normal_batch(2, 1, 5, 2, rng);
    Trace tr;
    net.forward(tr, batch);
    const int l = 1, t = 3, b = 1;
    const Mat J = local_jacobian(net, tr, batch, l, t, b);
    const Mat x = tr.steps[l - 1][t].h.col(b);
    const Mat c = cell == CellType::Lstm ? Mat(tr.c_prev(l, t).col(b)) : Mat();
    const double eps = 1e-6;
    for (int j = 0; j < 4; ++j) {
      Mat hp = tr.h_prev(l, t).col(b), hm = hp;
      hp(j, 0) += eps;
      hm(j, 0) -= eps;
      StepTrace sp, sm;
      cell_forward(sp, net.cell_spec(l), net.params().layers[l], x, hp, c);
      cell_forward(sm, net.cell_spec(l), net.params().layers[l], x, hm, c);
      const Vec numeric = (sp.h - sm.h) / (2 * eps);
      EXPECT_LT((J.col(j) - numeric).cwiseAbs().maxCoeff(), 1e-8)
          << to_string(cell) << " column " << j;
    }
  }
}

TEST(Jacobian, ProductNormsOfALinearRnnAreRhoToTheDistance) {
  NetworkSpec spec;
  spec.cell = CellType::Rnn;
  spec.activation = Activation::Identity;
  spec.input_size = 1;
  spec.hidden_size = 6;
  Network net(spec);
  Rng rng(5);
  net.params().layers[0].W_h = 0.9 * random_orthogonal(6, rng);
  const Batch batch = normal_batch(1, 1, 20, 2, rng);
  Trace tr;
  net.forward(tr, batch);
  const Vec n = jacobian_product_norms(net, tr, batch, 0, 19, 0, 15);
  ASSERT_EQ(n.size(), 16);
  for (int d = 0; d <= 15; ++d) EXPECT_NEAR(n(d), std::pow(0.9, d), 1e-12) << d;
}

TEST(Jacobian, TanhProductStaysUnderThePascanuBound) {
  NetworkSpec spec;
  spec.cell = CellType::Rnn;
  spec.input_size = 1;
  spec.hidden_size = 8;
  Network net(spec);
  Rng rng(6);
  initialize(net.params(), spec, {InitKind::Orthogonal, 0.95, 1.0}, rng);
  const Batch batch = normal_batch(1, 1, 30, 1, rng);
  Trace tr;
  net.forward(tr, batch);
  const double lambda1 = spectral_norm(net.params().layers[0].W_h);
  const double gamma = activation_derivative_bound(Activation::Tanh);
  const Vec n = jacobian_product_norms(net, tr, batch, 0, 29, 0, 29);
  for (int d = 1; d < n.size(); ++d) EXPECT_LE(n(d), std::pow(lambda1 * gamma, d) * (1 + 1e-12));
  EXPECT_LT(n(29), 0.5 * n(1));  // and it does shrink
}

TEST(Jacobian, LstmProductRunsThroughTheCellState) {
  // With the forget gate pinned open, ∂h_t/∂h_{t-d} does not vanish with d even though each
  // h-to-h Jacobian alone is small: the path goes through c.
  NetworkSpec spec;
  spec.cell = CellType::Lstm;
  spec.input_size = 1;
  spec.hidden_size = 3;
  Network net(spec);
  Rng rng(7);
  initialize(net.params(), spec, {}, rng);
  net.params().layers[0].b.segment(3, 3).setConstant(30.0);  // f ≈ 1
  const Batch batch = normal_batch(1, 1, 40, 1, rng);
  Trace tr;
  net.forward(tr, batch);
  const Vec n = jacobian_product_norms(net, tr, batch, 0, 39, 0, 39);
  EXPECT_GT(n(39), 1e-3 * n(1));
}

}  // namespace
}  // namespace unrolled

#include "core/trainer.hpp"

namespace unrolled {
namespace {

TEST(Spectrum, LiveRescaleSetsEveryRecurrentBlockBetweenIterations) {
  ExperimentConfig c;
  c.model.cell = CellType::Gru;
  c.model.layers = 2;
  c.model.hidden_size = 6;
  c.task = default_task_spec(TaskKind::Adding);
  c.task.length = 8;
  c.training.batch_size = 4;
  Trainer t;
  std::string error;
  ASSERT_TRUE(t.configure(c, 0, &error)) << error;
  t.run_iteration();
  ASSERT_TRUE(t.rescale_recurrent(1.5));
  for (int l = 0; l < 2; ++l)
    for (const Spectrum& s : recurrent_spectra(t.network().params(), t.network().spec(), l))
      EXPECT_NEAR(s.spectral_radius, 1.5, 1e-9);
  t.step_forward();  // mid-iteration: refused, nothing changes
  const Params before = t.network().params();
  EXPECT_FALSE(t.rescale_recurrent(0.5));
  EXPECT_EQ(t.network().params().layers[0].W_h, before.layers[0].W_h);
  EXPECT_FALSE(t.rescale_recurrent(-1));
}

}  // namespace
}  // namespace unrolled

namespace unrolled {
namespace {

TEST(TrainerSettings, InvalidLiveSettingsAreRefusedAndTheOldOnesStay) {
  ExperimentConfig c;
  c.model.hidden_size = 4;
  c.task = default_task_spec(TaskKind::Adding);
  c.task.length = 6;
  c.training.batch_size = 2;
  Trainer t;
  std::string error;
  ASSERT_TRUE(t.configure(c, 0, &error)) << error;
  EXPECT_FALSE(t.set_clip({ClipMode::Norm, 0.0}, &error));
  EXPECT_NE(error.find("threshold"), std::string::npos) << error;
  OptimizerSettings o = c.training.optimizer;
  o.learning_rate = std::nan("");
  EXPECT_FALSE(t.set_optimizer(o, &error));
  EXPECT_NE(error.find("learning_rate"), std::string::npos) << error;
  EXPECT_TRUE(t.run_iteration());  // nothing was broken by the refused settings
  EXPECT_EQ(t.config().training.clip.threshold, c.training.clip.threshold);
}

}  // namespace
}  // namespace unrolled
