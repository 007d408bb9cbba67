// The widget gallery: one Demo_X() per widget on synthetic, RNN-flavoured data. It is the manual
// test page (`unrolled --gallery`) and what the GUI test screenshots.
#pragma once

#include <string>
#include <vector>

#include "widgets/heatmap.hpp"
#include "widgets/line_plot.hpp"

namespace unrolled {

class Window;

// Everything the gallery shows and remembers between frames.
struct GalleryState {
  // Training curves, one entry per iteration (N = kIterations).
  std::vector<double> loss_ring;  // (N) train loss, stored as a ring buffer starting at loss_head
  int loss_head = 0;              // index of the oldest entry in loss_ring
  std::vector<double> val_iter, val_loss;               // (N / 50) validation points
  std::vector<double> grad_norm;                        // (N) ||grad|| before clipping
  std::vector<double> clip_iter, clip_loss, clip_norm;  // iterations where clipping fired
  // Gradient decay profiles ||dL_T/dh_t|| against the distance T - t (D = kDistances).
  std::vector<double> distance, decay_vanish, decay_explode, decay_lstm;  // (D) each
  // Gate and state matrices, column-major (H, T) as Eigen stores them.
  std::vector<double> forget_gate;  // (H, T) f_t in [0, 1]
  std::vector<double> hidden;       // (H, T) h_t in [-1, 1]
  std::vector<double> grad_h;       // (H2, T2) |dL/dh_t|, with NaN after an overflow
  std::vector<std::string> chars;   // (T) input characters, x tick labels of the h_t heatmap
  std::vector<const char*> char_labels;

  widgets::PlotState loss_plot, grad_plot, decay_plot;
  widgets::HeatmapState forget_map, hidden_map, grad_map, empty_map;
  int selected_unit = 5;                     // highlighted row, chosen by clicking a heatmap
  int current_step = 20;                     // highlighted column
  ImFont* title_font = nullptr;              // heading font; null: the default font
  ImVec2 hover_demo_point = ImVec2(-1, -1);  // a cell of the forget-gate map, for screenshots
};

// Fills the synthetic data (deterministic).
void gallery_init(GalleryState& g);
// Draws one frame of the gallery into a full-window ImGui window.
void gallery_draw(GalleryState& g);
// Releases the GL objects of the heatmaps.
void gallery_release(GalleryState& g);

// Runs the gallery until the window closes, or for `frames` frames when frames > 0. With a
// screenshot path, the mouse rests on a heatmap cell (to show its tooltip) and the last frame is
// written as a PNG. Returns a process exit code.
int run_gallery(Window& window, int frames, const std::string& screenshot_path);

}  // namespace unrolled
