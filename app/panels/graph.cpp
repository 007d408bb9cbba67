// The unrolled network: one row of cells across time per layer (layer 1 at the bottom), the inputs
// x_t below, the outputs y_t above, h (and the LSTM's cell-state highway c) flowing right. In the
// backward pass each arrow's width and colour show the gradient on it, on a log scale, so the
// gradient is seen flowing right to left (and, in an LSTM, along the highway). Click a cell to
// inspect it. The buttons mirror the step keys (step_state.hpp says what each does).
//
// [SECTION] Step actions    step_action(): a key's plan (session/step_plan.hpp) applied to the
//                           GUI's StepState
// [SECTION] Geometry        where each cell, arrow and label goes
// [SECTION] Drawing         arrows, dashes, labels, the gradient's scale
// [SECTION] Canvas          the cells, arrows, inputs and outputs of the visible steps
// [SECTION] Legend          what the marks mean, the gradient's wedge
// [SECTION] Panel           toolbar, status line, animation, the panel itself
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "app/panels/panels.hpp"
#include "widgets/canvas.hpp"
#include "widgets/colormap.hpp"

namespace unrolled {
// -----------------------------------------------------------------------------------------------
// [SECTION] Step actions
// -----------------------------------------------------------------------------------------------

void step_action(StepAction a, const ModelView& m, int k1, StepState& s, TrainingWorker& worker) {
  const StepCursor before = step_cursor(s);
  const Plan p = plan(a, m, k1, before);
  for (const Command& c : p.send) worker.send(c);
  const StepCursor after = moved(before, a, p);
  s.t = after.t;
  s.follow = after.follow;
  s.graph.animate = after.animating;
  if (a == StepAction::ToggleAnimate && after.animating) s.graph.next_due = 0;  // first step now
}

namespace {

// -----------------------------------------------------------------------------------------------
// [SECTION] Geometry
// -----------------------------------------------------------------------------------------------

struct Geometry {
  ImVec2 origin;     // screen position of the content's top-left (scrolls with the canvas)
  float fs = 18;     // font size
  float pitch = 60;  // distance between cell centres
  float cell_w = 30, cell_h = 40;
  float left_pad = 40;                    // room for the h_0 (and c_0) arrow
  float r_io = 8;                         // radius of the x_t and y_t circles
  float y_out = 0, y_in = 0, y_axis = 0;  // centres of the output and input circles; t labels
  std::vector<float> row_top;             // [L] top of each layer's cells; layer 0 lowest
  bool lstm = false;
  // t = 1 stays in view (the key symbol of a recall task is there): scrolled right, its column is
  // drawn at the canvas's left edge over a strip that ends at strip_right, a "…" after it.
  float pin = 0;          // the scroll: how far column t = 1 is moved right to stay in view
  float strip_right = 0;  // the strip's right edge; 0: not pinned (the canvas is not scrolled)

  bool pinned() const { return strip_right > 0; }
  float x_left(int t) const { return origin.x + left_pad + t * pitch + (t == 0 ? pin : 0); }
  float x_right(int t) const { return x_left(t) + cell_w; }
  float x_mid(int t) const { return x_left(t) + cell_w * 0.5f; }
  float y_h(int l) const { return row_top[l] + cell_h * (lstm ? 0.72f : 0.5f); }
  float y_c(int l) const { return row_top[l] + cell_h * 0.28f; }
  ImVec2 cell_min(int l, int t) const { return {x_left(t), row_top[l]}; }
  ImVec2 cell_max(int l, int t) const { return {x_right(t), row_top[l] + cell_h}; }
  float content_width(int T) const { return left_pad + T * pitch + pitch * 0.9f; }
  // Rows were laid out from y = 0; move them to the screen.
  void shift_rows(float dy) {
    y_out += dy, y_in += dy, y_axis += dy;
    for (float& y : row_top) y += dy;
  }
};

// Vertical layout for a canvas of height h (content coordinates from 0): cells grow up to a
// limit, then the gaps (the vertical arrows), then what is left centres the drawing.
Geometry layout_rows(int L, float fs, float h, bool lstm) {
  Geometry g;
  g.fs = fs;
  g.lstm = lstm;
  g.r_io = fs * 0.62f;
  const float io_row = 2 * g.r_io, axis_h = fs * 1.3f;
  const int gaps = L + 1;  // output-top layer, between layers, bottom layer-input
  float gap = fs * 1.1f;
  const float fixed = 2 * io_row + axis_h;
  g.cell_h =
      std::clamp((h - fixed - gaps * gap) / std::max(L, 1), fs * 2.0f, fs * (lstm ? 5.0f : 4.0f));
  gap = std::clamp((h - fixed - L * g.cell_h) / gaps, fs * 1.1f, fs * 2.2f);
  if (fixed + L * g.cell_h + gaps * gap > h) {
    // Too low for that (a short panel): tighter gaps, then smaller cells, so that the time
    // labels stay above the scrollbar.
    gap = std::max(fs * 0.6f, (h - fixed - L * g.cell_h) / gaps);
    g.cell_h = std::max(fs * 1.6f, (h - fixed - gaps * gap) / std::max(L, 1));
  }
  const float used = fixed + L * g.cell_h + gaps * gap;
  float y = std::max(fs * 0.2f, (h - used) * 0.5f);
  g.y_out = y + g.r_io;
  y += io_row + gap;
  g.row_top.assign(L, 0);
  for (int l = L - 1; l >= 0; --l) {
    g.row_top[l] = y;
    y += g.cell_h + gap;
  }
  g.y_in = y + g.r_io;
  y += io_row;
  g.y_axis = y + fs * 0.15f;
  return g;
}

float fit_pitch(int T, float width, float fs) {
  return std::clamp(width / (T + 1.8f), fs * 2.0f, fs * 6.5f);
}

// -----------------------------------------------------------------------------------------------
// [SECTION] Drawing
// -----------------------------------------------------------------------------------------------

std::string fmt(const char* f, int a) {
  char buf[160];
  std::snprintf(buf, sizeof buf, f, a);
  return buf;
}

constexpr ImU32 kActive = IM_COL32(230, 159, 0, 255);  // Okabe-Ito orange: the step just computed

ImU32 with_alpha(ImU32 c, float a) {
  const int alpha = static_cast<int>(((c >> IM_COL32_A_SHIFT) & 0xFF) * a);
  return (c & ~IM_COL32_A_MASK) | (static_cast<ImU32>(alpha) << IM_COL32_A_SHIFT);
}

// A line from a to b with an arrowhead at b.
void arrow(widgets::Canvas dl, ImVec2 a, ImVec2 b, ImU32 col, float thick, float head) {
  const float dx = b.x - a.x, dy = b.y - a.y, len = std::sqrt(dx * dx + dy * dy);
  if (len < 1) return;
  const float ux = dx / len, uy = dy / len;
  head = std::min(head, len * 0.8f);
  const ImVec2 base{b.x - ux * head, b.y - uy * head};
  dl->AddLine(a, base, col, thick);
  const float w = std::max(head * 0.55f, thick * 0.9f);
  dl->AddTriangleFilled(b, {base.x - uy * w, base.y + ux * w}, {base.x + uy * w, base.y - ux * w},
                        col);
}

void dashed(widgets::Canvas dl, ImVec2 a, ImVec2 b, ImU32 col, float thick, float dash) {
  const float dx = b.x - a.x, dy = b.y - a.y, len = std::sqrt(dx * dx + dy * dy);
  for (float s = 0; s < len; s += 2 * dash) {
    const float e = std::min(s + dash, len);
    dl->AddLine({a.x + dx * s / len, a.y + dy * s / len}, {a.x + dx * e / len, a.y + dy * e / len},
                col, thick);
  }
}

void text_centered(widgets::Canvas dl, ImVec2 centre, ImU32 col, const char* s) {
  const ImVec2 sz = ImGui::CalcTextSize(s);
  dl->AddText({centre.x - sz.x * 0.5f, centre.y - sz.y * 0.5f}, col, s);
}

// The gradient norms the arrows show, and their log range.
struct GradScale {
  std::vector<Mat> h, c;  // [L] (1, T) norms, NaN where not computed
  double lo = 1, hi = 1;  // range of the finite positive values
  bool any = false;

