// Legend: T steps, I input, H hidden, G gate blocks.
#include "core/inspect.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/cell.hpp"

namespace unrolled {
namespace {

Operand op(std::string symbol, double v) {
  return {std::move(symbol), v, format_number(v)};
}

EquationLine line(std::string lhs, std::string formula, EquationKind kind, std::vector<Operand> ops,
                  double value, std::string meaning) {
  EquationLine l;
  l.lhs = std::move(lhs);
  l.formula = std::move(formula);
  l.kind = kind;
  l.operands = std::move(ops);
  l.value = value;
  l.text = format_number(value);
  l.meaning = std::move(meaning);
  const auto& o = l.operands;
  auto t = [&](size_t i) { return o[i].text; };
  switch (kind) {
    case EquationKind::Sum:
      for (size_t i = 0; i < o.size(); ++i) l.substituted += (i ? " + " : "") + t(i);
      break;
    case EquationKind::Sigmoid:
      l.substituted = "σ(" + t(0) + ")";
      break;
    case EquationKind::Tanh:
      l.substituted = "tanh(" + t(0) + ")";
      break;
    case EquationKind::Relu:
      l.substituted = "max(0, " + t(0) + ")";
      break;
    case EquationKind::Identity:
      l.substituted = t(0);
      break;
    case EquationKind::CellUpdate:
      l.substituted = t(0) + " × " + t(1) + " + " + t(2) + " × " + t(3);
      break;
    case EquationKind::OutputGate:
      l.substituted = t(0) + " × tanh(" + t(1) + ")";
      break;
    case EquationKind::GruMix:
      l.substituted = t(0) + " × " + t(1) + " + (1 − " + t(0) + ") × " + t(2);
      break;
    case EquationKind::ResetAfterSum:
      l.substituted = t(0) + " + " + t(1) + " + " + t(2) + " × " + t(3);
      break;
    case EquationKind::Product:
      for (size_t i = 0; i < o.size(); ++i) l.substituted += (i ? " × " : "") + t(i);
      break;
    case EquationKind::LstmDc:
      l.substituted =
          t(0) + " × " + t(1) + " + " + t(2) + " × " + t(3) + " × (1 − tanh²(" + t(4) + "))";
      break;
    case EquationKind::ActGrad:
      l.substituted = t(0) + " × act′ (h = " + t(1) + ")";
      break;
    case EquationKind::HardSigmoid:  // gate_line writes it with the variant's own formula
      l.substituted = "hard_σ(" + t(0) + ")";
      break;
  }
  l.substituted += " = " + l.text;
  return l;
}

// The three parts of gate block k's pre-activation for unit u at step t: W_x x, W_h h_{t−1}, b.
struct Parts {
  double wx, wh, b;
};
Parts parts(const LayerParams& lp, int H, int k, int u, const Vec& x, const Vec& h_prev) {
  const int r = k * H + u;
  return {lp.W_x.row(r).dot(x), lp.W_h.row(r).dot(h_prev), lp.b(r)};
}

// A gate's line (LSTM i f o, GRU r z) written with the model's gate function: σ, or the hard
// sigmoid of Keras 2 or Keras 3 that an imported model may use.
EquationLine gate_line(GateActivation act, const std::string& lhs, const std::string& a_name,
                       double a, double value, const std::string& meaning) {
  if (act == GateActivation::Sigmoid)
    return line(lhs, "σ(" + a_name + ")", EquationKind::Sigmoid, {op(a_name, a)}, value, meaning);
  const bool k2 = act == GateActivation::HardSigmoidKeras2;
  EquationLine l = line(lhs,
                        k2 ? "clip(0.2 " + a_name + " + 0.5, 0, 1)"
                           : "min(max(" + a_name + " + 3, 0), 6) / 6",
                        EquationKind::HardSigmoid, {op(a_name, a)}, value,
                        meaning + (k2 ? " Keras 2's hard sigmoid: a straight line clipped to "
                                        "[0, 1], flat beyond a = ±2.5."
                                      : " Keras 3's hard sigmoid: relu6(a + 3) / 6, flat beyond "
                                        "a = ±3."));
  l.gate = act;
  const std::string a_text = format_number(a);
  l.substituted = (k2 ? "clip(0.2 × " + a_text + " + 0.5, 0, 1)"
                      : "min(max(" + a_text + " + 3, 0), 6) / 6") +
                  " = " + l.text;
  return l;
}

}  // namespace

std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

double recompute(const EquationLine& l, const std::vector<double>& o) {
  switch (l.kind) {
    case EquationKind::Sum: {
      double s = 0;
      for (double v : o) s += v;
      return s;
    }
    case EquationKind::Sigmoid:
      return sigmoid(o[0]);
    case EquationKind::Tanh:
      return std::tanh(o[0]);
    case EquationKind::Relu:
      return std::max(0.0, o[0]);
    case EquationKind::Identity:
      return o[0];
    case EquationKind::CellUpdate:
      return o[0] * o[1] + o[2] * o[3];
    case EquationKind::OutputGate:
      return o[0] * std::tanh(o[1]);
    case EquationKind::GruMix:
      return o[0] * o[1] + (1 - o[0]) * o[2];
    case EquationKind::ResetAfterSum:
      return o[0] + o[1] + o[2] * o[3];
    case EquationKind::Product: {
      double p = 1;
      for (double v : o) p *= v;
      return p;
    }
    case EquationKind::LstmDc: {
      const double tc = std::tanh(o[4]);
      return o[0] * o[1] + o[2] * o[3] * (1 - tc * tc);
    }
    case EquationKind::HardSigmoid:
      return l.gate == GateActivation::HardSigmoidKeras2
                 ? std::clamp(0.2 * o[0] + 0.5, 0.0, 1.0)
                 : std::clamp(o[0] + 3.0, 0.0, 6.0) / 6.0;
    case EquationKind::ActGrad: {
      const double h = o[1];
      switch (l.activation) {
        case Activation::Tanh:
          return o[0] * (1 - h * h);
        case Activation::Sigmoid:
          return o[0] * h * (1 - h);
        case Activation::Relu:
          return h > 0 ? o[0] : 0.0;
        case Activation::Identity:
          return o[0];
      }
    }
  }
  return 0;
}

CellInspection inspect_cell(const NetworkSpec& spec, const Params& p, int layer,
                            const SequenceRef& s, int t, int u) {
  CellInspection ins;
  ins.cell = spec.cell;
  ins.layer = layer;
  ins.t = t;
  ins.unit = u;
  const int H = spec.hidden_size, T = static_cast<int>(s.h->cols());
  const LayerParams& lp = p.layers[layer];
  const Vec x = s.x->col(t);
  const Vec h_prev = t == 0 ? s.h0 : Vec(s.h->col(t - 1));
  const auto gate = [&](int k) { return (*s.gates)(k * H + u, t); };
  const auto pre = [&](int k) { return (*s.pre)(k * H + u, t); };
  const double h = (*s.h)(u, t);
  const double dh = s.dh ? (*s.dh)(u, t) : std::nan("");
  const bool have_grad = std::isfinite(dh);

  auto affine = [&](const std::string& a, const std::string& k, int block,
                    const std::string& meaning) {
    const Parts q = parts(lp, H, block, u, x, h_prev);
    return line(a, "W_x" + k + " x_t + W_h" + k + " h_{t−1} + b_" + k, EquationKind::Sum,
                {op("W_x" + k + " x_t", q.wx), op("W_h" + k + " h_{t−1}", q.wh), op("b_" + k, q.b)},
                pre(block), meaning);
  };

  switch (spec.cell) {
    case CellType::Rnn: {
      ins.forward.push_back(affine("a_t", "h", 0,
                                   "The pre-activation: this step's input and the previous hidden "
                                   "state, each through its own weights, plus a bias."));
      const EquationKind k = spec.activation == Activation::Tanh      ? EquationKind::Tanh
                             : spec.activation == Activation::Sigmoid ? EquationKind::Sigmoid
                             : spec.activation == Activation::Relu    ? EquationKind::Relu
                                                                      : EquationKind::Identity;
      ins.forward.push_back(
          line("h_t", std::string(to_string(spec.activation)) + "(a_t)", k, {op("a_t", pre(0))}, h,
               "The new hidden state: the pre-activation squashed by the activation."));
      if (have_grad) {
        ins.backward.push_back(line("∂L/∂h_t",
                                    "from the loss at t, from h_{t+1} and from the layer above",
                                    EquationKind::Identity, {op("∂L/∂h_t", dh)}, dh,
                                    "The gradient arriving at this unit's hidden state."));
        EquationLine da = line("∂L/∂a_t", "∂L/∂h_t ⊙ act′(a_t)", EquationKind::ActGrad,
                               {op("∂L/∂h_t", dh), op("h_t", h)},
                               (spec.activation == Activation::Tanh      ? dh * (1 - h * h)
                                : spec.activation == Activation::Sigmoid ? dh * h * (1 - h)
                                : spec.activation == Activation::Relu    ? (h > 0 ? dh : 0.0)
                                                                         : dh),
                               "Through the activation: tanh′ = 1 − h², at most 1 and small where "
                               "the unit saturates. Then W_hhᵀ carries it to h_{t−1}.");
        da.activation = spec.activation;
        ins.backward.push_back(da);
      }
      break;
    }
    case CellType::Lstm: {
      const char* names[4] = {"i", "f", "g", "o"};
      const char* meanings[4] = {
          "The input gate: how much of the candidate g_t is written into the cell.",
          ("The forget gate: how much of c_{t−1} is kept. Near 1, the cell state, and its "
           "gradient, pass through unchanged."),
          "The candidate: the new content that could be written into the cell.",
          "The output gate: how much of the cell is shown as h_t."};
      for (int k = 0; k < 4; ++k) {
        const std::string n = names[k];
        ins.forward.push_back(
            affine("a_" + n, n, k, std::string("The pre-activation of ") + meanings[k]));
        ins.forward.push_back(
            k == 2 ? line(n + "_t", "tanh(a_g)", EquationKind::Tanh, {op("a_g", pre(k))}, gate(k),
                          meanings[k])
                   : gate_line(spec.gate_activation, n + "_t", "a_" + n, pre(k), gate(k),
                               meanings[k]));
      }
      const double c = (*s.c)(u, t), c_prev = t == 0 ? s.c0(u) : (*s.c)(u, t - 1);
      ins.forward.push_back(line(
          "c_t", "f_t ⊙ c_{t−1} + i_t ⊙ g_t", EquationKind::CellUpdate,
          {op("f_t", gate(1)), op("c_{t−1}", c_prev), op("i_t", gate(0)), op("g_t", gate(2))}, c,
          "The cell state: what the forget gate keeps of the old cell plus what the input gate "
          "writes. The sum is the additive highway."));
      ins.forward.push_back(line(
          "h_t", "o_t ⊙ tanh(c_t)", EquationKind::OutputGate, {op("o_t", gate(3)), op("c_t", c)}, h,
          "The hidden state: the output gate's share of the squashed cell."));
      if (have_grad && s.dc) {
        const double dc = (*s.dc)(u, t);
        ins.backward.push_back(line("∂L/∂h_t",
                                    "from the loss at t, from h_{t+1} and from the layer above",
                                    EquationKind::Identity, {op("∂L/∂h_t", dh)}, dh,
                                    "The gradient arriving at this unit's hidden state."));
        const double dc_next = t + 1 < T ? (*s.dc)(u, t + 1) : 0.0;
        const double f_next = t + 1 < T ? (*s.gates)(1 * H + u, t + 1) : 0.0;
        ins.backward.push_back(
            line("∂L/∂c_t", "∂L/∂c_{t+1} ⊙ f_{t+1} + ∂L/∂h_t ⊙ o_t ⊙ (1 − tanh²(c_t))",
                 EquationKind::LstmDc,
                 {op("∂L/∂c_{t+1}", dc_next), op("f_{t+1}", f_next), op("∂L/∂h_t", dh),
                  op("o_t", gate(3)), op("c_t", c)},
                 dc,
                 "The cell's gradient: what comes back along the highway, scaled only by the next "
                 "forget gate, plus what arrives through h_t."));
        ins.backward.push_back(
            line("∂L/∂c_{t−1} (highway)", "∂L/∂c_t ⊙ f_t", EquationKind::Product,
                 {op("∂L/∂c_t", dc), op("f_t", gate(1))}, dc * gate(1),
                 "The part of the gradient passed straight to the previous cell: multiplied by f_t "
                 "and nothing else. A forget gate near 1 keeps it alive."));
      }
      break;
    }
    case CellType::Gru: {
      const bool after = spec.gru_variant == GruVariant::ResetAfter;
      ins.forward.push_back(affine("a_r", "r", 0, "The pre-activation of the reset gate."));
      ins.forward.push_back(
          gate_line(spec.gate_activation, "r_t", "a_r", pre(0), gate(0),
                    "The reset gate: how much of h_{t−1} the candidate may use."));
      ins.forward.push_back(affine("a_z", "z", 1, "The pre-activation of the update gate."));
      ins.forward.push_back(gate_line(spec.gate_activation, "z_t", "a_z", pre(1), gate(1),
                                      "The update gate: how much of h_{t−1} is kept as it is."));
      const Parts q = parts(lp, H, 2, u, x, h_prev);
      const double hn = (*s.hn)(u, t);
      if (after) {
        ins.forward.push_back(line("a_n", "W_xn x_t + b_n + r_t ⊙ (W_hn h_{t−1} + b_hn)",
                                   EquationKind::ResetAfterSum,
                                   {op("W_xn x_t", q.wx), op("b_n", q.b), op("r_t", gate(0)),
                                    op("W_hn h_{t−1} + b_hn", hn)},
                                   pre(2),
                                   "The candidate's pre-activation (reset-after, as PyTorch "
                                   "computes it): r scales the recurrent product."));
      } else {
        ins.forward.push_back(line(
            "a_n", "W_xn x_t + W_hn (r_t ⊙ h_{t−1}) + b_n", EquationKind::Sum,
            {op("W_xn x_t", q.wx), op("W_hn (r ⊙ h_{t−1})", hn), op("b_n", q.b)}, pre(2),
            "The candidate's pre-activation: the reset gate decides how much of h_{t−1} it sees."));
      }
      ins.forward.push_back(line("n_t", "tanh(a_n)", EquationKind::Tanh, {op("a_n", pre(2))},
                                 gate(2), "The candidate hidden state."));
      ins.forward.push_back(line(
          "h_t", "z_t ⊙ h_{t−1} + (1 − z_t) ⊙ n_t", EquationKind::GruMix,
          {op("z_t", gate(1)), op("h_{t−1}", h_prev(u)), op("n_t", gate(2))}, h,
          "The new state: a mix of the old state and the candidate, weighed by the update gate."));
      if (have_grad) {
        ins.backward.push_back(line("∂L/∂h_t",
                                    "from the loss at t, from h_{t+1} and from the layer above",
                                    EquationKind::Identity, {op("∂L/∂h_t", dh)}, dh,
                                    "The gradient arriving at this unit's hidden state."));
        ins.backward.push_back(line("∂L/∂h_{t−1} (direct)", "∂L/∂h_t ⊙ z_t", EquationKind::Product,
                                    {op("∂L/∂h_t", dh), op("z_t", gate(1))}, dh * gate(1),
                                    "The part passed straight back through the update gate: z near "
                                    "1 keeps the gradient, like the LSTM's forget gate."));
      }
      break;
    }
  }
  return ins;
}

}  // namespace unrolled
