// Gates: one heatmap per gate (unit x time step) for the inspected sequence, with its meaning in
// the title, the fixed colour range of its activation, the selected unit and the current time step
// outlined. Also the inspection selectors (model, layer, sequence) the view panels share.
//
// [SECTION] Shared inspection helpers
// [SECTION] What each heatmap shows
// [SECTION] The panel
#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "app/panels/panels.hpp"

namespace unrolled {

// -----------------------------------------------------------------------------------------------
// [SECTION] Shared inspection helpers
// -----------------------------------------------------------------------------------------------

void plot_matrix_row(const char* label, const double* xs, const Mat& m, Eigen::Index row,
                     std::vector<double>& scratch) {
  if (row < 0 || row >= m.rows()) return;
  scratch.resize(static_cast<size_t>(m.cols()));
  for (Eigen::Index c = 0; c < m.cols(); ++c) scratch[c] = m(row, c);
  widgets::PlotLine(label, xs, scratch.data(), static_cast<int>(m.cols()));
}

void fit_on_line(float width) {
  const float em = ImGui::GetFontSize();
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  if (ImGui::GetItemRectMax().x + em + width <= right) ImGui::SameLine(0, em);
}

void draw_inspect_selectors(const Snapshot& snap, AppState& app, TrainingWorker* worker,
                            bool with_layer) {
  if (snap.models.empty()) return;
  const float em = ImGui::GetFontSize();
  const int n_models = static_cast<int>(snap.models.size());
  app.model = std::clamp(app.model, 0, n_models - 1);
  const ModelView& m = snap.models[app.model];
  bool first = true;
  // Stay on the line while the next item (about w wide) fits; wrap otherwise.
  const auto next = [&](float w) {
    if (!first) fit_on_line(w);
    first = false;
  };
  if (n_models > 1) {
    next(13 * em);
    ImGui::SetNextItemWidth(8 * em);
    if (ImGui::BeginCombo("model", m.name.c_str())) {
      for (int k = 0; k < n_models; ++k)
        if (ImGui::Selectable(snap.models[k].name.c_str(), k == app.model)) app.model = k;
      ImGui::EndCombo();
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Compare mode: which model these views show");
  }
  const int L = std::max(m.spec.num_layers, 1);
  app.layer = std::clamp(app.layer, 0, L - 1);
  if (L > 1 && with_layer) {
    next(10 * em);
    char label[32];
    std::snprintf(label, sizeof label, "%d of %d", app.layer + 1, L);
    ImGui::SetNextItemWidth(6 * em);
    if (ImGui::BeginCombo("layer", label)) {
      for (int l = 0; l < L; ++l) {
        std::snprintf(label, sizeof label, l == 0 ? "layer %d (reads x)" : "layer %d", l + 1);
        if (ImGui::Selectable(label, l == app.layer)) app.layer = l;
      }
      ImGui::EndCombo();
    }
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip(
          "Layer 1 reads the input x_t; layer l > 1 reads the h_t of the layer below");
  }
  const int B = std::max(snap.config.training.batch_size, 1);
  if (worker && B > 1) {
    next(13 * em);
    int seq = std::clamp(m.sample, 0, B - 1) + 1;
    char fmt[32];
    std::snprintf(fmt, sizeof fmt, "%%d of %d", B);
    ImGui::SetNextItemWidth(7 * em);
    if (ImGui::SliderInt("sequence", &seq, 1, B, fmt, ImGuiSliderFlags_AlwaysClamp)) {
      app.sample = seq - 1;
      worker->send(cmd::SetSample{app.sample});
    }
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip(
          "Which sequence of the batch of %d these views show. Training uses them all.", B);
  }
}

int current_step_column(const ModelView& m) {
  if (m.phase == Phase::Forward && m.forward_t > 0) return m.forward_t - 1;  // just computed
  if (m.phase == Phase::Backward && !m.profile_sweep && m.backward_t >= 0)
    return std::min(m.backward_t + 1, m.steps - 1);  // just back-propagated
  return -1;
}

std::string step_caption(const ModelView& m) {
  char buf[160];
  if (m.phase == Phase::Forward) {
    std::snprintf(buf, sizeof buf,
                  "forward pass: t = 1\xE2\x80\xA6%d of %d computed (grey: not yet)", m.forward_t,
                  m.steps);
    return buf;
  }
  if (m.phase == Phase::Backward && !m.profile_sweep) {
    std::snprintf(buf, sizeof buf, "backward pass: gradients reach back to t = %d of %d",
                  m.backward_t + 2, m.steps);
    return buf;
  }
  return {};
}

namespace {

// -----------------------------------------------------------------------------------------------
// [SECTION] What each heatmap shows
// -----------------------------------------------------------------------------------------------

enum class Range { Unit, Signed, Auto, AutoSigned };

struct MapSpec {
  const char* symbol;   // value label, e.g. "f"
  const char* name;     // "forget gate"
  const char* meaning;  // short, for the title when it fits
  const char* help;     // a sentence or two, in the lectures' terms
  Range range;
};

// The cell's value is meant: h, its colour range following the activation.
MapSpec vanilla_h(Activation a) {
  switch (a) {
    case Activation::Relu:
      return {"h", "hidden state", "h\xE2\x82\x9C = relu(a\xE2\x82\x9C)",
              "h\xE2\x82\x9C = max(0, a\xE2\x82\x9C): unbounded above, so the colour range follows "
              "the values.",
              Range::Auto};
    case Activation::Sigmoid:
      return {"h", "hidden state", "h\xE2\x82\x9C = \xCF\x83(a\xE2\x82\x9C), in [0, 1]",
              "h\xE2\x82\x9C = \xCF\x83(a\xE2\x82\x9C). Its slope is at most 1/4, so the gradient "
              "shrinks at every step it flows back through.",
              Range::Unit};
    case Activation::Identity:
      return {
          "h", "hidden state", "h\xE2\x82\x9C = a\xE2\x82\x9C (linear)",
          "h\xE2\x82\x9C = a\xE2\x82\x9C: no squashing, so W_hh alone decides whether the state "
          "and the gradient shrink or grow.",
          Range::AutoSigned};
    case Activation::Tanh:
      break;
  }
  return {"h", "hidden state",
          "h\xE2\x82\x9C = tanh(a\xE2\x82\x9C), in [\xE2\x88\x92"
          "1, 1]",
          "h\xE2\x82\x9C = tanh(a\xE2\x82\x9C). Near \xC2\xB1"
          "1 the unit is saturated: "
          "1 \xE2\x88\x92 h\xE2\x82\x9C\xC2\xB2 \xE2\x89\x88 0 and the gradient through this step "
          "vanishes. Blue negative, red positive.",
          Range::Signed};
}

MapSpec gate_spec(const std::string& g) {
  if (g == "i")
    return {"i", "input gate", "share of g\xE2\x82\x9C written into c\xE2\x82\x9C",
            "i\xE2\x82\x9C = \xCF\x83(W_xi x\xE2\x82\x9C + W_hi "
            "h\xE2\x82\x9C\xE2\x82\x8B\xE2\x82\x81 + "
            "b_i). Near 1 the candidate g\xE2\x82\x9C enters the cell "
            "(c\xE2\x82\x9C = f\xE2\x82\x9C \xE2\x8A\x99 c\xE2\x82\x9C\xE2\x82\x8B\xE2\x82\x81 + "
            "i\xE2\x82\x9C \xE2\x8A\x99 g\xE2\x82\x9C); near 0 this step's input is ignored.",
            Range::Unit};
  if (g == "f")
    return {"f", "forget gate", "share of c\xE2\x82\x9C\xE2\x82\x8B\xE2\x82\x81 kept",
            "f\xE2\x82\x9C = \xCF\x83(W_xf x\xE2\x82\x9C + W_hf "
            "h\xE2\x82\x9C\xE2\x82\x8B\xE2\x82\x81 + "
            "b_f). Near 1 the cell keeps its memory, and the gradient flows back along "
            "c\xE2\x82\x9C almost undamped (\xE2\x88\x82"
            "c\xE2\x82\x9C/\xE2\x88\x82"
            "c\xE2\x82\x9C"
            "\xE2\x82\x8B\xE2\x82\x81 = f\xE2\x82\x9C); near 0 it forgets.",
            Range::Unit};
  if (g == "g")
    return {
        "g", "candidate", "new content for c\xE2\x82\x9C",
        "g\xE2\x82\x9C = tanh(W_xg x\xE2\x82\x9C + W_hg h\xE2\x82\x9C\xE2\x82\x8B\xE2\x82\x81 + "
        "b_g), in [\xE2\x88\x92"
        "1, 1]: what the input gate may write into the cell. Blue "
        "negative, red positive.",
        Range::Signed};
  if (g == "o")
    return {"o", "output gate", "share of tanh(c\xE2\x82\x9C) shown in h\xE2\x82\x9C",
            "o\xE2\x82\x9C = \xCF\x83(W_xo x\xE2\x82\x9C + W_ho "
            "h\xE2\x82\x9C\xE2\x82\x8B\xE2\x82\x81 + "
            "b_o): h\xE2\x82\x9C = o\xE2\x82\x9C \xE2\x8A\x99 tanh(c\xE2\x82\x9C) is what the next "
            "step and the readout see.",
            Range::Unit};
  if (g == "r")
    return {"r", "reset gate",
            "share of h\xE2\x82\x9C\xE2\x82\x8B\xE2\x82\x81 used for n\xE2\x82\x9C",
            "r\xE2\x82\x9C = \xCF\x83(W_xr x\xE2\x82\x9C + W_hr "
            "h\xE2\x82\x9C\xE2\x82\x8B\xE2\x82\x81 + "
            "b_r). Near 0 the candidate n\xE2\x82\x9C is computed almost from the input alone.",
            Range::Unit};
  if (g == "z")
    return {
        "z", "update gate", "share of h\xE2\x82\x9C\xE2\x82\x8B\xE2\x82\x81 kept",
        "z\xE2\x82\x9C = \xCF\x83(W_xz x\xE2\x82\x9C + W_hz h\xE2\x82\x9C\xE2\x82\x8B\xE2\x82\x81 "
        "+ "
        "b_z); h\xE2\x82\x9C = z\xE2\x82\x9C \xE2\x8A\x99 h\xE2\x82\x9C\xE2\x82\x8B\xE2\x82\x81 + "
        "(1 \xE2\x88\x92 z\xE2\x82\x9C) \xE2\x8A\x99 n\xE2\x82\x9C. Near 1 the unit keeps its "
        "state and the gradient passes back undamped.",
        Range::Unit};
  if (g == "n")
    return {"n", "candidate", "new content for h\xE2\x82\x9C",
            "n\xE2\x82\x9C = tanh(W_xn x\xE2\x82\x9C + W_hn (r\xE2\x82\x9C \xE2\x8A\x99 "
            "h\xE2\x82\x9C\xE2\x82\x8B\xE2\x82\x81) + b_n), in [\xE2\x88\x92"
            "1, 1]: the new state "
            "the update gate mixes in (the PyTorch variant applies r\xE2\x82\x9C after W_hn).",
            Range::Signed};
  return {"h", "hidden state",
          "z \xE2\x8A\x99 h\xE2\x82\x9C\xE2\x82\x8B\xE2\x82\x81 + "
          "(1 \xE2\x88\x92 z) \xE2\x8A\x99 n",
          "h\xE2\x82\x9C = z\xE2\x82\x9C \xE2\x8A\x99 h\xE2\x82\x9C\xE2\x82\x8B\xE2\x82\x81 + "
          "(1 \xE2\x88\x92 z\xE2\x82\x9C) \xE2\x8A\x99 n\xE2\x82\x9C: the GRU's state, read by the "
          "next step and the readout.",
          Range::Signed};
}

struct Slot {
  MapSpec spec;
  const double* data;  // (H, T) column-major, column stride = rows_stride
  int stride_rows;     // rows of the matrix data points into (G*H or H)
  std::string title;
};

// -----------------------------------------------------------------------------------------------
// [SECTION] The panel
// -----------------------------------------------------------------------------------------------

void draw_slot(const Slot& s, int id, int H, int T, int highlight_col, bool pre, ImVec2 size,
               AppState& app, Mat& scratch) {
  widgets::HeatmapOptions opt;
  opt.title = s.title.c_str();
  opt.x_label = "t";
  opt.y_label = "unit";
  opt.x_first = 1;
  opt.value_format = pre ? "%.4g" : "%.4f";  // pre-activations are unbounded
  std::string value_label = pre ? std::string("pre-activation of ") + s.spec.symbol : s.spec.symbol;
  opt.value_label = value_label.c_str();
  Range range = pre ? Range::AutoSigned : s.spec.range;
  opt.colormap = range == Range::Unit || range == Range::Auto ? widgets::Colormap::Sequential
                                                              : widgets::Colormap::Diverging;
  if (range == Range::Unit) opt.vmin = 0, opt.vmax = 1;
  if (range == Range::Signed) opt.vmin = -1, opt.vmax = 1;
  opt.highlight_row = app.unit < H ? app.unit : -1;
  opt.highlight_col = highlight_col;
  // The block of H rows out of a (G*H, T) matrix: copy into (H, T) for the widget.
  const double* values = s.data;
  if (s.stride_rows != H) {
    scratch.resize(H, T);
    for (int t = 0; t < T; ++t)
      for (int u = 0; u < H; ++u)
        scratch(u, t) = s.data[static_cast<size_t>(t) * s.stride_rows + u];
    values = scratch.data();
  }
  ImGui::PushID(id);
  widgets::HeatmapState& hs = app.gates.maps[id];
  if (widgets::Heatmap("##map", values, H, T, true, opt, hs, size)) app.unit = hs.clicked_row;
  outline_heatmap(app, PanelId::Gates, s.title, hs, H, T);
  if (ImGui::IsItemHovered() && hs.hover_row < 0)
    text_tooltip((std::string(s.spec.help) +
                  (pre ? "\nShown before the squashing function: the colour range follows the "
                         "values, 0 in the centre."
                       : "") +
                  "\nRows are units, columns time steps; click a row to select its unit.")
                     .c_str());
  ImGui::PopID();
}

// One cell of a grid of n boxes in cols columns filling the space left, never smaller than
// min_plot_box() (the panel scrolls instead).
ImVec2 grid_cell_size(int n, int cols) {
  const ImVec2 avail = ImGui::GetContentRegionAvail(), gap = ImGui::GetStyle().ItemSpacing;
  const int rows = (n + cols - 1) / cols;
  const ImVec2 least = min_plot_box();
  // Never wider than the panel: a vertical scroll bar may take what the layout's minimum gave.
  return {std::min(std::max((avail.x - gap.x * (cols - 1)) / cols, least.x), avail.x),
          std::max((avail.y - gap.y * (rows - 1)) / rows, least.y)};
}

}  // namespace

// The gate that decides memory, one column per view — the LSTM's forget gate f, the GRU's update
// gate z, the vanilla cell's h_t (it has no gate): in Compare one column per model on the same
// data, with a pinned iteration that iteration beside the one on screen.
struct Column {
  const ModelView* model;
  std::string label;  // "LSTM", "iteration 500"
};

void draw_columns(const std::vector<Column>& columns, AppState& app) {
  const int n = std::min<int>(static_cast<int>(columns.size()), 4);
  // As many side by side as fit at min_plot_box(); the rest below, the panel scrolling.
  const int cols = grid_columns(n, min_plot_box().x);
  const ImVec2 size = grid_cell_size(n, cols);
  for (int k = 0; k < n; ++k) {
    const ModelView& m = *columns[k].model;
    const int l = std::clamp(app.layer, 0, m.spec.num_layers - 1);
    if (k % cols) ImGui::SameLine();
    if (m.gates.empty() || m.steps == 0) {
      ImGui::TextDisabled("%s: no forward pass yet", columns[k].label.c_str());
      continue;
    }
    const int H = m.spec.hidden_size;
    Slot s;
    if (m.spec.cell == CellType::Lstm)
      s = {gate_spec("f"), m.gates[l].data() + H, static_cast<int>(m.gates[l].rows()), ""};
    else if (m.spec.cell == CellType::Gru)
      s = {gate_spec("z"), m.gates[l].data() + H, static_cast<int>(m.gates[l].rows()), ""};
    else
      s = {vanilla_h(m.spec.activation), m.gates[l].data(), H, ""};
    s.title = columns[k].label + ": " + s.spec.symbol;  // the full name is in the tooltip
    ImGui::BeginGroup();
    draw_slot(s, k, H, m.steps, current_step_column(m), false, size, app, app.gates.block);
    ImGui::EndGroup();
  }
}

void draw_side_by_side(const Snapshot& snap, AppState& app) {
  std::vector<Column> columns;
  for (const ModelView& m : snap.models) columns.push_back({&m, m.name});
  draw_columns(columns, app);
}

// A pinned iteration (the Training panel's pin) beside the iteration on screen, same model.
void draw_pinned(const Snapshot& snap, AppState& app) {
  const Snapshot& pin = *app.pinned;
  const size_t k = std::min<size_t>(app.model, snap.models.size() - 1);
  const ModelView& then = pin.models[std::min(k, pin.models.size() - 1)];
  const ModelView& now = snap.models[k];
  ImGui::AlignTextToFramePadding();
  ImGui::TextDisabled("Iteration %lld pinned beside iteration %lld, the same sequence",
                      static_cast<long long>(then.iteration), static_cast<long long>(now.iteration));
  fit_on_line(ImGui::CalcTextSize("unpin").x + 2 * ImGui::GetStyle().FramePadding.x);
  if (ImGui::SmallButton("unpin")) {
    app.pinned.reset();
    return;
  }
  report_value(app, "pinned", std::to_string(then.iteration));
  draw_columns({{&then, "iteration " + std::to_string(then.iteration)},
                {&now, "iteration " + std::to_string(now.iteration)}},
               app);
}

void draw_gates_panel(const Snapshot& snap, AppState& app, TrainingWorker& worker) {
  if (snap.models.empty()) return;
  if (app.pinned && !app.pinned->models.empty() && app.mode != Mode::Compare) {
    draw_pinned(snap, app);
    return;
  }
  if (app.mode == Mode::Compare && snap.models.size() > 1) {
    ImGui::PushTextWrapPos(0);
    ImGui::TextDisabled(
        "The gate that decides what is remembered, per model, on the same sequence");
    ImGui::PopTextWrapPos();
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip(
          "LSTM: the forget gate f (near 1 keeps c). GRU: the update gate z (near 1 keeps h).\n"
          "Vanilla RNN: no gate, so its hidden state h is shown.");
    draw_side_by_side(snap, app);
    return;
  }
  draw_inspect_selectors(snap, app, &worker);
  const ModelView& m = inspected_model(snap, app);
  const int H = m.spec.hidden_size, T = m.steps, l = app.layer;
  const bool vanilla = m.spec.cell == CellType::Rnn;
  fit_on_line(ImGui::CalcTextSize("unit 000 selected").x);
  ImGui::AlignTextToFramePadding();
  ImGui::TextDisabled("unit %d selected", app.unit);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Click a row of any heatmap to select a unit");
  if (!vanilla) {
    fit_on_line(ImGui::GetFrameHeight() + ImGui::CalcTextSize("pre-activations").x);
    ImGui::Checkbox("pre-activations", &app.gates.show_pre);
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip(
          "Show each gate's input W_x x_t + W_h h_t-1 + b before the sigmoid or tanh");
  }
  if (m.gates.empty() || T == 0 || l >= static_cast<int>(m.gates.size())) {
    ImGui::TextDisabled("No forward pass yet: press Play or step forward.");
    return;
  }
  const std::string caption = step_caption(m);
  if (!caption.empty()) ImGui::TextUnformatted(caption.c_str());

  // The slots of the grid.
  const bool pre = app.gates.show_pre && !vanilla;
  const Mat& acts = pre ? m.pre[l] : m.gates[l];
  Slot slots[4];
  int n = 0;
  if (vanilla) {
    MapSpec a{
        "a", "pre-activation",
        "W_xh x\xE2\x82\x9C + W_hh h\xE2\x82\x9C\xE2\x82\x8B\xE2\x82\x81 + b",
        "a\xE2\x82\x9C = W_xh x\xE2\x82\x9C + W_hh h\xE2\x82\x9C\xE2\x82\x8B\xE2\x82\x81 + b, "
        "before the activation. Large |a\xE2\x82\x9C| saturates tanh and the gradient through "
        "this step vanishes. Blue negative, red positive; 0 in the centre.",
        Range::AutoSigned};
    slots[n++] = {a, m.pre[l].data(), H, ""};
    slots[n++] = {vanilla_h(m.spec.activation), m.gates[l].data(), H, ""};
  } else {
    const auto names = gate_names(m.spec.cell);
    for (size_t g = 0; g < names.size(); ++g)
      slots[n++] = {gate_spec(names[g]), acts.data() + g * H, static_cast<int>(acts.rows()), ""};
    if (m.spec.cell == CellType::Gru && !pre) slots[n++] = {gate_spec("h"), m.h[l].data(), H, ""};
  }

  // Grid: 2 x 2 for four maps (three GRU gates and h), side by side or stacked for two; one
  // column (the panel scrolling) when two would be narrower than min_plot_box().
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const int fit = grid_columns(2, min_plot_box().x);
  const int cols = std::min(fit, n > 2 ? 2 : (avail.x > 1.3f * avail.y ? 2 : 1));
  const ImVec2 size = grid_cell_size(n, cols);
  report_value(app, "maps", std::to_string(n));
  report_value(app, "columns", std::to_string(cols));
  const int hl = current_step_column(m);
  for (int k = 0; k < n; ++k) {
    Slot& s = slots[k];
    // "f — forget gate: share of c_t-1 kept", shortened to what fits.
    const std::string head = std::string(pre ? "pre-activation of " : "") + s.spec.symbol +
                             " \xE2\x80\x94 " + s.spec.name;
    const std::string full = head + ": " + s.spec.meaning;
    s.title = ImGui::CalcTextSize(full.c_str()).x <= size.x ? full : fit_text(head, size.x);
    if (k % cols) ImGui::SameLine();
    draw_slot(s, k, H, T, hl, pre, size, app, app.gates.block);
  }
}

}  // namespace unrolled
