// Cell and hidden state: c_t (LSTM) and h_t per unit over time for the inspected sequence, either
// as lanes (the selected unit emphasised among a few neighbours) or as heatmaps (every unit).
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "app/panels/panels.hpp"
#include "widgets/colormap.hpp"

namespace unrolled {
namespace {

// Whether h stays in [-1, 1] (tanh or a gated tanh), and in [0, 1] (sigmoid vanilla).
bool h_signed_unit(const NetworkSpec& s) {
  return s.cell != CellType::Rnn || s.activation == Activation::Tanh;
}
bool h_unit(const NetworkSpec& s) {
  return s.cell == CellType::Rnn && s.activation == Activation::Sigmoid;
}

struct StateView {
  const char* symbol;  // "c" or "h"
  const char* title;
  const char* help;
  const Mat* values;  // (H, T)
  double lo, hi;      // fixed range; NaN: automatic
  bool signed_map;    // diverging (0 in the centre) or sequential
};

// The selected unit's row and up to `neighbours` units on each side, as lines over t.
void draw_lanes(const StateView& v, int H, int T, int unit, int neighbours, const double* t_axis,
                std::vector<double>& scratch, widgets::PlotState& plot, ImVec2 size) {
  char id[64];
  std::snprintf(id, sizeof id, "%s##lanes_%s", v.title, v.symbol);
  if (!widgets::BeginPlot(id, size, plot)) return;
  char y_label[32];
  std::snprintf(y_label, sizeof y_label, "%s\xE2\x82\x9C", v.symbol);  // c_t, h_t
  widgets::SetupAxes("t", y_label);
  widgets::SetupAxisLimits(widgets::Axis::X, 1, std::max(T, 2));
  if (!std::isnan(v.lo)) widgets::SetupAxisLimits(widgets::Axis::Y, v.lo, v.hi);
  const int first = std::max(0, unit - neighbours), last = std::min(H - 1, unit + neighbours);
  char label[48];
  int k = 1;
  for (int u = first; u <= last; ++u) {
    if (u == unit) continue;
    std::snprintf(label, sizeof label, "unit %d", u);
    const ImU32 c = (widgets::series_color(k++) & ~IM_COL32_A_MASK) | IM_COL32(0, 0, 0, 150);
    widgets::SetNextLineStyle(c, 0.7f);
    plot_matrix_row(label, t_axis, *v.values, u, scratch);
  }
  std::snprintf(label, sizeof label, "unit %d (selected)", unit);
  widgets::SetNextLineStyle(widgets::series_color(0), 2.2f);
  plot_matrix_row(label, t_axis, *v.values, unit, scratch);
  widgets::EndPlot();
  if (ImGui::IsItemHovered() && !plot.hovered) text_tooltip(v.help);
}

bool draw_map(const StateView& v, int H, int T, int unit, int step_col,
              widgets::HeatmapState& state, ImVec2 size) {
  widgets::HeatmapOptions opt;
  opt.title = v.title;
  opt.x_label = "t";
  opt.x_first = 1;
  opt.y_label = "unit";
  opt.value_label = v.symbol;
  opt.value_format = "%.4g";  // c is not squashed: 1.2e+19 rather than 20 digits
  opt.colormap = v.signed_map ? widgets::Colormap::Diverging : widgets::Colormap::Sequential;
  opt.vmin = v.lo;
  opt.vmax = v.hi;
  opt.highlight_row = unit < H ? unit : -1;
  opt.highlight_col = step_col;
  const bool clicked = widgets::Heatmap(v.symbol, v.values->data(), H, T, true, opt, state, size);
  if (ImGui::IsItemHovered() && state.hover_row < 0) text_tooltip(v.help);
  return clicked;
}

// lanes / heatmap, the selected unit, and (lanes) how many neighbours, on as few lines as fit.
void draw_view_options(AppState& app, int H) {
  StatesPanelState& st = app.states;
  const float em = ImGui::GetFontSize();
  int mode = st.as_heatmap ? 1 : 0;
  fit_on_line(14 * em);
  ImGui::RadioButton("lanes", &mode, 0);
  if (ImGui::IsItemHovered())
    text_tooltip("The selected unit over time as a line, with its neighbours for context");
  fit_on_line(ImGui::GetFrameHeight() + ImGui::CalcTextSize("heatmap").x);
  ImGui::RadioButton("heatmap", &mode, 1);
  if (ImGui::IsItemHovered()) text_tooltip("Every unit at once: a row per unit, a column per step");
  st.as_heatmap = mode == 1;
  fit_on_line(6 * em);
  ImGui::SetNextItemWidth(6 * em);
  ImGui::SliderInt("##unit", &app.unit, 0, H - 1, "unit %d");
  if (ImGui::IsItemHovered()) text_tooltip("The selected unit (also: click a heatmap row)");
  if (!st.as_heatmap) {
    fit_on_line(6 * em);
    ImGui::SetNextItemWidth(6 * em);
    ImGui::SliderInt("##neighbours", &st.neighbours, 0, 6, "\xC2\xB1%d units");
    if (ImGui::IsItemHovered()) text_tooltip("Neighbouring units drawn thin for context");
  }
}

// c (LSTM only) and h of layer l, with their ranges and help; returns how many.
int state_views(const ModelView& m, int l, bool lstm, StateView views[2]) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  int n = 0;
  if (lstm)
    views[n++] = {
        "c",
        "c\xE2\x82\x9C \xE2\x80\x94 cell state: the LSTM's memory",
        "c\xE2\x82\x9C = f\xE2\x82\x9C \xE2\x8A\x99 c\xE2\x82\x9C\xE2\x82\x8B\xE2\x82\x81 + "
        "i\xE2\x82\x9C \xE2\x8A\x99 g\xE2\x82\x9C: kept by the forget gate, written by the "
        "input gate. It is not squashed, so it can grow beyond \xC2\xB1"
        "1 and carry a value "
        "(and its gradient) across many steps.",
        &m.c[l],
        kNaN,
        kNaN,
        true};
  const bool sgn = h_signed_unit(m.spec), unit01 = h_unit(m.spec);
  const char* h_help =
      m.spec.cell == CellType::Lstm
          ? "h\xE2\x82\x9C = o\xE2\x82\x9C \xE2\x8A\x99 tanh(c\xE2\x82\x9C), in [\xE2\x88\x92"
            "1, 1]: "
            "what the next step and the readout see of the cell."
      : m.spec.cell == CellType::Gru
          ? "h\xE2\x82\x9C = z\xE2\x82\x9C \xE2\x8A\x99 h\xE2\x82\x9C\xE2\x82\x8B\xE2\x82\x81 + "
            "(1 \xE2\x88\x92 z\xE2\x82\x9C) \xE2\x8A\x99 n\xE2\x82\x9C, in [\xE2\x88\x92"
            "1, 1]: the "
            "GRU's memory and its output at once."
          : "h\xE2\x82\x9C = act(W_xh x\xE2\x82\x9C + W_hh h\xE2\x82\x9C\xE2\x82\x8B\xE2\x82\x81 + "
            "b): "
            "the whole memory of a vanilla RNN, rewritten at every step.";
  views[n++] = {"h",
                "h\xE2\x82\x9C \xE2\x80\x94 hidden state",
                h_help,
                &m.h[l],
                sgn      ? -1.0
                : unit01 ? 0.0
                         : kNaN,
                sgn || unit01 ? 1.0 : kNaN,
                !unit01 && m.spec.activation != Activation::Relu};

