// [SECTION] The current plot
// [SECTION] BeginPlot / Setup*
// [SECTION] Plot* (record the data; everything is drawn in EndPlot, once limits are known)
// [SECTION] EndPlot: limits and drawing helpers
// [SECTION] EndPlot: layout (title, legend strip, axis names, tick labels around the data area)
// [SECTION] EndPlot: frame, names, grid and ticks
// [SECTION] EndPlot: series (projected once, then placed around and drawn)
// [SECTION] EndPlot: the legend (strip above the area, or the emptiest corner inside it)
// [SECTION] EndPlot: report, hover read-out, EndPlot itself
#include "widgets/line_plot.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>

#include <imgui_internal.h>

#include "widgets/colormap.hpp"
#include "widgets/contrast.hpp"
#include "widgets/plot_data.hpp"
#include "widgets/report.hpp"
#include "widgets/svg.hpp"
#include "widgets/text.hpp"

namespace unrolled::widgets {
namespace {

// -----------------------------------------------------------------------------------------------
// [SECTION] The current plot
// -----------------------------------------------------------------------------------------------

// The plot between BeginPlot and EndPlot (ImPlot keeps the same in its context). Null otherwise.
PlotState* g_plot = nullptr;

PlotState& current(const char* what) {
  IM_ASSERT(g_plot != nullptr && "Plot*/Setup* called outside BeginPlot()/EndPlot()");
  (void)what;
  return *g_plot;
}

bool log_y(const PlotState& s) {
  return (s.frame_flags & PlotFlags_LogY) != 0;
}

const char* label_at(const PlotState& s, std::uint32_t offset) {
  return s.frame_labels.c_str() + offset;
}

std::uint32_t add_label(PlotState& s, const char* label) {
  const auto offset = static_cast<std::uint32_t>(s.frame_labels.size());
  const char* end = ImGui::FindRenderedTextEnd(label);  // "name##id" shows "name"
  s.frame_labels.append(label, end);
  s.frame_labels.push_back('\0');
  return offset;
}

bool is_hidden(const PlotState& s, const char* label) {
  return std::find(s.hidden.begin(), s.hidden.end(), ImHashStr(label)) != s.hidden.end();
}

void add_series(detail::Series::Kind kind, const char* label, const double* xs, const double* ys,
                int count, int offset, int stride, Marker marker) {
  PlotState& s = current("Plot*");
  detail::Series series{};
  series.kind = kind;
  series.label_offset = add_label(s, label);
  // Colours follow the order of the series within the plot, so the legend is stable.
  series.color = series_color(static_cast<int>(s.frame_series.size()));
  series.weight = 1.0f;
  series.marker = marker;
  if (s.frame_has_next_style) {
    const SeriesStyle& st = s.frame_next_style;
    if (st.color != 0) series.color = st.color;
    series.weight = st.weight > 0 ? st.weight : 1.0f;
    series.dashed = st.dashed;
    series.markers = st.markers;
    if (st.markers) series.marker = st.marker;
    s.frame_has_next_style = false;
  }
  if (!s.emphasis.empty() && s.emphasis == label) series.weight *= 2.2f;
  series.first = static_cast<std::uint32_t>(s.frame_points.size());
  series.hidden = is_hidden(s, label_at(s, series.label_offset));
  if (stride == 0) stride = sizeof(double);
  count = std::max(count, 0);
  const auto at = [&](const double* base, int i) {
    const int j = count ? ((offset % count) + count + i) % count : 0;
    return *reinterpret_cast<const double*>(reinterpret_cast<const char*>(base) +
                                            static_cast<std::ptrdiff_t>(j) * stride);
  };
  for (int i = 0; i < count; ++i) {
    // x counts from 0 along the logical order, so a ring buffer reads oldest to newest.
    s.frame_points.push_back({xs ? at(xs, i) : static_cast<double>(i), at(ys, i)});
  }
  series.count = static_cast<std::uint32_t>(count);
  s.frame_series.push_back(series);
}

}  // namespace

// -----------------------------------------------------------------------------------------------
// [SECTION] BeginPlot / Setup*
// -----------------------------------------------------------------------------------------------

bool BeginPlot(const char* id, ImVec2 size, PlotState& state) {
  IM_ASSERT(g_plot == nullptr && "BeginPlot() called twice without EndPlot()");
  ImGuiWindow* window = ImGui::GetCurrentWindow();
  if (window->SkipItems) return false;
  const float em = ImGui::GetFontSize();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const ImVec2 total(size.x > 0 ? size.x : std::max(10 * em, avail.x + size.x),
                     size.y > 0 ? size.y : std::max(8 * em, avail.y + size.y));
  const ImRect bb(window->DC.CursorPos, window->DC.CursorPos + total);
  ImGui::ItemSize(bb);
  const ImGuiID gid = window->GetID(id);
  if (!ImGui::ItemAdd(bb, gid)) return false;
  bool held = false;
  state.frame_pressed = ImGui::ButtonBehavior(bb, gid, &state.frame_hovered, &held);

  state.frame_id = gid;
  state.frame_min = bb.Min;
  state.frame_max = bb.Max;
  state.frame_title.assign(id, ImGui::FindRenderedTextEnd(id));
  state.frame_id_text = id;
  state.frame_x_label.clear();
  state.frame_y_label.clear();
  state.frame_labels.clear();
  state.frame_series.clear();
  state.frame_points.clear();
  state.frame_flags = PlotFlags_None;
  state.frame_has_limits[0] = state.frame_has_limits[1] = false;
  state.frame_has_next_style = false;
  g_plot = &state;
  return true;
}

void SetupAxes(const char* x_label, const char* y_label, PlotFlags flags) {
  PlotState& s = current("SetupAxes");
  IM_ASSERT(s.frame_series.empty() && "SetupAxes() must come before any Plot* call");
  s.frame_x_label = x_label ? x_label : "";
  s.frame_y_label = y_label ? y_label : "";
  s.frame_flags = flags;
}

void SetupAxisLimits(Axis axis, double min, double max) {
  PlotState& s = current("SetupAxisLimits");
  const int a = axis == Axis::X ? 0 : 1;
  s.frame_has_limits[a] = true;
  s.frame_limits[a][0] = std::min(min, max);
  s.frame_limits[a][1] = std::max(min, max);
}

// -----------------------------------------------------------------------------------------------
// [SECTION] Plot* (record the data; everything is drawn in EndPlot, once limits are known)
// -----------------------------------------------------------------------------------------------

void PlotLine(const char* label, const double* xs, const double* ys, int count, int offset,
              int stride) {
  add_series(detail::Series::Line, label, xs, ys, ys ? count : 0, offset, stride, Marker::Circle);
}

void PlotScatter(const char* label, const double* xs, const double* ys, int count, Marker marker,
                 int offset, int stride) {
  add_series(detail::Series::Scatter, label, xs, ys, ys ? count : 0, offset, stride, marker);
}

void PlotVLine(const char* label, double x) {
  const double no_y = std::numeric_limits<double>::quiet_NaN();
  add_series(detail::Series::VLine, label, &x, &no_y, 1, 0, sizeof(double), Marker::Circle);
}

void PlotHLine(const char* label, double y) {
  add_series(detail::Series::HLine, label, nullptr, &y, 1, 0, sizeof(double), Marker::Circle);
}

void SetNextSeriesStyle(const SeriesStyle& style) {
  PlotState& s = current("SetNextSeriesStyle");
  s.frame_next_style = style;
  s.frame_has_next_style = true;
}

void SetNextLineStyle(ImU32 color, float weight) {
  SeriesStyle style;
  style.color = color;
  style.weight = weight > 0 ? weight : 1.0f;
  SetNextSeriesStyle(style);
}

// -----------------------------------------------------------------------------------------------
// [SECTION] EndPlot: limits and drawing helpers
// -----------------------------------------------------------------------------------------------

namespace {

struct Transform {
  ImRect area;
  double x0, x1, y0, y1;  // y0, y1 in log10 on a log axis
  bool log;
  float px(double x) const {
    return area.Min.x + static_cast<float>((x - x0) / (x1 - x0)) * area.GetWidth();
  }
  float py(double y) const {
    const double v = log ? std::log10(y) : y;
    return area.Max.y - static_cast<float>((v - y0) / (y1 - y0)) * area.GetHeight();
  }
  double x_at(float px_) const { return x0 + (px_ - area.Min.x) / area.GetWidth() * (x1 - x0); }
};

bool usable(double y, bool log) {
  return std::isfinite(y) && (!log || y > 0.0);
}

void fit_limits(PlotState& s) {
  const bool log = log_y(s);
  double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
  for (const auto& ser : s.frame_series) {
    if (ser.hidden) continue;
    for (std::uint32_t i = 0; i < ser.count; ++i) {
      const auto& p = s.frame_points[ser.first + i];
      if (ser.kind != detail::Series::HLine && std::isfinite(p.x)) {
        if (s.frame_has_limits[0] && (p.x < s.frame_limits[0][0] || p.x > s.frame_limits[0][1]))
          continue;  // y fits what is in view
        xlo = std::min(xlo, p.x);
        xhi = std::max(xhi, p.x);
      }
      if (usable(p.y, log) && (ser.kind == detail::Series::HLine || std::isfinite(p.x))) {
        ylo = std::min(ylo, p.y);
        yhi = std::max(yhi, p.y);
      }
    }
  }
  if (s.frame_has_limits[0]) {
    s.x_min = s.frame_limits[0][0];
    s.x_max = s.frame_limits[0][1];
  } else {
    if (!(xlo <= xhi)) xlo = 0, xhi = 1;
    if (s.frame_flags & PlotFlags_XFromZero) xlo = std::min(xlo, 0.0);
    if (xlo == xhi) xlo -= 0.5, xhi += 0.5;
    s.x_min = xlo;
    s.x_max = xhi;
  }
  if (s.frame_has_limits[1] && (!log || s.frame_limits[1][0] > 0)) {
    s.y_min = s.frame_limits[1][0];
    s.y_max = s.frame_limits[1][1];
  } else if (log) {
    if (!(ylo <= yhi)) ylo = 1e-3, yhi = 1;
    double l0 = std::log10(ylo), l1 = std::log10(yhi);
    if (l0 == l1) l0 -= 0.5, l1 += 0.5;
    const double pad = 0.05 * (l1 - l0);
    s.y_min = std::pow(10.0, l0 - pad);
    s.y_max = std::pow(10.0, l1 + pad);
  } else {
    if (!(ylo <= yhi)) ylo = 0, yhi = 1;
    if (ylo == yhi) {
      const double d = ylo == 0 ? 1.0 : 0.1 * std::abs(ylo);
      ylo -= d, yhi += d;
    }
    const double pad = 0.05 * (yhi - ylo);
    s.y_min = ylo - pad;
    s.y_max = yhi + pad;
  }
}

void draw_marker(Canvas dl, ImVec2 c, float r, Marker m, ImU32 fill, ImU32 edge) {
  switch (m) {
    case Marker::Circle:
      dl->AddCircleFilled(c, r, fill, 16);
      dl->AddCircle(c, r, edge, 16, 1.0f);
      break;
    case Marker::Square:
      dl->AddRectFilled(c - ImVec2(r, r), c + ImVec2(r, r), fill);
      dl->AddRect(c - ImVec2(r, r), c + ImVec2(r, r), edge);
      break;
    case Marker::Diamond: {
      const ImVec2 p[4] = {{c.x, c.y - r}, {c.x + r, c.y}, {c.x, c.y + r}, {c.x - r, c.y}};
      dl->AddConvexPolyFilled(p, 4, fill);
      dl->AddPolyline(p, 4, edge, ImDrawFlags_Closed, 1.0f);
      break;
    }
    case Marker::TriangleUp:
    case Marker::TriangleDown: {
      const float s = m == Marker::TriangleUp ? -1.0f : 1.0f;  // apex up or down
      const ImVec2 p[3] = {{c.x - 1.15f * r, c.y - s * 0.75f * r},
                           {c.x + 1.15f * r, c.y - s * 0.75f * r},
                           {c.x, c.y + s * 1.25f * r}};
      dl->AddTriangleFilled(p[0], p[1], p[2], fill);
      dl->AddTriangle(p[0], p[1], p[2], edge, 1.0f);
      break;
    }
  }
}

// Line widths are whole pixels: ImGui then draws an anti-aliased line from the font atlas's baked
// line texture, two triangles per segment instead of six (the difference matters to a software
// rasteriser, which sets up every triangle on the UI thread).
float line_width(float w) {
  return std::max(1.0f, std::round(w));
}

void draw_dashed_hline(Canvas dl, float x0, float x1, float y, ImU32 col, float thick, float dash) {
  for (float x = x0; x < x1; x += 2 * dash)
    dl->AddLine(ImVec2(x, y), ImVec2(std::min(x + dash, x1), y), col, line_width(thick));
}

// A dashed polyline: dashes of length `dash` along the path, gaps as long, continuing across
// vertices.
void draw_dashed_polyline(Canvas dl, const ImVec2* p, int n, ImU32 col, float thick, float dash) {
  bool on = true;
  float left = dash;  // of the current dash or gap
  for (int i = 1; i < n; ++i) {
    ImVec2 a = p[i - 1];
    const ImVec2 b = p[i];
    float len = std::sqrt(ImLengthSqr(b - a));
    while (len > 0.0f) {
      const float take = std::min(left, len);
      const ImVec2 c = a + (b - a) * (take / len);
      if (on) dl->AddLine(a, c, col, line_width(thick));
      a = c;
      len -= take;
      left -= take;
      if (left <= 0.0f) on = !on, left = dash;
    }
  }
}

// The legend swatch of one series: a short line, a marker, or a dashed line.
void draw_swatch(Canvas dl, ImVec2 a, ImVec2 b, const detail::Series& s, float em, ImU32 edge) {
  const float y = 0.5f * (a.y + b.y);
  switch (s.kind) {
    case detail::Series::Line:
      if (s.dashed)
        draw_dashed_hline(dl, a.x, b.x, y, s.color, 0.14f * em, 0.3f * em);
      else
        dl->AddLine(ImVec2(a.x, y), ImVec2(b.x, y), s.color, 0.16f * em * std::max(s.weight, 0.6f));
      if (s.markers)
        draw_marker(dl, ImVec2(0.5f * (a.x + b.x), y), 0.3f * em, s.marker, s.color, edge);
      break;
    case detail::Series::Scatter:
      draw_marker(dl, ImVec2(0.5f * (a.x + b.x), y), 0.32f * em, s.marker, s.color, edge);
      break;
    case detail::Series::HLine:
    case detail::Series::VLine:
      draw_dashed_hline(dl, a.x, b.x, y, s.color, 0.12f * em, 0.3f * em);
      break;
  }
}

}  // namespace

// -----------------------------------------------------------------------------------------------
// [SECTION] EndPlot: layout (title, legend strip, axis names, tick labels around the data area)
// -----------------------------------------------------------------------------------------------

namespace {

// What the parts of EndPlot share: the plot's box, the font's sizes and the theme's colours.
struct Frame {
  ImRect bb;
  float em, line;
  bool log;
  ImU32 text, text_dim, bg, edge;
  ImU32 grid;  // major grid lines: the faintest grey that still has 4.5:1 on the plot background
};

Frame frame_of(const PlotState& s) {
  Frame f;
  f.bb = ImRect(s.frame_min, s.frame_max);
  f.em = ImGui::GetFontSize();
  f.line = ImGui::GetTextLineHeight();
  f.log = log_y(s);
  f.text = ImGui::GetColorU32(ImGuiCol_Text);
  f.text_dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  f.edge = ImGui::GetColorU32(ImGuiCol_WindowBg);
  f.bg = over(ImGui::GetStyle().Colors[ImGuiCol_FrameBg], f.edge | IM_COL32_A_MASK);
  f.grid = faintest_with_contrast(f.text, f.bg);
  return f;
}

float legend_row_height(const Frame& f) {
  return f.line + 0.25f * f.em;
}
float swatch_width(const Frame& f) {
  return 1.6f * f.em;
}

bool wants_legend(const PlotState& s) {
  return s.show_legend && !(s.frame_flags & PlotFlags_NoLegend) && !s.frame_series.empty();
}

// Lays the legend's entries out in rows between x0 and x1 from y = first_row * row height, left to
// right, wrapping; an entry wider than a whole row is shortened when drawn (*cut says whether
// any is). Returns the number of rows, first_row included.
int flow_legend(PlotState& s, const Frame& f, float x0, float x1, int first_row, bool* cut) {
  const float row = legend_row_height(f), spacing = 1.0f * f.em;
  float x = x0;
  int rows = first_row + 1;
  *cut = false;
  s.frame_legend.clear();
  for (const auto& ser : s.frame_series) {
    const float label_w = ImGui::CalcTextSize(label_at(s, ser.label_offset)).x;
    // (+1: the label is drawn at a float offset and must still count as fitting.)
    const float need = swatch_width(f) + 0.4f * f.em + label_w + 1.0f;
    const float w = std::min(need, std::max(1.0f, x1 - x0));
    *cut |= w < need;
    if (x > x0 && x + w > x1) ++rows, x = x0;
    s.frame_legend.push_back({ImVec2(x, (rows - 1) * row), ImVec2(x + w, rows * row)});
    x += w + spacing;
  }
  return rows;
}

struct PlotLayout {
  ImRect area;        // the data area
  float title_h = 0;  // height of the title row (0: no title)
  float y_label_w;    // room for the y axis name, left of the legend strip
};

// The y ticks (into frame_ticks: about one label per 2.2 em of height, so they never touch) and
// the width of their widest label, which sets the left margin.
float y_tick_labels(PlotState& s, const Frame& f, float area_h, char* buf, std::size_t n) {
  std::vector<Tick>& ticks = s.frame_ticks;
  const int max_y = std::max(2, static_cast<int>(area_h / ((f.log ? 1.8f : 2.2f) * f.em)));
  if (f.log) {
    log_ticks(s.y_min, s.y_max, max_y, ticks);
  } else {
    nice_ticks(s.y_min, s.y_max, max_y, ticks);
  }
  const double step = ticks.size() > 1 ? ticks[1].value - ticks[0].value : 1.0;
  float w = ImGui::CalcTextSize("0").x;
  for (const Tick& t : ticks)
    if (t.major)
      w = std::max(w, ImGui::CalcTextSize(f.log ? format_log_tick(buf, n, t.value)
                                                : format_tick(buf, n, t.value, step))
                          .x);
  return w;
}

// Where the legend goes when its strip would need extra rows that leave the data area under 8
// lines: Auto tries a free corner inside the area (EndPlot places it once the points are known);
// Side puts a column right of the area when the area stays 9 lines wide and the column fits its
// height; Strip keeps the rows above the area whatever they cost.
enum class LegendPlan { Auto, Side, Strip };

// Lays the legend out as a column right of the data area; false when it does not fit.
bool legend_column(PlotState& s, const Frame& f, PlotLayout& lay) {
  const float row = legend_row_height(f), gap = 0.4f * f.em, margin = 0.8f * f.em;
  float label_w = 0.0f;
  for (const auto& ser : s.frame_series)
    label_w = std::max(label_w, ImGui::CalcTextSize(label_at(s, ser.label_offset)).x);
  const float col_w = swatch_width(f) + gap + std::min(label_w, 0.35f * f.bb.GetWidth()) + 1.0f;
  const float right = f.bb.Max.x - col_w - margin;
  if (right - lay.area.Min.x < 9.0f * f.line || row * s.frame_series.size() > lay.area.GetHeight())
    return false;
  lay.area.Max.x = right;
  s.frame_legend.clear();
  for (std::size_t k = 0; k < s.frame_series.size(); ++k) {
    const ImVec2 min(right + margin, lay.area.Min.y + row * k);
    s.frame_legend.push_back({min, ImVec2(min.x + col_w, min.y + row)});
  }
  return true;
}

// Rows from the top: title; the y axis name and the legend strip (more rows when it wraps); a gap
// for the top tick label; the data area; x tick labels; the x axis name. False only when the plan
// is Side and the column does not fit.
bool layout_plot(PlotState& s, const Frame& f, LegendPlan plan, PlotLayout& lay, char* buf,
                 std::size_t n) {
  lay = PlotLayout();
  const ImRect& bb = f.bb;
  if (!s.frame_title.empty()) lay.title_h = f.line + 0.35f * f.em;
  const float row = legend_row_height(f), gap = 0.55f * f.line;
  const float bottom = 0.5f * f.line + 0.05f * f.em + f.line + 0.2f * f.em + f.line;
  const float y_label_w = ImGui::CalcTextSize(s.frame_y_label.c_str()).x;
  lay.y_label_w = bb.GetWidth();
  int rows = 1;
  s.legend_inside = false;
  s.frame_legend.clear();
  if (wants_legend(s)) {
    lay.y_label_w = std::min(y_label_w, 0.45f * bb.GetWidth());
    const float x0 = bb.Min.x + (y_label_w > 0 ? lay.y_label_w + 1.2f * f.em : 0.0f);
    bool cut = false;
    rows = flow_legend(s, f, x0, bb.Max.x, 0, &cut);
    if ((cut || y_label_w > lay.y_label_w) && y_label_w > 0) {
      // Side by side the y axis name or an entry would be shortened: the entries take whole rows
      // below the name instead, and the name the whole width.
      rows = flow_legend(s, f, bb.Min.x, bb.Max.x, 1, &cut);
      lay.y_label_w = bb.GetWidth();
    }
    const float strip_area_h = bb.GetHeight() - lay.title_h - rows * row - gap - bottom;
    if (plan != LegendPlan::Strip && rows > 1 && strip_area_h < 8.0f * f.line) {
      s.legend_inside = plan == LegendPlan::Auto;  // a corner is chosen once points are known
      s.frame_legend.clear();
      lay.y_label_w = bb.GetWidth();
      rows = 1;
    } else if (plan == LegendPlan::Side) {
      return false;  // the strip fits after all: nothing to do on the side
    }
    for (detail::Box& e : s.frame_legend)
      e.min.y += bb.Min.y + lay.title_h, e.max.y += bb.Min.y + lay.title_h;
  }
  const float top = lay.title_h + rows * row + gap;
  const float area_h = std::max(1.0f, bb.GetHeight() - top - bottom);
  const float ytick_w = y_tick_labels(s, f, area_h, buf, n);
  const float left = std::min(bb.Min.x + ytick_w + 0.7f * f.em, bb.Max.x - 2.0f);
  lay.area = ImRect(ImVec2(left, bb.Min.y + top),
                    ImVec2(std::max(left + 1.0f, bb.Max.x - 1.0f * f.em),
                           std::max(bb.Min.y + top + 1.0f, bb.Max.y - bottom)));
  if (plan == LegendPlan::Side && wants_legend(s)) return legend_column(s, f, lay);
  return true;
}

// -----------------------------------------------------------------------------------------------
// [SECTION] EndPlot: frame, names, grid and ticks
// -----------------------------------------------------------------------------------------------

Transform transform_of(const PlotState& s, const ImRect& area, bool log) {
  Transform tf;
  tf.area = area;
  tf.x0 = s.x_min;
  tf.x1 = s.x_max;
  tf.y0 = log ? std::log10(s.y_min) : s.y_min;
  tf.y1 = log ? std::log10(s.y_max) : s.y_max;
  tf.log = log;
  return tf;
}

void draw_names(const PlotState& s, const Frame& f, const PlotLayout& lay) {
  Canvas dl = ImGui::GetWindowDrawList();
  const ImRect& bb = f.bb;
  const auto centred = [&](const std::string& text, float y) {
    const float w = std::min(ImGui::CalcTextSize(text.c_str()).x, bb.GetWidth());
    const float x = std::clamp(lay.area.GetCenter().x - 0.5f * w, bb.Min.x, bb.Max.x - w);
    DrawTextEllipsis(dl, ImVec2(x, y), f.text, text.c_str(), bb.GetWidth());
  };
  if (!s.frame_title.empty()) centred(s.frame_title, bb.Min.y);
  if (!s.frame_y_label.empty())
    DrawTextEllipsis(dl, ImVec2(bb.Min.x, bb.Min.y + lay.title_h), f.text, s.frame_y_label.c_str(),
                     lay.y_label_w);
  if (!s.frame_x_label.empty()) centred(s.frame_x_label, bb.Max.y - f.line);
}

// Horizontal grid lines at the major ticks, tick marks (minor ones shorter) and labels.
void draw_y_axis(PlotState& s, const Frame& f, const Transform& tf, char* buf, std::size_t n) {
  Canvas dl = ImGui::GetWindowDrawList();
  const ImRect& area = tf.area;
  const std::vector<Tick>& ticks = s.frame_ticks;  // from layout_plot
  const double step = ticks.size() > 1 ? ticks[1].value - ticks[0].value : 1.0;
  for (const Tick& t : ticks) {
    const float y = IM_ROUND(tf.py(t.value));
    if (y < area.Min.y - 0.5f || y > area.Max.y + 0.5f) continue;
    if (t.major) dl->AddLine(ImVec2(area.Min.x, y), ImVec2(area.Max.x, y), f.grid, 1.0f);
    dl->AddLine(ImVec2(area.Min.x - (t.major ? 0.3f : 0.15f) * f.em, y), ImVec2(area.Min.x, y),
                f.text, 1.0f);
    if (!t.major) continue;
    const char* l = f.log ? format_log_tick(buf, n, t.value) : format_tick(buf, n, t.value, step);
    const float w = ImGui::CalcTextSize(l).x;
    dl->AddText(ImVec2(area.Min.x - 0.45f * f.em - w, y - 0.5f * f.line), f.text, l);
  }
}

// Vertical grid lines and labelled ticks: as many as leave a gap of half an em between labels
// (each kept inside the plot's box), down to two; a label that would still overlap is left out.
void draw_x_axis(PlotState& s, const Frame& f, const Transform& tf, char* buf, std::size_t n) {
  Canvas dl = ImGui::GetWindowDrawList();
  const ImRect& area = tf.area;
  std::vector<Tick>& ticks = s.frame_ticks;
  const float min_gap = 0.5f * f.em;
  const auto label_x = [&](float x, float w) {
    return std::clamp(x - 0.5f * w, f.bb.Min.x, f.bb.Max.x - w);
  };
  format_tick(buf, n, -std::max(std::abs(s.x_min), std::abs(s.x_max)),
              nice_step(s.x_min, s.x_max, 8));
  int count =
      std::max(2, static_cast<int>(area.GetWidth() / (ImGui::CalcTextSize(buf).x + 2 * f.em)));
  for (;; --count) {
    nice_ticks(s.x_min, s.x_max, count, ticks);
    const double step = ticks.size() > 1 ? ticks[1].value - ticks[0].value : 1.0;
    float right = -FLT_MAX;
    bool fits = true;
    for (const Tick& t : ticks) {
      const float w = ImGui::CalcTextSize(format_tick(buf, n, t.value, step)).x;
      const float x = label_x(tf.px(t.value), w);
      fits &= x >= right + min_gap;
      right = x + w;
    }
    if (fits || count <= 2) break;
  }
  const double step = ticks.size() > 1 ? ticks[1].value - ticks[0].value : 1.0;
  float right = -FLT_MAX;
  for (const Tick& t : ticks) {
    const float x = IM_ROUND(tf.px(t.value));
    dl->AddLine(ImVec2(x, area.Min.y), ImVec2(x, area.Max.y), f.grid, 1.0f);
    dl->AddLine(ImVec2(x, area.Max.y), ImVec2(x, area.Max.y + 0.3f * f.em), f.text, 1.0f);
    const char* l = format_tick(buf, n, t.value, step);
    const float w = ImGui::CalcTextSize(l).x;
    const float lx = label_x(x, w);
    if (lx < right + min_gap) continue;
    dl->AddText(ImVec2(lx, area.Max.y + 0.5f * f.line + 0.05f * f.em), f.text, l);
    right = lx + w;
  }
}

// -----------------------------------------------------------------------------------------------
// [SECTION] EndPlot: series (projected once, then placed around and drawn)
// -----------------------------------------------------------------------------------------------

void push_run(PlotState& s, std::uint32_t series, const ImVec2* p, std::size_t count) {
  if (count == 0) return;
  const auto first = static_cast<std::uint32_t>(s.frame_screen.size());
  s.frame_screen.insert(s.frame_screen.end(), p, p + count);
  s.frame_runs.push_back({series, first, static_cast<std::uint32_t>(count)});
}

// A line breaks at every unusable point: runs of good points become separate polylines, each
// decimated when it has more points than the area has pixel columns.
void project_line(PlotState& s, std::uint32_t k, const Transform& tf) {
  const detail::Series& ser = s.frame_series[k];
  const detail::Point* pts = s.frame_points.data() + ser.first;
  auto& run = s.frame_scratch;
  const auto flush = [&] {
    if (run.size() > static_cast<std::size_t>(tf.area.GetWidth())) detail::decimate_columns(run);
    push_run(s, k, run.data(), run.size());
    run.clear();
  };
  run.clear();
  for (std::uint32_t i = 0; i < ser.count; ++i) {
    if (std::isfinite(pts[i].x) && usable(pts[i].y, tf.log)) {
      run.push_back(ImVec2(tf.px(pts[i].x), tf.py(pts[i].y)));
    } else {
      flush();
    }
  }
  flush();
}

void project_series(PlotState& s, const Frame& f, const Transform& tf) {
  s.frame_screen.clear();
  s.frame_runs.clear();
  for (std::uint32_t k = 0; k < s.frame_series.size(); ++k) {
    const detail::Series& ser = s.frame_series[k];
    if (ser.hidden) continue;
    const detail::Point* pts = s.frame_points.data() + ser.first;
    if (ser.kind == detail::Series::Line) {
      project_line(s, k, tf);
    } else if (ser.kind == detail::Series::HLine) {
      if (!usable(pts[0].y, f.log)) continue;
      const float y = tf.py(pts[0].y);
      const ImVec2 ends[2] = {ImVec2(tf.area.Min.x, y), ImVec2(tf.area.Max.x, y)};
      push_run(s, k, ends, 2);
    } else if (ser.kind == detail::Series::VLine) {
      if (!std::isfinite(pts[0].x)) continue;
      const float x = tf.px(pts[0].x);
      const ImVec2 ends[2] = {ImVec2(x, tf.area.Min.y), ImVec2(x, tf.area.Max.y)};
      push_run(s, k, ends, 2);
    } else {
      // A marker that would land within a third of its size of the last one kept adds nothing to
      // the picture (dense clip events over thousands of iterations), so it is not drawn.
      const float r = 0.32f * f.em * ser.weight;
      auto& kept = s.frame_scratch;
      kept.clear();
      ImVec2 last(-FLT_MAX, -FLT_MAX);
      for (std::uint32_t i = 0; i < ser.count; ++i) {
        if (!std::isfinite(pts[i].x) || !usable(pts[i].y, f.log)) continue;
        const ImVec2 p(tf.px(pts[i].x), tf.py(pts[i].y));
        if (std::abs(p.x - last.x) < r / 3 && std::abs(p.y - last.y) < r / 3) continue;
        kept.push_back(p);
        last = p;
      }
      push_run(s, k, kept.data(), kept.size());
    }
  }
}

// While data are captured (plot_data.hpp): the plot's series as given.
void capture_data(const PlotState& s) {
  PlotData* data = plot_data_capture();
  if (!data) return;
  static const char* const kinds[] = {"line", "scatter", "hline", "vline"};
  PlotDataBlock b;
  b.title = s.frame_title;
  b.x_label = s.frame_x_label;
  b.y_label = s.frame_y_label;
  b.log_y = log_y(s);
  for (const detail::Series& ser : s.frame_series) {
    PlotDataSeries d;
    d.name = label_at(s, ser.label_offset);
    d.kind = kinds[ser.kind];
    for (std::uint32_t i = 0; i < ser.count; ++i) {
      const detail::Point& p = s.frame_points[ser.first + i];
      if (ser.kind != detail::Series::HLine) d.x.push_back(p.x);
      if (ser.kind != detail::Series::VLine) d.y.push_back(p.y);
    }
    b.series.push_back(std::move(d));
  }
  data->blocks.push_back(std::move(b));
}

// In an SVG, a series' first element names it: data-series="label" (and its kind).
std::string series_attributes(const PlotState& s, const detail::Series& ser) {
  static const char* const kinds[] = {"line", "scatter", "hline", "vline"};
  return "data-series=\"" + xml_escape(label_at(s, ser.label_offset)) + "\" data-kind=\"" +
         kinds[ser.kind] + "\"";
}

// In an SVG, a plot is a group that says what a reader needs to map its points back to data:
// the data area (in the figure's pixels, as the points are) and the axes' limits.
std::string plot_group_attributes(const PlotState& s, const ImRect& area, const SvgWriter& svg) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "data-area=\"%s\" data-x-min=\"%.17g\" data-x-max=\"%.17g\" data-y-min=\"%.17g\" "
                "data-y-max=\"%.17g\" data-log-y=\"%d\"",
                svg.box(area.Min, area.Max).c_str(), s.x_min, s.x_max, s.y_min, s.y_max,
                log_y(s) ? 1 : 0);
  return "class=\"plot\" data-title=\"" + xml_escape(s.frame_title.c_str()) + "\" data-x-label=\"" +
         xml_escape(s.frame_x_label.c_str()) + "\" data-y-label=\"" +
         xml_escape(s.frame_y_label.c_str()) + "\" " + buf;
}

