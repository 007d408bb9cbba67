// Unrolled core: one cell's arithmetic at one time step, for one unit, as the lectures write it,
// with the engine's own numbers substituted. The inspector shows these lines; nothing in them is
// recomputed by the UI: every output is the Trace's or GradTrace's value, and every operand is
// too, except the three parts of a pre-activation (W_x x, W_h h, b), which are the dot products
// the forward pass summed.
//
// Legend: T steps, I input (of the layer), H hidden, G gate blocks.
#pragma once

#include <string>
#include <vector>

#include "core/types.hpp"

namespace unrolled {

// One sequence's values for one layer, as (rows, T) matrices, column t = step t (the app's
// snapshot keeps exactly these). Pointers to empty matrices where a cell has no such value.
struct SequenceRef {
  const Mat* x = nullptr;      // (I, T) the layer's input
  const Mat* pre = nullptr;    // (G*H, T)
  const Mat* gates = nullptr;  // (G*H, T)
  const Mat* c = nullptr;      // (H, T) LSTM
  const Mat* h = nullptr;      // (H, T)
  const Mat* hn = nullptr;     // (H, T) GRU
  const Mat* dh = nullptr;     // (H, T) dL/dh_t; NaN where not computed
  const Mat* dc = nullptr;     // (H, T) dL/dc_t (LSTM)
  Vec h0, c0;                  // (H) initial states
};

enum class EquationKind {
  Sum,            // value = Σ operands
  Sigmoid,        // value = σ(operand 0)
  Tanh,           // value = tanh(operand 0)
  Relu,           // value = max(0, operand 0)
  Identity,       // value = operand 0
  CellUpdate,     // c = f·c_prev + i·g        operands f, c_prev, i, g
  OutputGate,     // h = o·tanh(c)             operands o, c
  GruMix,         // h = z·h_prev + (1−z)·n    operands z, h_prev, n
  ResetAfterSum,  // a = wx + b + r·hn         operands wx, b, r, hn
  Product,        // value = Π operands
  LstmDc,   // dc = dc_next·f_next + dh·o·(1 − tanh²(c))   operands dc_next, f_next, dh, o, c
  ActGrad,  // da = dh · act'(a) from h  operands dh, h (tanh: 1 − h²; sigmoid: h(1 − h))
  HardSigmoid,  // value = the line's `gate` function of operand 0: Keras 2's clip(0.2a + 0.5, 0, 1)
                //   or Keras 3's relu6(a + 3) / 6 (a model imported with hard_sigmoid gates)
};

struct Operand {
  std::string symbol;  // "c_{t−1}", "W_xf x_t", ...
  double value = 0;
  std::string text;  // value as displayed
};

struct EquationLine {
  std::string lhs;      // "f_t"
  std::string formula;  // "σ(W_xf x_t + W_hf h_{t−1} + b_f)" in the lectures' notation
  EquationKind kind = EquationKind::Sum;
  Activation activation = Activation::Tanh;  // ActGrad only
  GateActivation gate = GateActivation::Sigmoid;  // HardSigmoid only
  std::vector<Operand> operands;
  double value = 0;         // the engine's value
  std::string text;         // value as displayed
  std::string substituted;  // "σ(0.8123) = 0.6926"
  std::string meaning;      // one or two sentences for a tooltip
};

struct CellInspection {
  CellType cell = CellType::Lstm;
  int layer = 0, t = 0, unit = 0;
  std::vector<EquationLine> forward;
  std::vector<EquationLine> backward;  // empty until the backward pass has reached step t
};

// The lines for unit `unit` at step t. p: the network's parameters; layer: which layer `seq`
// belongs to.
CellInspection inspect_cell(const NetworkSpec& spec, const Params& p, int layer,
                            const SequenceRef& seq, int t, int unit);

// The line's formula applied to the given operand values (the test's and the curious student's
// check that the displayed numbers add up).
double recompute(const EquationLine& line, const std::vector<double>& operands);

// How numbers are displayed: 4 significant digits ("%.4g").
std::string format_number(double v);
constexpr double kDisplayedRelativePrecision = 5e-4;  // half a unit in the 4th digit

}  // namespace unrolled
