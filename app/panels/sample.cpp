// Sample: the inspected sequence's input, target and prediction in the form the task calls for.
//   regression (MSE)                  inputs, target and prediction as lines over t; for a single
//                                     answer at the end (adding) the marked values and the sum
//   classification at the end         the one-hot input as a labelled heatmap, the sequence in
//                                     words, and the predicted probability of every class
//   a class at every step (copy, LM)  rows of input / target / predicted symbols with p(target),
//                                     the probabilities as a heatmap, and for the character model
//                                     the text it generates at a chosen temperature
//
// [SECTION] Helpers
// [SECTION] Regression
// [SECTION] One class at the end
// [SECTION] A class at every step
// [SECTION] The panel
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "app/panels/panels.hpp"
#include "widgets/colormap.hpp"

namespace unrolled {
namespace {

// -----------------------------------------------------------------------------------------------
// [SECTION] Helpers
// -----------------------------------------------------------------------------------------------

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Index of the largest finite entry of column c, or -1 (all zero or not computed).
int argmax_col(const Mat& m, Eigen::Index c, bool need_positive) {
  int best = -1;
  double v = need_positive ? 0.0 : -std::numeric_limits<double>::infinity();
  for (Eigen::Index r = 0; r < m.rows(); ++r)
    if (std::isfinite(m(r, c)) && m(r, c) > v) v = m(r, c), best = static_cast<int>(r);
  return best;
}

// A task's symbol label, short enough for a grid cell: the copy task's "blank" and "delimiter"
// become a dot and a bar, the character model's space and new line a low bar and an arrow (the
// legend under the grid says so).
const char* short_label(const std::vector<std::string>& labels, int k) {
  if (k < 0 || k >= static_cast<int>(labels.size())) return "";
  if (labels[k] == "blank") return "\xC2\xB7";
  if (labels[k] == "delimiter") return "|";
  if (labels[k] == "space") return "\xE2\x96\x81";
  if (labels[k] == "\\n") return "\xE2\x86\xB5";
  return labels[k].c_str();
}

// A heatmap whose rows are named symbols (a vocabulary, the classes) is made tall enough for a
// label on every row (the widget spaces them 1.15 lines at least) when there are at most this
// many; the panel scrolls instead of leaving rows unnamed.
constexpr int kMaxNamedRows = 32;
float named_rows_height(int rows, float h) {
  if (rows > kMaxNamedRows) return h;
  return std::max(h, (rows * 1.2f + 6.0f) * ImGui::GetTextLineHeight());
}

void fill_t_axis(SamplePanelState& st, int T) {
  st.t_axis.resize(T);
  for (int t = 0; t < T; ++t) st.t_axis[t] = t + 1;
}

// A labelled bar for a value in [0, hi]: "label  [=====      ] 0.83".
void value_bar(const char* label, double value, double hi, ImU32 color, float label_w) {
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(label);
  ImGui::SameLine(label_w);
  const std::string overlay = std::isfinite(value) ? fmt_num(value, 3) : "\xE2\x80\x94";
  ImGui::PushStyleColor(ImGuiCol_PlotHistogram, color);
  const float f =
      std::isfinite(value) ? static_cast<float>(std::clamp(value / hi, 0.0, 1.0)) : 0.0f;
  ImGui::ProgressBar(f, ImVec2(-1, 0), overlay.c_str());
  ImGui::PopStyleColor();
}

// -----------------------------------------------------------------------------------------------
// [SECTION] Regression
// -----------------------------------------------------------------------------------------------

void draw_regression(const Snapshot& snap, const ModelView& m, SamplePanelState& st) {
  const TaskInfo& task = snap.task;
  const int T = static_cast<int>(m.inputs.cols()), I = static_cast<int>(m.inputs.rows());
  fill_t_axis(st, T);
  const bool adding = task.readout == Readout::Last && I == 2 && task.input_labels.size() == 2 &&
                      task.input_labels[1] == "marker";
  const float em = ImGui::GetFontSize();
  // The plot takes what the read-out below it leaves, never less than min_plot_box().
  const float below =
      task.readout == Readout::Last ? ImGui::GetFrameHeightWithSpacing() * 3 + em : 0.0f;
  const float plot_h = stacked_plot_height(1, below);
  if (widgets::BeginPlot("##series", ImVec2(-1, plot_h), st.series)) {
    widgets::SetupAxes("t", adding ? "input" : "value", widgets::PlotFlags_LegendBottom);
    widgets::SetupAxisLimits(widgets::Axis::X, 1, std::max(T, 2));
    if (adding) {
      // The values as a thin line, the two marked ones as large diamonds.
      st.scratch.assign(T, kNaN);
      for (int t = 0; t < T; ++t)
        if (m.inputs(1, t) > 0.5) st.scratch[t] = m.inputs(0, t);
      widgets::SetNextLineStyle(widgets::series_color(1), 0.7f);
      plot_matrix_row("value", st.t_axis.data(), m.inputs, 0, st.row);
      widgets::SetNextLineStyle(widgets::series_color(0), 1.6f);
      widgets::PlotScatter("marked (to add)", st.t_axis.data(), st.scratch.data(), T,
                           widgets::Marker::Diamond);
    } else {
      for (int i = 0; i < I; ++i) {
        const std::string label =
            "input " + (i < static_cast<int>(task.input_labels.size()) ? task.input_labels[i]
                                                                       : std::to_string(i));
        widgets::SetNextLineStyle(widgets::series_color(1 + i), 0.8f);
        plot_matrix_row(label.c_str(), st.t_axis.data(), m.inputs, i, st.row);
      }
      if (task.readout == Readout::Every && m.targets.cols() == T) {
        const int O = static_cast<int>(m.targets.rows());
        for (int o = 0; o < O; ++o) {
          const std::string name = o < static_cast<int>(task.output_labels.size())
                                       ? task.output_labels[o]
                                       : std::to_string(o);
          const std::string target = "target " + name, pred = "prediction";
          widgets::SetNextLineStyle(ImGui::GetColorU32(ImGuiCol_Text, 0.8f), 1.0f);
          plot_matrix_row(target.c_str(), st.t_axis.data(), m.targets, o, st.row);
          widgets::SetNextLineStyle(widgets::series_color(0), 1.5f);
          plot_matrix_row(pred.c_str(), st.t_axis.data(), m.outputs, o, st.row);
        }
      }
    }
    widgets::EndPlot();
  }
  if (ImGui::IsItemHovered())
    text_tooltip(adding
                     ? "Each step shows a random value; the two diamonds mark the values to add. "
                       "The network must keep both in its state until the end."
                     : "The input at each step, the value the network should answer (target) "
                       "and what it answers (prediction).");
  if (task.readout == Readout::Last && m.targets.size() > 0) {
    const double target = m.targets(0, 0), pred = m.outputs(0, 0);
    const double hi = std::max({2.0, std::isfinite(pred) ? pred : 0.0, target});
    const float label_w = ImGui::CalcTextSize("prediction  ").x;
    std::string line = "target " + fmt_num(target);
    if (adding) {
      double marked[2] = {kNaN, kNaN};
      int k = 0;
      for (int t = 0; t < T && k < 2; ++t)
        if (m.inputs(1, t) > 0.5) marked[k++] = m.inputs(0, t);
      line = "target: " + fmt_num(marked[0]) + " + " + fmt_num(marked[1]) + " = " + fmt_num(target);
    }
    ImGui::TextUnformatted(line.c_str());
    if (std::isfinite(pred)) {
      const std::string error = "error " + fmt_num(pred - target);
      fit_on_line(ImGui::CalcTextSize(error.c_str()).x);
      ImGui::TextUnformatted(error.c_str());
    }
    value_bar("target", target, hi, ImGui::GetColorU32(ImGuiCol_Text, 0.6f), label_w);
    value_bar("prediction", pred, hi, widgets::series_color(0), label_w);
  }
}

// -----------------------------------------------------------------------------------------------
// [SECTION] One class at the end
// -----------------------------------------------------------------------------------------------

void draw_class_at_end(const Snapshot& snap, const ModelView& m, AppState& app) {
  SamplePanelState& st = app.sample_panel;
  const TaskInfo& task = snap.task;
  const int T = static_cast<int>(m.inputs.cols()), I = static_cast<int>(m.inputs.rows());
  const int K = static_cast<int>(m.outputs.rows());
  const float em = ImGui::GetFontSize();
  // The sequence in words.
  std::string words;
  for (int t = 0; t < T; ++t) {
    const int k = argmax_col(m.inputs, t, true);
    if (k >= 0 && task.input_labels[k] == "<pad>") continue;
    if (!words.empty()) words += ' ';
    words += k >= 0 ? task.input_labels[k] : std::string("?");
  }
  ImGui::PushTextWrapPos(0);
  ImGui::Text("sequence: %s", words.c_str());
  ImGui::PopTextWrapPos();

  st.label_ptrs.resize(I);
  for (int i = 0; i < I; ++i)
    st.label_ptrs[i] =
        i < static_cast<int>(task.input_labels.size()) ? task.input_labels[i].c_str() : "?";
  widgets::HeatmapOptions opt;
  opt.title = "input x\xE2\x82\x9C (one-hot: a bright cell is the symbol shown)";
  opt.x_label = "t";
  opt.x_first = 1;
  opt.y_label = "symbol";
  opt.value_label = "x";
  opt.vmin = 0;
  opt.vmax = 1;
  opt.colorbar = false;
  opt.y_tick_labels = st.label_ptrs.data();
  opt.highlight_col = current_step_column(m);
  const float bars_h = (K + 1.5f) * ImGui::GetFrameHeightWithSpacing() + em;
  widgets::Heatmap("##inputs", m.inputs.data(), I, T, true, opt, st.inputs,
                   ImVec2(-1, named_rows_height(I, stacked_plot_height(1, bars_h))));
  report_value(app, "input rows labelled",
               std::to_string(st.inputs.row_labels) + " of " + std::to_string(I));

  // The predicted probability of every class; the target's bar in its own colour.
  const int target = argmax_col(m.targets, 0, true);
  const int predicted = argmax_col(m.outputs, 0, false);
  if (predicted < 0)
    ImGui::TextDisabled("prediction: after the last step of the forward pass");
  else {
    report_value(app, "predicted", short_label(task.output_labels, predicted));
    report_value(app, "target", short_label(task.output_labels, target));
    ImGui::PushTextWrapPos(0);
    ImGui::Text("predicted %s, target %s: %s", short_label(task.output_labels, predicted),
                short_label(task.output_labels, target), predicted == target ? "right" : "wrong");
    ImGui::PopTextWrapPos();
  }
  if (ImGui::IsItemHovered())
    text_tooltip(
        "The softmax output after the last step: the network's probability for each class. "
        "The target's bar is green; the loss is \xE2\x88\x92ln of its probability.");
  float label_w = 0;
  for (int k = 0; k < K; ++k)
    label_w = std::max(label_w, ImGui::CalcTextSize(short_label(task.output_labels, k)).x);
  label_w += ImGui::CalcTextSize("  (target)").x + 1.5f * ImGui::GetFontSize();
  for (int k = 0; k < K; ++k) {
    std::string label = short_label(task.output_labels, k);
    if (k == target) label += "  (target)";
    value_bar(label.c_str(), m.outputs(k, 0), 1.0,
              k == target ? widgets::series_color(2) : widgets::series_color(1), label_w);
  }
}

// -----------------------------------------------------------------------------------------------
// [SECTION] A class at every step
// -----------------------------------------------------------------------------------------------

// One cell of the symbol table: row 0 the step, 1 the input, 2 the target, 3 the prediction (red
// when wrong), 4 p(target) in percent on its colour.
void draw_symbol_cell(const TaskInfo& task, const ModelView& m, int row, int t) {
  const int target = t < m.targets.cols() ? argmax_col(m.targets, t, true) : -1;
  const int pred = t < m.outputs.cols() ? argmax_col(m.outputs, t, false) : -1;
  switch (row) {
    case 0:
      ImGui::TextDisabled("%d", t + 1);
      return;
    case 1:
      ImGui::TextUnformatted(short_label(task.input_labels, argmax_col(m.inputs, t, true)));
      return;
    case 2:
      ImGui::TextUnformatted(short_label(task.output_labels, target));
      return;
    case 3:
      if (pred < 0) return;
      ImGui::PushStyleColor(ImGuiCol_Text, pred == target ? ImGui::GetColorU32(ImGuiCol_Text)
                                                          : attention_color(true));
      ImGui::TextUnformatted(short_label(task.output_labels, pred));
      ImGui::PopStyleColor();
      return;
    case 4: {
      if (target < 0 || pred < 0) return;
      const double p = m.outputs(target, t);
      const ImU32 bg = widgets::colormap_color(widgets::Colormap::Sequential, p, 0.0, 1.0);
      ImGui::TableSetBgColor(ImGuiTableBgTarget_CellBg, bg);
      const bool light = p > 0.55;  // the map turns light from green to yellow
      ImGui::PushStyleColor(ImGuiCol_Text,
                            light ? IM_COL32(0, 0, 0, 255) : IM_COL32(255, 255, 255, 255));
      ImGui::Text("%.0f", 100 * p);
      ImGui::PopStyleColor();
      return;
    }
  }
}

// The steps the symbol table shows: all T when they fit; else `fit` of them and a "…" column
// (-1) for the k = T − fit left out, a run of steps among t = 2..T−1 chosen to hold the most
// `idle` ones (nothing shown, nothing asked: the copy task's pause), ties going to the run
// nearest the middle, and never the current step (-1: none; when no such run exists, the steps
// up to the current one between two "…").
std::vector<int> table_steps(const std::vector<bool>& idle, int fit, int current) {
  const int T = static_cast<int>(idle.size());
  std::vector<int> steps;
  if (T <= fit + 1) {
    for (int t = 0; t < T; ++t) steps.push_back(t);
    return steps;
  }
  const int k = T - std::max(fit, 2);
  int best = -1, best_idle = -1;
  float best_off = 0;
  for (int a = 1; a + k <= T - 1; ++a) {
    if (current >= a && current < a + k) continue;
    const int n = static_cast<int>(std::count(idle.begin() + a, idle.begin() + a + k, true));
    const float off = std::abs(a + 0.5f * k - 0.5f * T);
    if (n > best_idle || (n == best_idle && off < best_off))
      best = a, best_idle = n, best_off = off;
  }
  if (best < 0) {  // no one run keeps the current step: t = 1, "…", the steps up to it, "…"
    steps = {0, -1};
    for (int t = std::max(current - std::max(fit - 3, 0), 1); t <= current; ++t) steps.push_back(t);
    if (current < T - 1) steps.push_back(-1);
    return steps;
  }
  for (int t = 0; t < T; ++t) {
    if (t == best) steps.push_back(-1);
    if (t < best || t >= best + k) steps.push_back(t);
  }
  return steps;
}

// Steps at which the sequence shows a blank and asks for a blank.
std::vector<bool> idle_steps(const TaskInfo& task, const ModelView& m) {
  const int T = static_cast<int>(m.inputs.cols());
  std::vector<bool> idle(T, false);
  const auto blank = [](const std::vector<std::string>& labels, int k) {
    return k >= 0 && k < static_cast<int>(labels.size()) && labels[k] == "blank";
  };
  for (int t = 0; t < T; ++t)
    idle[t] = blank(task.input_labels, argmax_col(m.inputs, t, true)) &&
              (t >= m.targets.cols() || blank(task.output_labels, argmax_col(m.targets, t, true)));
  return idle;
}

// One column of the "…": the steps left out, in a tooltip.
void draw_elided_cell(int row, int from, int to) {
  ImGui::TextDisabled("\xE2\x80\xA6");
  if (row == 0 && ImGui::IsItemHovered()) {
    const std::string tip = "t = " + std::to_string(from + 1) + " to " + std::to_string(to + 1) +
                            " are left out here: the panel is too narrow for every step. Widen "
                            "it (or F over it) to see them.";
    text_tooltip(tip.c_str());
  }
}

// Rows of symbols: one column per step (the middle elided where they do not all fit),
// p(target) coloured on the sequential map.
void draw_symbol_table(const TaskInfo& task, const ModelView& m, AppState& app) {
  const int T = static_cast<int>(m.inputs.cols());
  const float em = ImGui::GetFontSize();
  float cell_w = ImGui::CalcTextSize("100").x + 0.6f * em;
  for (const auto& l : task.input_labels)
    if (l != "blank" && l != "delimiter")
      cell_w = std::max(cell_w, ImGui::CalcTextSize(l.c_str()).x + 0.6f * em);
  const float label_w = ImGui::CalcTextSize("p(target) %").x + em;
  const ImGuiStyle& style = ImGui::GetStyle();
  // Each column takes its width and the cell padding on both sides; the "…" one em.
  const float pad = 2 * style.CellPadding.x, column_w = cell_w + pad;
  const float room = ImGui::GetContentRegionAvail().x - label_w - pad;
  const int all = static_cast<int>(room / column_w);
  const int step_col = current_step_column(m);
  const std::vector<int> steps = table_steps(
      idle_steps(task, m), T <= all ? T : static_cast<int>((room - em - pad) / column_w), step_col);
  std::string shown;
  for (int t : steps) {
    if (!shown.empty()) shown += ' ';
    shown += t < 0 ? std::string("\xE2\x80\xA6") : std::to_string(t + 1);
  }
  report_value(app, "table steps", shown);
  const ImGuiTableFlags flags = ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingFixedFit |
                                ImGuiTableFlags_NoHostExtendX;
  const int n = static_cast<int>(steps.size());
  if (!ImGui::BeginTable("##symbols", n + 1, flags)) return;
  ImGui::TableSetupColumn("##name", ImGuiTableColumnFlags_WidthFixed, label_w);
  for (int t : steps)
    ImGui::TableSetupColumn("##t", ImGuiTableColumnFlags_WidthFixed, t < 0 ? em : cell_w);
  const char* names[] = {"t", "input", "target", "predicted", "p(target) %"};
  const char* help[] = {
      "The time step.", "The symbol shown at step t.",
      "The symbol the network should answer at step t.",
      "The symbol the network finds most likely (argmax of its softmax output); red when "
      "it is not the target.",
      "The probability the network gives the right answer: the loss at step t is "
      "\xE2\x88\x92ln p(target). In percent, coloured from dark (0) to yellow (100)."};
  for (int row = 0; row < 5; ++row) {
    ImGui::TableNextRow();
    ImGui::TableSetColumnIndex(0);
    ImGui::TextUnformatted(names[row]);
    if (ImGui::IsItemHovered()) text_tooltip(help[row]);
    for (int i = 0; i < n; ++i) {
      ImGui::TableSetColumnIndex(i + 1);
      const int t = steps[i];
      if (t < 0) {
        draw_elided_cell(row, steps[i - 1] + 1, i + 1 < n ? steps[i + 1] - 1 : T - 1);
        continue;
      }
      if (t == step_col)
        ImGui::TableSetBgColor(ImGuiTableBgTarget_CellBg, ImGui::GetColorU32(ImGuiCol_Header));
      draw_symbol_cell(task, m, row, t);
    }
  }
  ImGui::EndTable();
}

void draw_class_every_step(const Snapshot& snap, const ModelView& m, AppState& app,
                           TrainingWorker& worker) {
  SamplePanelState& st = app.sample_panel;
  const TaskInfo& task = snap.task;
  const int T = static_cast<int>(m.inputs.cols());
  const int O = static_cast<int>(m.outputs.rows());
  const float em = ImGui::GetFontSize();
  const bool lm = !snap.vocabulary.empty();

  draw_symbol_table(task, m, app);
  bool copy_symbols = false, space = false, newline = false;
  for (const auto& l : task.input_labels) {
    copy_symbols |= l == "delimiter";
    space |= l == "space";
    newline |= l == "\\n";
  }
  if (copy_symbols)
    ImGui::TextDisabled("\xC2\xB7 blank    | delimiter: now write the symbols back, in order");
  if (space || newline)
    ImGui::TextDisabled("%s%s", space ? "\xE2\x96\x81 space    " : "",
                        newline ? "\xE2\x86\xB5 new line" : "");

  // The probabilities of every symbol at every step (small vocabularies), then generated text.
  const float text_h = lm ? 6.0f * ImGui::GetTextLineHeightWithSpacing() : 0.0f;
  const float map_h = ImGui::GetContentRegionAvail().y - text_h;
  // Only while the map keeps min_plot_box() and every row stays visible.
  if (map_h >= min_plot_box().y && map_h > O * 0.6f * em) {
    st.label_ptrs.resize(O);
    for (int o = 0; o < O; ++o) st.label_ptrs[o] = short_label(task.output_labels, o);
    st.labels.resize(T);
    for (int t = 0; t < T; ++t)
      st.labels[t] = short_label(task.input_labels, argmax_col(m.inputs, t, true));
    std::vector<const char*>& x_ptrs = st.x_label_ptrs;
    x_ptrs.resize(T);
    for (int t = 0; t < T; ++t) x_ptrs[t] = st.labels[t].c_str();
    widgets::HeatmapOptions opt;
    opt.title = lm ? "p(next character): the softmax output at each step"
                   : "p(answer): the softmax output at each step";
    opt.x_label = "input at step t";
    opt.y_label = lm ? "next character" : "answer";
    opt.value_label = "p";
    opt.value_format = "%.4f";
    opt.vmin = 0;
    opt.vmax = 1;
    opt.x_tick_labels = x_ptrs.data();
    opt.y_tick_labels = st.label_ptrs.data();
    opt.highlight_col = current_step_column(m);
    widgets::Heatmap("##probs", m.outputs.data(), O, static_cast<int>(m.outputs.cols()), true, opt,
                     st.outputs, ImVec2(-1, named_rows_height(O, map_h)));
    report_value(app, "answer rows labelled",
                 std::to_string(st.outputs.row_labels) + " of " + std::to_string(O));
  }
  if (!lm) return;

  // Generated text at the chosen temperature.
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("generated text");
  ImGui::SameLine(0, em);
  ImGui::SetNextItemWidth(std::min(14 * em, ImGui::GetContentRegionAvail().x - 6 * em));
  if (ImGui::SliderFloat("temperature", &app.temperature, 0.1f, 2.0f, "%.2f")) {
    worker.send(cmd::SetTemperature{app.temperature});
  }
  if (ImGui::IsItemHovered())
    text_tooltip(
        "Characters are drawn one at a time from softmax(y / temperature), each fed back as "
        "the next input. Low: the likeliest characters, repetitive; 1: the model's own "
        "distribution; high: more random. Resampled every 50 iterations.");
  ImGui::BeginChild("##generated", ImVec2(0, 0), true);
  ImGui::PushTextWrapPos(0);
  ImGui::TextUnformatted(m.generated.empty() ? "(sampled after the next iterations)"
                                             : m.generated.c_str());
  ImGui::PopTextWrapPos();
  ImGui::EndChild();
}

}  // namespace

// -----------------------------------------------------------------------------------------------
// [SECTION] The panel
// -----------------------------------------------------------------------------------------------

void draw_sample_panel(const Snapshot& snap, AppState& app, TrainingWorker& worker) {
  if (snap.models.empty()) return;
  draw_inspect_selectors(snap, app, &worker, /*with_layer=*/false);
  const ModelView& m = inspected_model(snap, app);
  if (m.inputs.cols() == 0) {
    ImGui::TextDisabled("No batch yet: press Play or step forward.");
    return;
  }
  fit_on_line(ImGui::CalcTextSize(snap.task.name.c_str()).x + 4 * ImGui::GetFontSize());
  ImGui::AlignTextToFramePadding();
  ImGui::TextDisabled("task: %s", snap.task.name.c_str());
  if (ImGui::IsItemHovered()) text_tooltip(snap.task.description.c_str());
  if (snap.task.loss == LossKind::Mse)
    draw_regression(snap, m, app.sample_panel);
  else if (snap.task.readout == Readout::Last)
    draw_class_at_end(snap, m, app);
  else
    draw_class_every_step(snap, m, app, worker);
}

}  // namespace unrolled
