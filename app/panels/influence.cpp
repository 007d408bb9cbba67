// Gradient of the output (Inspect): ‖∂y/∂h_t‖ of the output chosen in the Input panel against t,
// one line per layer, log scale: which steps the output's value depends on, and how fast a trained
// model forgets. The values are OutputGradient's (app/session/inspect.hpp): the engine's BPTT from
// that one output alone.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "app/panels/panels.hpp"

namespace unrolled {

// The gradient of the chosen output with respect to h_t, against t: which steps the output's
// value depends on. One line per layer, log scale; the chosen step marked.
void draw_influence_panel(const Snapshot& snap, AppState& app) {
  InspectState& is = app.inspect;
  if (!is.active || snap.models.empty() || snap.models[0].steps == 0) {
    ImGui::TextDisabled("Type an input in the Input panel.");
    return;
  }
  const ModelView& m = snap.models[0];
  const OutputGradient& g = is.gradient;
  const int T = m.steps, L = m.spec.num_layers;
  if (g.norm.cols() != T) return;
  const std::string out = is.model.output_labels.size() > static_cast<size_t>(g.unit)
                              ? is.model.output_labels[g.unit]
                              : "y" + std::to_string(g.unit);
  ImGui::PushTextWrapPos(0);
  // How far back the dependence reaches: the earliest step within a factor 100 of the largest.
  const double top = g.norm.row(L - 1).head(g.step + 1).maxCoeff();
  int reach = g.step;
  for (int t = g.step; t >= 0; --t)
    if (g.norm(L - 1, t) >= top * 1e-2) reach = t;
  const std::string act =
      is.model.model.readout_activation == ReadoutActivation::None
          ? ""
          : " (before its " + std::string(to_string(is.model.model.readout_activation)) + ")";
  ImGui::TextUnformatted(
      ("output " + out + " at step " + std::to_string(g.step + 1) + act +
       " depends on the steps back to " + std::to_string(reach + 1) +
       (is.input.labels.size() > static_cast<size_t>(reach) ? " (" + is.input.labels[reach] + ")"
                                                            : "") +
       ", within a factor 100 of its largest \xE2\x80\x96\xE2\x88\x82y/"
       "\xE2\x88\x82h\xE2\x82\x9C\xE2\x80\x96")
          .c_str());
  ImGui::PopTextWrapPos();
  std::string norms;
  for (int t = 0; t < T; ++t) norms += (t ? "," : "") + fmt_num(g.norm(L - 1, t), 6);
  report_value(app, "gradient norms", norms);
  report_value(app, "reach", std::to_string(reach + 1));
  is.t_axis.resize(T);
  for (int t = 0; t < T; ++t) is.t_axis[t] = t + 1;
  const float least =
      widgets::plot_height_for(is.influence, kMinDataLinesH * ImGui::GetTextLineHeight());
  const float plot_h = std::max({least, min_plot_box().y, ImGui::GetContentRegionAvail().y});
  if (widgets::BeginPlot("dependence on each step##influence", ImVec2(-1, plot_h), is.influence)) {
    widgets::SetupAxes("t", "\xE2\x80\x96\xE2\x88\x82y/\xE2\x88\x82h\xE2\x82\x9C\xE2\x80\x96",
                       widgets::PlotFlags_LogY | widgets::PlotFlags_LegendLeft);
    widgets::SetupAxisLimits(widgets::Axis::X, 1, std::max(T, 2));
    // At least three decades below the largest norm, so that a nearly flat profile looks flat
    // and the factor of 100 the sentence names is on the axis.
    double y_hi = 0, y_lo = std::numeric_limits<double>::infinity();
    for (Eigen::Index k = 0; k < g.norm.size(); ++k)
      if (const double v = g.norm.data()[k]; std::isfinite(v) && v > 0)
        y_hi = std::max(y_hi, v), y_lo = std::min(y_lo, v);
    if (y_hi > 0)
      widgets::SetupAxisLimits(widgets::Axis::Y, std::max(std::min(y_lo, y_hi / 1000) / 2, 1e-300),
                               y_hi * 2);
    for (int l = L - 1; l >= 0; --l) {
      const std::string label = L > 1 ? "layer " + std::to_string(l + 1) : "h";
      plot_matrix_row(label.c_str(), is.t_axis.data(), g.norm, l, is.row);
    }
    widgets::PlotVLine("output's step", g.step + 1);
    widgets::EndPlot();
  }
  if (ImGui::IsItemHovered() && !is.influence.hovered)
    text_tooltip(
        "How much the chosen output would move if h\xE2\x82\x9C moved: the norm of its "
        "gradient with respect to each step's hidden state, computed by the same BPTT as "
        "training, from that one output alone. Steps after the output have none. A fall "
        "to the left is how fast this trained model forgets.");
}

}  // namespace unrolled
