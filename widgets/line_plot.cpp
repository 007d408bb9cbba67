// [SECTION] The current plot
// [SECTION] BeginPlot / Setup*
// [SECTION] Plot* (record the data; everything is drawn in EndPlot, once limits are known)
// [SECTION] EndPlot: limits, layout, grid and ticks, series, legend, hover read-out
#define IMGUI_DEFINE_MATH_OPERATORS  // ImVec2 arithmetic, before any ImGui header
#include "widgets/line_plot.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>

#include <imgui_internal.h>

#include "widgets/colormap.hpp"

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
// [SECTION] EndPlot: limits, layout, grid and ticks, series, legend, hover read-out
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

void draw_marker(ImDrawList* dl, ImVec2 c, float r, Marker m, ImU32 fill, ImU32 edge) {
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

void draw_dashed_hline(ImDrawList* dl, float x0, float x1, float y, ImU32 col, float thick,
                       float dash) {
  for (float x = x0; x < x1; x += 2 * dash)
    dl->AddLine(ImVec2(x, y), ImVec2(std::min(x + dash, x1), y), col, line_width(thick));
}

// A dashed polyline: dashes of length `dash` along the path, gaps as long, continuing across
// vertices.
void draw_dashed_polyline(ImDrawList* dl, const ImVec2* p, int n, ImU32 col, float thick,
                          float dash) {
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
void draw_swatch(ImDrawList* dl, ImVec2 a, ImVec2 b, const detail::Series& s, float em,
                 ImU32 edge) {
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
      draw_dashed_hline(dl, a.x, b.x, y, s.color, 0.12f * em, 0.3f * em);
      break;
  }
}

}  // namespace

