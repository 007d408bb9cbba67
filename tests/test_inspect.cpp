// The inspector's numbers are the engine's, and the displayed numbers add up.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>

#include "core/init.hpp"
#include "core/inspect.hpp"
#include "core/network.hpp"

namespace unrolled {
namespace {

struct Extracted {  // one sequence, one layer, as the app's snapshot keeps it
  Mat x, pre, gates, c, h, hn, dh, dc;
};

Extracted extract(const Trace& tr, const GradTrace& gt, const Batch& batch, int l, int b) {
  const int T = tr.num_steps();
  Extracted e;
  auto col = [&](Mat& out, auto get) {
    const Mat& first = get(0);
    if (first.size() == 0) return;
    out.resize(first.rows(), T);
    for (int t = 0; t < T; ++t) out.col(t) = get(t).col(b);
  };
  col(e.x, [&](int t) -> const Mat& { return l == 0 ? batch.inputs[t] : tr.steps[l - 1][t].h; });
  col(e.pre, [&](int t) -> const Mat& { return tr.steps[l][t].pre; });
  col(e.gates, [&](int t) -> const Mat& { return tr.steps[l][t].gates; });
  col(e.c, [&](int t) -> const Mat& { return tr.steps[l][t].c; });
  col(e.h, [&](int t) -> const Mat& { return tr.steps[l][t].h; });
  col(e.hn, [&](int t) -> const Mat& { return tr.steps[l][t].hn; });
  col(e.dh, [&](int t) -> const Mat& { return gt.dh[l][t]; });
  if (!gt.dc[l].empty()) col(e.dc, [&](int t) -> const Mat& { return gt.dc[l][t]; });
  return e;
}

void check_cell(NetworkSpec spec) {
  spec.input_size = 3;
  spec.hidden_size = 4;
  spec.output_size = 2;
  spec.num_layers = 2;
  Network net(spec);
  Rng rng(31);
  initialize(net.params(), spec, {InitKind::Uniform, 0, 1.0}, rng);
  Batch batch;
  for (int t = 0; t < 6; ++t)
    batch.inputs.push_back(Mat::NullaryExpr(3, 2, [&] { return rng.normal(); }));
  for (int t = 0; t < 6; ++t)
    batch.targets.push_back(Mat::NullaryExpr(2, 2, [&] { return rng.normal(); }));
  Trace tr;
  net.forward(tr, batch);
  Params g;
  GradTrace gt;
  net.backward(g, gt, tr, batch);
  int lines_checked = 0;
  for (int l = 0; l < 2; ++l) {
    const Extracted e = extract(tr, gt, batch, l, 1);
    SequenceRef s{&e.x,
                  &e.pre,
                  &e.gates,
                  &e.c,
                  &e.h,
                  &e.hn,
                  &e.dh,
                  &e.dc,
                  tr.h0[l].col(1),
                  spec.cell == CellType::Lstm ? Vec(tr.c0[l].col(1)) : Vec()};
    for (int t : {0, 3, 5})
      for (int u : {0, 2}) {
        const CellInspection ins = inspect_cell(spec, net.params(), l, s, t, u);
        ASSERT_FALSE(ins.forward.empty());
        ASSERT_FALSE(ins.backward.empty());
        // Outputs are the engine's own values.
        const StepTrace& st = tr.steps[l][t];
        for (const EquationLine& line : ins.forward) {
          if (line.lhs == "h_t") {
            EXPECT_EQ(line.value, st.h(u, 1));
          }
          if (line.lhs == "c_t") {
            EXPECT_EQ(line.value, st.c(u, 1));
          }
          if (spec.cell == CellType::Rnn) {  // its one block holds h_t; a_t is the pre-activation
            if (line.lhs == "a_t") {
              EXPECT_EQ(line.value, st.pre(u, 1));
            }
            continue;
          }
          const auto names = gate_names(spec.cell);
          for (size_t k = 0; k < names.size(); ++k) {
            if (line.lhs == names[k] + "_t") {
              EXPECT_EQ(line.value, st.gates(k * 4 + u, 1)) << line.lhs;
            }
            if (line.lhs == "a_" + names[k]) {
              EXPECT_EQ(line.value, st.pre(k * 4 + u, 1)) << line.lhs;
            }
          }
        }
        for (const EquationLine& line : ins.backward) {
          if (line.lhs == "∂L/∂h_t") {
            EXPECT_EQ(line.value, gt.dh[l][t](u, 1));
          }
          if (line.lhs == "∂L/∂c_t") {
            EXPECT_EQ(line.value, gt.dc[l][t](u, 1));
          }
        }
        // Every line's formula holds: exactly (to rounding) on the engine's values, and to the
        // displayed precision on the displayed numbers.
        std::vector<EquationLine> all = ins.forward;
        all.insert(all.end(), ins.backward.begin(), ins.backward.end());
        for (const EquationLine& line : all) {
          std::vector<double> exact, shown;
          double magnitude = std::abs(line.value);
          for (const Operand& o : line.operands) {
            exact.push_back(o.value);
            shown.push_back(std::strtod(o.text.c_str(), nullptr));
            magnitude += std::abs(o.value);
          }
          EXPECT_NEAR(recompute(line, exact), line.value, 1e-12 * (1 + magnitude))
              << line.lhs << " = " << line.substituted;
          const double shown_value = std::strtod(line.text.c_str(), nullptr);
          EXPECT_NEAR(recompute(line, shown), shown_value,
                      4 * kDisplayedRelativePrecision * (magnitude + 1e-9))
              << line.lhs << " = " << line.substituted;
          EXPECT_NE(line.substituted.find(line.text), std::string::npos);
          ++lines_checked;
        }
      }
  }
  std::printf("  %s: %d equation lines checked\n", std::string(to_string(spec.cell)).c_str(),
              lines_checked);
}

TEST(Inspect, VanillaNumbersAreTheEnginesAndAddUp) {
  NetworkSpec s;
  s.cell = CellType::Rnn;
  check_cell(s);
  s.activation = Activation::Sigmoid;
  check_cell(s);
}

TEST(Inspect, LstmNumbersAreTheEnginesAndAddUp) {
  NetworkSpec s;
  s.cell = CellType::Lstm;
  check_cell(s);
}

TEST(Inspect, GruNumbersAreTheEnginesAndAddUpInBothVariants) {
  NetworkSpec s;
  s.cell = CellType::Gru;
  check_cell(s);
  s.gru_variant = GruVariant::ResetAfter;
  check_cell(s);
}

// A model imported with Keras' hard sigmoid gates: the gate lines say so (not σ) and their
// numbers are the engine's and add up under the hard sigmoid of the model's Keras version.
TEST(Inspect, HardSigmoidGatesAreWrittenAsTheModelComputesThem) {
  for (CellType cell : {CellType::Lstm, CellType::Gru})
    for (GateActivation act :
         {GateActivation::HardSigmoidKeras2, GateActivation::HardSigmoidKeras3}) {
      NetworkSpec s;
      s.cell = cell;
      s.gate_activation = act;
      check_cell(s);
      s.input_size = 1;
      s.hidden_size = 1;
      s.output_size = 1;
      Network net(s);
      net.params().layers[0].b.setConstant(0.7);
      Batch batch;
      batch.inputs = {Mat::Constant(1, 1, 1.0)};
      batch.targets = {Mat::Zero(1, 1)};
      Trace tr;
      net.forward(tr, batch);
      const Mat x = batch.inputs[0], pre = tr.steps[0][0].pre, gates = tr.steps[0][0].gates,
                h = tr.steps[0][0].h, c = tr.steps[0][0].c, hn = tr.steps[0][0].hn;
      SequenceRef ref{&x, &pre, &gates, &c, &h, &hn, nullptr, nullptr, Vec::Zero(1), Vec::Zero(1)};
      const CellInspection ins = inspect_cell(s, net.params(), 0, ref, 0, 0);
      int hard = 0;
      for (const EquationLine& l : ins.forward) {
        EXPECT_NE(l.kind, EquationKind::Sigmoid) << l.lhs << ": " << l.formula;
        if (l.kind != EquationKind::HardSigmoid) continue;
        ++hard;
        // a = 0.7: Keras 2 gives 0.2·0.7 + 0.5 = 0.64, Keras 3 (0.7 + 3) / 6 = 0.61667.
        EXPECT_NEAR(l.value, act == GateActivation::HardSigmoidKeras2 ? 0.64 : 3.7 / 6, 1e-12)
            << l.lhs;
        EXPECT_EQ(l.formula.find("σ"), std::string::npos) << l.formula;
      }
      EXPECT_EQ(hard, cell == CellType::Lstm ? 3 : 2);
    }
}

TEST(Inspect, NoBackwardLinesBeforeTheBackwardPassReachesTheStep) {
  NetworkSpec spec;
  spec.cell = CellType::Lstm;
  spec.input_size = 1;
  spec.hidden_size = 2;
  Network net(spec);
  const Mat x = Mat::Ones(1, 3), pre = Mat::Zero(8, 3), gates = Mat::Constant(8, 3, 0.5),
            c = Mat::Zero(2, 3), h = Mat::Zero(2, 3), none, dh = Mat::Constant(2, 3, std::nan(""));
  SequenceRef s{&x, &pre, &gates, &c, &h, &none, &dh, &dh, Vec::Zero(2), Vec::Zero(2)};
  const CellInspection ins = inspect_cell(spec, net.params(), 0, s, 1, 0);
  EXPECT_EQ(ins.forward.size(), 10u);
  EXPECT_TRUE(ins.backward.empty());
}

}  // namespace
}  // namespace unrolled