void draw_series(const PlotState& s, const Frame& f, const Transform& tf) {
  Canvas dl = ImGui::GetWindowDrawList();
  dl->PushClipRect(tf.area.Min, tf.area.Max, true);
  const float thick = std::max(1.5f, 0.13f * f.em);
  for (const detail::Run& r : s.frame_runs) {
    const detail::Series& ser = s.frame_series[r.series];
    const ImVec2* p = s.frame_screen.data() + r.first;
    const int n = static_cast<int>(r.count);
    const float w = line_width(thick * ser.weight);
    if (ser.kind == detail::Series::HLine) {
      draw_dashed_hline(dl, p[0].x, p[1].x, p[0].y, ser.color, thick * ser.weight, 0.45f * f.em);
      continue;
    }
    if (ser.kind == detail::Series::VLine) {
      draw_dashed_polyline(dl, p, 2, ser.color, w, 0.45f * f.em);
      continue;
    }
    const bool markers = ser.kind == detail::Series::Scatter || ser.markers;
    if (SvgWriter* svg = svg_target()) svg->set_next_attributes(series_attributes(s, ser));
    if (ser.kind == detail::Series::Line) {
      if (n == 1) dl->AddCircleFilled(p[0], std::max(0.5f * w, 1.5f), ser.color);
      if (n > 1 && ser.dashed) draw_dashed_polyline(dl, p, n, ser.color, w, 0.45f * f.em);
      if (n > 1 && !ser.dashed) dl->AddPolyline(p, n, ser.color, 0, w);
    }
    if (markers)
      for (int i = 0; i < n; ++i)
        draw_marker(dl, p[i], 0.32f * f.em * ser.weight, ser.marker, ser.color, f.edge);
  }
  dl->PopClipRect();
  dl->AddRect(tf.area.Min, tf.area.Max, f.text);
}