  // 0..1 on the log scale
  double pos(double v) const { return widgets::colormap_position(v, lo, hi, true); }
  ImU32 color(double v) const {
    return widgets::colormap_at(widgets::Colormap::Sequential, 0.18 + 0.82 * pos(v));
  }
  float width(double v, float fs) const { return fs * (0.12f + 0.5f * static_cast<float>(pos(v))); }
};

GradScale grad_scale(const ModelView& m, bool batch) {
  GradScale s;
  const int L = static_cast<int>(m.dh.size()), T = m.steps;
  s.h.assign(L, Mat::Constant(1, T, std::nan("")));
  s.c.assign(m.dc.size(), Mat::Constant(1, T, std::nan("")));
  double lo = INFINITY, hi = 0;
  auto take = [&](Mat& out, const Mat& seq, const Mat& norms, int l) {
    for (int t = 0; t < T && t < seq.cols(); ++t) {
      if (!std::isfinite(seq(0, t)))
        continue;  // not reached by the backward pass (the batch's
                   // norms of such steps may be last iteration's)
      const double v = batch ? (l < norms.rows() && t < norms.cols() ? norms(l, t) : std::nan(""))
                             : seq.col(t).norm();
      out(0, t) = v;
      if (std::isfinite(v) && v > 0) lo = std::min(lo, v), hi = std::max(hi, v);
    }
  };
  for (int l = 0; l < L; ++l) take(s.h[l], m.dh[l], m.dh_norm, l);
  for (int l = 0; l < static_cast<int>(m.dc.size()); ++l) take(s.c[l], m.dc[l], m.dc_norm, l);
  s.any = hi > 0;
  if (s.any) {
    s.lo = lo;
    s.hi = std::max(hi, lo * 10);  // at least a decade, so equal norms do not look extreme
  }
  return s;
}

bool computed(const ModelView& m, int t) {
  return t < m.forward_t;
}

bool has_output(const ModelView& m, int t) {
  return m.spec.readout == Readout::Every || t == m.steps - 1;
}

// A short label for input or output column v: the character or class of a one-hot vector, the
// value of a single number; empty otherwise.
std::string io_label(const Eigen::Ref<const Vec>& v, const std::vector<std::string>& vocab,
                     bool probabilities) {
  if (v.size() == 0 || !v.allFinite()) return "";
  Eigen::Index k = 0;
  const double top = v.maxCoeff(&k);
  const bool one_hot = v.size() > 1 && (probabilities || (top == 1.0 && v.sum() == 1.0));
  if (one_hot) {
    if (static_cast<Eigen::Index>(vocab.size()) == v.size()) {
      const std::string& ch = vocab[k];
      if (ch == " ") return "\xC2\xB7";       // ·
      if (ch == "\n") return "\xE2\x86\xB5";  // ↵
      return ch;
    }
    return std::to_string(k);
  }
  if (v.size() == 1) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.2g", v(0));
    return buf;
  }
  return "";
}

void vector_tooltip(const char* name, int t, const Eigen::Ref<const Vec>& v) {
  ImGui::Text("%s at t = %d:", name, t + 1);
  const int n = static_cast<int>(std::min<Eigen::Index>(v.size(), 8));
  std::string line;
  for (int i = 0; i < n; ++i) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%s%.3g", i ? ", " : "", v(i));
    line += buf;
  }
  if (v.size() > n) line += ", \xE2\x80\xA6";
  ImGui::Text("(%s)", line.c_str());
}

// -----------------------------------------------------------------------------------------------
// [SECTION] Canvas
// -----------------------------------------------------------------------------------------------

// What every mark on the canvas needs: where, what, in which colours, and the mouse.
struct Canvas {
  widgets::Canvas dl = nullptr;
  Geometry g;
  const ModelView* m = nullptr;
  const std::vector<std::string>* vocabulary = nullptr;
  GradScale grad;
  bool batch_norms = false;
  ImU32 text = 0, dim = 0, value_col = 0, faint = 0, cell_fill = 0, cell_border = 0;
  float thin = 1.5f, head = 8;
  int fwd_front = -1, bwd_front = -1;  // the step just computed, forward or backward; -1: none
  bool hovered = false;
  ImVec2 mouse;
  std::string hover_text;  // the tooltip for what the mouse is over, shown after the child ends

