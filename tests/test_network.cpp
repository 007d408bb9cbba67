// The network's behaviour in cases whose answer is known in closed form, the gradient trace
// against finite differences, PyTorch's GRU equations, stepping and determinism.
#include <gtest/gtest.h>

#include <cmath>

#include "core/init.hpp"
#include "core/network.hpp"
#include "core/rng.hpp"

namespace unrolled {
namespace {

Batch normal_batch(int I, int O, int T, int B, Rng& rng, Readout readout = Readout::Every) {
  Batch b;
  for (int t = 0; t < T; ++t)
    b.inputs.push_back(Mat::NullaryExpr(I, B, [&] { return rng.normal(); }));
  const int n = readout == Readout::Every ? T : 1;
  for (int k = 0; k < n; ++k)
    b.targets.push_back(Mat::NullaryExpr(O, B, [&] { return rng.normal(); }));
  return b;
}

Network random_network(NetworkSpec spec, uint64_t seed, InitSettings init = {}) {
  Rng rng(seed);
  Network net(spec);
  initialize(net.params(), spec, init, rng);
  return net;
}

TEST(Network, LinearRnnWithScaledOrthogonalWeightsDecaysAsRhoToTheDistance) {
  for (double rho : {0.8, 1.0, 1.2}) {
    NetworkSpec spec;
    spec.cell = CellType::Rnn;
    spec.activation = Activation::Identity;
    spec.input_size = 2;
    spec.hidden_size = 8;
    spec.output_size = 2;
    Network net = random_network(spec, 7);
    Rng rng(3);
    net.params().layers[0].W_h = rho * random_orthogonal(8, rng);
    const Batch batch = normal_batch(2, 2, 30, 4, rng);
    Trace tr;
    net.forward(tr, batch);
    Params g;
    GradTrace gt;
    net.backward(g, gt, tr, batch);
    ASSERT_EQ(gt.profile.cols(), 30);
    double worst = 0;
    for (int d = 0; d < 30; ++d) {
      const double expected = std::pow(rho, d) * gt.profile(0, 0);
      worst = std::max(worst, std::abs(gt.profile(0, d) - expected) / expected);
    }
    std::printf("  rho %.1f: largest relative deviation from rho^(T-t): %.2e\n", rho, worst);
    EXPECT_LT(worst, 1e-9);
  }
}

TEST(Network, LstmWithForgetGateOpenAndInputGateShutCarriesTheCellUnchanged) {
  NetworkSpec spec;
  spec.cell = CellType::Lstm;
  spec.input_size = 3;
  spec.hidden_size = 5;
  spec.output_size = 1;
  Network net = random_network(spec, 11);
  const int H = 5;
  net.params().layers[0].b.segment(0, H).setConstant(-1000.0);  // i = σ(-1000) = 0
  net.params().layers[0].b.segment(H, H).setConstant(1000.0);   // f = σ(1000) = 1
  Rng rng(5);
  const Batch batch = normal_batch(3, 1, 40, 3, rng);
  std::vector<Mat> h0{Mat::Zero(H, 3)}, c0{Mat::NullaryExpr(H, 3, [&] { return rng.normal(); })};
  Trace tr;
  net.forward(tr, batch, &h0, &c0);
  for (int t = 0; t < 40; ++t) {
    ASSERT_TRUE(tr.steps[0][t].gates.middleRows(H, H).isOnes(0.0));
    ASSERT_TRUE(tr.steps[0][t].gates.topRows(H).isZero(0.0));
    ASSERT_EQ(tr.steps[0][t].c, c0[0]) << "c_t changed at t=" << t;
  }
  // And the gradient rides the same highway: dL/dc_{t-1} = dL/dc_t ⊙ f = dL/dc_t.
  Params g;
  GradTrace gt;
  net.backward(g, gt, tr, batch);
  // With f = 1 the only change from dL/dc_t to dL/dc_{t-1} is what step t-1 injects through
  // its own output: dL/dh_{t-1} ⊙ o_{t-1} ⊙ (1 - tanh²(c_{t-1})). Nothing is lost on the way.
  for (int t = 1; t < 40; ++t) {
    const StepTrace& s = tr.steps[0][t - 1];
    const Mat local =
        gt.dh[0][t - 1].array() * s.gates.bottomRows(H).array() * (1.0 - s.tanh_c.array().square());
    const Mat change = gt.dc[0][t - 1] - gt.dc[0][t];
    EXPECT_LT((change - local).cwiseAbs().maxCoeff(), 1e-12) << "t=" << t;
  }
  EXPECT_GT(gt.dc_norm(0, 0), 0.0);
}

// dL/dh_t as a node: add ε to one element of h^l_t after it is computed, recompute the rest.
double loss_with_h_nudge(const Network& net, const Batch& batch, int layer, int t, int i, int b,
                         double eps) {
  const NetworkSpec& s = net.spec();
  const int L = s.num_layers, T = batch.steps();
  std::vector<StepTrace> prev(L), cur(L);
  std::vector<Mat> h(L, Mat::Zero(s.hidden_size, batch.batch_size())), c = h;
  double loss = 0;
  for (int step = 0; step < T; ++step) {
    for (int l = 0; l < L; ++l) {
      const Mat& x = l == 0 ? batch.inputs[step] : h[l - 1];
      StepTrace st;
      cell_forward(st, net.cell_spec(l), net.params().layers[l], x, h[l], c[l]);
      h[l] = st.h;
      if (s.cell == CellType::Lstm) c[l] = st.c;
      if (l == layer && step == t) h[l](i, b) += eps;
    }
    const Mat y = (net.params().W_y * h[L - 1]).colwise() + net.params().b_y;
    loss += (y - batch.targets[step]).squaredNorm();
  }
  return loss / (static_cast<double>(s.output_size) * T * batch.batch_size());
}

TEST(Network, GradTraceDhMatchesFiniteDifferencesOfTheLoss) {
  for (CellType cell : {CellType::Rnn, CellType::Lstm, CellType::Gru}) {
    NetworkSpec spec;
    spec.cell = cell;
    spec.input_size = 2;
    spec.hidden_size = 3;
    spec.output_size = 2;
    spec.num_layers = 2;
    const Network net = random_network(spec, 21);
    Rng rng(8);
    const Batch batch = normal_batch(2, 2, 5, 2, rng);
    Trace tr;
    net.forward(tr, batch);
    Params g;
    GradTrace gt;
    net.backward(g, gt, tr, batch);
    double worst = 0;
    const double eps = 1e-6;
    for (int l = 0; l < 2; ++l)
      for (int t = 0; t < 5; ++t)
        for (int i = 0; i < 3; ++i)
          for (int b = 0; b < 2; ++b) {
            const double numeric = (loss_with_h_nudge(net, batch, l, t, i, b, eps) -
                                    loss_with_h_nudge(net, batch, l, t, i, b, -eps)) /
                                   (2 * eps);
            const double analytic = gt.dh[l][t](i, b);
            worst = std::max(worst, std::abs(numeric - analytic) /
                                        std::max({std::abs(numeric), std::abs(analytic), 1e-4}));
          }
    std::printf("  %s: dL/dh_t largest relative error %.2e\n", std::string(to_string(cell)).c_str(),
                worst);
    EXPECT_LT(worst, 1e-6);
  }
}

double sig(double a) {
  return 1.0 / (1.0 + std::exp(-a));
}

TEST(Network, ResetAfterGruAgreesWithPyTorchsDocumentedEquations) {
  // Hand-made weights, I = 2, H = 2. PyTorch keeps two biases per gate (b_i*, b_h*); for r and z
  // they only ever appear summed, which is our b; b_hn stays separate inside r ⊙ (...).
  const double W_ir[2][2] = {{0.5, -0.3}, {0.2, 0.1}}, W_iz[2][2] = {{-0.4, 0.6}, {0.3, -0.2}},
               W_in[2][2] = {{0.7, 0.1}, {-0.5, 0.4}};
  const double W_hr[2][2] = {{0.2, -0.1}, {0.4, 0.3}}, W_hz[2][2] = {{0.1, 0.5}, {-0.3, 0.2}},
               W_hn[2][2] = {{-0.6, 0.2}, {0.3, 0.8}};
  const double b_ir[2] = {0.1, -0.2}, b_hr[2] = {0.05, 0.3}, b_iz[2] = {-0.1, 0.2},
               b_hz[2] = {0.2, 0.1}, b_in[2] = {0.3, -0.3}, b_hn[2] = {-0.2, 0.4};
  NetworkSpec spec;
  spec.cell = CellType::Gru;
  spec.gru_variant = GruVariant::ResetAfter;
  spec.input_size = 2;
  spec.hidden_size = 2;
  Network net(spec);
  LayerParams& p = net.params().layers[0];
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 2; ++j) {
      p.W_x(i, j) = W_ir[i][j];
      p.W_x(2 + i, j) = W_iz[i][j];
      p.W_x(4 + i, j) = W_in[i][j];
      p.W_h(i, j) = W_hr[i][j];
      p.W_h(2 + i, j) = W_hz[i][j];
      p.W_h(4 + i, j) = W_hn[i][j];
    }
    p.b(i) = b_ir[i] + b_hr[i];
    p.b(2 + i) = b_iz[i] + b_hz[i];
    p.b(4 + i) = b_in[i];
    p.b_hn(i) = b_hn[i];
  }
  const double xs[3][2] = {{1.0, -0.5}, {0.25, 0.75}, {-1.0, 0.5}};
  Batch batch;
  for (auto& x : xs) batch.inputs.push_back((Mat(2, 1) << x[0], x[1]).finished());
  batch.targets.assign(3, Mat::Zero(1, 1));
  Trace tr;
  net.forward(tr, batch);
  double h[2] = {0, 0};
  for (int t = 0; t < 3; ++t) {
    double hn[2];
    for (int i = 0; i < 2; ++i) {
      const double* x = xs[t];
      const double r = sig(W_ir[i][0] * x[0] + W_ir[i][1] * x[1] + b_ir[i] + W_hr[i][0] * h[0] +
                           W_hr[i][1] * h[1] + b_hr[i]);
      const double z = sig(W_iz[i][0] * x[0] + W_iz[i][1] * x[1] + b_iz[i] + W_hz[i][0] * h[0] +
                           W_hz[i][1] * h[1] + b_hz[i]);
      const double n = std::tanh(W_in[i][0] * x[0] + W_in[i][1] * x[1] + b_in[i] +
                                 r * (W_hn[i][0] * h[0] + W_hn[i][1] * h[1] + b_hn[i]));
      hn[i] = (1 - z) * n + z * h[i];
    }
    h[0] = hn[0];
    h[1] = hn[1];
    EXPECT_NEAR(tr.steps[0][t].h(0, 0), h[0], 1e-14) << "t=" << t;
    EXPECT_NEAR(tr.steps[0][t].h(1, 0), h[1], 1e-14) << "t=" << t;
  }
}

