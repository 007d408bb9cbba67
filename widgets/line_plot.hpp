// Line plots drawn on ImDrawList, with ImPlot's habits (ImPlot has no Debian package).
//
// Call order, once per frame per plot:
//
//   PlotState loss_plot;                                // caller-owned, persists across frames
//   ...
//   if (BeginPlot("Training loss##loss", ImVec2(-1, 300), loss_plot)) {  // title before "##"
//     SetupAxes("iteration", "loss", PlotFlags_LogY);    // 1. optional, before any Plot* call
//     SetupAxisLimits(Axis::X, 0, 1000);                 // 2. optional; an unset axis fits the
//     data PlotLine("train", iters, losses, n);               // 3. any number of Plot* calls
//     PlotLine("ring", nullptr, ring, n, head);          //    ring buffer: x = 0..n-1, no copies
//     PlotScatter("clipped", xs, ys, m, Marker::TriangleDown);
//     PlotHLine("chance level", 2.3);                    //    dashed, across the whole width
//     SetNextSeriesStyle({.color = c, .dashed = true});  //    optional: style of the next Plot*
//     EndPlot();                                         // 4. only when BeginPlot returned true
//   }
//
// Data are pointer + count (+ offset + stride in bytes), so Eigen columns, rows (stride) and ring
// buffers (offset = index of the oldest element) plot without copies; data need only be valid
// during the call. Non-finite values, and values <= 0 on a log axis, are skipped: the line breaks
// there rather than spiking.
//
// The legend never covers data: it is a strip above the data area, sharing the row of the y axis
// name and wrapping onto more rows when needed. Only when those extra rows would leave the data
// area less than 8 lines high does it move inside, to a corner holding none of the drawn points
// (lines and markers), re-chosen as the data change (a corner is kept while it stays free, so it
// does not flicker); when every corner holds data, it becomes a column right of the data area if
// that leaves the area 9 lines wide, else it stays above the data whatever the cost in height.
// Clicking an entry hides or shows its series. Hovering shows a vertical cursor and each line's
// value at the nearest x. Ticks: 1-2-5 steps (linear), decades with minor ticks (log), as many as
// their labels leave gaps for at the current font. Titles and axis names that do not fit are
// shortened with an ellipsis (whole in a tooltip). Every EndPlot adds a record to the layout report
// when it is enabled (widgets/report.hpp). Only one plot may be open at a time.
//
// Figures: everything is drawn through a Canvas (canvas.hpp), so while an SVG target is set the
// plot is also written as SVG: a <g class="plot"> with its data area and axis limits, each series'
// first element named data-series="label" (svg.hpp). While a data capture is set, EndPlot hands
// it the series as given (plot_data.hpp).
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <imgui.h>

#include "widgets/ticks.hpp"

namespace unrolled::widgets {

enum PlotFlags_ : int {
  PlotFlags_None = 0,
  PlotFlags_LogY = 1 << 0,          // y axis log10; values <= 0 are skipped
  PlotFlags_NoLegend = 1 << 1,      // no legend box
  PlotFlags_NoHover = 1 << 2,       // no cursor line and read-out
  PlotFlags_XFromZero = 1 << 3,     // automatic x range starts at 0 (iterations, distances)
  PlotFlags_LegendLeft = 1 << 4,    // a legend inside starts in a left corner ...
  PlotFlags_LegendBottom = 1 << 5,  // ... and / or a bottom one (it still moves off the data)
};
using PlotFlags = int;

enum class Axis { X, Y };

enum class Marker { Circle, Square, Diamond, TriangleUp, TriangleDown };

// The look of one series, for SetNextSeriesStyle. Without it a series takes the next palette colour
// (by its order in the plot), a solid line and no markers.
struct SeriesStyle {
  ImU32 color = 0;       // 0: the next palette colour
  bool dashed = false;   // lines: dashed (a bound, a baseline)
  bool markers = false;  // lines: a marker at every point as well
  Marker marker = Marker::Circle;
  float weight = 1.0f;  // line thickness and marker size relative to the default
};

namespace detail {
struct Series {
  enum Kind { Line, Scatter, HLine, VLine } kind;
  std::uint32_t label_offset;  // into PlotState::frame_labels
  ImU32 color;
  Marker marker;
  std::uint32_t first, count;  // into PlotState::frame_points; HLine: one point (0, y)
  bool hidden;
  float weight;  // line thickness (and marker size) relative to the default
  bool dashed, markers;
};
struct Point {
  double x, y;
};
// A run of screen positions of one series as drawn: a polyline (after decimation), a scatter's
// markers, or a horizontal line's two ends.
struct Run {
  std::uint32_t series;        // into PlotState::frame_series
  std::uint32_t first, count;  // into PlotState::frame_screen
};
struct Box {
  ImVec2 min, max;
};
// Where a legend inside the data area goes: one of the four corners.
enum Corner : int { TopRight = 0, TopLeft = 1, BottomRight = 2, BottomLeft = 3 };
// A polyline with more points than pixel columns keeps, per column (floor of x), its lowest and
// highest point in their order along the line, and the line's first and last point: the same
// drawn shape (each column's vertical extent), at most two points per column. Used for every
// line with more points than the plot has pixels across.
void decimate_columns(std::vector<ImVec2>& run);
}  // namespace detail

struct PlotState {
  // Settings the caller may change between frames.
  bool show_legend = true;
  // A series to point the eye at (a guided tour's highlight), by its label: drawn thicker, its
  // legend entry outlined in emphasis_color. Empty: none.
  std::string emphasis;
  ImU32 emphasis_color = 0;
  // Results of the last EndPlot().
  bool hovered = false;                                       // mouse over the plotting area
  double hover_x = std::numeric_limits<double>::quiet_NaN();  // data x under the mouse
  double x_min = 0, x_max = 1, y_min = 0, y_max = 1;          // limits used (data units)
  ImVec2 data_min, data_max;                                  // the data area (screen pixels)
  bool legend_inside = false;     // the legend sits in a corner of the data area
  int legend_corner = -1;         // which (detail::Corner), kept across frames; -1: none yet
  ImVec2 legend_min, legend_max;  // the legend's box; empty when there is none
  int legend_points_covered = 0;  // drawn vertices and markers inside the legend's box
  ImVec2 emphasis_min, emphasis_max;  // the emphasised series' legend entry; empty when none