  const ModelView& model() const { return *m; }
  bool near(float x, float y, float r) const {
    return hovered && std::abs(mouse.x - x) < r && std::abs(mouse.y - y) < r;
  }
};

// Canvas colours and line weights from the current style.
void set_canvas_style(Canvas& c, float fs) {
  c.text = ImGui::GetColorU32(ImGuiCol_Text);
  c.dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  c.value_col = with_alpha(c.text, 0.55f);
  c.faint = with_alpha(c.text, 0.22f);
  c.cell_fill = ImGui::GetColorU32(ImGuiCol_Button);
  c.cell_border = ImGui::GetColorU32(ImGuiCol_Border);
  c.thin = std::max(1.5f, fs * 0.09f);
  c.head = fs * 0.45f;
}

std::string edge_tooltip(const Canvas& c, int t, const char* sym, double n, bool value) {
  const int T = c.model().steps;
  char buf[320];
  if (t < 0)
    std::snprintf(buf, sizeof buf,
                  "%s\xE2\x82\x80: the initial state (zeros), into the cell at t = 1.", sym);
  else if (std::isfinite(n))
    std::snprintf(
        buf, sizeof buf,
        "%s at t = %d carries the state to t = %d.\nBackward: "
        "\xE2\x80\x96\xE2\x88\x82L/\xE2\x88\x82%s\xE2\x82\x9C\xE2\x80\x96 = %.3g (%s), "
        "the whole gradient on %s\xE2\x82\x9C: from t + 1, from the loss at t and from the "
        "layer above.",
        sym, t + 1, t + 2, sym, n, c.batch_norms ? "over the batch" : "this sequence", sym);
  else
    std::snprintf(buf, sizeof buf, "%s at t = %d carries the state %s.%s", sym, t + 1,
                  t + 1 < T ? fmt("to t = %d", t + 2).c_str() : "out of the sequence",
                  value ? "" : " Not computed yet.");
  return buf;
}

// One recurrent arrow: the edge carrying state k_t (t = -1: the initial state) from cell t to
// cell t + 1 (or off the right end). Forward value: a thin arrow pointing right; gradient known:
// width and colour from its norm, pointing left (the gradient flows back into cell t).
void draw_edge(Canvas& c, int t, float y, const char* sym, const Mat* norms) {
  const Geometry& g = c.g;
  const float fs = g.fs;
  const int T = c.model().steps;
  const float x0 = t < 0 ? g.x_left(0) - g.left_pad + g.pitch * 0.08f : g.x_right(t);
  const float x1 = t == 0 && g.pinned() ? g.strip_right - fs * 0.9f  // into the "…"
                   : t + 1 < T          ? g.x_left(t + 1)
                                        : g.x_right(t) + g.pitch * 0.7f;
  const bool value = t < 0 || computed(c.model(), t);
  const double n = norms && t >= 0 ? (*norms)(0, t) : std::nan("");
  if (!value)
    dashed(c.dl, {x0, y}, {x1, y}, c.faint, c.thin, fs * 0.2f);
  else if (std::isfinite(n))
    arrow(c.dl, {x1, y}, {x0, y}, c.grad.color(n), c.grad.width(n, fs), c.head * 1.1f);
  else
    arrow(c.dl, {x0, y}, {x1, y}, c.value_col, c.thin, c.head);
  if (t < 0) {
    const std::string s0 = std::string(sym) + "\xE2\x82\x80";  // ₀
    c.dl->AddText({x0, y - fs * 1.15f}, c.dim, s0.c_str());
  }
  if (c.hovered && c.mouse.x >= x0 && c.mouse.x <= x1 && std::abs(c.mouse.y - y) < fs * 0.35f)
    c.hover_text = edge_tooltip(c, t, sym, n, value);
}

void draw_recurrent_edges(Canvas& c, int t_first, int t_last) {
  const int L = c.model().spec.num_layers;
  const bool lstm = c.g.lstm;
  for (int l = 0; l < L; ++l)
    for (int t = std::max(t_first - 1, -1); t <= t_last; ++t) {
      if (lstm)
        draw_edge(c, t, c.g.y_c(l), "c",
                  l < static_cast<int>(c.grad.c.size()) ? &c.grad.c[l] : nullptr);
      draw_edge(c, t, c.g.y_h(l), "h",
                l < static_cast<int>(c.grad.h.size()) ? &c.grad.h[l] : nullptr);
    }
}

// x_t below layer 1 and its arrow up; the arrows between layers.
void draw_input(Canvas& c, int t) {
  const Geometry& g = c.g;
  const ModelView& m = c.model();
  const ImU32 vcol = computed(m, t) ? c.value_col : c.faint;
  const float xm = g.x_mid(t);
  const Vec x = m.inputs.col(t);  // (I)
  c.dl->AddCircleFilled({xm, g.y_in}, g.r_io, ImGui::GetColorU32(ImGuiCol_FrameBgActive));
  c.dl->AddCircle({xm, g.y_in}, g.r_io, c.cell_border, 0, c.thin * 0.7f);
  if (const std::string lab = io_label(x, *c.vocabulary, false);
      !lab.empty() && ImGui::CalcTextSize(lab.c_str()).x < g.pitch * 0.9f)
    text_centered(c.dl, {xm, g.y_in}, c.text, lab.c_str());
  arrow(c.dl, {xm, g.y_in - g.r_io}, {xm, g.row_top[0] + g.cell_h}, vcol, c.thin, c.head * 0.8f);
  if (c.near(xm, g.y_in, g.r_io)) {
    ImGui::BeginTooltip();
    vector_tooltip("input x", t, x);
    ImGui::EndTooltip();
  }
  for (int l = 0; l + 1 < m.spec.num_layers; ++l)
    arrow(c.dl, {xm, g.row_top[l]}, {xm, g.row_top[l + 1] + g.cell_h}, vcol, c.thin, c.head * 0.8f);
}