  return n;
}

// "unit 3 at t = 21:  c = -2.94  h = -0.887", each value kept whole (to the next line when it
// does not fit); each value also reported.
void draw_unit_values(const ModelView& m, AppState& app, const StateView* views, int n) {
  const int last_t = std::min(m.forward_t, m.steps) - 1;
  if (last_t < 0) return;
  const std::string head =
      "unit " + std::to_string(app.unit) + " at t = " + std::to_string(last_t + 1) + ":";
  ImGui::TextUnformatted(head.c_str());
  for (int k = 0; k < n; ++k) {
    const std::string v = fmt_num((*views[k].values)(app.unit, last_t));
    const std::string part = std::string(views[k].symbol) + " = " + v;
    fit_on_line(ImGui::CalcTextSize(part.c_str()).x);
    ImGui::TextUnformatted(part.c_str());
    report_value(app, views[k].symbol, v);
  }
}

}  // namespace

void draw_states_panel(const Snapshot& snap, AppState& app, TrainingWorker& worker) {
  if (snap.models.empty()) return;
  StatesPanelState& st = app.states;
  draw_inspect_selectors(snap, app, &worker);
  const ModelView& m = inspected_model(snap, app);
  const int l = app.layer, H = m.spec.hidden_size, T = m.steps;
  if (m.h.empty() || T == 0 || l >= static_cast<int>(m.h.size())) {
    ImGui::TextDisabled("No forward pass yet: press Play or step forward.");
    return;
  }
  app.unit = std::clamp(app.unit, 0, H - 1);
  report_value(app, "unit", std::to_string(app.unit));
  draw_view_options(app, H);

  const bool lstm = !m.c.empty() && l < static_cast<int>(m.c.size());
  StateView views[2];
  const int n = state_views(m, l, lstm, views);
  draw_unit_values(m, app, views, n);
  const std::string caption = step_caption(m);
  if (!caption.empty()) {
    ImGui::PushTextWrapPos(0);
    ImGui::TextDisabled("%s", caption.c_str());
    ImGui::PopTextWrapPos();
  }

  // Stacked, each at least min_plot_box() high: a short panel scrolls.
  const ImVec2 size(ImGui::GetContentRegionAvail().x, stacked_plot_height(n));
  if (st.as_heatmap) {
    widgets::HeatmapState* maps[2] = {lstm ? &st.cell_map : &st.hidden_map, &st.hidden_map};
    for (int k = 0; k < n; ++k)
      if (draw_map(views[k], H, T, app.unit, current_step_column(m), *maps[k], size))
        app.unit = maps[k]->clicked_row;
  } else {
    st.t_axis.resize(T);
    for (int t = 0; t < T; ++t) st.t_axis[t] = t + 1;
    widgets::PlotState* plots[2] = {lstm ? &st.cell_lanes : &st.hidden_lanes, &st.hidden_lanes};
    for (int k = 0; k < n; ++k)
      draw_lanes(views[k], H, T, app.unit, st.neighbours, st.t_axis.data(), st.row, *plots[k],
                 size);
  }
}

}  // namespace unrolled
