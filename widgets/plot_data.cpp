#include "widgets/plot_data.hpp"

#include <cstdio>

namespace unrolled::widgets {
namespace {

PlotData* g_capture = nullptr;

std::string field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string column_name(const PlotDataSeries& s, const std::string& unit) {
  return unit.empty() ? s.name : s.name + ": " + unit;
}

// Lines and scatters share their x when every one has the same x values.
bool shared_x(const std::vector<const PlotDataSeries*>& data) {
  for (const PlotDataSeries* s : data)
    if (s->x != data.front()->x) return false;
  return true;
}

void plot_csv(const PlotDataBlock& b, std::string& out) {
  // An untitled plot is named by its axes.
  const std::string title = b.title.empty() ? b.y_label + " against " + b.x_label : b.title;
  out += "# plot: " + title + "; x: " + b.x_label + "; y: " + b.y_label +
         (b.log_y ? "; log y" : "") + "\n";
  std::vector<const PlotDataSeries*> data;
  for (const PlotDataSeries& s : b.series) {
    if (s.kind == "hline" && !s.y.empty()) {
      out += "# reference: " + s.name + " = ";
      out += number(s.y[0]) + "\n";
    } else if (s.kind == "vline" && !s.x.empty()) {
      out += "# reference: " + s.name + " at " + b.x_label + " = ";
      out += number(s.x[0]) + "\n";
    } else {
      data.push_back(&s);
    }
  }
  if (data.empty()) return;
  const std::string x_name = b.x_label.empty() ? "x" : b.x_label;
  const bool shared = shared_x(data);
  std::string header;
  std::size_t rows = 0;
  for (const PlotDataSeries* s : data) {
    if (!shared) {
      if (!header.empty()) header += ',';
      header += field(s->name + " " + x_name);
    } else if (header.empty()) {
      header = field(x_name);
    }
    header += ',';
    header += field(column_name(*s, b.y_label));
    rows = std::max(rows, s->y.size());
  }
  out += header + "\n";
  for (std::size_t i = 0; i < rows; ++i) {
    std::string line;
    for (std::size_t k = 0; k < data.size(); ++k) {
      const PlotDataSeries& s = *data[k];
      const bool has = i < s.y.size();
      if (k > 0 && !shared) line += ',';
      if ((!shared || k == 0) && has) line += number(s.x[i]);
      line += ',';
      if (has) line += number(s.y[i]);
    }
    out += line + "\n";
  }
}

void heatmap_csv(const PlotDataBlock& b, std::string& out) {
  out += "# heatmap: " + b.title + "; value: " + b.value_label + "; rows: " + b.y_label +
         "; columns: " + b.x_label + "\n";
  std::string header = field(b.y_label + " \\ " + b.x_label);
  for (const std::string& c : b.col_labels) {
    header += ',';
    header += field(c);
  }
  out += header + "\n";
  for (int r = 0; r < b.rows; ++r) {
    std::string line = field(b.row_labels[r]);
    for (int c = 0; c < b.cols; ++c)
      line += ',', line += number(b.values[static_cast<std::size_t>(r) * b.cols + c]);
    out += line + "\n";
  }
}

}  // namespace

void set_plot_data_capture(PlotData* data) {
  g_capture = data;
}
PlotData* plot_data_capture() {
  return g_capture;
}

std::string plot_data_csv(const PlotData& data) {
  std::string out;
  for (const PlotDataBlock& b : data.blocks) {
    if (!out.empty()) out += "\n";
    if (b.heatmap)
      heatmap_csv(b, out);
    else
      plot_csv(b, out);
  }
  return out;
}

}  // namespace unrolled::widgets