// -----------------------------------------------------------------------------------------------
// [SECTION] EndPlot: the legend (strip above the area, or the emptiest corner inside it)
// -----------------------------------------------------------------------------------------------

// Drawn vertices and markers inside box (and inside the area: outside it nothing is drawn).
int points_inside(const PlotState& s, const ImRect& box, const ImRect& area) {
  ImRect r = box;
  r.ClipWithFull(area);
  if (r.GetWidth() <= 0 || r.GetHeight() <= 0) return 0;
  int n = 0;
  for (const ImVec2& p : s.frame_screen) n += r.Contains(p);
  return n;
}

// Does the segment a-b pass through r? (Liang-Barsky: clip the parameter range to each edge.)
bool segment_crosses(ImVec2 a, ImVec2 b, const ImRect& r) {
  float t0 = 0.0f, t1 = 1.0f;
  const float d[2] = {b.x - a.x, b.y - a.y};
  const float lo[2] = {r.Min.x - a.x, r.Min.y - a.y}, hi[2] = {r.Max.x - a.x, r.Max.y - a.y};
  for (int i = 0; i < 2; ++i) {
    if (d[i] == 0.0f) {
      if (lo[i] > 0.0f || hi[i] < 0.0f) return false;
      continue;
    }
    float ta = lo[i] / d[i], tb = hi[i] / d[i];
    if (ta > tb) std::swap(ta, tb);
    t0 = std::max(t0, ta);
    t1 = std::min(t1, tb);
    if (t0 > t1) return false;
  }
  return true;
}