TEST(Network, SteppingOneTimeStepAtATimeIsBitIdenticalToTheWholePass) {
  NetworkSpec spec;
  spec.cell = CellType::Lstm;
  spec.input_size = 2;
  spec.hidden_size = 6;
  spec.output_size = 2;
  spec.num_layers = 2;
  const Network net = random_network(spec, 4);
  Rng rng(9);
  const Batch batch = normal_batch(2, 2, 12, 3, rng);
  Trace whole, stepped;
  net.forward(whole, batch);
  net.forward_begin(stepped, batch);
  while (stepped.steps_done < batch.steps()) net.forward_step(stepped, batch);
  EXPECT_EQ(whole.loss, stepped.loss);
  Params g1, g2;
  GradTrace gt1, gt2;
  net.backward(g1, gt1, whole, batch, {4, 6, true});
  BackwardPass pass;
  pass.begin(net, stepped, batch, {4, 6, true}, g2, gt2);
  int steps = 0;
  while (!pass.done()) {
    EXPECT_GE(pass.next_t(), 0);
    pass.step();
    ++steps;
  }
  EXPECT_GT(steps, 12);  // the truncation windows overlap, plus the profile sweep
  const auto a = g1.tensors(), b = g2.tensors();
  for (size_t k = 0; k < a.size(); ++k)
    EXPECT_TRUE((a[k].array() == b[k].array()).all()) << a[k].name;
  EXPECT_TRUE((gt1.profile.array() == gt2.profile.array()).all());
  EXPECT_TRUE((gt1.dh_norm.array() == gt2.dh_norm.array()).all());
}

