// Jacobian products: ‖∂h_{T−1}/∂h_{T−1−d}‖₂ against the distance d for the inspected sequence (log
// y), beside the bound (λ₁γ)^d of Pascanu et al. (2013) for the vanilla cell, and in words what
// the bound guarantees — or why it does not apply to the LSTM and GRU.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "app/panels/panels.hpp"
#include "widgets/canvas.hpp"
#include "widgets/colormap.hpp"

namespace unrolled {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// λ₁ (the largest singular value of W_hh) of each vanilla model, from the spectra when they are
// there, else from the weights once per snapshot. NaN for gated cells.
void update_sigma(const Snapshot& snap, int layer, JacobianPanelState& st) {
  if (st.sigma_version == snap.version && st.sigma_layer == layer &&
      st.sigma.size() == snap.models.size())
    return;
  st.sigma_version = snap.version;
  st.sigma_layer = layer;
  st.sigma.assign(snap.models.size(), kNaN);
  for (size_t i = 0; i < snap.models.size(); ++i) {
    const ModelView& m = snap.models[i];
    if (m.spec.cell != CellType::Rnn) continue;
    const int l = std::clamp(layer, 0, m.spec.num_layers - 1);
    if (static_cast<int>(m.spectra.size()) > l && !m.spectra[l].empty())
      st.sigma[i] = m.spectra[l][0].largest_singular_value;
    else if (static_cast<int>(m.params.layers.size()) > l)
      st.sigma[i] = spectral_norm(m.params.layers[l].W_h);
  }
}

// What the bound says for one model, in words.
std::string verdict(const ModelView& m, double sigma, int distance) {
  char buf[512];
  if (m.spec.cell == CellType::Lstm) {
    std::snprintf(
        buf, sizeof buf,
        "%s: the bound does not apply. The gradient also flows through the cell state, "
        "∂c_t/∂c_{t−1} = diag(f_t): no W_hh and no squashing on that path, so with the forget gate "
        "near 1 it survives many steps.",
        m.name.c_str());
    return buf;
  }
  if (m.spec.cell == CellType::Gru) {
    std::snprintf(
        buf, sizeof buf,
        "%s: the bound does not apply. h_t = z ⊙ h_{t−1} + (1 − z) ⊙ n: the direct path's Jacobian "
        "is diag(z), no W_hh on it, so with z near 1 the gradient survives many steps.",
        m.name.c_str());
    return buf;
  }
  const double gamma = activation_derivative_bound(m.spec.activation);
  const double rate = sigma * gamma;
  if (!std::isfinite(rate)) return m.name + ": λ₁ is not available yet.";
  const std::string act(to_string(m.spec.activation));
  // Through fmt_num: a diverged W_hh gives λ₁ = 3.2e15, never a 16-digit integer.
  const std::string product = m.name + ": λ₁γ = " + fmt_num(sigma) + " × " + fmt_num(gamma) + " (" +
                              act + ") = " + fmt_num(rate);
  if (rate < 1)
    return product +
           " < 1, so the bound guarantees vanishing: the gradient shrinks at least geometrically; "
           "at distance " +
           std::to_string(distance) + " it is at most " + fmt_num(std::pow(rate, distance), 2) +
           " of its size.";
  return product +
         " ≥ 1: the bound allows growth, so it guarantees nothing; vanishing or exploding now "
         "depends on the slopes the activations actually reach.";
}

// The layer, the bound's checkbox and what is measured, each on the line while it fits.
void draw_header(const Snapshot& snap, AppState& app) {
  JacobianPanelState& st = app.lab.jacobian;
  const float em = ImGui::GetFontSize();
  int layers = 1;
  for (const ModelView& m : snap.models) layers = std::max(layers, m.spec.num_layers);
  if (layers > 1) {
    ImGui::SetNextItemWidth(6 * em);
    int shown_layer = app.layer + 1;
    if (ImGui::SliderInt("layer", &shown_layer, 1, layers)) app.layer = shown_layer - 1;
    fit_on_line(ImGui::GetFrameHeight() + ImGui::CalcTextSize("bound (λ₁γ)ᵈ (?)").x + em);
  }
  ImGui::Checkbox("bound (λ₁γ)ᵈ", &st.show_bound);
  help_marker(
      "For the vanilla cell one step back multiplies by ∂h_k/∂h_{k−1} = diag(act′(a_k)) W_hh. The "
      "norm of a product is "
      "at most the product of the norms, and ‖diag(act′)‖ ≤ γ (1 for tanh, ¼ for sigmoid), ‖W_hh‖₂ "
      "= λ₁, its largest "
      "singular value. So d steps back the gradient is at most (λ₁γ)^d times its size (Pascanu, "
      "Mikolov and Bengio, 2013).\n\n"
      "λ₁γ < 1 is sufficient for vanishing. λ₁γ > 1 is necessary for exploding, not sufficient.");
  const std::string what =
      "inspected sequence " + std::to_string(app.sample + 1) + ", last step back to the first";
  fit_on_line(std::min(ImGui::CalcTextSize(what.c_str()).x, 12 * em));
  ImGui::PushTextWrapPos(0);
  ImGui::TextDisabled("%s", what.c_str());
  ImGui::PopTextWrapPos();
}

// The measured products of every model and, for vanilla cells, the bound (λ₁γ)^d.
void draw_products_plot(const Snapshot& snap, JacobianPanelState& st, int distance, double lo,
                        double hi, float height) {
  if (!widgets::BeginPlot("##jacobian", ImVec2(-1, height), st.plot)) return;
  widgets::SetupAxes("distance d (steps back)", "‖∏ ∂hₖ/∂hₖ₋₁‖₂ over d steps",
                     widgets::PlotFlags_LogY | widgets::PlotFlags_XFromZero |
                         widgets::PlotFlags_LegendLeft | widgets::PlotFlags_LegendBottom);
  // The bound may run off the top or the bottom; the view follows the measured products.
  widgets::SetupAxisLimits(widgets::Axis::X, 0, distance);
  widgets::SetupAxisLimits(widgets::Axis::Y, std::max(lo / 5, 1e-300), std::max(hi * 20, 5.0));
  for (size_t i = 0; i < snap.models.size(); ++i) {
    const ModelView& m = snap.models[i];
    if (m.jacobian_norms.size() < 2) continue;
    widgets::SetNextSeriesStyle({.color = widgets::series_color(static_cast<int>(i))});
    widgets::PlotLine(m.name.c_str(), nullptr, m.jacobian_norms.data(),
                      static_cast<int>(m.jacobian_norms.size()));
  }
  if (st.show_bound)
    for (size_t i = 0; i < snap.models.size(); ++i) {
      const ModelView& m = snap.models[i];
      if (m.spec.cell != CellType::Rnn || !std::isfinite(st.sigma[i])) continue;
      const double rate = st.sigma[i] * activation_derivative_bound(m.spec.activation);
      st.bound.resize(distance + 1);
      for (int d = 0; d <= distance; ++d) st.bound[d] = std::pow(rate, d);
      const std::string label = "bound (λ₁γ)ᵈ, " + m.name + "##bound" + std::to_string(i);
      widgets::SetNextSeriesStyle(
          {.color = widgets::series_color(static_cast<int>(i)), .dashed = true});
      widgets::PlotLine(label.c_str(), nullptr, st.bound.data(), distance + 1);
    }
  widgets::EndPlot();
}

// Each model's verdict, wrapped, behind a swatch of its colour.
void draw_words(const std::vector<std::string>& words, float wrap) {
  const float em = ImGui::GetFontSize();
  for (size_t i = 0; i < words.size(); ++i) {
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float line = ImGui::GetTextLineHeight();
    widgets::Canvas(ImGui::GetWindowDrawList())
        ->AddRectFilled(ImVec2(p.x, p.y + 0.15f * line),
                        ImVec2(p.x + 0.35f * em, p.y + 0.95f * line),
                        widgets::series_color(static_cast<int>(i)));
    ImGui::SetCursorScreenPos(ImVec2(p.x + 0.8f * em, p.y));
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + wrap - 1.2f * em);
    ImGui::TextUnformatted(words[i].c_str());
    ImGui::PopTextWrapPos();
  }
}

}  // namespace