// How much of the data a legend in box would hide: points inside, plus line segments through it.
int corner_cost(const PlotState& s, const ImRect& box, const ImRect& area) {
  int cost = points_inside(s, box, area);
  for (const detail::Run& r : s.frame_runs) {
    if (s.frame_series[r.series].kind == detail::Series::Scatter) continue;
    const ImVec2* p = s.frame_screen.data() + r.first;
    for (std::uint32_t i = 1; i < r.count; ++i) cost += segment_crosses(p[i - 1], p[i], box);
  }
  return cost;
}

// The legend as a column of entries, in a corner that hides no data; false when every corner
// would. The corner in use is kept while it stays free, so a legend does not jump back and forth
// as a curve wobbles near the margin; otherwise the freest corner is taken.
bool place_corner_legend(PlotState& s, const Frame& f, const ImRect& area) {
  const float gap = 0.4f * f.em, row = legend_row_height(f), inset = 0.3f * f.em;
  float label_w = 0.0f;
  for (const auto& ser : s.frame_series)
    label_w = std::max(label_w, ImGui::CalcTextSize(label_at(s, ser.label_offset)).x);
  const float w =
      std::min(gap + swatch_width(f) + gap + label_w + gap, area.GetWidth() - 2 * inset);
  const ImVec2 size(std::max(w, 1.0f), 2 * gap + row * s.frame_series.size() - 0.25f * f.em);
  if (size.y > area.GetHeight() - 2 * inset || w < swatch_width(f) + 3 * gap) return false;
  const auto box_at = [&](int corner) {
    const bool left = corner == detail::TopLeft || corner == detail::BottomLeft;
    const bool low = corner == detail::BottomRight || corner == detail::BottomLeft;
    const ImVec2 min(left ? area.Min.x + inset : area.Max.x - inset - size.x,
                     low ? area.Max.y - inset - size.y : area.Min.y + inset);
    return ImRect(min, min + size);
  };
  const int preferred = ((s.frame_flags & PlotFlags_LegendLeft) ? 1 : 0) +
                        ((s.frame_flags & PlotFlags_LegendBottom) ? 2 : 0);
  int cost[4], best = preferred;
  for (int c = 0; c < 4; ++c) cost[c] = corner_cost(s, box_at(c), area);
  for (int c = 0; c < 4; ++c)
    if (cost[c] < cost[best]) best = c;
  int& cur = s.legend_corner;
  if (cur < 0 || cur > 3 || cost[cur] > cost[best]) cur = best;
  if (cost[cur] > 0) return false;
  const ImRect box = box_at(cur);
  s.legend_min = box.Min;
  s.legend_max = box.Max;
  s.frame_legend.clear();
  for (std::size_t k = 0; k < s.frame_series.size(); ++k) {
    const float y = box.Min.y + gap - 0.1f * f.em + row * k;
    s.frame_legend.push_back({ImVec2(box.Min.x, y), ImVec2(box.Max.x, y + row)});
  }
  return true;
}

