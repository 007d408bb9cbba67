// The gradient cliff explorer (Pascanu, Mikolov and Bengio 2013, Figure 6): the loss of the
// one-unit recurrence x_t = w σ(x_{t−1}) + b after 50 steps as a heatmap over (w, b), and gradient
// descent from a chosen start with and without clipping, animated step by step on it.
//
// [SECTION] Computing   the grid (once per range change) and the two paths (once per setting)
// [SECTION] The map     cells, axes, colour bar, paths, hover and click
// [SECTION] The side    settings, the current step in numbers, loss and gradient plots, the idea
// [SECTION] Panel
#include <imgui.h>
#include <imgui_internal.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "app/panels/panels.hpp"
#include "widgets/canvas.hpp"
#include "widgets/colorbar.hpp"
#include "widgets/colormap.hpp"
#include "widgets/ticks.hpp"

namespace unrolled {
namespace {

constexpr int kGridSize = 161;  // cells per side: the cliff is sharp, the grid costs ~30 ms
// From the series palette (readable on both themes): vermillion without clipping, sky blue
// clipped by norm.
ImU32 plain_colour() {
  return widgets::series_color(3);
}
ImU32 clipped_colour() {
  return widgets::series_color(1);
}

// [SECTION] Computing

// The colour range: log10 of the loss spans its smallest positive value (floored) to its largest.
void loss_range(const CliffPanelState& st, double& lo, double& hi) {
  lo = std::numeric_limits<double>::infinity();
  hi = 0;
  for (Eigen::Index k = 0; k < st.grid.loss.size(); ++k) {
    const double v = st.grid.loss.data()[k];
    if (!std::isfinite(v)) continue;
    hi = std::max(hi, v);
    if (v > 0) lo = std::min(lo, v);
  }
  if (!(hi > 0)) hi = 1;
  if (st.log_colours) {
    lo = std::clamp(lo, hi * 1e-6, hi * 0.5);
  } else {
    lo = 0;
  }
}

void update_grid(CliffPanelState& st) {
  if (st.grid_valid) return;
  st.grid.w_min = st.range_w[0];
  st.grid.w_max = st.range_w[1];
  st.grid.b_min = st.range_b[0];
  st.grid.b_max = st.range_b[1];
  st.grid.nw = st.grid.nb = kGridSize;
  cliff_grid(st.model, st.grid);
  double lo, hi;
  loss_range(st, lo, hi);
  // Row-major with the top row at the largest b, as drawn.
  st.cell_colours.resize(static_cast<size_t>(kGridSize) * kGridSize);
  for (int j = 0; j < kGridSize; ++j)
    for (int i = 0; i < kGridSize; ++i)
      st.cell_colours[static_cast<size_t>(kGridSize - 1 - j) * kGridSize + i] =
          widgets::colormap_color(widgets::Colormap::Sequential, st.grid.loss(j, i), lo, hi,
                                  st.log_colours);
  st.grid_valid = true;
}

void update_paths(CliffPanelState& st) {
  if (st.paths_valid) return;
  st.plain = cliff_descent(st.model, st.start_w, st.start_b, st.learning_rate, st.steps, 0.0);
  st.clipped = cliff_descent(st.model, st.start_w, st.start_b, st.learning_rate, st.steps,
                             st.clip_threshold);
  const auto fill = [](const std::vector<CliffPoint>& path, std::vector<double>& x,
                       std::vector<double>& loss) {
    x.clear();
    loss.clear();
    for (size_t k = 0; k < path.size(); ++k)
      x.push_back(static_cast<double>(k)), loss.push_back(path[k].loss);
  };
  fill(st.plain, st.plain_x, st.plain_loss);
  fill(st.clipped, st.clipped_x, st.clipped_loss);
  st.paths_valid = true;
}

// The step the paths are drawn up to.
int shown_step(const CliffPanelState& st) {
  return std::clamp(static_cast<int>(st.shown), 0, st.steps);
}

// [SECTION] The map

struct MapTransform {
  ImRect cells;
  double w0, w1, b0, b1;
  ImVec2 at(double w, double b) const {
    return {cells.Min.x + static_cast<float>((w - w0) / (w1 - w0)) * cells.GetWidth(),
            cells.Max.y - static_cast<float>((b - b0) / (b1 - b0)) * cells.GetHeight()};
  }
  double w_at(float x) const { return w0 + (x - cells.Min.x) / cells.GetWidth() * (w1 - w0); }
  double b_at(float y) const { return b0 + (cells.Max.y - y) / cells.GetHeight() * (b1 - b0); }
};

// One path up to step k: a dark casing under a coloured line, a marker at every point, the
// current point larger; where the path leaves the map, an arrowhead on the edge.
void draw_path(widgets::Canvas dl, const MapTransform& tf, const std::vector<CliffPoint>& path,
               int k, ImU32 colour, bool square) {
  const float em = ImGui::GetFontSize();
  const ImU32 casing = IM_COL32(0, 0, 0, 200);
  const int n = std::min(k + 1, static_cast<int>(path.size()));
  const ImRect inside(tf.cells.Min - ImVec2(2, 2), tf.cells.Max + ImVec2(2, 2));
  for (int i = 1; i < n; ++i) {
    const ImVec2 a = tf.at(path[i - 1].w, path[i - 1].b), b = tf.at(path[i].w, path[i].b);
    dl->AddLine(a, b, casing, 0.32f * em);
    dl->AddLine(a, b, colour, 0.16f * em);
    if (inside.Contains(a) && !inside.Contains(b)) {
      // Walk back from b towards a to the edge, and point the way it went.
      float lo = 0, hi = 1;
      for (int it = 0; it < 30; ++it) {
        const float mid = 0.5f * (lo + hi);
        (inside.Contains(a + (b - a) * mid) ? lo : hi) = mid;
      }
      const ImVec2 e = a + (b - a) * lo;
      const ImVec2 dir = (b - a) * ImInvLength(b - a, 1.0f);
      const ImVec2 nrm(-dir.y, dir.x);
      const float s = 0.7f * em;
      dl->AddTriangleFilled(e, e - dir * s * 1.6f + nrm * s * 0.7f,
                            e - dir * s * 1.6f - nrm * s * 0.7f, colour);
      dl->AddTriangle(e, e - dir * s * 1.6f + nrm * s * 0.7f, e - dir * s * 1.6f - nrm * s * 0.7f,
                      casing, 1.5f);
    }
  }
  for (int i = 0; i < n; ++i) {
    const ImVec2 p = tf.at(path[i].w, path[i].b);
    const float r = (i == n - 1 ? 0.42f : 0.2f) * em;
    if (square) {
      dl->AddRectFilled(p - ImVec2(r, r), p + ImVec2(r, r), colour);
      dl->AddRect(p - ImVec2(r, r), p + ImVec2(r, r), casing, 0, 0, 1.5f);
    } else {
      dl->AddCircleFilled(p, r * 1.1f, colour, 12);
      dl->AddCircle(p, r * 1.1f, casing, 12, 1.5f);
    }
  }
}

// Ticks and names of the axes: w along x, b along y, in data units.
void draw_map_axes(widgets::Canvas dl, const MapTransform& tf, ImVec2 p0) {
  const float em = ImGui::GetFontSize(), line = ImGui::GetTextLineHeight();
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  const ImRect& cells = tf.cells;
  const float side = cells.GetWidth();
  std::vector<widgets::Tick> ticks;
  char buf[64];
  widgets::nice_ticks(tf.w0, tf.w1, std::max(2, static_cast<int>(side / (4 * em))), ticks);
  double step = ticks.size() > 1 ? ticks[1].value - ticks[0].value : 1;
  for (const widgets::Tick& t : ticks) {
    const float x = tf.at(t.value, tf.b0).x;
    dl->AddLine(ImVec2(x, cells.Max.y + 1), ImVec2(x, cells.Max.y + 0.35f * em), text, 1.0f);
    const char* l = widgets::format_tick(buf, sizeof buf, t.value, step);
    dl->AddText(ImVec2(x - 0.5f * ImGui::CalcTextSize(l).x, cells.Max.y + 0.4f * em), text, l);
  }
  widgets::nice_ticks(tf.b0, tf.b1, std::max(2, static_cast<int>(side / (2.5f * em))), ticks);
  step = ticks.size() > 1 ? ticks[1].value - ticks[0].value : 1;
  for (const widgets::Tick& t : ticks) {
    const float y = tf.at(tf.w0, t.value).y;
    dl->AddLine(ImVec2(cells.Min.x - 0.35f * em, y), ImVec2(cells.Min.x - 1, y), text, 1.0f);
    const char* l = widgets::format_tick(buf, sizeof buf, t.value, step);
    dl->AddText(ImVec2(cells.Min.x - 0.5f * em - ImGui::CalcTextSize(l).x, y - 0.5f * line), text,
                l);
  }
  {
    const char* xl = "w (recurrent weight)";
    dl->AddText(ImVec2(cells.GetCenter().x - 0.5f * ImGui::CalcTextSize(xl).x,
                       cells.Max.y + 0.5f * em + line),
                text, xl);
    dl->AddText(ImVec2(p0.x, cells.Min.y - line - 0.3f * em), text, "b (bias)");
  }
}

// The loss and gradient at the point under the mouse.
void map_tooltip(const CliffPanelState& st, const MapTransform& tf) {
  const ImVec2 m = ImGui::GetIO().MousePos;
  const CliffPoint p = cliff_eval(st.model, tf.w_at(m.x), tf.b_at(m.y));
  const std::string text =
      "w = " + fmt_num(p.w, 4) + ",  b = " + fmt_num(p.b, 4) + "\nloss = " + fmt_num(p.loss, 4) +
      ",  \xE2\x80\x96\xE2\x88\x87L\xE2\x80\x96 = " + fmt_num(std::hypot(p.dw, p.db)) +
      "\nclick: start gradient descent here";
  text_tooltip(text.c_str());
}

void draw_map(CliffPanelState& st, ImVec2 size) {
  widgets::Canvas dl = ImGui::GetWindowDrawList();
  const float em = ImGui::GetFontSize(), line = ImGui::GetTextLineHeight();
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  double lo, hi;
  loss_range(st, lo, hi);
  widgets::ColorBarOptions cb;
  cb.log_scale = st.log_colours;
  const float bar_w = 1.1f * em;
  const float bar_labels = widgets::ColorBarTickLabelWidth(lo, hi, size.y, cb);
  const float left = 3.2f * em, bottom = 2.6f * line, top = 1.6f * line;
  const float right = 0.8f * em + bar_w + 0.5f * em + bar_labels + 0.3f * em;
  // Square cells where the space allows: equal units on both axes read as the figure does.
  float side = std::min(size.x - left - right, size.y - top - bottom);
  side = std::max(side, std::max(kMinDataLinesH, kMinDataLinesW) * line);
  const ImRect cells(p0 + ImVec2(left, top), p0 + ImVec2(left + side, top + side));
  const MapTransform tf{cells, st.grid.w_min, st.grid.w_max, st.grid.b_min, st.grid.b_max};
  report_plot("loss after 50 steps over (w, b)", cells.Min, cells.Max);

  ImGui::SetCursorScreenPos(cells.Min);
  ImGui::InvisibleButton("##cliff_map", cells.GetSize());
  const bool hovered = ImGui::IsItemHovered();
  if (ImGui::IsItemClicked(ImGuiMouseButton_Left)) {
    const ImVec2 m = ImGui::GetIO().MousePos;
    st.start_w = tf.w_at(m.x);
    st.start_b = tf.b_at(m.y);
    st.paths_valid = false;
    st.shown = st.animate ? 0 : st.steps;
  }
  ImGui::SetCursorScreenPos(p0);
  ImGui::Dummy(size);

  // Cells: one rectangle each, colours cached per range change.
  const int n = kGridSize;
  const float cw = cells.GetWidth() / n, ch = cells.GetHeight() / n;
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < n; ++c) {
      const ImVec2 a(cells.Min.x + c * cw, cells.Min.y + r * ch);
      dl->AddRectFilled(a, a + ImVec2(cw + 0.5f, ch + 0.5f),
                        st.cell_colours[static_cast<size_t>(r) * n + c]);
    }
  dl->AddRect(cells.Min - ImVec2(1, 1), cells.Max + ImVec2(1, 1),
              ImGui::GetColorU32(ImGuiCol_Border));

