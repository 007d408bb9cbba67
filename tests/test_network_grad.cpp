// Gradient checks: every parameter tensor of every cell against central differences in double
// precision, printing the largest error found (as llm.c's check_tensor does).
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "core/network.hpp"
#include "core/rng.hpp"
#include "tests/grad_cases.hpp"

namespace unrolled {
namespace {

using testing_support::case_name;
using testing_support::random_batch;
using testing_support::randomize;
using Case = testing_support::GradCase;

NetworkSpec spec_for(const Case& c) {
  return testing_support::spec_for(c, 2, 3, 3);
}

// The truncated-BPTT objective, written independently of BackwardPass: each chunk's losses,
// computed by a forward pass started from the (constant) state at the chunk's window start.
double truncated_loss(const Network& net, const Batch& batch, const Trace& base, int k1, int k2) {
  const int T = batch.steps(), L = net.spec().num_layers;
  double total = 0;
  for (int lo = 0; lo < T; lo += k1) {
    const int hi = std::min(lo + k1, T), start = std::max(hi - std::max(k2, k1), 0);
    Batch sub;
    sub.inputs.assign(batch.inputs.begin() + start, batch.inputs.begin() + hi);
    sub.targets.assign(batch.targets.begin() + start, batch.targets.begin() + hi);
    sub.mask = batch.mask.middleRows(start, hi - start);
    std::vector<Mat> h0(L), c0(L);
    for (int l = 0; l < L; ++l) {
      h0[l] = base.h_prev(l, start);
      if (net.spec().cell == CellType::Lstm) c0[l] = base.c_prev(l, start);
    }
    Trace tr;
    net.forward(tr, sub, &h0, &c0);
    for (int t = lo; t < hi; ++t)
      total += tr.step_loss(t - start) * tr.weight_sum / base.weight_sum;
  }
  return total;
}

// Largest relative error between the analytic gradient and central differences over every
// value of every tensor. Components below `floor` in magnitude are compared absolutely.
double check_case(const Case& c) {
  const NetworkSpec spec = spec_for(c);
  Rng rng(1234);
  Network net(spec);
  randomize(net.params(), rng, 0.6);
  const Batch batch = random_batch(spec, 6, 2, rng);
  EXPECT_EQ(net.validate(batch), "");

  Trace trace;
  net.forward(trace, batch);
  Params grads;
  GradTrace gt;
  net.backward(grads, gt, trace, batch, {c.k1, c.k2, false});

  const Trace base = trace;
  auto loss_at = [&]() {
    if (c.k1 > 0) return truncated_loss(net, batch, base, c.k1, c.k2);
    Trace tr;
    net.forward(tr, batch);
    return tr.loss;
  };
  const double eps = 1e-5, floor = 1e-4;
  double worst = 0;
  std::string worst_name;
  auto params = net.params().tensors();
  const auto g = grads.tensors();
  for (size_t k = 0; k < params.size(); ++k) {
    double tensor_worst = 0;
    for (Eigen::Index i = 0; i < params[k].size(); ++i) {
      double& w = params[k].data[i];
      const double saved = w;
      w = saved + eps;
      const double lp = loss_at();
      w = saved - eps;
      const double lm = loss_at();
      w = saved;
      const double numeric = (lp - lm) / (2 * eps), analytic = g[k].data[i];
      const double rel =
          std::abs(numeric - analytic) / std::max({std::abs(numeric), std::abs(analytic), floor});
      tensor_worst = std::max(tensor_worst, rel);
    }
    if (tensor_worst > worst) {
      worst = tensor_worst;
      worst_name = params[k].name;
    }
  }
  std::printf("  %-44s largest relative error %.3e (%s)\n", case_name(c).c_str(), worst,
              worst_name.c_str());
  return worst;
}

class GradCheck : public ::testing::TestWithParam<Case> {};

TEST_P(GradCheck, EveryTensorMatchesCentralDifferences) {
  EXPECT_LE(check_case(GetParam()), 1e-6);
}

std::vector<Case> all_cases() {
  std::vector<Case> cases = testing_support::shape_cases();
  const std::vector<Case> cells = testing_support::cell_cases();
  // Truncated BPTT: chunks of 2 back-propagated 2 steps, and 3 steps (overlapping windows).
  for (Case c : cells) {
    for (auto [k1, k2] : {std::pair{2, 2}, std::pair{2, 3}}) {
      c.layers = 2;
      c.k1 = k1;
      c.k2 = k2;
      cases.push_back(c);
    }
  }
  // The hard sigmoid gates of models imported from Keras (2 layers, both readouts): the random
  // pre-activations fall on both sides of the kinks (a = ±2.5, ±3), none within eps of one.
  for (GateActivation gate : {GateActivation::HardSigmoidKeras2, GateActivation::HardSigmoidKeras3})
    for (Case c : {Case{CellType::Lstm}, Case{CellType::Gru, GruVariant::ResetBefore},
                   Case{CellType::Gru, GruVariant::ResetAfter}})
      for (Readout r : {Readout::Every, Readout::Last}) {
        c.layers = 2;
        c.readout = r;
        c.gate = gate;
        cases.push_back(c);
      }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(AllCells, GradCheck, ::testing::ValuesIn(all_cases()),
                         [](const auto& info) { return case_name(info.param); });

}  // namespace
}  // namespace unrolled