// Draws the entries (and, inside the area, their box); a click on an entry hides or shows its
// series from the next frame on. Returns whether the mouse is over the legend.
bool draw_legend(PlotState& s, const Frame& f) {
  if (s.frame_legend.empty()) return false;
  Canvas dl = ImGui::GetWindowDrawList();
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  if (s.legend_inside) {
    dl->AddRectFilled(s.legend_min, s.legend_max, f.edge | IM_COL32_A_MASK, 0.2f * f.em);
    dl->AddRect(s.legend_min, s.legend_max, f.text_dim, 0.2f * f.em);
  }
  const float gap = 0.4f * f.em, pad = s.legend_inside ? gap : 0.0f;
  bool over = false;
  s.emphasis_min = s.emphasis_max = ImVec2(0, 0);
  for (std::size_t k = 0; k < s.frame_series.size(); ++k) {
    const detail::Series& ser = s.frame_series[k];
    const ImRect entry(s.frame_legend[k].min, s.frame_legend[k].max);
    const char* label = label_at(s, ser.label_offset);
    if (!s.emphasis.empty() && s.emphasis == label) {
      s.emphasis_min = ImVec2(entry.Min.x - 0.15f * f.em, entry.Min.y);
      s.emphasis_max = ImVec2(entry.Max.x + 0.15f * f.em, entry.Max.y);
      dl->AddRect(s.emphasis_min, s.emphasis_max, s.emphasis_color, 0.25f * f.em, 0,
                  std::max(2.0f, 0.16f * f.em));
    }
    if (s.frame_hovered && entry.Contains(mouse)) {
      over = true;
      dl->AddRectFilled(entry.Min, entry.Max, ImGui::GetColorU32(ImGuiCol_HeaderHovered, 0.5f));
      if (s.frame_pressed) {
        const ImGuiID h = ImHashStr(label);
        const auto it = std::find(s.hidden.begin(), s.hidden.end(), h);
        if (it == s.hidden.end())
          s.hidden.push_back(h);
        else
          s.hidden.erase(it);
      }
    }
    detail::Series shown = ser;
    if (ser.hidden) shown.color = f.text_dim;
    const ImVec2 p(entry.Min.x + pad, entry.Min.y + 0.1f * f.em);
    draw_swatch(dl, p, ImVec2(p.x + swatch_width(f), p.y + f.line), shown, f.em, f.edge);
    const float tx = p.x + swatch_width(f) + gap;
    DrawTextEllipsis(dl, ImVec2(tx, p.y), ser.hidden ? f.text_dim : f.text, label,
                     entry.Max.x - pad - tx);
  }
  if (!s.legend_inside) {
    s.legend_min = s.frame_legend.front().min;
    s.legend_max = s.frame_legend.front().max;
    for (const detail::Box& e : s.frame_legend)
      s.legend_min = ImMin(s.legend_min, e.min), s.legend_max = ImMax(s.legend_max, e.max);
  }
  return over ||
         (s.legend_inside && s.frame_hovered && ImRect(s.legend_min, s.legend_max).Contains(mouse));
}

