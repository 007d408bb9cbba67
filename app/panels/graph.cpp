// The unrolled network: one row of cells across time per layer (layer 1 at the bottom), the inputs
// x_t below, the outputs y_t above, h (and the LSTM's cell-state highway c) flowing right. In the
// backward pass each arrow's width and colour show the gradient on it, on a log scale, so the
// gradient is seen flowing right to left (and, in an LSTM, along the highway). Click a cell to
// inspect it. The buttons mirror the step keys (step_state.hpp says what each does).
//
// [SECTION] Step actions    step_action(): a key's plan (session/step_plan.hpp) applied to the
//                           GUI's StepState
// [SECTION] Geometry        where each cell, arrow and label goes
// [SECTION] Drawing         cells, arrows, inputs, outputs, the legend
// [SECTION] Panel           toolbar, status line, canvas, animation
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "app/panels/panels.hpp"
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

  float x_left(int t) const { return origin.x + left_pad + t * pitch; }
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
void arrow(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 col, float thick, float head) {
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

void dashed(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 col, float thick, float dash) {
  const float dx = b.x - a.x, dy = b.y - a.y, len = std::sqrt(dx * dx + dy * dy);
  for (float s = 0; s < len; s += 2 * dash) {
    const float e = std::min(s + dash, len);
    dl->AddLine({a.x + dx * s / len, a.y + dy * s / len}, {a.x + dx * e / len, a.y + dy * e / len},
                col, thick);
  }
}

void text_centered(ImDrawList* dl, ImVec2 centre, ImU32 col, const char* s) {
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
// [SECTION] Panel
// -----------------------------------------------------------------------------------------------

bool step_button(const char* label, StepAction a, const char* key, const ModelView& m, int k1,
                 StepState& s, TrainingWorker& w, float width) {
  const bool pressed = ImGui::Button(label, {width, 0});
  if (ImGui::IsItemHovered()) {
    const Plan p = plan(a, m, k1, step_cursor(s));
    ImGui::BeginTooltip();
    ImGui::Text("%s", key);
    ImGui::Separator();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 26);
    ImGui::TextUnformatted(p.what.c_str());
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
  if (pressed) step_action(a, m, k1, s, w);
  return pressed;
}

// On this line if an item of width w still fits, else on the next.
void next_to(float w) {
  ImGui::SameLine();
  if (ImGui::GetContentRegionAvail().x < w) ImGui::NewLine();
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

void status_line(const ModelView& m, const StepState& s, int layer) {
  const int T = m.steps;
  char buf[256];
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
  ImGui::TextUnformatted(buf);
  if (T > 0) {
    ImGui::SameLine();
    ImGui::TextDisabled("   inspecting t = %d%s%s", std::clamp(s.t, 0, T - 1) + 1,
                        m.spec.num_layers > 1 ? fmt(", layer %d", layer + 1).c_str() : "",
                        s.follow ? " (following)" : "");
  }
}

}  // namespace

void draw_graph_panel(const Snapshot& snap, AppState& app, TrainingWorker& worker) {
  if (snap.models.empty()) return;
  const ModelView& m = inspected_model(snap, app);
  StepState& s = app.step;
  GraphPanelState& gs = s.graph;
  const int T = m.steps, L = m.spec.num_layers, k1 = snap.config.training.k1;
  const float fs = ImGui::GetFontSize();
  app.layer = std::clamp(app.layer, 0, L - 1);
  if (s.follow) s.t = follow_target(m, s.t);
  s.t = std::clamp(s.t, 0, std::max(T - 1, 0));

  // The animation: one step per animate_ms, each after the last one's snapshot has arrived.
  if (gs.animate && snap.version > gs.sent_version && ImGui::GetTime() >= gs.next_due) {
    step_action(StepAction::Advance, m, k1, s, worker);
    gs.sent_version = snap.version;
    gs.next_due = ImGui::GetTime() + gs.animate_ms / 1000.0;
  }

  // Toolbar: the step buttons, the animation, the sequence, the arrows' norm and the zoom.
  const float bw = fs * 5.2f;
  step_button("\xE2\x87\xA4 Home", StepAction::Home, "Home", m, k1, s, worker, bw * 0.8f);
  ImGui::SameLine();
  step_button("\xE2\x86\x90 Back", StepAction::Back, "\xE2\x86\x90 (left arrow)", m, k1, s, worker,
              bw);
  ImGui::SameLine();
  step_button("Forward \xE2\x86\x92", StepAction::Forward, "\xE2\x86\x92 (right arrow)", m, k1, s,
              worker, bw);
  ImGui::SameLine();
  step_button("B  Backward pass", StepAction::BackwardPass, "B", m, k1, s, worker, bw * 1.6f);
  ImGui::SameLine();
  step_button("End \xE2\x87\xA5", StepAction::End, "End", m, k1, s, worker, bw * 0.8f);
  next_to(fs * 13);
  step_button(gs.animate ? "\xE2\x80\x96 Stop###anim" : "\xE2\x96\xB6 Animate###anim",
              StepAction::ToggleAnimate, "Space", m, k1, s, worker, bw * 1.1f);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(fs * 7);
  ImGui::SliderInt("##ms", &gs.animate_ms, 100, 3000, "%d ms/step", ImGuiSliderFlags_Logarithmic);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Animation speed: time between two steps");
  next_to(fs * 14);
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
  next_to(fs * 9);
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
  help_marker(kStepHelp);

  status_line(m, s, app.layer);

  if (T == 0) {
    ImGui::Spacing();
    ImGui::TextDisabled(
        "No sequence yet. Press \xE2\x86\x92 (or Forward) to draw a batch and compute the first "
        "time step.");
    return;
  }

  // The canvas: a fixed column of row labels, then the cells in a horizontally scrolling child.
  const float legend_h = fs * 2.2f;
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float label_w = fs * 4.6f;
  const float canvas_h = std::max(avail.y - legend_h, fs * 8);
  const float canvas_w = std::max(avail.x - label_w, fs * 10);
  const float scrollbar = ImGui::GetStyle().ScrollbarSize;
  const bool lstm = m.spec.cell == CellType::Lstm;
  Geometry g = layout_rows(L, fs, canvas_h - scrollbar, lstm);
  const float fitted = fit_pitch(T, canvas_w, fs);
  g.pitch = gs.pitch_fs > 0 ? gs.pitch_fs * fs : fitted;
  g.cell_w = g.pitch * 0.56f;
  g.left_pad = g.pitch * 0.75f;

  ImDrawList* wdl = ImGui::GetWindowDrawList();
  const ImVec2 top_left = ImGui::GetCursorScreenPos();
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text),
              dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  {  // row labels
    auto label = [&](float y, const char* s_) {
      const ImVec2 sz = ImGui::CalcTextSize(s_);
      wdl->AddText({top_left.x + label_w - sz.x - fs * 0.5f, top_left.y + y - sz.y * 0.5f}, dim,
                   s_);
    };
    label(g.y_out, m.spec.readout == Readout::Every ? "output y\xE2\x82\x9C" : "output y");
    for (int l = 0; l < L; ++l) {
      const float mid = g.row_top[l] + g.cell_h * 0.5f;
      label(mid, L > 1 ? fmt("layer %d", l + 1).c_str() : "cell");
      if (lstm) {
        label(g.y_c(l) - fs * 0.05f, "c \xE2\x86\x92");
        label(g.y_h(l) + fs * 0.05f, "h \xE2\x86\x92");
      }
    }
    label(g.y_in, "input x\xE2\x82\x9C");
    label(g.y_axis + fs * 0.5f, "t");
  }
  ImGui::SetCursorScreenPos({top_left.x + label_w, top_left.y});
  ImGui::PushStyleColor(ImGuiCol_ChildBg, ImGui::GetColorU32(ImGuiCol_WindowBg));
  ImGui::BeginChild("##unrolled", {canvas_w, canvas_h}, false,
                    ImGuiWindowFlags_HorizontalScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
  ImGui::PopStyleColor();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  g.origin = ImGui::GetCursorScreenPos();
  g.shift_rows(g.origin.y);
  const float content_w = g.content_width(T);
  ImGui::Dummy({content_w, canvas_h - scrollbar});

  // Mouse: wheel scrolls, Ctrl + wheel zooms, a click inspects a cell.
  const ImGuiIO& io = ImGui::GetIO();
  const bool hovered = ImGui::IsWindowHovered();
  if (hovered && io.MouseWheel != 0) {
    if (io.KeyCtrl)
      gs.pitch_fs = std::clamp(g.pitch / fs * (1 + 0.12f * io.MouseWheel), 1.2f, 9.0f);
    else
      ImGui::SetScrollX(ImGui::GetScrollX() - io.MouseWheel * g.pitch * 2);
  }
  if (hovered && io.MouseWheelH != 0)
    ImGui::SetScrollX(ImGui::GetScrollX() - io.MouseWheelH * g.pitch * 2);
  // Keep the inspected cell in view when it changes.
  if (gs.scrolled_to != s.t) {
    const float x = g.left_pad + s.t * g.pitch, sx = ImGui::GetScrollX();
    if (x < sx + g.pitch * 0.5f || x + g.cell_w > sx + canvas_w - g.pitch * 0.5f)
      ImGui::SetScrollX(std::max(0.0f, x - canvas_w * 0.5f));
    gs.scrolled_to = s.t;
  }
  const float sx = ImGui::GetScrollX();
  const int t_first = std::clamp(static_cast<int>((sx - g.left_pad) / g.pitch) - 1, 0, T - 1);
  const int t_last =
      std::clamp(static_cast<int>((sx + canvas_w - g.left_pad) / g.pitch) + 1, 0, T - 1);

  const GradScale grad = grad_scale(m, gs.batch_norms);
  const ImU32 value_col = with_alpha(text, 0.55f), faint = with_alpha(text, 0.22f);
  const ImU32 cell_fill = ImGui::GetColorU32(ImGuiCol_Button),
              cell_border = ImGui::GetColorU32(ImGuiCol_Border);
  const float thin = std::max(1.5f, fs * 0.09f), head = fs * 0.45f;
  const int fwd_front = m.phase == Phase::Forward ? m.forward_t - 1 : -1;
  const int bwd_front = m.phase == Phase::Backward && !m.profile_sweep ? m.backward_t + 1 : -1;
  const ImVec2 mouse = io.MousePos;
  std::string hover_text;

  // One recurrent arrow: the edge carrying state k_t (t = -1: the initial state) from cell t to
  // cell t + 1 (or off the right end). Forward value: a thin arrow pointing right; gradient known:
  // width and colour from its norm, pointing left (the gradient flows back into cell t).
  auto edge = [&](int t, float y, const char* sym, const Mat* norms) {
    const float x0 = t < 0 ? g.origin.x + g.pitch * 0.08f : g.x_right(t);
    const float x1 = t + 1 < T ? g.x_left(t + 1) : g.x_right(t) + g.pitch * 0.7f;
    const bool value = t < 0 || computed(m, t);
    const double n = norms && t >= 0 ? (*norms)(0, t) : std::nan("");
    if (!value) {
      dashed(dl, {x0, y}, {x1, y}, faint, thin, fs * 0.2f);
    } else if (std::isfinite(n)) {
      arrow(dl, {x1, y}, {x0, y}, grad.color(n), grad.width(n, fs), head * 1.1f);
    } else {
      arrow(dl, {x0, y}, {x1, y}, value_col, thin, head);
    }
    if (t < 0) {
      const std::string s0 = std::string(sym) + "\xE2\x82\x80";  // ₀
      dl->AddText({x0, y - fs * 1.15f}, dim, s0.c_str());
    }
    if (hovered && mouse.x >= x0 && mouse.x <= x1 && std::abs(mouse.y - y) < fs * 0.35f) {
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
            sym, t + 1, t + 2, sym, n, gs.batch_norms ? "over the batch" : "this sequence", sym);
      else
        std::snprintf(buf, sizeof buf, "%s at t = %d carries the state %s.%s", sym, t + 1,
                      t + 1 < T ? fmt("to t = %d", t + 2).c_str() : "out of the sequence",
                      value ? "" : " Not computed yet.");
      hover_text = buf;
    }
  };

  for (int l = 0; l < L; ++l) {
    for (int t = std::max(t_first - 1, -1); t <= t_last; ++t) {
      if (lstm) edge(t, g.y_c(l), "c", l < static_cast<int>(grad.c.size()) ? &grad.c[l] : nullptr);
      edge(t, g.y_h(l), "h", l < static_cast<int>(grad.h.size()) ? &grad.h[l] : nullptr);
    }
  }

  // Vertical arrows, cells, inputs, outputs, the t axis.
  const int label_every = std::max(1, static_cast<int>(std::ceil(fs * 2.2f / g.pitch)));
  for (int t = t_first; t <= t_last; ++t) {
    const bool done = computed(m, t);
    const ImU32 vcol = done ? value_col : faint;
    const float xm = g.x_mid(t);
    // x_t into layer 1
    const Vec x = m.inputs.col(t);
    dl->AddCircleFilled({xm, g.y_in}, g.r_io, ImGui::GetColorU32(ImGuiCol_FrameBgActive));
    dl->AddCircle({xm, g.y_in}, g.r_io, cell_border, 0, thin * 0.7f);
    if (const std::string lab = io_label(x, snap.vocabulary, false);
        !lab.empty() && ImGui::CalcTextSize(lab.c_str()).x < g.pitch * 0.9f)
      text_centered(dl, {xm, g.y_in}, text, lab.c_str());
    arrow(dl, {xm, g.y_in - g.r_io}, {xm, g.row_top[0] + g.cell_h}, vcol, thin, head * 0.8f);
    if (hovered && std::abs(mouse.x - xm) < g.r_io && std::abs(mouse.y - g.y_in) < g.r_io) {
      ImGui::BeginTooltip();
      vector_tooltip("input x", t, x);
      ImGui::EndTooltip();
    }
    for (int l = 0; l + 1 < L; ++l)
      arrow(dl, {xm, g.row_top[l]}, {xm, g.row_top[l + 1] + g.cell_h}, vcol, thin, head * 0.8f);
    // y_t above the top layer
    if (has_output(m, t)) {
      const int k = m.spec.readout == Readout::Every ? t : 0;
      const bool out_done = done && k < m.outputs.cols() && std::isfinite(m.outputs(0, k));
      arrow(dl, {xm, g.row_top[L - 1]}, {xm, g.y_out + g.r_io}, vcol, thin, head * 0.8f);
      dl->AddCircleFilled({xm, g.y_out}, g.r_io,
                          out_done ? ImGui::GetColorU32(ImGuiCol_FrameBgActive) : 0);
      dl->AddCircle({xm, g.y_out}, g.r_io, out_done ? cell_border : faint, 0, thin * 0.7f);
      if (out_done) {
        const std::string lab =
            io_label(m.outputs.col(k), snap.vocabulary, m.spec.loss == LossKind::CrossEntropy);
        if (!lab.empty() && ImGui::CalcTextSize(lab.c_str()).x < g.pitch * 0.9f)
          text_centered(dl, {xm, g.y_out}, text, lab.c_str());
      }
      if (hovered && std::abs(mouse.x - xm) < g.r_io && std::abs(mouse.y - g.y_out) < g.r_io) {
        ImGui::BeginTooltip();
        if (out_done) {
          vector_tooltip(
              m.spec.loss == LossKind::CrossEntropy ? "prediction (probabilities)" : "prediction y",
              t, m.outputs.col(k));
          vector_tooltip("target", t, m.targets.col(k));
        } else {
          ImGui::Text("output at t = %d: not computed yet", t + 1);
        }
        ImGui::EndTooltip();
      }
    }
    for (int l = 0; l < L; ++l) {
      const ImVec2 a = g.cell_min(l, t), b = g.cell_max(l, t);
      const bool active = (t == fwd_front || t == bwd_front) && done;
      const float round = fs * 0.25f;
      if (active)
        dl->AddRectFilled(a, b, kActive, round);
      else if (done)
        dl->AddRectFilled(a, b, cell_fill, round);
      if (done)
        dl->AddRect(a, b, active ? kActive : cell_border, round, 0, thin * 0.7f);
      else {  // not computed yet: a faint dashed outline
        dashed(dl, a, {b.x, a.y}, faint, thin * 0.7f, fs * 0.2f);
        dashed(dl, {a.x, b.y}, b, faint, thin * 0.7f, fs * 0.2f);
        dashed(dl, a, {a.x, b.y}, faint, thin * 0.7f, fs * 0.2f);
        dashed(dl, {b.x, a.y}, b, faint, thin * 0.7f, fs * 0.2f);
      }
      const char* name = lstm ? "LSTM" : m.spec.cell == CellType::Gru ? "GRU" : "RNN";
      if (ImGui::CalcTextSize(name).x < g.cell_w - fs * 0.3f && g.cell_h > fs * 2.4f)
        text_centered(dl, {(a.x + b.x) * 0.5f, (a.y + b.y) * 0.5f},
                      active ? IM_COL32(20, 20, 20, 255) : (done ? text : faint), name);
      const bool inspected = t == s.t && l == app.layer;
      if (inspected) {
        const float o = fs * 0.22f;
        dl->AddRect({a.x - o, a.y - o}, {b.x + o, b.y + o}, text, round + o, 0, fs * 0.16f);
      }
      const bool over =
          hovered && mouse.x >= a.x && mouse.x <= b.x && mouse.y >= a.y && mouse.y <= b.y;
      if (over) {
        dl->AddRect(a, b, ImGui::GetColorU32(ImGuiCol_ButtonHovered), round, 0, thin * 1.4f);
        char buf[200];
        std::snprintf(buf, sizeof buf, "t = %d%s: %s. Click to inspect it.", t + 1,
                      L > 1 ? fmt(", layer %d", l + 1).c_str() : "",
                      !done    ? "not computed yet"
                      : active ? (t == bwd_front ? "the gradient just reached it" : "just computed")
                               : "computed");
        hover_text = buf;
        if (ImGui::IsMouseClicked(0)) {
          s.t = t;
          app.layer = l;
          s.follow = t == follow_target(m, t) && (m.phase == Phase::Forward || in_bptt(m));
          gs.scrolled_to = t;  // it is in view: it was clicked
        }
      }
    }
    if (t % label_every == 0 || t == s.t || t == T - 1) {
      const std::string num = std::to_string(t + 1);
      const bool cur = t == s.t;
      text_centered(dl, {xm, g.y_axis + fs * 0.5f}, cur ? text : dim, num.c_str());
      if (cur)
        dl->AddLine({xm - fs * 0.5f, g.y_axis + fs * 1.1f}, {xm + fs * 0.5f, g.y_axis + fs * 1.1f},
                    text, thin);
    }
  }
  ImGui::EndChild();
  if (!hover_text.empty()) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(fs * 26);
    ImGui::TextUnformatted(hover_text.c_str());
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }

  // The legend: what the marks mean, and the gradient's scale (a wedge: width and colour).
  ImGui::SetCursorScreenPos({top_left.x, top_left.y + canvas_h + fs * 0.3f});
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float y = p.y + fs * 0.7f;
  float x = p.x;
  arrow(wdl, {x, y}, {x + fs * 2.2f, y}, value_col, thin, head);
  x += fs * 2.6f;
  wdl->AddText({x, y - fs * 0.5f}, dim, "value, forward");
  x += ImGui::CalcTextSize("value, forward").x + fs * 1.2f;
  wdl->AddRectFilled({x, y - fs * 0.5f}, {x + fs * 1.3f, y + fs * 0.5f}, kActive, fs * 0.2f);
  x += fs * 1.7f;
  wdl->AddText({x, y - fs * 0.5f}, dim, "just computed");
  x += ImGui::CalcTextSize("just computed").x + fs * 1.2f;
  wdl->AddRect({x, y - fs * 0.5f}, {x + fs * 1.3f, y + fs * 0.5f}, text, fs * 0.2f, 0, fs * 0.16f);
  x += fs * 1.7f;
  wdl->AddText({x, y - fs * 0.5f}, dim, "inspected");
  x += ImGui::CalcTextSize("inspected").x + fs * 1.6f;
  const char* gname =
      !lstm ? (gs.batch_norms
                   ? "\xE2\x86\x90 gradient "
                     "\xE2\x80\x96\xE2\x88\x82L/\xE2\x88\x82h\xE2\x82\x9C\xE2\x80\x96 (batch, log):"
                   : "\xE2\x86\x90 gradient "
                     "\xE2\x80\x96\xE2\x88\x82L/\xE2\x88\x82h\xE2\x82\x9C\xE2\x80\x96 (this "
                     "sequence, log):")
      : gs.batch_norms
          ? "\xE2\x86\x90 gradient "
            "\xE2\x80\x96\xE2\x88\x82L/\xE2\x88\x82h\xE2\x82\x9C\xE2\x80\x96, "
            "\xE2\x80\x96\xE2\x88\x82L/\xE2\x88\x82\x63\xE2\x82\x9C\xE2\x80\x96 (batch, log):"
          : "\xE2\x86\x90 gradient "
            "\xE2\x80\x96\xE2\x88\x82L/\xE2\x88\x82h\xE2\x82\x9C\xE2\x80\x96, "
            "\xE2\x80\x96\xE2\x88\x82L/\xE2\x88\x82\x63\xE2\x82\x9C\xE2\x80\x96 (this sequence, "
            "log):";
  wdl->AddText({x, y - fs * 0.5f}, dim, gname);
  x += ImGui::CalcTextSize(gname).x + fs * 0.6f;
  if (grad.any) {
    char lo[24], hi[24];
    std::snprintf(lo, sizeof lo, "%.2g", grad.lo);
    std::snprintf(hi, sizeof hi, "%.2g", grad.hi);
    wdl->AddText({x, y - fs * 0.5f}, dim, lo);
    x += ImGui::CalcTextSize(lo).x + fs * 0.4f;
    const float wedge = fs * 9;
    const int n = 24;
    for (int i = 0; i < n; ++i) {
      const double v = grad.lo * std::pow(grad.hi / grad.lo, (i + 0.5) / n);
      const float half = grad.width(v, fs) * 0.5f;
      wdl->AddRectFilled({x + wedge * i / n, y - half}, {x + wedge * (i + 1) / n + 0.5f, y + half},
                         grad.color(v));
    }
    x += wedge + fs * 0.4f;
    wdl->AddText({x, y - fs * 0.5f}, dim, hi);
  } else {
    wdl->AddText({x, y - fs * 0.5f}, dim, "appears in the backward pass (B)");
  }
  ImGui::Dummy({avail.x, legend_h - fs * 0.3f});
}

}  // namespace unrolled