void draw_jacobian_panel(const Snapshot& snap, AppState& app) {
  if (snap.models.empty()) return;
  JacobianPanelState& st = app.lab.jacobian;
  const float em = ImGui::GetFontSize();
  draw_header(snap, app);

  update_sigma(snap, app.layer, st);
  int distance = 0;
  double lo = std::numeric_limits<double>::infinity(), hi = 0;
  for (const ModelView& m : snap.models) {
    if (m.jacobian_norms.size() < 2) continue;
    distance = std::max(distance, static_cast<int>(m.jacobian_norms.size()) - 1);
    for (Eigen::Index d = 0; d < m.jacobian_norms.size(); ++d)
      if (std::isfinite(m.jacobian_norms(d)) && m.jacobian_norms(d) > 0)
        lo = std::min(lo, m.jacobian_norms(d)), hi = std::max(hi, m.jacobian_norms(d));
  }

  // The words below the plot, measured first so the plot takes the rest (at least
  // min_plot_box(); the panel scrolls below that).
  std::vector<std::string> words;
  for (size_t i = 0; i < snap.models.size(); ++i)
    words.push_back(notation(verdict(snap.models[i], st.sigma[i], std::max(distance, 1))));
  const float wrap = ImGui::GetContentRegionAvail().x;
  float words_h = 0;
  for (const std::string& w : words)
    words_h += ImGui::CalcTextSize(w.c_str(), nullptr, false, wrap - 1.2f * em).y +
               ImGui::GetStyle().ItemSpacing.y;

  if (distance == 0) {
    ImGui::TextDisabled("computing the Jacobian products…");
  } else {
    emphasise_series(st.plot, app, PanelId::Jacobian);
    draw_products_plot(snap, st, distance, lo, hi, stacked_plot_height(1, words_h));
    note_emphasis(st.plot, app);
  }
  draw_words(words, wrap);
}

}  // namespace unrolled