TEST(Network, SameSeedGivesBitIdenticalTracesAndGradients) {
  for (CellType cell : {CellType::Rnn, CellType::Lstm, CellType::Gru}) {
    NetworkSpec spec;
    spec.cell = cell;
    spec.input_size = 3;
    spec.hidden_size = 7;
    spec.output_size = 2;
    auto run = [&](uint64_t seed) {
      const Network net = random_network(spec, seed, {InitKind::Orthogonal, 0.9, 1.0});
      Rng rng(seed + 1);
      const Batch batch = normal_batch(3, 2, 10, 4, rng);
      Trace tr;
      net.forward(tr, batch);
      Params g;
      GradTrace gt;
      net.backward(g, gt, tr, batch);
      return std::pair{tr.loss, g};
    };
    const auto [l1, g1] = run(5);
    const auto [l2, g2] = run(5);
    const auto [l3, g3] = run(6);
    EXPECT_EQ(l1, l2);
    EXPECT_NE(l1, l3);
    const auto a = g1.tensors(), b = g2.tensors();
    for (size_t k = 0; k < a.size(); ++k) EXPECT_TRUE((a[k].array() == b[k].array()).all());
  }
}

TEST(Network, ValidateNamesTheProblem) {
  NetworkSpec spec;
  spec.input_size = 2;
  spec.output_size = 1;
  const Network net(spec);
  Rng rng(1);
  Batch b = normal_batch(3, 1, 4, 2, rng);
  EXPECT_NE(net.validate(b).find("expected (I, B) = (2, 2)"), std::string::npos) << net.validate(b);
  b = normal_batch(2, 1, 4, 2, rng);
  EXPECT_EQ(net.validate(b), "");
  b.inputs[2](0, 1) = std::nan("");
  EXPECT_NE(net.validate(b).find("not finite"), std::string::npos);
}

}  // namespace
}  // namespace unrolled