  draw_map_axes(dl, tf, p0);
  // Colour bar.
  const ImVec2 b0(cells.Max.x + 0.8f * em, cells.Min.y);
  widgets::DrawColorBar(dl, b0, ImVec2(b0.x + bar_w, cells.Max.y), widgets::Colormap::Sequential,
                        lo, hi, cb);
  dl->AddText(ImVec2(b0.x, cells.Min.y - line - 0.3f * em), text, "loss");

  // Paths, clipped to the cells (an arrowhead marks where one leaves).
  const int k = shown_step(st);
  dl->PushClipRect(cells.Min, cells.Max, true);
  // The paths coincide until a gradient exceeds the threshold: the plain one on top stays visible.
  draw_path(dl, tf, st.clipped, k, clipped_colour(), true);
  draw_path(dl, tf, st.plain, k, plain_colour(), false);
  {  // the start: a ring
    const ImVec2 s = tf.at(st.start_w, st.start_b);
    dl->AddCircle(s, 0.75f * em, IM_COL32(0, 0, 0, 220), 24, 0.3f * em);
    dl->AddCircle(s, 0.75f * em, IM_COL32(255, 255, 255, 255), 24, 0.15f * em);
  }
  dl->PopClipRect();

  if (hovered) map_tooltip(st, tf);
}

// [SECTION] The side

// One path's current step in words: where it is and how big its step was.
void path_line(const char* name, ImU32 colour, const std::vector<CliffPoint>& path, int k,
               const CliffPanelState& st) {
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float line = ImGui::GetTextLineHeight();
  widgets::Canvas(ImGui::GetWindowDrawList())
      ->AddRectFilled(p + ImVec2(0, 0.1f * line), p + ImVec2(0.45f * line, 0.95f * line), colour);
  ImGui::SetCursorScreenPos(p + ImVec2(0.8f * line, 0));
  const int i = std::min(k, static_cast<int>(path.size()) - 1);
  if (i < 0) return ImGui::NewLine();
  const CliffPoint& q = path[i];
  const bool off =
      q.w < st.grid.w_min || q.w > st.grid.w_max || q.b < st.grid.b_min || q.b > st.grid.b_max;
  const std::string where = std::string(name) + ": loss " + fmt_num(q.loss) + " at (" +
                            fmt_num(q.w) + ", " + fmt_num(q.b) + ")" + (off ? ", off the map" : "");
  ImGui::PushTextWrapPos(0);
  ImGui::TextUnformatted(where.c_str());
  double biggest = 0;
  int at = 0;
  for (int j = 1; j <= i; ++j) {
    const double d = std::hypot(path[j].w - path[j - 1].w, path[j].b - path[j - 1].b);
    if (d > biggest) biggest = d, at = j;
  }
  ImGui::SetCursorScreenPos(ImGui::GetCursorScreenPos() + ImVec2(0.8f * line, 0));
  if (at > 0)
    ImGui::TextDisabled("largest step so far: %s, at step %d", fmt_num(biggest).c_str(), at);
  else
    ImGui::TextDisabled("no step yet");
  ImGui::PopTextWrapPos();
}

// The sliders: learning rate, clip threshold, steps, the map's ranges and colours.
void draw_settings(CliffPanelState& st) {
  const float em = ImGui::GetFontSize();
  const float field = std::min(14 * em, ImGui::GetContentRegionAvail().x * 0.5f);
  ImGui::SetNextItemWidth(field);
  if (ImGui::SliderFloat("learning rate", &st.learning_rate, 0.01f, 5.0f, "%.2f",
                         ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp))
    st.paths_valid = false;
  ImGui::SetNextItemWidth(field);
  if (ImGui::SliderFloat("clip threshold", &st.clip_threshold, 0.01f, 10.0f, "%.2f",
                         ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp))
    st.paths_valid = false;
  help_marker(
      "With clipping: if ‖g‖ > threshold then g ← threshold · g / ‖g‖. The direction stays; the "
      "step is at most learning rate × threshold.");
  ImGui::SetNextItemWidth(field);
  if (ImGui::SliderInt("steps", &st.steps, 1, 200, "%d", ImGuiSliderFlags_AlwaysClamp)) {
    st.paths_valid = false;
    if (!st.animate) st.shown = st.steps;
  }
  ImGui::SetNextItemWidth(field);
  if (ImGui::DragFloatRange2("w range", &st.range_w[0], &st.range_w[1], 0.05f, -20.0f, 30.0f,
                             "%.1f", "%.1f", ImGuiSliderFlags_AlwaysClamp))
    st.grid_valid = false;
  ImGui::SetNextItemWidth(field);
  if (ImGui::DragFloatRange2("b range", &st.range_b[0], &st.range_b[1], 0.05f, -30.0f, 20.0f,
                             "%.1f", "%.1f", ImGuiSliderFlags_AlwaysClamp))
    st.grid_valid = false;
  if (ImGui::Checkbox("log colours", &st.log_colours)) st.grid_valid = false;
  fit_on_line(ImGui::CalcTextSize("Default view").x + 2 * ImGui::GetStyle().FramePadding.x);
  if (ImGui::Button("Default view")) {
    const CliffPanelState d;
    st.range_w[0] = d.range_w[0], st.range_w[1] = d.range_w[1];
    st.range_b[0] = d.range_b[0], st.range_b[1] = d.range_b[1];
    st.start_w = d.start_w, st.start_b = d.start_b;
    st.grid_valid = st.paths_valid = false;
  }
  // The ranges must stay ordered and non-empty.
  for (float* r : {st.range_w, st.range_b})
    if (r[1] - r[0] < 0.1f) r[1] = r[0] + 0.1f;
}

// Loss and gradient norm along both paths, up to step k.
void draw_path_plots(CliffPanelState& st, int k) {
  // Loss and gradient norm along both paths, up to the shown step.
  const float words_h = ImGui::GetTextLineHeightWithSpacing() * 5.5f;
  const float plot_h = stacked_plot_height(2, words_h);
  const int n_plain = std::min(k + 1, static_cast<int>(st.plain.size()));
  const int n_clipped = std::min(k + 1, static_cast<int>(st.clipped.size()));
  if (widgets::BeginPlot("loss along each path##cliff_loss", ImVec2(-1, plot_h), st.loss_plot)) {
    widgets::SetupAxes("step", "loss", widgets::PlotFlags_LogY);
    widgets::SetupAxisLimits(widgets::Axis::X, 0, st.steps);
    widgets::SetNextSeriesStyle({.color = plain_colour(), .markers = true});
    widgets::PlotLine("no clipping", st.plain_x.data(), st.plain_loss.data(), n_plain);
    widgets::SetNextSeriesStyle(
        {.color = clipped_colour(), .markers = true, .marker = widgets::Marker::Square});
    widgets::PlotLine("clipped", st.clipped_x.data(), st.clipped_loss.data(), n_clipped);
    widgets::EndPlot();
  }
  st.grad_plain.clear();
  st.grad_clipped.clear();
  for (int i = 0; i < n_plain; ++i)
    st.grad_plain.push_back(std::hypot(st.plain[i].dw, st.plain[i].db));
  for (int i = 0; i < n_clipped; ++i)
    st.grad_clipped.push_back(std::hypot(st.clipped[i].dw, st.clipped[i].db));
  if (widgets::BeginPlot("gradient norm ‖∇L‖ before clipping##cliff_grad", ImVec2(-1, plot_h),
                         st.grad_plot)) {
    widgets::SetupAxes("step", "‖∇L‖", widgets::PlotFlags_LogY);
    widgets::SetupAxisLimits(widgets::Axis::X, 0, st.steps);
    widgets::SetNextSeriesStyle({.color = plain_colour(), .markers = true});
    widgets::PlotLine("no clipping", st.plain_x.data(), st.grad_plain.data(), n_plain);
    widgets::SetNextSeriesStyle(
        {.color = clipped_colour(), .markers = true, .marker = widgets::Marker::Square});
    widgets::PlotLine("clipped", st.clipped_x.data(), st.grad_clipped.data(), n_clipped);
    widgets::PlotHLine("threshold", st.clip_threshold);
    widgets::EndPlot();
  }
}

void draw_side(CliffPanelState& st, AppState& app) {
  const float em = ImGui::GetFontSize();
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextWrapped("%s",
                     notation("x_t = w σ(x_{t−1}) + b,  x_0 = 0.5,  50 steps;  "
                              "loss = (σ(x_50) − 0.7)²").c_str());
  ImGui::PopTextWrapPos();
  ImGui::Spacing();
  draw_settings(st);
  ImGui::Spacing();
  if (ImGui::Checkbox("animate", &st.animate) && st.animate) st.shown = 0;
  ImGui::SameLine();
  int k = shown_step(st);
  ImGui::SetNextItemWidth(std::max(6 * em, ImGui::GetContentRegionAvail().x - 4 * em));
  if (ImGui::SliderInt("step", &k, 0, st.steps)) {
    st.shown = k;
    st.animate = false;
  }
  path_line("no clipping", plain_colour(), st.plain, k, st);
  path_line("clipped", clipped_colour(), st.clipped, k, st);
  ImGui::Spacing();
  emphasise_series(st.loss_plot, app, PanelId::Cliff);
  emphasise_series(st.grad_plot, app, PanelId::Cliff);
  draw_path_plots(st, k);
  note_emphasis(st.loss_plot, app);
  note_emphasis(st.grad_plot, app);
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted(
      "The cliff: x is fed back through σ 50 times, so near the curve where it tips from one "
      "stable value to the "
      "other a tiny change of w or b flips σ(x_50): the loss falls like a cliff and the gradient "
      "on its face is "
      "enormous. A plain step taken there throws the parameters far away; clipping keeps the "
      "gradient's direction "
      "but caps the step at learning rate × threshold, so descent carries on from where it was.");
  ImGui::PopTextWrapPos();
}

}  // namespace