// -----------------------------------------------------------------------------------------------
// [SECTION] EndPlot: report, hover read-out, EndPlot itself
// -----------------------------------------------------------------------------------------------

void record_plot(PlotState& s, const ImRect& area) {
  const bool legend = !s.frame_legend.empty();
  s.legend_points_covered = legend ? points_inside(s, ImRect(s.legend_min, s.legend_max), area) : 0;
  if (!legend) s.legend_min = s.legend_max = ImVec2(0, 0);
  if (!layout_report_enabled()) return;
  PlotRecord r;
  r.title = s.frame_title.empty() ? s.frame_id_text : s.frame_title;
  r.data_rect = {area.Min.x, area.Min.y, area.GetWidth(), area.GetHeight()};
  r.has_legend = legend;
  if (legend)
    r.legend_rect = {s.legend_min.x, s.legend_min.y, s.legend_max.x - s.legend_min.x,
                     s.legend_max.y - s.legend_min.y};
  r.legend_points_covered = s.legend_points_covered;
  layout_report().plots.push_back(std::move(r));
}

// The line's point nearest to x (in data units) among usable ones; -1 when none.
std::int64_t nearest_point(const PlotState& s, const detail::Series& ser, double x, bool log) {
  const detail::Point* pts = s.frame_points.data() + ser.first;
  std::int64_t best = -1;
  double best_d = INFINITY;
  for (std::uint32_t i = 0; i < ser.count; ++i) {
    const double d = std::abs(pts[i].x - x);
    if (d < best_d && usable(pts[i].y, log)) best_d = d, best = i;
  }
  return best;
}