// y_t above the top layer, where the readout has one.
void draw_output(Canvas& c, int t) {
  const Geometry& g = c.g;
  const ModelView& m = c.model();
  if (!has_output(m, t)) return;
  const int L = m.spec.num_layers;
  const bool ce = m.spec.loss == LossKind::CrossEntropy;
  const float xm = g.x_mid(t);
  const int k = m.spec.readout == Readout::Every ? t : 0;
  const bool out_done = computed(m, t) && k < m.outputs.cols() && std::isfinite(m.outputs(0, k));
  arrow(c.dl, {xm, g.row_top[L - 1]}, {xm, g.y_out + g.r_io},
        computed(m, t) ? c.value_col : c.faint, c.thin, c.head * 0.8f);
  c.dl->AddCircleFilled({xm, g.y_out}, g.r_io,
                        out_done ? ImGui::GetColorU32(ImGuiCol_FrameBgActive) : 0);
  c.dl->AddCircle({xm, g.y_out}, g.r_io, out_done ? c.cell_border : c.faint, 0, c.thin * 0.7f);
  if (out_done) {
    const std::string lab = io_label(m.outputs.col(k), *c.vocabulary, ce);
    if (!lab.empty() && ImGui::CalcTextSize(lab.c_str()).x < g.pitch * 0.9f)
      text_centered(c.dl, {xm, g.y_out}, c.text, lab.c_str());
  }
  if (!c.near(xm, g.y_out, g.r_io)) return;
  ImGui::BeginTooltip();
  if (out_done) {
    vector_tooltip(ce ? "prediction (probabilities)" : "prediction y", t, m.outputs.col(k));
    vector_tooltip("target", t, m.targets.col(k));
  } else {
    ImGui::Text("output at t = %d: not computed yet", t + 1);
  }
  ImGui::EndTooltip();
}

// The box of one cell: filled once computed, orange when just computed, a dashed outline before.
void draw_cell_box(const Canvas& c, ImVec2 a, ImVec2 b, bool done, bool active) {
  const float fs = c.g.fs, round = fs * 0.25f;
  if (active)
    c.dl->AddRectFilled(a, b, kActive, round);
  else if (done)
    c.dl->AddRectFilled(a, b, c.cell_fill, round);
  if (done) {
    c.dl->AddRect(a, b, active ? kActive : c.cell_border, round, 0, c.thin * 0.7f);
    return;
  }
  dashed(c.dl, a, {b.x, a.y}, c.faint, c.thin * 0.7f, fs * 0.2f);
  dashed(c.dl, {a.x, b.y}, b, c.faint, c.thin * 0.7f, fs * 0.2f);
  dashed(c.dl, a, {a.x, b.y}, c.faint, c.thin * 0.7f, fs * 0.2f);
  dashed(c.dl, {b.x, a.y}, b, c.faint, c.thin * 0.7f, fs * 0.2f);
}

// The cell of layer l at step t; a click inspects it.
void draw_cell(Canvas& c, int l, int t, AppState& app) {
  const Geometry& g = c.g;
  const ModelView& m = c.model();
  StepState& s = app.step;
  const float fs = g.fs, round = fs * 0.25f;
  const ImVec2 a = g.cell_min(l, t), b = g.cell_max(l, t);
  const bool done = computed(m, t);
  const bool active = (t == c.fwd_front || t == c.bwd_front) && done;
  draw_cell_box(c, a, b, done, active);
  const char* name = g.lstm ? "LSTM" : m.spec.cell == CellType::Gru ? "GRU" : "RNN";
  if (ImGui::CalcTextSize(name).x < g.cell_w - fs * 0.3f && g.cell_h > fs * 2.4f)
    text_centered(c.dl, {(a.x + b.x) * 0.5f, (a.y + b.y) * 0.5f},
                  active ? IM_COL32(20, 20, 20, 255) : (done ? c.text : c.faint), name);
  if (t == s.t && l == app.layer) {  // inspected
    const float o = fs * 0.22f;
    c.dl->AddRect({a.x - o, a.y - o}, {b.x + o, b.y + o}, c.text, round + o, 0, fs * 0.16f);
  }
  if (const TourHighlight* h = tour_highlight(app, PanelId::Graph);
      h && h->cell_t == t && h->cell_layer == l) {  // the tour points here
    const float o = fs * 0.4f;
    draw_outline(app, "cell t=" + std::to_string(t + 1), {a.x - o, a.y - o}, {b.x + o, b.y + o});
  }
  const bool over =
      c.hovered && c.mouse.x >= a.x && c.mouse.x <= b.x && c.mouse.y >= a.y && c.mouse.y <= b.y;
  if (!over) return;
  c.dl->AddRect(a, b, ImGui::GetColorU32(ImGuiCol_ButtonHovered), round, 0, c.thin * 1.4f);
  char buf[200];
  std::snprintf(buf, sizeof buf, "t = %d%s: %s. Click to inspect it.", t + 1,
                m.spec.num_layers > 1 ? fmt(", layer %d", l + 1).c_str() : "",
                !done    ? "not computed yet"
                : active ? (t == c.bwd_front ? "the gradient just reached it" : "just computed")
                         : "computed");
  c.hover_text = buf;
  if (ImGui::IsMouseClicked(0)) {
    s.t = t;
    app.layer = l;
    s.follow = t == follow_target(m, t) && (m.phase == Phase::Forward || in_bptt(m));
    s.graph.scrolled_to = t;  // it is in view: it was clicked
  }
}

// The number under column t, underlined when inspected.
void draw_time_label(const Canvas& c, int t, int inspected) {
  const float fs = c.g.fs, xm = c.g.x_mid(t), y = c.g.y_axis;
  const std::string num = std::to_string(t + 1);
  const bool cur = t == inspected;
  text_centered(c.dl, {xm, y + fs * 0.5f}, cur ? c.text : c.dim, num.c_str());
  if (cur)
    c.dl->AddLine({xm - fs * 0.5f, y + fs * 1.1f}, {xm + fs * 0.5f, y + fs * 1.1f}, c.text, c.thin);
}

