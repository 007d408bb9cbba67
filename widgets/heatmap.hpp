// A heatmap of a rows x cols matrix, colour-mapped on the GPU (shaders/heatmap.*), with axis
// labels, tick labels, a colour bar, a hover tooltip with the exact value, an optional highlighted
// row / column and click-to-select.
//
//   HeatmapState gates_state;                       // one per heatmap; persists across frames
//   HeatmapOptions opt;
//   opt.x_label = "t"; opt.y_label = "unit"; opt.value_label = "f";
//   if (Heatmap("##forget", f.data(), H, T, /*col_major=*/true, opt, gates_state, ImVec2(-1, 300)))
//     selected_unit = gates_state.clicked_row;      // true on a click on a cell
//   ...
//   gates_state.release();                          // before the GL context goes away
//
// Row 0 is drawn at the top (as a matrix is written), column 0 at the left. Cells are crisp
// (nearest filtering), NaN cells are neutral grey (kNanColor), +-inf take the end colours.
// Needs a current OpenGL 3.3 core context (the app's Window); if the shader cannot be built the
// heatmap falls back to drawing cells on the CPU, with the same colours.
// Title and axis names that do not fit are shortened with an ellipsis (whole in a tooltip); the
// tooltip's value is written by format_number unless opt.value_format says otherwise. Every call
// adds a record (data_rect: the cells) to the layout report when it is enabled (report.hpp).
// Figures: while an SVG target is set (svg.hpp) the heatmap is a <g class="heatmap"> whose cells
// are rectangles coloured on the CPU with the same map; while a data capture is set
// (plot_data.hpp) it hands over the matrix with its labels.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include <imgui.h>

#include "widgets/colormap.hpp"

namespace unrolled::widgets {

struct HeatmapOptions {
  Colormap colormap = Colormap::Sequential;
  // Range mapped onto the colour map. NaN = automatic from the finite values: [min, max] for the
  // sequential map, [-m, m] with m = max |value| for the diverging map (so 0 is the centre).
  double vmin = std::numeric_limits<double>::quiet_NaN();
  double vmax = std::numeric_limits<double>::quiet_NaN();
  bool log_scale =
      false;  // colours and colour-bar ticks in log10; values <= 0 take the first colour

  const char* title = nullptr;         // drawn above the cells (and names it in the layout report)
  const char* x_label = "column";      // name of the column index, e.g. "t"
  const char* y_label = "row";         // name of the row index, e.g. "unit"
  const char* value_label = "value";   // name of the value in the tooltip, e.g. "f"
  const char* value_format = nullptr;  // tooltip printf format; null: format_number, 6 digits
  // Tick labels: null = numbers counting from x_first / y_first (e.g. t from 1); else cols / rows
  // strings, e.g. characters of the input sequence.
  const char* const* x_tick_labels = nullptr;
  const char* const* y_tick_labels = nullptr;
  int x_first = 0;
  int y_first = 0;

  int highlight_row = -1;  // outlined (e.g. the selected unit); -1: none
  int highlight_col = -1;  // outlined (e.g. the current time step); -1: none
  bool colorbar = true;    // a colour bar on the right
  bool grid = true;        // thin lines between cells when cells are big enough to separate
};

struct HeatmapState {
  // Results, written every frame.
  int hover_row = -1;  // cell under the mouse; -1 when none
  int hover_col = -1;
  double hover_value = std::numeric_limits<double>::quiet_NaN();
  int clicked_row = -1;  // last clicked cell; Heatmap() returns true on the frame of the click
  int clicked_col = -1;
  double range_min = 0.0;  // the range used last frame (after automatic ranging)
  double range_max = 1.0;
  ImVec2 cells_min, cells_max;  // where the cells were drawn (screen pixels)
  int row_labels = 0;  // row (y tick) labels drawn last frame

  // GL objects, created on first use. Names are 0 until then.
  unsigned program = 0, vao = 0;
  unsigned value_tex = 0;  // R32F, cols x rows
  unsigned lut_tex = 0;    // RGBA8, kLutSize x 1
  // RGBA8, cols x rows, two of them: ImGui draws color_tex[front]; new colours are rendered into
  // the other, which then becomes the front. So a change of colours is a change of texture name
  // in the draw list, which the app's renderer sees when it decides what to redraw.
  unsigned color_tex[2] = {0, 0};
  int front = 0;
  unsigned fbo = 0;  // renders into the back colour texture
  int tex_rows = 0, tex_cols = 0;
  int lut_map = -1;           // Colormap in lut_tex; -1: not filled
  bool gpu_failed = false;    // shader or FBO unavailable: cells are drawn on the CPU
  std::vector<float> upload;  // (rows, cols) row-major staging for value_tex
  // What color_tex[front] shows: the values and range last rendered (skipped when unchanged).
  std::vector<float> uploaded;  // (rows, cols) row-major
  float uploaded_vmin = 0, uploaded_vmax = 0;
  bool uploaded_log = false;

  // Deletes the GL objects; needs the context that created them to be current.
  void release();
};

// values: rows * cols doubles, column-major (Eigen's default: values[r + c * rows]) when col_major,
// else row-major (values[r * cols + c]). rows or cols == 0 (or values == null): an empty frame with
// a note. size: ImGui convention (<= 0 uses the available space, minus |size| when negative).
// Returns true on the frame a cell is clicked (state.clicked_row / clicked_col say which).
bool Heatmap(const char* id, const double* values, int rows, int cols, bool col_major,
             const HeatmapOptions& opt, HeatmapState& state, ImVec2 size);

}  // namespace unrolled::widgets
