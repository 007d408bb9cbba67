// The data the widgets plot, as they received it: while a PlotData is the capture target
// (set_plot_data_capture), every EndPlot() appends its series (name, x and y as given, in the
// order drawn, hidden ones too) with the plot's title and axis names, and every Heatmap() its
// matrix with its axis names and tick labels. "Save data as CSV" and "Copy data" write what was
// captured over one frame of a panel, so the file holds exactly what the panel drew.
//
//   PlotData data;
//   set_plot_data_capture(&data);
//   ... draw the panel ...
//   set_plot_data_capture(nullptr);
//   std::string csv = plot_data_csv(data);
#pragma once

#include <string>
#include <vector>

namespace unrolled::widgets {

struct PlotDataSeries {
  std::string name;
  std::string kind;       // "line", "scatter", "hline" (y only), "vline" (x only)
  std::vector<double> x;  // as plotted (x = 0, 1, ... when the caller gave none)
  std::vector<double> y;
};

// One plot or one heatmap, in drawing order.
struct PlotDataBlock {
  bool heatmap = false;
  std::string title, x_label, y_label;
  // A plot's series.
  bool log_y = false;
  std::vector<PlotDataSeries> series;
  // A heatmap: rows x cols values, row-major, with the name of the value and the labels of its
  // rows and columns as drawn (indices from y_first / x_first, or the caller's tick labels).
  std::string value_label;
  int rows = 0, cols = 0;
  std::vector<double> values;  // (rows, cols) row-major
  std::vector<std::string> row_labels, col_labels;
};

struct PlotData {
  std::vector<PlotDataBlock> blocks;
};

void set_plot_data_capture(PlotData* data);
PlotData* plot_data_capture();

// As CSV, one block after another with a blank line between:
//   # plot: <title, or "<y name> against <x name>">; x: <x axis name>; y: <y axis name>[; log y]
//   <x axis name>,<series>: <y axis name>,...        when every line and scatter shares its x
//   <series> <x axis name>,<series>: <y axis name>,...   otherwise a pair of columns per series
//   # reference: <name> = <value>                     horizontal and vertical lines
//   # heatmap: <title>; value: <value name>; rows: <y axis name>; columns: <x axis name>
//   <y axis name> \ <x axis name>,<column label>,...  then one row per matrix row
// Numbers with 17 significant digits (exact for doubles); a value the widget skipped (NaN, inf)
// as written by printf ("nan", "inf"). Fields that hold a comma or a quote are quoted.
std::string plot_data_csv(const PlotData& data);

}  // namespace unrolled::widgets