// [SECTION] Panel

void draw_cliff_panel(AppState& app) {
  CliffPanelState& st = app.lab.cliff;
  update_grid(st);
  update_paths(st);
  if (st.animate) {
    // One step every 1/steps_per_second s; at the end, a pause as long as 8 steps, then again.
    st.shown += ImGui::GetIO().DeltaTime * st.steps_per_second;
    if (st.shown > st.steps + 8) st.shown = 0;
  } else {
    st.shown = std::min(st.shown, static_cast<double>(st.steps));
  }
  // The map and the side by side while the map keeps min_plot_box() beside a side of 22 em;
  // else the map on top and the side below it, the panel scrolling.
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float em = ImGui::GetFontSize();
  const float side_w = std::clamp(avail.x * 0.36f, 22 * em, 40 * em);
  if (avail.x - side_w - em >= min_plot_box().x) {
    draw_map(st, ImVec2(avail.x - side_w - em, avail.y));
    ImGui::SameLine(0, em);
    ImGui::BeginChild("##cliff_side", ImVec2(0, 0), false);
    draw_side(st, app);
    ImGui::EndChild();
  } else {
    draw_map(st, ImVec2(avail.x, std::max(avail.y * 0.6f, min_plot_box().y)));
    draw_side(st, app);
  }
}

}  // namespace unrolled