// Labels of the rows, in a fixed column left of the scrolling canvas.
void draw_row_labels(widgets::Canvas dl, ImVec2 top_left, float label_w, const Geometry& g,
                     const ModelView& m) {
  const float fs = g.fs;
  const ImU32 dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  auto label = [&](float y, const char* s) {
    const ImVec2 sz = ImGui::CalcTextSize(s);
    dl->AddText({top_left.x + label_w - sz.x - fs * 0.5f, top_left.y + y - sz.y * 0.5f}, dim, s);
  };
  const int L = m.spec.num_layers;
  label(g.y_out, m.spec.readout == Readout::Every ? "output y\xE2\x82\x9C" : "output y");
  for (int l = 0; l < L; ++l) {
    label(g.row_top[l] + g.cell_h * 0.5f, L > 1 ? fmt("layer %d", l + 1).c_str() : "cell");
    if (g.lstm) {
      label(g.y_c(l) - fs * 0.05f, "c \xE2\x86\x92");
      label(g.y_h(l) + fs * 0.05f, "h \xE2\x86\x92");
    }
  }
  label(g.y_in, "input x\xE2\x82\x9C");
  label(g.y_axis + fs * 0.5f, "t");
}

// Inside the canvas child: wheel scrolls, Ctrl + wheel zooms; the inspected cell is kept in view
// when it changes.
void scroll_and_zoom(const Geometry& g, float canvas_w, StepState& s) {
  GraphPanelState& gs = s.graph;
  const ImGuiIO& io = ImGui::GetIO();
  const bool hovered = ImGui::IsWindowHovered();
  if (hovered && io.MouseWheel != 0) {
    if (io.KeyCtrl)
      gs.pitch_fs = std::clamp(g.pitch / g.fs * (1 + 0.12f * io.MouseWheel), 1.2f, 9.0f);
    else
      ImGui::SetScrollX(ImGui::GetScrollX() - io.MouseWheel * g.pitch * 2);
  }
  if (hovered && io.MouseWheelH != 0)
    ImGui::SetScrollX(ImGui::GetScrollX() - io.MouseWheelH * g.pitch * 2);
  if (gs.scrolled_to != s.t) {
    // Left of the scrolled view lies the strip that keeps t = 1 (which needs no scrolling).
    const float x = g.left_pad + s.t * g.pitch, sx = ImGui::GetScrollX();
    const float strip = sx > 0 ? g.left_pad + g.pitch * 1.5f : 0;
    if (s.t > 0 &&
        (x < sx + strip + g.pitch * 0.5f || x + g.cell_w > sx + canvas_w - g.pitch * 0.5f))
      ImGui::SetScrollX(std::max(0.0f, x - canvas_w * 0.5f));
    gs.scrolled_to = s.t;
  }
}

// One column: its input, output, cells and (every label_every steps) its time label.
void draw_column(Canvas& c, int t, int label_every, AppState& app) {
  draw_input(c, t);
  draw_output(c, t);
  for (int l = 0; l < c.model().spec.num_layers; ++l) draw_cell(c, l, t, app);
  if (t % label_every == 0 || t == app.step.t || t == c.model().steps - 1)
    draw_time_label(c, t, app.step.t);
}

// Scrolled right: t = 1 over a strip at the left edge, a "…" where the steps left out would be.
void draw_pinned_first(Canvas& c, int label_every, AppState& app, float top, float bottom) {
  const Geometry& g = c.g;
  const float fs = g.fs, left = g.x_left(0) - g.left_pad;
  c.dl->AddRectFilled({left, top}, {g.strip_right, bottom}, ImGui::GetColorU32(ImGuiCol_WindowBg));
  dashed(c.dl, {g.strip_right - fs * 0.2f, top + fs * 0.3f},
         {g.strip_right - fs * 0.2f, bottom - fs * 0.3f}, c.faint, c.thin * 0.7f, fs * 0.2f);
  for (int l = 0; l < c.model().spec.num_layers; ++l) {
    text_centered(c.dl, {g.strip_right - fs * 0.6f, g.y_h(l)}, c.dim, "\xE2\x80\xA6");
    if (g.lstm) text_centered(c.dl, {g.strip_right - fs * 0.6f, g.y_c(l)}, c.dim, "\xE2\x80\xA6");
  }
  draw_recurrent_edges(c, 0, 0);
  draw_column(c, 0, label_every, app);
}

// "1, 35–52": the steps whose columns are whole in view (t = 1 always, pinned or not), for the
// layout report.
std::string steps_in_view(const Geometry& g, int T, float view_left, float view_right) {
  std::string out = g.pinned() && T > 0 ? "1" : "";
  for (int t = g.pinned() ? 1 : 0; t < T; ++t) {
    if (g.x_left(t) < view_left || g.x_right(t) > view_right) continue;
    int last = t;
    while (last + 1 < T && g.x_left(last + 1) >= view_left && g.x_right(last + 1) <= view_right)
      ++last;
    out += (out.empty() ? "" : ", ") + std::to_string(t + 1) +
           (last > t ? "\xE2\x80\x93" + std::to_string(last + 1) : "");
    t = last;
  }
  return out;
}

