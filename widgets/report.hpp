// What the widgets drew where, for the app's --layout-report: while enabled, every EndPlot() and
// every Heatmap() appends a PlotRecord, and any widget that had to cut a text without an ellipsis
// appends that text (the list should stay empty). The app enables it, and per window clears it
// before drawing the window's contents and reads it after:
//
//   widgets::set_layout_report(true);
//   for (each window) {
//     widgets::layout_report().clear();
//     ImGui::Begin(...); ... draw the panel ...; ImGui::End();
//     for (const widgets::PlotRecord& p : widgets::layout_report().plots) ...  // into the JSON
//   }
//
// Disabled (the default), recording costs one branch per widget.
#pragma once

#include <string>
#include <vector>

namespace unrolled::widgets {

// A rectangle in screen pixels (ImGui's coordinates): top-left corner, width, height.
struct ReportRect {
  float x = 0, y = 0, w = 0, h = 0;
};

struct PlotRecord {
  std::string title;     // the id's text before "##" (a heatmap: opt.title, else its id's text)
  ReportRect data_rect;  // where data are drawn: no axes, tick labels, legend or colour bar
  bool has_legend = false;
  ReportRect legend_rect;         // valid when has_legend
  int legend_points_covered = 0;  // drawn line vertices and markers inside legend_rect
};

struct LayoutReport {
  std::vector<PlotRecord> plots;
  std::vector<std::string> clipped_text;  // texts cut without an ellipsis
  void clear() {
    plots.clear();
    clipped_text.clear();
  }
};

void set_layout_report(bool enabled);
bool layout_report_enabled();
// The records since the last clear(); the app reads and clears them.
LayoutReport& layout_report();

// For widgets (and panels) that draw text: a text that was cut without an ellipsis. A no-op when
// the report is disabled.
void report_clipped_text(const char* text, const char* text_end = nullptr);

}  // namespace unrolled::widgets