// A vertical cursor and each visible line's value at the nearest x, in a tooltip.
void hover(PlotState& s, const Frame& f, const Transform& tf, bool over_legend) {
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  s.hovered = s.frame_hovered && tf.area.Contains(mouse);
  s.hover_x = s.hovered ? tf.x_at(mouse.x) : std::numeric_limits<double>::quiet_NaN();
  if (!s.hovered || over_legend || (s.frame_flags & PlotFlags_NoHover)) return;
  Canvas dl = ImGui::GetWindowDrawList();
  dl->AddLine(ImVec2(IM_ROUND(mouse.x), tf.area.Min.y), ImVec2(IM_ROUND(mouse.x), tf.area.Max.y),
              f.text, 1.0f);
  char buf[64];
  const bool integral_x =
      std::abs(s.hover_x - std::round(s.hover_x)) < 1e-9 || (s.x_max - s.x_min) > 50;
  format_number(buf, sizeof buf, integral_x ? std::round(s.hover_x) : s.hover_x,
                integral_x ? 15 : 4);
  ImGui::BeginTooltip();
  ImGui::Text("%s = %s", s.frame_x_label.empty() ? "x" : s.frame_x_label.c_str(), buf);
  ImGui::Separator();
  for (const auto& ser : s.frame_series) {
    if (ser.hidden || ser.kind != detail::Series::Line || ser.count == 0) continue;
    const std::int64_t best = nearest_point(s, ser, s.hover_x, f.log);
    if (best < 0) continue;
    const detail::Point& pt = s.frame_points[ser.first + best];
    const ImVec2 c(tf.px(pt.x), tf.py(pt.y));
    dl->AddCircleFilled(c, 0.3f * f.em, ser.color);
    dl->AddCircle(c, 0.3f * f.em, f.edge, 0, 1.5f);
    const ImVec2 sp = ImGui::GetCursorScreenPos();
    Canvas(ImGui::GetWindowDrawList())
        ->AddLine(ImVec2(sp.x, sp.y + 0.5f * f.line),
                  ImVec2(sp.x + 1.2f * f.em, sp.y + 0.5f * f.line), ser.color, 0.2f * f.em);
    ImGui::Dummy(ImVec2(1.2f * f.em, f.line));
    ImGui::SameLine();
    ImGui::Text("%s: %s", label_at(s, ser.label_offset), format_number(buf, sizeof buf, pt.y, 5));
  }
  ImGui::EndTooltip();
}

}  // namespace

