// Gradient through time: (1) ‖∂L/∂h_t‖ (and ‖∂L/∂c_t‖ for the LSTM) against t for this
// iteration, (2) the decay profile ‖∂L_T/∂h_t‖ against the distance T − t with a read-out of how
// many decades it falls, every model overlaid in compare mode, (3) the profile over the iterations
// as a heatmap with a log colour scale: the vanishing picture as training goes on.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "app/panels/panels.hpp"
#include "widgets/canvas.hpp"

namespace unrolled {
namespace {

// Superscript digits 0-9 in UTF-8.
constexpr const char* kSup[] = {"\xE2\x81\xB0", "\xC2\xB9",     "\xC2\xB2",     "\xC2\xB3",
                                "\xE2\x81\xB4", "\xE2\x81\xB5", "\xE2\x81\xB6", "\xE2\x81\xB7",
                                "\xE2\x81\xB8", "\xE2\x81\xB9"};

// A positive factor written for the back row: "3×10⁴", "0.5", "120".
std::string factor_text(double x) {
  char buf[64];
  if (x >= 0.01 && x < 1000) {
    std::snprintf(buf, sizeof buf, x >= 10 ? "%.0f" : "%.2g", x);  // 600, not 6e+02
    return buf;
  }
  int e = static_cast<int>(std::floor(std::log10(x)));
  double mant = x / std::pow(10.0, e);
  if (std::round(mant) >= 10) mant /= 10, ++e;
  std::string exp = e < 0 ? "\xE2\x81\xBB" : "";  // superscript minus
  for (char c : std::to_string(std::abs(e))) exp += kSup[c - '0'];
  std::snprintf(buf, sizeof buf, "%.0f\xC3\x97", std::round(mant));
  return (std::round(mant) == 1 ? std::string() : std::string(buf)) + "10" + exp;
}

// "LSTM: falls by 3×10⁴ over 20 steps back (×0.6 per step)": the decay from distance 0 to T − 1.
// short: "LSTM ÷8×10⁴" (compare mode's one line).
std::string decay_readout(const ModelView& m, int layer, bool short_form) {
  if (m.profile.rows() <= layer || m.profile.cols() < 2) return {};
  const Eigen::Index T = m.profile.cols();
  const double p0 = m.profile(layer, 0), p1 = m.profile(layer, T - 1);
  if (!(std::isfinite(p0) && std::isfinite(p1) && p0 > 0 && p1 > 0)) return {};
  const double decades = std::log10(p0 / p1);
  const double per_step = std::pow(p1 / p0, 1.0 / static_cast<double>(T - 1));
  const int steps = static_cast<int>(T - 1);
  char buf[200];
  if (short_form) {
    std::snprintf(buf, sizeof buf, "%s %s%s", m.name.c_str(),
                  decades >= 0 ? "\xC3\xB7" : "\xC3\x97",
                  factor_text(decades >= 0 ? p0 / p1 : p1 / p0).c_str());
    return buf;
  }
  if (decades >= 0.05)
    std::snprintf(buf, sizeof buf, "%s: falls by %s over %d steps back (\xC3\x97%s per step)%s",
                  m.name.c_str(), factor_text(p0 / p1).c_str(), steps, fmt_num(per_step).c_str(),
                  decades > 3 ? " \xE2\x80\x94 vanishing" : "");
  else if (decades <= -0.05)
    std::snprintf(buf, sizeof buf, "%s: grows by %s over %d steps back (\xC3\x97%s per step)%s",
                  m.name.c_str(), factor_text(p1 / p0).c_str(), steps, fmt_num(per_step).c_str(),
                  decades < -3 ? " \xE2\x80\x94 exploding" : "");
  else
    std::snprintf(buf, sizeof buf, "%s: stays within a factor 1.1 over %d steps back",
                  m.name.c_str(), steps);
  return buf;
}

// Which iteration's backward pass the per-step norms come from, and whether they are stale: the
// forward pass of the next iteration keeps the last one's until its own BPTT starts.
struct PerStepSource {
  int64_t iteration = 0;  // 1-based, as the status counts
  bool stale = false;     // from before the forward pass on screen
};
PerStepSource per_step_source(const ModelView& m) {
  if (m.pictures_from >= 0) return {m.pictures_from, false};  // diverged: the last finite ones
  switch (m.phase) {
    case Phase::Forward:
      return {m.iteration, true};
    case Phase::Backward:
    case Phase::Update:
      return {m.iteration + 1, false};
    default:
      return {m.iteration, false};
  }
}

// (1) ‖∂L/∂h_t‖ and ‖∂L/∂c_t‖ over the batch against t; during a forward pass the last
// iteration's, dashed and faint, and the title says so.
void draw_per_step(const ModelView& m, int l, AppState& app, ImVec2 size) {
  GradientsPanelState& st = app.gradients;
  const int T = m.steps;
  st.t_axis.resize(T);
  for (int t = 0; t < T; ++t) st.t_axis[t] = t + 1;
  const PerStepSource src = per_step_source(m);
  const std::string it = std::to_string(src.iteration);
  report_value(
      app, "per-step gradient",
      src.stale ? "from iteration " + it + ", before this forward pass" : "iteration " + it);
  const std::string title =
      (src.stale ? "iteration " + it + "'s gradient (this one's BPTT has not begun)"
                 : "gradient at each step, iteration " + it) +
      "###per_step";
  const auto style = [&](int series) {
    if (src.stale)
      widgets::SetNextSeriesStyle(
          {.color = (widgets::series_color(series) & ~IM_COL32_A_MASK) | IM_COL32(0, 0, 0, 120),
           .dashed = true});
  };
  if (widgets::BeginPlot(title.c_str(), size, st.per_step)) {
    widgets::SetupAxes("t", "norm over the batch",
                       widgets::PlotFlags_LogY | widgets::PlotFlags_LegendLeft);
    widgets::SetupAxisLimits(widgets::Axis::X, 1, std::max(T, 2));
    if (m.dh_norm.cols() == T) {
      style(0);
      plot_matrix_row("\xE2\x80\x96\xE2\x88\x82L/\xE2\x88\x82h\xE2\x82\x9C\xE2\x80\x96",
                      st.t_axis.data(), m.dh_norm, l, st.row);
    }
    if (m.spec.cell == CellType::Lstm && m.dc_norm.cols() == T) {
      style(1);
      plot_matrix_row(
          "\xE2\x80\x96\xE2\x88\x82L/\xE2\x88\x82"
          "c\xE2\x82\x9C\xE2\x80\x96 (cell)",
          st.t_axis.data(), m.dc_norm, l, st.row);
    }
    widgets::EndPlot();
  }
  if (!ImGui::IsItemHovered() || st.per_step.hovered) return;
  const std::string stale =
      src.stale ? "Dashed: iteration " + it +
                      "'s gradient, kept while the next forward pass runs; this iteration's "
                      "appears as its backward pass reaches each step.\n\n"
                : "";
  text_tooltip(
      (stale + (m.spec.cell == CellType::Lstm
                    ? "How strongly the loss (every scored step) pulls on h\xE2\x82\x9C and on "
                      "the cell c\xE2\x82\x9C, over the whole batch. Along the cell the "
                      "gradient is only multiplied by the forget gates: the highway that keeps "
                      "it from vanishing."
                    : "How strongly the loss (every scored step) pulls on h\xE2\x82\x9C, over "
                      "the whole batch. Early steps get only what survives the trip back "
                      "through every later step."))
          .c_str());
}

// How far back truncated BPTT reaches (k₂, or k₁ when k₂ is 0); 0 for full BPTT.
int truncation_reach(const TrainingConfig& t) { return t.k1 > 0 ? std::max(t.k1, t.k2) : 0; }

// (2) The decay profile of every model, against the distance T − t.
void draw_profile(const Snapshot& snap, int l, GradientsPanelState& st, ImVec2 size) {
  // While stepping through the forward pass there is no curve yet (zeros: nothing on a log axis).
  auto row_of = [l](const ModelView& m) {
    return std::min(l, static_cast<int>(m.profile.rows()) - 1);
  };
  bool any = false;
  for (const ModelView& m : snap.models)
    any = any ||
          (m.profile.rows() > 0 && m.profile.cols() > 0 && m.profile.row(row_of(m)).maxCoeff() > 0);
  if (widgets::BeginPlot("decay profile##profile", size, st.profile)) {
    widgets::SetupAxes("distance T \xE2\x88\x92 t",
                       "\xE2\x80\x96\xE2\x88\x82L_T/\xE2\x88\x82h\xE2\x82\x9C\xE2\x80\x96",
                       widgets::PlotFlags_LogY | widgets::PlotFlags_XFromZero);
    for (const ModelView& m : snap.models)  // x = distance 0..T-1
      if (any && m.profile.rows() > 0)
        plot_matrix_row(m.name.c_str(), nullptr, m.profile, row_of(m), st.row);
    // Truncated BPTT: training's gradient stops k₂ steps back; the profile shows what it cuts.
    if (const int k2 = truncation_reach(snap.config.training); k2 > 0) {
      const std::string label = "k\xE2\x82\x82 = " + std::to_string(k2) + ": BPTT stops here";
      widgets::SetNextLineStyle(ImGui::GetColorU32(ImGuiCol_Text, 0.75f), 1.0f);
      widgets::PlotVLine(label.c_str(), k2);
    }
    widgets::EndPlot();
    if (!any) {
      const char* note = "drawn by the backward pass";
      const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
      const ImVec2 sz = ImGui::CalcTextSize(note);
      widgets::Canvas(ImGui::GetWindowDrawList())
          ->AddText({(a.x + b.x - sz.x) * 0.5f, (a.y + b.y - sz.y) * 0.5f},
                    ImGui::GetColorU32(ImGuiCol_TextDisabled), note);
    }
  }
  if (ImGui::IsItemHovered() && !st.profile.hovered)
    text_tooltip(
        "The gradient of the LAST step's loss alone with respect to each earlier "
        "h\xE2\x82\x9C, against how far back t lies. A straight fall on this log "
        "axis is the product of Jacobians \xE2\x88\x8F \xE2\x88\x82h\xE2\x82\x9B/"
        "\xE2\x88\x82h\xE2\x82\x9B\xE2\x82\x8B\xE2\x82\x81 shrinking by about the same "
        "factor at every step: vanishing gradients.");
}

// (3) The profile over iterations: columns in time order, rows the distance.
void draw_history(const ModelView& m, GradientsPanelState& st, ImVec2 size) {
  const ProfileView pv = st.overview ? m.history.overview_profiles() : m.history.recent_profiles();
  const int R = pv.rows, K = pv.cols;
  st.history.resize(static_cast<size_t>(R) * K);
  st.iteration_labels.resize(R);
  st.iteration_ptrs.resize(R);
  char buf[32];
  for (int i = 0; i < R; ++i) {
    const int src = (pv.offset + i) % std::max(R, 1);  // the ring's oldest row first
    std::copy_n(pv.data + static_cast<size_t>(src) * K, K,
                st.history.data() + static_cast<size_t>(i) * K);
    std::snprintf(buf, sizeof buf, "%.0f", pv.iteration_first[src]);
    st.iteration_labels[i] = buf;
  }
  for (int i = 0; i < R; ++i) st.iteration_ptrs[i] = st.iteration_labels[i].c_str();
  widgets::HeatmapOptions opt;
  opt.title =
      st.overview ? "decay profile over the whole run" : "decay profile over the recent iterations";
  opt.colormap = widgets::Colormap::Sequential;
  opt.log_scale = true;
  opt.x_label = st.overview ? "iteration (first of each bucket)" : "iteration";
  opt.y_label = "distance T \xE2\x88\x92 t";
  opt.value_label = "\xE2\x80\x96\xE2\x88\x82L_T/\xE2\x88\x82h\xE2\x82\x9C\xE2\x80\x96";
  opt.value_format = "%.3e";
  opt.x_tick_labels = R > 0 ? st.iteration_ptrs.data() : nullptr;
  opt.grid = false;
  // (K, R) column-major: row d = distance, column = iteration.
  widgets::Heatmap("##profile_history", st.history.data(), K, R, true, opt, st.profile_history,
                   size);
  if (ImGui::IsItemHovered() && st.profile_history.hover_row < 0)
    text_tooltip(
        "Each column is one iteration's decay profile, distance 0 at the top. Dark "
        "rows far down are steps the gradient no longer reaches; as the network "
        "learns a long dependency the colour reaches further down.");
}

}  // namespace

void draw_gradients_panel(const Snapshot& snap, AppState& app) {
  if (snap.models.empty()) return;
  GradientsPanelState& st = app.gradients;
  draw_inspect_selectors(snap, app, nullptr);
  const ModelView& m = inspected_model(snap, app);
  const int l = std::clamp(app.layer, 0, std::max(m.spec.num_layers - 1, 0));
  if (m.steps == 0 || m.dh_norm.size() == 0) {
    ImGui::TextDisabled("No backward pass yet: press Play or step through an iteration.");
    return;
  }
  if (m.spec.num_layers > 1) {
    fit_on_line(12 * ImGui::GetFontSize());
    ImGui::AlignTextToFramePadding();
    ImGui::TextDisabled("(history: top layer)");
  }
  if (m.pictures_from >= 0) {
    ImGui::PushStyleColor(ImGuiCol_Text, attention_color(false));
    ImGui::TextWrapped("Diverged at iteration %lld: these are iteration %lld's gradients, the last "
                       "finite ones on screen.",
                       static_cast<long long>(m.divergence.iteration),
                       static_cast<long long>(m.pictures_from));
    ImGui::PopStyleColor();
    report_value(app, "pictures from", std::to_string(m.pictures_from));
  }

  // Read-outs: how many decades the profile falls; one line for all models in compare mode.
  std::string readout;
  for (const ModelView& mv : snap.models) {
    const std::string r =
        decay_readout(mv, std::min(l, std::max(mv.spec.num_layers - 1, 0)), snap.models.size() > 1);
    if (!r.empty())
      readout += (readout.empty() ? "" : snap.models.size() > 1 ? " \xC2\xB7 " : "") + r;
  }
  if (!readout.empty()) {
    if (snap.models.size() > 1)
      readout = "over " + std::to_string(m.steps - 1) +
                " steps back \xE2\x80\x96\xE2\x88\x82L_T/"
                "\xE2\x88\x82h\xE2\x82\x9C\xE2\x80\x96 changes by: " +
                readout;
    ImGui::PushTextWrapPos(0);
    ImGui::TextUnformatted(readout.c_str());
    ImGui::PopTextWrapPos();
    report_value(app, "decay", readout);
  } else {
    const std::string caption = step_caption(m);
    ImGui::PushTextWrapPos(0);
    ImGui::TextDisabled(
        "%s", caption.empty() ? "decay profile: after the backward pass" : caption.c_str());
    ImGui::PopTextWrapPos();
  }

  // The two line plots side by side when both fit at min_plot_box(), else stacked; each at least
  // min_plot_box() high, the panel scrolling when it must.
  const ImVec2 avail = ImGui::GetContentRegionAvail(), least = min_plot_box();
  const ImVec2 gap = ImGui::GetStyle().ItemSpacing;
  const bool side = avail.x >= 2 * least.x + gap.x;
  const float top_h = std::max(least.y, (avail.y - ImGui::GetFrameHeightWithSpacing()) * 0.5f);
  const ImVec2 plot(side ? (avail.x - gap.x) * 0.5f : avail.x,
                    side ? top_h : std::max(least.y, top_h * 0.5f));
  emphasise_series(st.per_step, app, PanelId::Gradients);
  emphasise_series(st.profile, app, PanelId::Gradients);
  draw_per_step(m, l, app, plot);
  note_emphasis(st.per_step, app);
  if (side) ImGui::SameLine();
  draw_profile(snap, l, st, plot);
  note_emphasis(st.profile, app);

  int mode = st.overview ? 1 : 0;
  ImGui::RadioButton("recent", &mode, 0);
  if (ImGui::IsItemHovered()) text_tooltip("The last iterations, one column each");
  fit_on_line(ImGui::GetFrameHeight() + ImGui::CalcTextSize("whole run").x);
  ImGui::RadioButton("whole run", &mode, 1);
  if (ImGui::IsItemHovered())
    text_tooltip("Every iteration since the start, averaged in buckets so it always fits");
  st.overview = mode == 1;
  draw_history(m, st, ImVec2(-1, std::max(least.y, ImGui::GetContentRegionAvail().y)));
}

}  // namespace unrolled