// The cells in a horizontally scrolling child of canvas_w x canvas_h; only the visible columns are
// drawn. Returns the gradient scale the arrows used (the legend shows it).
GradScale draw_cells(const Snapshot& snap, const ModelView& m, AppState& app, Geometry g,
                     float canvas_w, float canvas_h) {
  const int T = m.steps;
  const float scrollbar = ImGui::GetStyle().ScrollbarSize;
  ImGui::PushStyleColor(ImGuiCol_ChildBg, ImGui::GetColorU32(ImGuiCol_WindowBg));
  ImGui::BeginChild("##unrolled", {canvas_w, canvas_h}, false,
                    ImGuiWindowFlags_HorizontalScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
  ImGui::PopStyleColor();
  Canvas c;
  c.dl = ImGui::GetWindowDrawList();
  g.origin = ImGui::GetCursorScreenPos();
  g.shift_rows(g.origin.y);
  ImGui::Dummy({g.content_width(T), canvas_h - scrollbar});
  scroll_and_zoom(g, canvas_w, app.step);

  c.g = g;
  c.m = &m;
  c.vocabulary = &snap.vocabulary;
  c.batch_norms = app.step.graph.batch_norms;
  c.grad = grad_scale(m, c.batch_norms);
  set_canvas_style(c, g.fs);
  c.fwd_front = m.phase == Phase::Forward ? m.forward_t - 1 : -1;
  c.bwd_front = in_bptt(m) ? m.backward_t + 1 : -1;
  c.hovered = ImGui::IsWindowHovered();
  c.mouse = ImGui::GetIO().MousePos;

  const float sx = ImGui::GetScrollX(), left = g.origin.x + sx;
  const int t_first = std::clamp(static_cast<int>((sx - g.left_pad) / g.pitch) - 1, 0, T - 1);
  const int t_last =
      std::clamp(static_cast<int>((sx + canvas_w - g.left_pad) / g.pitch) + 1, 0, T - 1);
  if (sx > 0) {  // t = 1 pinned at the left edge
    c.g.pin = sx;
    c.g.strip_right = left + g.left_pad + g.pitch * 1.5f;
  }
  const int label_every = std::max(1, static_cast<int>(std::ceil(g.fs * 2.2f / g.pitch)));
  const int first = c.g.pinned() ? std::max(t_first, 1) : t_first;
  const bool hovered = c.hovered;
  c.hovered = hovered && !(c.g.pinned() && c.mouse.x < c.g.strip_right);  // the strip covers it
  draw_recurrent_edges(c, first + (c.g.pinned() ? 1 : 0), t_last);
  for (int t = first; t <= t_last; ++t)  // those under the strip are covered: not drawn
    if (!c.g.pinned() || c.g.x_mid(t) - c.g.pitch * 0.5f >= c.g.strip_right)
      draw_column(c, t, label_every, app);
  c.hovered = hovered;
  if (c.g.pinned())
    draw_pinned_first(c, label_every, app, g.origin.y, g.origin.y + canvas_h - scrollbar);
  report_value(app, "steps in view",
               steps_in_view(c.g, T, c.g.pinned() ? c.g.strip_right : left, left + canvas_w));
  ImGui::EndChild();
  if (!c.hover_text.empty()) text_tooltip(c.hover_text.c_str());
  return c.grad;
}

// -----------------------------------------------------------------------------------------------
// [SECTION] Legend
// -----------------------------------------------------------------------------------------------

const char* gradient_legend_name(bool lstm, bool batch_norms) {
  if (!lstm)
    return batch_norms
               ? "\xE2\x86\x90 gradient "
                 "\xE2\x80\x96\xE2\x88\x82L/\xE2\x88\x82h\xE2\x82\x9C\xE2\x80\x96 (batch, log):"
               : "\xE2\x86\x90 gradient "
                 "\xE2\x80\x96\xE2\x88\x82L/\xE2\x88\x82h\xE2\x82\x9C\xE2\x80\x96 (this "
                 "sequence, log):";
  return batch_norms
             ? "\xE2\x86\x90 gradient "
               "\xE2\x80\x96\xE2\x88\x82L/\xE2\x88\x82h\xE2\x82\x9C\xE2\x80\x96, "
               "\xE2\x80\x96\xE2\x88\x82L/\xE2\x88\x82\x63\xE2\x82\x9C\xE2\x80\x96 (batch, log):"
             : "\xE2\x86\x90 gradient "
               "\xE2\x80\x96\xE2\x88\x82L/\xE2\x88\x82h\xE2\x82\x9C\xE2\x80\x96, "
               "\xE2\x80\x96\xE2\x88\x82L/\xE2\x88\x82\x63\xE2\x82\x9C\xE2\x80\x96 (this sequence, "
               "log):";
}

// The gradient's scale: lo, a wedge whose width and colour are the arrows', hi.
// The gradient's scale: lo, a wedge of its widths and colours, hi. dl null: only measures.
// Returns its width.
float gradient_wedge(widgets::Canvas dl, const GradScale& grad, float x, float y, float fs,
                     ImU32 dim) {
  const std::string lo = fmt_num(grad.lo, 2), hi = fmt_num(grad.hi, 2);
  const float x0 = x, wedge = fs * 9;
  if (dl) dl->AddText({x, y - fs * 0.5f}, dim, lo.c_str());
  x += ImGui::CalcTextSize(lo.c_str()).x + fs * 0.4f;
  const int n = 24;
  for (int i = 0; dl && i < n; ++i) {
    const double v = grad.lo * std::pow(grad.hi / grad.lo, (i + 0.5) / n);
    const float half = grad.width(v, fs) * 0.5f;
    dl->AddRectFilled({x + wedge * i / n, y - half}, {x + wedge * (i + 1) / n + 0.5f, y + half},
                      grad.color(v));
  }
  x += wedge + fs * 0.4f;
  if (dl) dl->AddText({x, y - fs * 0.5f}, dim, hi.c_str());
  return x + ImGui::CalcTextSize(hi.c_str()).x - x0;
}

// One mark of the legend: its width and how to draw it with its left end at x, centred on y.
struct LegendItem {
  float w;
  std::function<void(widgets::Canvas, float x, float y)> draw;
};

// What the marks mean, and the gradient's scale.
std::vector<LegendItem> legend_items(const GradScale& grad, bool lstm, bool batch_norms,
                                     float width) {
  const float fs = ImGui::GetFontSize();
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text),
              dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  const float thin = std::max(1.5f, fs * 0.09f);
  // A label, shortened with "…" when even a line of its own is too narrow for it.
  auto label = [dim, fs, width](const char* text) {
    const std::string s = fit_text(text, width);
    return LegendItem{ImGui::CalcTextSize(s.c_str()).x,
                      [dim, fs, s](widgets::Canvas dl, float x, float y) {
                        dl->AddText({x, y - fs * 0.5f}, dim, s.c_str());
                      }};
  };
  auto with_mark = [](float mark_w, LegendItem l,
                        std::function<void(widgets::Canvas, float, float)> mark) {
    return LegendItem{mark_w + l.w, [=](widgets::Canvas dl, float x, float y) {
                        mark(dl, x, y);
                        l.draw(dl, x + mark_w, y);
                      }};
  };
  std::vector<LegendItem> items;
  items.push_back(
      with_mark(fs * 2.6f, label("value, forward"), [=](widgets::Canvas dl, float x, float y) {
        arrow(dl, {x, y}, {x + fs * 2.2f, y}, with_alpha(text, 0.55f), thin, fs * 0.45f);
      }));
  items.push_back(
      with_mark(fs * 1.7f, label("just computed"), [=](widgets::Canvas dl, float x, float y) {
        dl->AddRectFilled({x, y - fs * 0.5f}, {x + fs * 1.3f, y + fs * 0.5f}, kActive, fs * 0.2f);
      }));
  items.push_back(
      with_mark(fs * 1.7f, label("inspected"), [=](widgets::Canvas dl, float x, float y) {
        dl->AddRect({x, y - fs * 0.5f}, {x + fs * 1.3f, y + fs * 0.5f}, text, fs * 0.2f, 0,
                    fs * 0.16f);
      }));
  const char* gname = gradient_legend_name(lstm, batch_norms);
  items.push_back(label(gname));
  if (!grad.any) {
    items.push_back(label("appears in the backward pass (B)"));
  } else {
    items.push_back(
        {gradient_wedge(nullptr, grad, 0, 0, fs, dim),
         [=](widgets::Canvas dl, float x, float y) { gradient_wedge(dl, grad, x, y, fs, dim); }});
  }
  return items;
}

