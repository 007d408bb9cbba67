// Legend: T steps.
#include "core/cliff.hpp"

#include <cmath>

#include "core/cell.hpp"

namespace unrolled {

CliffPoint cliff_eval(const CliffModel& m, double w, double b) {
  const int T = m.steps;
  std::vector<double> x(T + 1);  // (T + 1) x_0 .. x_T
  x[0] = m.x0;
  for (int t = 1; t <= T; ++t) x[t] = w * sigmoid(x[t - 1]) + b;
  const double s = sigmoid(x[T]);
  CliffPoint p{w, b, (s - m.target) * (s - m.target), 0, 0};
  // Backward through time: dL/dx_T = 2 (σ(x_T) - 0.7) σ'(x_T); each step
  // x_t = w σ(x_{t-1}) + b gives dL/dw += dx_t σ(x_{t-1}), dL/db += dx_t,
  // dL/dx_{t-1} = dx_t w σ'(x_{t-1}) with σ' = σ(1 - σ).
  double dx = 2 * (s - m.target) * s * (1 - s);
  for (int t = T; t >= 1; --t) {
    const double sp = sigmoid(x[t - 1]);
    p.dw += dx * sp;
    p.db += dx;
    dx *= w * sp * (1 - sp);
  }
  return p;
}

void cliff_grid(const CliffModel& m, CliffGrid& g) {
  g.loss.resize(g.nb, g.nw);
  for (int i = 0; i < g.nw; ++i) {
    const double w = g.w_min + (g.w_max - g.w_min) * i / std::max(g.nw - 1, 1);
    for (int j = 0; j < g.nb; ++j) {
      const double b = g.b_min + (g.b_max - g.b_min) * j / std::max(g.nb - 1, 1);
      g.loss(j, i) = cliff_eval(m, w, b).loss;
    }
  }
}

std::vector<CliffPoint> cliff_descent(const CliffModel& m, double w, double b, double lr, int steps,
                                      double clip_threshold) {
  std::vector<CliffPoint> path;
  path.reserve(steps + 1);
  path.push_back(cliff_eval(m, w, b));
  for (int k = 0; k < steps; ++k) {
    const CliffPoint& p = path.back();
    double gw = p.dw, gb = p.db;
    const double norm = std::hypot(gw, gb);
    if (clip_threshold > 0 && norm > clip_threshold) {
      gw *= clip_threshold / norm;
      gb *= clip_threshold / norm;
    }
    const CliffPoint next = cliff_eval(m, p.w - lr * gw, p.b - lr * gb);
    if (!std::isfinite(next.loss) || !std::isfinite(next.w) || !std::isfinite(next.b)) break;
    path.push_back(next);
  }
  return path;
}

std::vector<CliffPoint> cliff_path(const CliffDescentSettings& s, bool clipped, const CliffModel& m) {
  return cliff_descent(m, s.start_w, s.start_b, s.learning_rate, s.steps,
                       clipped ? s.clip_threshold : 0.0);
}

}  // namespace unrolled
