// Unrolled core: the gradient cliff of Pascanu, Mikolov and Bengio (2013), Figure 6.
//
// One unit, one weight, one bias, unrolled for T = 50 steps from x_0 = 0.5:
//   x_t = w σ(x_{t-1}) + b,        L(w, b) = (σ(x_T) - 0.7)²
// For most (w, b) the loss surface is flat; along a curve where the recurrence changes regime
// it drops (or rises) like a cliff, and the gradient there is huge. A gradient step that lands on
// the cliff face is thrown far away — unless the gradient is clipped by norm.
#pragma once

#include <vector>

#include "core/types.hpp"

namespace unrolled {

struct CliffModel {
  int steps = 50;       // T
  double x0 = 0.5;      // x_0
  double target = 0.7;  // the loss compares σ(x_T) with this
};

struct CliffPoint {
  double w = 0, b = 0;
  double loss = 0;
  double dw = 0, db = 0;  // dL/dw, dL/db
};

// Loss and exact gradient (BPTT through the T steps) at (w, b).
CliffPoint cliff_eval(const CliffModel& m, double w, double b);

// The loss on a grid: values (nb, nw) column-major, row j ↔ b_j, column i ↔ w_i, with
// w_i = w_min + i (w_max - w_min) / (nw - 1) and likewise b_j.
struct CliffGrid {
  double w_min = -1, w_max = 11, b_min = -9, b_max = 3;
  int nw = 121, nb = 121;
  Mat loss;  // (nb, nw)
};
void cliff_grid(const CliffModel& m, CliffGrid& grid);

// Gradient descent from (w, b): each step g = ∇L; with clipping, if ‖g‖ > threshold then
// g ← threshold · g / ‖g‖; then (w, b) ← (w, b) − lr · g. Returns the points visited, start
// included (steps + 1 points, fewer if the loss turns non-finite).
std::vector<CliffPoint> cliff_descent(const CliffModel& m, double w, double b, double lr, int steps,
                                      double clip_threshold /* <= 0: no clipping */);

// The descent the cliff panel opens with (its defaults, app/panels/lab_state.hpp): a start just
// below the cliff, so the plain path falls off it and the clipped one does not. The tour measures
// cliff_* (core/tour.hpp) run these two paths.
struct CliffDescentSettings {
  double start_w = 5.0, start_b = -2.75;
  double learning_rate = 1.0;
  double clip_threshold = 1.0;
  int steps = 60;
};
// The two paths of the settings: without clipping (clipped = false) or clipped by norm.
std::vector<CliffPoint> cliff_path(const CliffDescentSettings& s, bool clipped,
                                   const CliffModel& m = {});

}  // namespace unrolled