// Lays the legend's items left to right, on as many lines as width needs; returns its height.
float draw_legend(const std::vector<LegendItem>& items, float width, bool draw) {
  const float fs = ImGui::GetFontSize(), gap = fs * 1.2f, line = fs * 1.5f;
  const ImVec2 p = ImGui::GetCursorScreenPos();
  float x = 0, y = fs * 0.7f;
  for (const LegendItem& item : items) {
    if (x > 0 && x + item.w > width) x = 0, y += line;
    if (draw) item.draw(ImGui::GetWindowDrawList(), p.x + x, p.y + y);
    x += item.w + gap;
  }
  return y + fs * 0.8f;
}

// -----------------------------------------------------------------------------------------------
// [SECTION] Panel
// -----------------------------------------------------------------------------------------------

bool step_button(const char* label, StepAction a, const char* key, const ModelView& m, int k1,
                 StepState& s, TrainingWorker& w, float width) {
  const bool pressed = ImGui::Button(label, {width, 0});
  if (ImGui::IsItemHovered()) {
    const Plan p = plan(a, m, k1, step_cursor(s));
    text_tooltip((std::string(key) + "\n\n" + p.what).c_str());
  }
  if (pressed) step_action(a, m, k1, s, w);
  return pressed;
}

const char* kStepHelp =
    "The keys (the buttons do the same):\n"
    "\xE2\x86\x92  forward in time. In the forward pass it computes the next step (after walking "
    "over "
    "steps you stepped back past). Ready, or gradients ready: starts the next iteration.\n"
    "\xE2\x86\x90  back in time. In the forward pass it only moves the inspected cell back: the "
    "values "
    "are all kept. In the backward pass it computes the next BPTT step: the gradient moves one "
    "cell left.\n"
    "B  the backward pass: finish the forward pass, then the first BPTT step (at t = T).\n"
    "Home  inspect t = 1.   End  finish the current pass.\n"
    "Space  animate: a step every so often, forward then backward, until the gradients are ready.\n"
    "Click a cell to inspect it; the cell inspector follows. Mouse wheel scrolls, Ctrl + wheel "
    "zooms.";

// The step buttons (each mirrors a key) and the animation's switch and speed, wrapping onto the
// next line where the panel is narrow.
void draw_step_buttons(const ModelView& m, int k1, StepState& s, TrainingWorker& worker) {
  const float fs = ImGui::GetFontSize(), pad = ImGui::GetStyle().FramePadding.x * 2;
  struct Button {
    const char* label;
    StepAction action;
    const char* key;
  };
  const Button buttons[] = {
      {"\xE2\x87\xA4 Home", StepAction::Home, "Home"},
      {"\xE2\x86\x90 Back", StepAction::Back, "\xE2\x86\x90 (left arrow)"},
      {"Forward \xE2\x86\x92", StepAction::Forward, "\xE2\x86\x92 (right arrow)"},
      {"B  Backward pass", StepAction::BackwardPass, "B"},
      {"End \xE2\x87\xA5", StepAction::End, "End"},
      {s.graph.animate ? "\xE2\x80\x96 Stop###anim" : "\xE2\x96\xB6 Animate###anim",
       StepAction::ToggleAnimate, "Space"},
  };
  for (size_t i = 0; i < std::size(buttons); ++i) {
    const Button& b = buttons[i];
    const float w = ImGui::CalcTextSize(b.label, nullptr, true).x + pad;
    if (i > 0) fit_on_line(w);
    step_button(b.label, b.action, b.key, m, k1, s, worker, w);
  }
  fit_on_line(fs * 7);
  ImGui::SetNextItemWidth(fs * 7);
  ImGui::SliderInt("##ms", &s.graph.animate_ms, 100, 3000, "%d ms/step",
                   ImGuiSliderFlags_Logarithmic);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Animation speed: time between two steps");
}

// Which sequence of the batch the graph follows, and what the arrows' norm is taken over.
void draw_sequence_and_norms(const Snapshot& snap, const ModelView& m, AppState& app,
                             TrainingWorker& worker) {
  const float fs = ImGui::GetFontSize();
  GraphPanelState& gs = app.step.graph;
  fit_on_line(fs * 14);
  const int B = std::max(snap.config.training.batch_size, 1);
  int seq = m.sample + 1;
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("sequence");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(fs * 6.5f);
  if (ImGui::InputInt("##seq", &seq, 1, 1)) {
    app.sample = std::clamp(seq, 1, B) - 1;
    worker.send(cmd::SetSample{app.sample});
  }
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip(
        "Which sequence of the batch to follow (1 to %d). The cells, the inspector and the\n"
        "gates show this one; the same step commands drive the whole batch.",
        B);
  ImGui::SameLine();
  ImGui::Text("of %d", B);
  fit_on_line(fs * 9);
  ImGui::Checkbox("batch norms", &gs.batch_norms);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip(
        gs.batch_norms
            ? "Arrows show \xE2\x80\x96\xE2\x88\x82L/\xE2\x88\x82h\xE2\x82\x9C\xE2\x80\x96 over "
              "the whole batch (the norm of the H \xC3\x97 B matrix).\nUntick to show the "
              "inspected sequence's own gradient."
            : "Arrows show the inspected sequence's own "
              "\xE2\x80\x96\xE2\x88\x82L/\xE2\x88\x82h\xE2\x82\x9C\xE2\x80\x96 (the length of its "
              "column).\nTick to show the norm over the whole batch instead.");
}