void EndPlot() {
  PlotState& s = current("EndPlot");
  g_plot = nullptr;
  char buf[64];
  const Frame f = frame_of(s);
  fit_limits(s);
  PlotLayout lay;
  layout_plot(s, f, LegendPlan::Auto, lay, buf, sizeof buf);
  Transform tf = transform_of(s, lay.area, f.log);
  project_series(s, f, tf);
  if (s.legend_inside && !place_corner_legend(s, f, lay.area)) {
    // No corner is free: a column beside the data, or else rows above them after all.
    if (!layout_plot(s, f, LegendPlan::Side, lay, buf, sizeof buf))
      layout_plot(s, f, LegendPlan::Strip, lay, buf, sizeof buf);
    tf = transform_of(s, lay.area, f.log);
    project_series(s, f, tf);
  }
  s.data_min = lay.area.Min;
  s.data_max = lay.area.Max;
  SvgWriter* svg = svg_target();
  if (svg) svg->open_group(plot_group_attributes(s, lay.area, *svg));
  Canvas(ImGui::GetWindowDrawList())->AddRectFilled(lay.area.Min, lay.area.Max, f.bg);
  draw_names(s, f, lay);
  draw_y_axis(s, f, tf, buf, sizeof buf);
  draw_x_axis(s, f, tf, buf, sizeof buf);
  draw_series(s, f, tf);
  const bool over_legend = draw_legend(s, f);
  if (svg) svg->close_group();
  capture_data(s);
  record_plot(s, lay.area);
  hover(s, f, tf, over_legend);
}

float plot_height_for(const PlotState& s, float data_h) {
  const float frame_h = s.frame_max.y - s.frame_min.y, area_h = s.data_max.y - s.data_min.y;
  const float around =
      frame_h > 0 && area_h > 0 ? frame_h - area_h : 6.0f * ImGui::GetTextLineHeight();
  return around + data_h;
}

void detail::decimate_columns(std::vector<ImVec2>& run) {
  if (run.size() < 3) return;
  const ImVec2 last_point = run.back();
  std::size_t out = 1, i = 0;  // run[0], the line's start, stays
  while (i < run.size()) {
    const float col = std::floor(run[i].x);
    std::size_t lo = i, hi = i, end = i;
    while (end < run.size() && std::floor(run[end].x) == col) {
      if (run[end].y < run[lo].y) lo = end;
      if (run[end].y > run[hi].y) hi = end;
      ++end;
    }
    const std::size_t keep[2] = {std::min(lo, hi), std::max(lo, hi)};
    for (int k = 0; k < (lo == hi ? 1 : 2); ++k)
      if (keep[k] != 0 && keep[k] != run.size() - 1) run[out++] = run[keep[k]];
    i = end;
  }
  run[out++] = last_point;  // and so does its end
  run.resize(out);
}

}  // namespace unrolled::widgets