void EndPlot() {
  PlotState& s = current("EndPlot");
  g_plot = nullptr;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float em = ImGui::GetFontSize();
  const float line = ImGui::GetTextLineHeight();
  const ImRect bb(s.frame_min, s.frame_max);
  const bool log = log_y(s);
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  const ImU32 grid_major = ImGui::GetColorU32(ImGuiCol_Text, 0.16f);
  const ImU32 grid_minor = ImGui::GetColorU32(ImGuiCol_Text, 0.07f);
  const ImU32 bg = ImGui::GetColorU32(ImGuiCol_FrameBg);
  const ImU32 edge = ImGui::GetColorU32(ImGuiCol_WindowBg);
  char buf[64];

  fit_limits(s);

  // Layout: title, y label above the area; x ticks and x label below; y ticks on the left.
  float top = 0.0f;
  if (!s.frame_title.empty()) top += line + 0.35f * em;
  top += line + 0.35f * em;  // y label row, also headroom for the top tick label
  const float bottom = 0.3f * em + line + 0.25f * em + line;
  const float area_h = std::max(1.0f, bb.GetHeight() - top - bottom);

  // Y ticks first: their labels decide the left margin.
  std::vector<Tick>& ticks = s.frame_ticks;
  const int max_y = std::max(2, static_cast<int>(area_h / ((log ? 1.8f : 2.2f) * em)));
  if (log) {
    log_ticks(s.y_min, s.y_max, max_y, ticks);
  } else {
    nice_ticks(s.y_min, s.y_max, max_y, ticks);
  }
  const double ystep = ticks.size() > 1 ? ticks[1].value - ticks[0].value : 1.0;
  const auto ylabel = [&](const Tick& t) {
    return log ? format_log_tick(buf, sizeof buf, t.value)
               : format_tick(buf, sizeof buf, t.value, ystep);
  };
  float ytick_w = ImGui::CalcTextSize("0").x;
  for (const Tick& t : ticks)
    if (t.major) ytick_w = std::max(ytick_w, ImGui::CalcTextSize(ylabel(t)).x);

  Transform tf;
  tf.area = ImRect(ImVec2(bb.Min.x + ytick_w + 0.7f * em, bb.Min.y + top),
                   ImVec2(bb.Max.x - 1.0f * em, bb.Max.y - bottom));
  tf.x0 = s.x_min;
  tf.x1 = s.x_max;
  tf.y0 = log ? std::log10(s.y_min) : s.y_min;
  tf.y1 = log ? std::log10(s.y_max) : s.y_max;
  tf.log = log;
  const ImRect& area = tf.area;

  // Frame, title, axis names.
  dl->AddRectFilled(area.Min, area.Max, bg);
  if (!s.frame_title.empty()) {
    const float w = ImGui::CalcTextSize(s.frame_title.c_str()).x;
    dl->AddText(ImVec2(area.GetCenter().x - 0.5f * w, bb.Min.y), text, s.frame_title.c_str());
  }
  if (!s.frame_y_label.empty())
    dl->AddText(ImVec2(bb.Min.x, area.Min.y - line - 0.35f * em), text, s.frame_y_label.c_str());
  if (!s.frame_x_label.empty()) {
    const float w = ImGui::CalcTextSize(s.frame_x_label.c_str()).x;
    dl->AddText(ImVec2(area.GetCenter().x - 0.5f * w, bb.Max.y - line), text,
                s.frame_x_label.c_str());
  }

  // Y grid and labels.
  for (const Tick& t : ticks) {
    const float y = IM_ROUND(tf.py(t.value));
    if (y < area.Min.y - 0.5f || y > area.Max.y + 0.5f) continue;
    dl->AddLine(ImVec2(area.Min.x, y), ImVec2(area.Max.x, y), t.major ? grid_major : grid_minor,
                1.0f);
    dl->AddLine(ImVec2(area.Min.x - (t.major ? 0.3f : 0.15f) * em, y), ImVec2(area.Min.x, y), text,
                1.0f);
    if (t.major) {
      const char* l = ylabel(t);
      const float w = ImGui::CalcTextSize(l).x;
      dl->AddText(ImVec2(area.Min.x - 0.45f * em - w, y - 0.5f * line), text, l);
    }
  }
  // X grid and labels; the widest label sets how many fit.
  {
    format_tick(buf, sizeof buf, -std::max(std::abs(s.x_min), std::abs(s.x_max)),
                nice_step(s.x_min, s.x_max, 8));
    const float label_w = ImGui::CalcTextSize(buf).x + 2.0f * em;
    nice_ticks(s.x_min, s.x_max, std::max(2, static_cast<int>(area.GetWidth() / label_w)), ticks);
    const double xstep = ticks.size() > 1 ? ticks[1].value - ticks[0].value : 1.0;
    for (const Tick& t : ticks) {
      const float x = IM_ROUND(tf.px(t.value));
      dl->AddLine(ImVec2(x, area.Min.y), ImVec2(x, area.Max.y), grid_major, 1.0f);
      dl->AddLine(ImVec2(x, area.Max.y), ImVec2(x, area.Max.y + 0.3f * em), text, 1.0f);
      const char* l = format_tick(buf, sizeof buf, t.value, xstep);
      const float w = ImGui::CalcTextSize(l).x;
      dl->AddText(ImVec2(x - 0.5f * w, area.Max.y + 0.3f * em), text, l);
    }
  }

  // Series, clipped to the area.
  dl->PushClipRect(area.Min, area.Max, true);
  const float thick = std::max(1.5f, 0.13f * em);
  for (const auto& ser : s.frame_series) {
    if (ser.hidden) continue;
    const detail::Point* pts = s.frame_points.data() + ser.first;
    if (ser.kind == detail::Series::HLine) {
      if (usable(pts[0].y, log))
        draw_dashed_hline(dl, area.Min.x, area.Max.x, tf.py(pts[0].y), ser.color,
                          thick * ser.weight, 0.45f * em);
      continue;
    }
    if (ser.kind == detail::Series::Scatter) {
      // A marker that would land within a third of its size of the last one drawn adds nothing
      // to the picture (dense clip events over thousands of iterations), so it is not drawn.
      const float r = 0.32f * em * ser.weight;
      ImVec2 last(-FLT_MAX, -FLT_MAX);
      for (std::uint32_t i = 0; i < ser.count; ++i) {
        if (!std::isfinite(pts[i].x) || !usable(pts[i].y, log)) continue;
        const ImVec2 p(tf.px(pts[i].x), tf.py(pts[i].y));
        if (std::abs(p.x - last.x) < r / 3 && std::abs(p.y - last.y) < r / 3) continue;
        draw_marker(dl, p, r, ser.marker, ser.color, edge);
        last = p;
      }
      continue;
    }
    // A line breaks at every unusable point: runs of good points become separate polylines.
    auto& run = s.frame_screen;
    const auto flush = [&] {
      const float w = line_width(thick * ser.weight);
      if (run.size() > static_cast<std::size_t>(area.GetWidth())) detail::decimate_columns(run);
      if (run.size() == 1) dl->AddCircleFilled(run[0], std::max(0.5f * w, 1.5f), ser.color);
      if (run.size() > 1 && ser.dashed)
        draw_dashed_polyline(dl, run.data(), static_cast<int>(run.size()), ser.color, w,
                             0.45f * em);
      else if (run.size() > 1)
        dl->AddPolyline(run.data(), static_cast<int>(run.size()), ser.color, 0, w);
      if (ser.markers)
        for (const ImVec2& q : run)
          draw_marker(dl, q, 0.32f * em * ser.weight, ser.marker, ser.color, edge);
      run.clear();
    };
    run.clear();
    for (std::uint32_t i = 0; i < ser.count; ++i) {
      if (std::isfinite(pts[i].x) && usable(pts[i].y, log)) {
        run.push_back(ImVec2(tf.px(pts[i].x), tf.py(pts[i].y)));
      } else {
        flush();
      }
    }
    flush();
  }
  dl->PopClipRect();
  dl->AddRect(area.Min, area.Max, ImGui::GetColorU32(ImGuiCol_Border));

  // Legend: top right inside the area; click an entry to hide or show its series.
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  bool over_legend = false;
  if (s.show_legend && !(s.frame_flags & PlotFlags_NoLegend) && !s.frame_series.empty()) {
    const float sw = 1.6f * em, gap = 0.4f * em, row = line + 0.2f * em;
    float w = 0.0f;
    for (const auto& ser : s.frame_series)
      w = std::max(w, ImGui::CalcTextSize(label_at(s, ser.label_offset)).x);
    const ImVec2 size(gap + sw + gap + w + gap, gap + row * s.frame_series.size() + 0.1f * em);
    const ImVec2 corner((s.frame_flags & PlotFlags_LegendLeft) ? area.Min.x + 0.5f * em
                                                               : area.Max.x - 0.5f * em - size.x,
                        (s.frame_flags & PlotFlags_LegendBottom) ? area.Max.y - 0.5f * em - size.y
                                                                 : area.Min.y + 0.5f * em);
    const ImRect box(corner, corner + size);
    dl->AddRectFilled(box.Min, box.Max, ImGui::GetColorU32(ImGuiCol_WindowBg, 0.88f), 0.2f * em);
    dl->AddRect(box.Min, box.Max, ImGui::GetColorU32(ImGuiCol_Border), 0.2f * em);
    over_legend = s.frame_hovered && box.Contains(mouse);
    for (std::size_t k = 0; k < s.frame_series.size(); ++k) {
      auto& ser = s.frame_series[k];
      const ImVec2 p(box.Min.x + gap, box.Min.y + gap + row * k);
      const ImRect entry(ImVec2(box.Min.x, p.y - 0.1f * em),
                         ImVec2(box.Max.x, p.y + row - 0.1f * em));
      const char* label = label_at(s, ser.label_offset);
      if (over_legend && entry.Contains(mouse)) {
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
      if (ser.hidden) shown.color = ImGui::GetColorU32(ImGuiCol_TextDisabled);
      draw_swatch(dl, p, ImVec2(p.x + sw, p.y + line), shown, em, edge);
      dl->AddText(ImVec2(p.x + sw + gap, p.y),
                  ser.hidden ? ImGui::GetColorU32(ImGuiCol_TextDisabled) : text, label);
    }
  }

  // Hover: a cursor line and each visible line's value at the nearest x.
  s.hovered = s.frame_hovered && area.Contains(mouse);
  s.hover_x = s.hovered ? tf.x_at(mouse.x) : std::numeric_limits<double>::quiet_NaN();
  if (s.hovered && !over_legend && !(s.frame_flags & PlotFlags_NoHover)) {
    dl->AddLine(ImVec2(IM_ROUND(mouse.x), area.Min.y), ImVec2(IM_ROUND(mouse.x), area.Max.y),
                ImGui::GetColorU32(ImGuiCol_Text, 0.55f), 1.0f);
    ImGui::BeginTooltip();
    const bool integral_x =
        std::abs(s.hover_x - std::round(s.hover_x)) < 1e-9 || (s.x_max - s.x_min) > 50;
    if (integral_x) {
      std::snprintf(buf, sizeof buf, "%.0f", std::round(s.hover_x));
    } else {
      std::snprintf(buf, sizeof buf, "%.4g", s.hover_x);
    }
    ImGui::Text("%s = %s", s.frame_x_label.empty() ? "x" : s.frame_x_label.c_str(), buf);
    ImGui::Separator();
    for (const auto& ser : s.frame_series) {
      if (ser.hidden || ser.kind != detail::Series::Line || ser.count == 0) continue;
      const detail::Point* pts = s.frame_points.data() + ser.first;
      std::int64_t best = -1;
      double best_d = INFINITY;
      for (std::uint32_t i = 0; i < ser.count; ++i) {
        const double d = std::abs(pts[i].x - s.hover_x);
        if (d < best_d && usable(pts[i].y, log)) best_d = d, best = i;
      }
      if (best < 0) continue;
      const ImVec2 c(tf.px(pts[best].x), tf.py(pts[best].y));
      dl->AddCircleFilled(c, 0.3f * em, ser.color);
      dl->AddCircle(c, 0.3f * em, edge, 0, 1.5f);
      const ImVec2 sp = ImGui::GetCursorScreenPos();
      ImGui::GetWindowDrawList()->AddLine(ImVec2(sp.x, sp.y + 0.5f * line),
                                          ImVec2(sp.x + 1.2f * em, sp.y + 0.5f * line), ser.color,
                                          0.2f * em);
      ImGui::Dummy(ImVec2(1.2f * em, line));
      ImGui::SameLine();
      ImGui::Text("%s: %.5g", label_at(s, ser.label_offset), pts[best].y);
    }
    ImGui::EndTooltip();
  }
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
