// State of the vanishing-and-exploding lab's panels: the spectrum of W_hh, the Jacobian products,
// the gradient cliff explorer and the dependency-length sweep. Plain structs with defaults; the
// sweep owns its thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/cliff.hpp"
#include "core/sweep.hpp"
#include "widgets/line_plot.hpp"

namespace unrolled {

struct SpectrumPanelState {
  // Which gate block of W_h the plane shows, per gated cell (the vanilla cell has one block).
  int lstm_block = 2;          // [i f g o]: g, the candidate, the path a vanilla cell would have
  int gru_block = 2;           // [r z n]: n, the candidate
  float target_radius = 1.0f;  // the rescale slider
  bool live = false;           // rescale on every slider change, between iterations
};

struct JacobianPanelState {
  widgets::PlotState plot;
  bool show_bound = true;
  // λ₁ of each vanilla model's W_hh when the spectra are not being computed: worked out once per
  // snapshot, not every frame.
  uint64_t sigma_version = 0;
  int sigma_layer = -1;
  std::vector<double> sigma;  // per model; NaN for gated cells
  std::vector<double> bound;  // scratch: (λ₁γ)^d of one model
};

struct CliffPanelState {
  CliffModel model;
  CliffGrid grid;  // the loss over (w, b), recomputed when the range changes
  float range_w[2] = {-1.0f, 11.0f};
  float range_b[2] = {-9.0f, 3.0f};
  bool grid_valid = false;          // grid matches range_w, range_b
  bool log_colours = true;          // the loss in log10: the plateaus' small differences show
  std::vector<ImU32> cell_colours;  // (nb, nw) row-major, top row = largest b; per range change

  // Gradient descent from the start point, with and without clipping.
  double start_w = 5.0, start_b = -2.75;  // just below the cliff: the plain path falls off it
  float learning_rate = 1.0f;
  float clip_threshold = 1.0f;
  int steps = 60;
  bool paths_valid = false;
  std::vector<CliffPoint> plain, clipped;  // steps + 1 points (fewer if the loss turns non-finite)
  std::vector<double> plain_loss, clipped_loss, plain_x, clipped_x;  // for the loss plot
  std::vector<double> grad_plain, grad_clipped;  // scratch: ‖∇L‖ up to the shown step

  // Animation: the paths are drawn up to `shown` steps; it advances while animate is on.
  bool animate = false;
  float steps_per_second = 6.0f;
  double shown = 1e9;  // beyond the end: the whole paths
  widgets::PlotState loss_plot, grad_plot;
};

struct SweepPanelState {
  std::unique_ptr<Sweep> sweep;  // made on first Start; its thread stops with it
  std::string lags_text = "5, 10, 20, 40, 80";
  int iterations = 300;  // per model and lag
  int seeds = 3;         // runs per model and lag (seed, seed + 1, ...): the mean and the band
  std::string error;     // why the last Start was refused
  std::string csv_path = "sweep.csv";
  std::string message;  // the last Save's outcome
  bool log_loss = false;
  widgets::PlotState plot;
  // The task's chance level at each lag before any result is in; recomputed when the task or the
  // lags change (key).
  std::string baseline_key;
  std::vector<double> baseline_lags, baseline_loss;
  std::vector<double> xs, ys;  // scratch: one series
};

struct LabState {
  SpectrumPanelState spectrum;
  JacobianPanelState jacobian;
  CliffPanelState cliff;
  SweepPanelState sweep;
};

}  // namespace unrolled