void status_line(const ModelView& m, const StepState& s, int layer, bool playing) {
  const int T = m.steps;
  char buf[256];
  if (playing) {  // started again from the menu's status: say what the graph shows now
    ImGui::PushStyleColor(ImGuiCol_Text, attention_color(false));
    ImGui::TextWrapped(
        "Training is running: the graph shows whatever iteration it has reached. "
        "Any step key pauses it.");
    ImGui::PopStyleColor();
  }
  switch (m.phase) {
    case Phase::Ready:
      if (T == 0)
        std::snprintf(buf, sizeof buf, "Ready: \xE2\x86\x92 draws a batch and computes t = 1");
      else
        std::snprintf(buf, sizeof buf,
                      "Iteration %lld done and applied. \xE2\x86\x92 starts the next one",
                      static_cast<long long>(m.iteration));
      break;
    case Phase::Forward:
      std::snprintf(buf, sizeof buf, "Forward pass: t = 1 to %d of %d computed", m.forward_t, T);
      break;
    case Phase::Backward:
      if (m.profile_sweep)
        std::snprintf(buf, sizeof buf, "Backward pass done (decay-profile sweep running)");
      else if (m.backward_t + 1 >= T)
        std::snprintf(buf, sizeof buf, "Backward pass: \xE2\x86\x90 starts at t = %d", T);
      else
        std::snprintf(buf, sizeof buf, "Backward pass: gradient computed for t = %d down to %d", T,
                      m.backward_t + 2);
      break;
    case Phase::Update:
      std::snprintf(buf, sizeof buf,
                    "Gradients ready for every step; \xE2\x86\x92 applies the update");
      break;
    case Phase::Diverged:
      std::snprintf(buf, sizeof buf, "Diverged: reset (R)");
      break;
  }
  ImGui::TextWrapped("%s", buf);
  if (T > 0) {
    const std::string inspecting = fmt("inspecting t = %d", std::clamp(s.t, 0, T - 1) + 1) +
                                   (m.spec.num_layers > 1 ? fmt(", layer %d", layer + 1) : "") +
                                   (s.follow ? " (following)" : "");
    fit_on_line(ImGui::CalcTextSize(inspecting.c_str()).x);
    ImGui::TextDisabled("%s", inspecting.c_str());
  }
}

// The animation: one step per animate_ms, each after the last one's snapshot has arrived.
void advance_animation(const Snapshot& snap, const ModelView& m, int k1, StepState& s,
                       TrainingWorker& worker) {
  GraphPanelState& gs = s.graph;
  if (!gs.animate || snap.version <= gs.sent_version || ImGui::GetTime() < gs.next_due) return;
  step_action(StepAction::Advance, m, k1, s, worker);
  gs.sent_version = snap.version;
  gs.next_due = ImGui::GetTime() + gs.animate_ms / 1000.0;
}

// The unrolled network below the status line: row labels, the scrolling cells, the legend.
void draw_unrolled(const Snapshot& snap, const ModelView& m, AppState& app) {
  const float fs = ImGui::GetFontSize();
  const int T = m.steps, L = m.spec.num_layers;
  const float label_w = fs * 4.6f;
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const GraphPanelState& gs = app.step.graph;
  const bool lstm = m.spec.cell == CellType::Lstm;
  // The legend's height depends on the gradient scale the cells find; its lines do not.
  const float legend_h =
      draw_legend(legend_items(GradScale{}, lstm, gs.batch_norms, avail.x), avail.x, false) + fs * 0.6f;
  const float canvas_h = std::max(avail.y - legend_h, fs * 8);
  const float canvas_w = std::max(avail.x - label_w, fs * 10);
  Geometry g = layout_rows(L, fs, canvas_h - ImGui::GetStyle().ScrollbarSize, lstm);
  g.pitch = gs.pitch_fs > 0 ? gs.pitch_fs * fs : fit_pitch(T, canvas_w, fs);
  g.cell_w = g.pitch * 0.56f;
  g.left_pad = g.pitch * 0.75f;

  const ImVec2 top_left = ImGui::GetCursorScreenPos();
  draw_row_labels(ImGui::GetWindowDrawList(), top_left, label_w, g, m);
  ImGui::SetCursorScreenPos({top_left.x + label_w, top_left.y});
  const GradScale grad = draw_cells(snap, m, app, g, canvas_w, canvas_h);
  ImGui::SetCursorScreenPos({top_left.x, top_left.y + canvas_h + fs * 0.3f});
  const float used = draw_legend(legend_items(grad, lstm, gs.batch_norms, avail.x), avail.x, true);
  ImGui::Dummy({avail.x, std::max(used, legend_h - fs * 0.6f)});
}

}  // namespace

void draw_graph_panel(const Snapshot& snap, AppState& app, TrainingWorker& worker) {
  if (snap.models.empty()) return;
  const ModelView& m = inspected_model(snap, app);
  StepState& s = app.step;
  const int T = m.steps, k1 = snap.config.training.k1;
  app.layer = std::clamp(app.layer, 0, m.spec.num_layers - 1);
  if (s.follow) s.t = follow_target(m, s.t);
  s.t = std::clamp(s.t, 0, std::max(T - 1, 0));

  if (app.mode == Mode::Inspect) {  // one typed sequence, computed whole: nothing to step
    s.follow = false;
    ImGui::PushTextWrapPos(0);
    ImGui::TextDisabled("t = %d of %d (click a cell). The arrows back: \xE2\x88\x82y/\xE2\x88\x82h"
                        " of the output chosen in the Input panel.", s.t + 1, T);
    ImGui::PopTextWrapPos();
  } else {
    advance_animation(snap, m, k1, s, worker);
    draw_step_buttons(m, k1, s, worker);
    draw_sequence_and_norms(snap, m, app, worker);
    help_marker(kStepHelp);
    status_line(m, s, app.layer, snap.playing);
  }
  if (T == 0) {
    ImGui::Spacing();
    ImGui::TextDisabled(
        "No sequence yet. Press \xE2\x86\x92 (or Forward) to draw a batch and compute the first "
        "time step.");
    return;
  }
  draw_unrolled(snap, m, app);
}

}  // namespace unrolled