  // Internal: series hidden from the legend (by label hash), and per-frame scratch reused across
  // frames so a steady plot does not allocate.
  std::vector<ImGuiID> hidden;
  std::string frame_title, frame_id_text, frame_x_label, frame_y_label, frame_labels;
  std::vector<detail::Series> frame_series;
  std::vector<detail::Point> frame_points;
  std::vector<ImVec2> frame_screen;  // (sum of run counts) screen positions, per detail::Run
  std::vector<detail::Run> frame_runs;
  std::vector<ImVec2> frame_scratch;      // one polyline before decimation
  std::vector<detail::Box> frame_legend;  // (series) legend entry boxes; empty when no legend
  std::vector<Tick> frame_ticks;
  PlotFlags frame_flags = 0;
  bool frame_has_limits[2] = {false, false};
  double frame_limits[2][2] = {{0, 1}, {0, 1}};
  SeriesStyle frame_next_style;
  bool frame_has_next_style = false;
  ImGuiID frame_id = 0;
  bool frame_hovered = false, frame_pressed = false;
  ImVec2 frame_min, frame_max;
};

// The height a plot needs for a data area data_h high, judged from its last frame (title, legend
// rows and axes around the data area as they were drawn; before any frame, about six lines). For
// layouts that must keep every data area at a minimum.
float plot_height_for(const PlotState& state, float data_h);

// Starts a plot; false when it is clipped (then do not call EndPlot). id: "title##id" or "##id".
// size: ImGui convention (<= 0 uses the available space, minus |size| when negative).
bool BeginPlot(const char* id, ImVec2 size, PlotState& state);
// Axis names, drawn below the x axis and above the y axis (horizontal, readable from the back row).
void SetupAxes(const char* x_label, const char* y_label, PlotFlags flags = PlotFlags_None);
// Fixed limits for one axis (data units; for a log axis both must be > 0).
void SetupAxisLimits(Axis axis, double min, double max);

// xs may be null: x = 0, 1, ..., count - 1. Element i is read at byte offset
// ((offset + i) % count) * stride from the pointer (stride 0 means sizeof(double)).
void PlotLine(const char* label, const double* xs, const double* ys, int count, int offset = 0,
              int stride = sizeof(double));
void PlotScatter(const char* label, const double* xs, const double* ys, int count,
                 Marker marker = Marker::Circle, int offset = 0, int stride = sizeof(double));
void PlotHLine(const char* label, double y);
// A dashed vertical line across the whole data area at x (a bound such as truncation's k₂).
void PlotVLine(const char* label, double x);
// Style of the next Plot* call only (colour, dashes, markers on a line, thickness).
void SetNextSeriesStyle(const SeriesStyle& style);
// Shorthand for SetNextSeriesStyle({color, false, false, Marker::Circle, weight}): colour (0 keeps
// the palette's colour by series order) and the line thickness / marker size relative to the
// default (e.g. 2 to emphasise one line, 0.6 for context lines).
void SetNextLineStyle(ImU32 color, float weight = 1.0f);
void EndPlot();

}  // namespace unrolled::widgets
