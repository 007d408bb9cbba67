// Spectrum of W_hh: the eigenvalues of each model's recurrent matrix on the complex plane with the
// unit circle, its singular values as bars, ρ and σ₁ as big numbers, and a slider that rescales
// W_hh to a chosen spectral radius, now (between iterations) or at the next reset.
//
// [SECTION] Helpers      which gate block, colours, the big font
// [SECTION] The plane    axes, unit circle, eigenvalues, hover read-out
// [SECTION] The numbers  ρ, σ₁ and the singular-value bars
// [SECTION] Rescale      the slider, "now", "live" and "at reset"
// [SECTION] Panel
#include <imgui.h>
#include <imgui_internal.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>
#include <string>

#include "app/gui/gui.hpp"
#include "app/panels/panels.hpp"
#include "widgets/canvas.hpp"
#include "widgets/colormap.hpp"

namespace unrolled {
namespace {

// [SECTION] Helpers

constexpr const char* kLstmBlocks[] = {"i", "f", "g", "o"};
constexpr const char* kGruBlocks[] = {"r", "z", "n"};

ImU32 model_colour(int model) {
  return widgets::series_color(model);
}

// Window::rebuild_fonts adds the UI, mono and title fonts in that order; the title font is the
// large one. Falls back to the current font.
ImFont* big_font() {
  ImFontAtlas* atlas = ImGui::GetIO().Fonts;
  return atlas->Fonts.Size >= 3 ? atlas->Fonts[2] : ImGui::GetFont();
}

int clamped_layer(const ModelView& m, int layer) {
  return std::clamp(layer, 0, static_cast<int>(m.spectra.size()) - 1);
}

// The gate block of W_h the panel shows for this model.
int shown_block(const ModelView& m, const SpectrumPanelState& st, int layer) {
  const int g = static_cast<int>(m.spectra[layer].size());
  if (m.spec.cell == CellType::Lstm) return std::clamp(st.lstm_block, 0, g - 1);
  if (m.spec.cell == CellType::Gru) return std::clamp(st.gru_block, 0, g - 1);
  return 0;
}

// "W_hh", or "W_hf" for the LSTM's forget block.
std::string block_name(const ModelView& m, int block) {
  if (m.spec.cell == CellType::Lstm) return std::string("W_h") + kLstmBlocks[block];
  if (m.spec.cell == CellType::Gru) return std::string("W_h") + kGruBlocks[block];
  return "W_hh";
}

// The models whose spectra have arrived.
bool has_spectra(const ModelView& m) {
  return !m.spectra.empty() && !m.spectra[0].empty();
}

// [SECTION] The plane

// The plane's half-width in units: the unit circle and every shown eigenvalue, with a margin.
double plane_extent(const Snapshot& snap, const AppState& app) {
  double extent = 1.0;
  for (const ModelView& m : snap.models) {
    if (!has_spectra(m)) continue;
    const int l = clamped_layer(m, app.layer);
    extent = std::max(extent, m.spectra[l][shown_block(m, app.lab.spectrum, l)].spectral_radius);
  }
  return extent * 1.18;
}

// The Re and Im axes with ticks at ±1, the unit circle (scale pixels per unit about c) and the
// axes' names clear of the ticks.
void draw_plane_axes(widgets::Canvas dl, const ImRect& box, ImVec2 c, float scale) {
  const float em = ImGui::GetFontSize();
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  const ImU32 dim = ImGui::GetColorU32(ImGuiCol_Text, 0.35f);
  const auto at = [&](double re, double im) {
    return ImVec2(c.x + static_cast<float>(re) * scale, c.y - static_cast<float>(im) * scale);
  };
  // Inside the circle gradients shrink, outside they can grow: a faint tint says which is which.
  dl->AddCircleFilled(c, scale, ImGui::GetColorU32(ImGuiCol_Text, 0.06f), 96);
  dl->AddLine(ImVec2(box.Min.x, c.y), ImVec2(box.Max.x, c.y), dim, 1.0f);
  dl->AddLine(ImVec2(c.x, box.Min.y), ImVec2(c.x, box.Max.y), dim, 1.0f);
  for (int k : {-1, 1}) {  // ticks at ±1 on both axes
    const ImVec2 tx = at(k, 0), ty = at(0, k);
    dl->AddLine(tx - ImVec2(0, 0.3f * em), tx + ImVec2(0, 0.3f * em), text, 1.0f);
    dl->AddLine(ty - ImVec2(0.3f * em, 0), ty + ImVec2(0.3f * em, 0), text, 1.0f);
    dl->AddText(tx + ImVec2(0.2f * em, 0.1f * em), text, k < 0 ? "-1" : "1");
    if (k == 1) dl->AddText(ty + ImVec2(0.3f * em, -ImGui::GetTextLineHeight()), text, "i");
  }
  dl->AddCircle(c, scale, text, 128, std::max(1.5f, 0.12f * em));
  dl->AddText(ImVec2(box.Max.x - ImGui::CalcTextSize("Re").x - 0.3f * em,
                     c.y - ImGui::GetTextLineHeight() - 0.1f * em),
              text, "Re");
  dl->AddText(ImVec2(c.x - ImGui::CalcTextSize("Im").x - 0.3f * em, box.Min.y + 0.2f * em), text,
              "Im");
  const ImVec2 q = at(std::cos(0.8), std::sin(0.8));  // on the circle, upper right
  // Right of the circle's point while it fits in the plane, else left of it: never cut.
  const float note_w = ImGui::CalcTextSize("|λ| = 1").x;
  dl->AddText(ImVec2(std::min(q.x + 0.3f * em, box.Max.x - note_w - 0.2f * em), q.y - 1.1f * em),
              text, "|λ| = 1");
}

// One swatch per model with its block's name, above the plane (a legend inside it would cover
// eigenvalues), on as few lines as fit.
void draw_plane_legend(const Snapshot& snap, const AppState& app) {
  const float em = ImGui::GetFontSize(), line = ImGui::GetTextLineHeight();
  const float r = std::max(3.0f, 0.28f * em);
  bool first = true;
  for (int mi = 0; mi < static_cast<int>(snap.models.size()); ++mi) {
    const ModelView& m = snap.models[mi];
    if (!has_spectra(m)) continue;
    const int l = clamped_layer(m, app.layer);
    const std::string label = m.name + ": " + block_name(m, shown_block(m, app.lab.spectrum, l));
    if (!first) fit_on_line(1.0f * em + ImGui::CalcTextSize(label.c_str()).x);
    first = false;
    const ImVec2 p = ImGui::GetCursorScreenPos();
    widgets::Canvas(ImGui::GetWindowDrawList())
        ->AddCircleFilled(ImVec2(p.x + 0.4f * em, p.y + 0.5f * line), r, model_colour(mi), 12);
    ImGui::Dummy(ImVec2(0.8f * em, line));
    ImGui::SameLine(0, 0.2f * em);
    ImGui::TextUnformatted(label.c_str());
  }
}

// Re/Im axes, the unit circle and every shown model's eigenvalues, in a square of side `side`.
void draw_plane(const Snapshot& snap, const AppState& app, float side) {
  const SpectrumPanelState& st = app.lab.spectrum;
  widgets::Canvas dl = ImGui::GetWindowDrawList();
  const float em = ImGui::GetFontSize();
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("##plane", ImVec2(side, side));
  const bool hovered = ImGui::IsItemHovered();
  const ImRect box(p0, p0 + ImVec2(side, side));
  report_plot("eigenvalues on the complex plane", box.Min, box.Max);
  const ImVec2 c = box.GetCenter();
  const float scale = (0.5f * side - 0.4f * em) / static_cast<float>(plane_extent(snap, app));

  dl->AddRectFilled(box.Min, box.Max, ImGui::GetColorU32(ImGuiCol_FrameBg));
  dl->PushClipRect(box.Min, box.Max, true);
  draw_plane_axes(dl, box, c, scale);
  // Eigenvalues, one colour per model; the largest modulus ringed.
  const float r = std::max(3.0f, 0.28f * em);
  const ImU32 edge = ImGui::GetColorU32(ImGuiCol_WindowBg);
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  float best_d = 0.8f * em;
  int best_model = -1;
  std::complex<double> best{};
  for (int mi = 0; mi < static_cast<int>(snap.models.size()); ++mi) {
    const ModelView& m = snap.models[mi];
    if (!has_spectra(m)) continue;
    const int l = clamped_layer(m, app.layer);
    const Spectrum& s = m.spectra[l][shown_block(m, st, l)];
    for (Eigen::Index k = 0; k < s.eigenvalues.size(); ++k) {
      const std::complex<double> z = s.eigenvalues(k);
      const ImVec2 q(c.x + static_cast<float>(z.real()) * scale,
                     c.y - static_cast<float>(z.imag()) * scale);
      dl->AddCircleFilled(q, r, model_colour(mi), 12);
      dl->AddCircle(q, r, edge, 12, 1.0f);
      if (k == 0) dl->AddCircle(q, r + 0.22f * em, model_colour(mi), 16, 2.0f);
      const float d = std::sqrt(ImLengthSqr(q - mouse));
      if (hovered && d < best_d) best_d = d, best_model = mi, best = z;
    }
  }
  dl->PopClipRect();
  dl->AddRect(box.Min, box.Max, ImGui::GetColorU32(ImGuiCol_Border));

  if (best_model >= 0) {
    const std::string text = snap.models[best_model].name + ": λ = " + fmt_num(best.real(), 4) +
                             (best.imag() < 0 ? " − " : " + ") + fmt_num(std::abs(best.imag()), 4) +
                             "i\n|λ| = " + fmt_num(std::abs(best), 4) + ": " +
                             (std::abs(best) < 1 ? "this direction shrinks at every step"
                                                 : "this direction can grow at every step");
    text_tooltip(text.c_str());
  }
}

// [SECTION] The numbers

// Height of the ρ and σ₁ lines of `count` models.
float model_numbers_height(int count) {
  return count * (ImGui::GetTextLineHeight() + big_font()->FontSize + 0.5f * ImGui::GetFontSize());
}

// ρ and σ₁ of each model in big type from p0 (width w); returns how many models have spectra and
// the largest σ₁ (at least 1).
int draw_model_numbers(const Snapshot& snap, AppState& app, ImVec2 p0, float w, double* sigma_max) {
  const SpectrumPanelState& st = app.lab.spectrum;
  widgets::Canvas dl = ImGui::GetWindowDrawList();
  const float em = ImGui::GetFontSize();
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  ImFont* big = big_font();
  const float big_px = big->FontSize;
  float y = p0.y;
  int count = 0;
  for (int mi = 0; mi < static_cast<int>(snap.models.size()); ++mi) {
    const ModelView& m = snap.models[mi];
    if (!has_spectra(m)) continue;
    const int l = clamped_layer(m, app.layer);
    const Spectrum& s = m.spectra[l][shown_block(m, st, l)];
    *sigma_max = std::max(*sigma_max, s.largest_singular_value);
    ++count;
    const std::string name = m.name + "  " + block_name(m, shown_block(m, st, l));
    dl->AddRectFilled(ImVec2(p0.x, y + 0.15f * em),
                      ImVec2(p0.x + 0.35f * em, y + big_px * 1.0f + ImGui::GetTextLineHeight()),
                      model_colour(mi));
    dl->AddText(ImVec2(p0.x + 0.7f * em, y), text, name.c_str());
    y += ImGui::GetTextLineHeight();
    // ρ and σ₁ through fmt_num: a diverged W_hh shows "ρ = 3.2e15", never 16 digits.
    const std::string rho = "ρ = " + fmt_num(s.spectral_radius, 4);
    const std::string sigma = "σ₁ = " + fmt_num(s.largest_singular_value, 4);
    if (&m == &snap.models.front()) {
      report_value(app, "rho", fmt_num(s.spectral_radius, 4));
      report_value(app, "sigma1", fmt_num(s.largest_singular_value, 4));
    }
    const float ratio = big_px / ImGui::GetFontSize();
    const float col =
        std::max(ImGui::CalcTextSize("ρ = 00.000").x, ImGui::CalcTextSize(rho.c_str()).x) * ratio +
        1.5f * em;
    dl->AddText(big, big_px, ImVec2(p0.x + 0.7f * em, y), text, rho.c_str());
    // σ₁ beside ρ when it fits, else only ρ (σ₁ is in the bars below, and the tooltip).
    const float sigma_w = ImGui::CalcTextSize(sigma.c_str()).x * ratio;
    if (0.7f * em + col + sigma_w <= w)
      dl->AddText(big, big_px, ImVec2(p0.x + 0.7f * em + col, y), text, sigma.c_str());
    // In words, for the back row: which side of the circle the largest eigenvalue is on.
    const char* verdict = s.spectral_radius < 1 ? "ρ < 1: shrinks" : "ρ ≥ 1: can grow";
    const float vx = p0.x + 0.7f * em + col + sigma_w + 1.5f * em;
    if (vx + ImGui::CalcTextSize(verdict).x < p0.x + w)
      dl->AddText(ImVec2(vx, y + big_px - ImGui::GetTextLineHeight()),
                  ImGui::GetColorU32(ImGuiCol_TextDisabled), verdict);
    y += big_px + 0.5f * em;
  }
  return count;
}

// The singular values sorted, one group per index, one bar per model, with a line at σ = 1.
void draw_singular_bars(const Snapshot& snap, const AppState& app, const ImRect& bars, int count,
                        double sigma_max) {
  widgets::Canvas dl = ImGui::GetWindowDrawList();
  const float em = ImGui::GetFontSize(), line = ImGui::GetTextLineHeight();
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  report_plot("singular values", bars.Min, bars.Max);
  const float left = bars.Min.x - 2.2f * em;
  dl->AddText(ImVec2(left, bars.Min.y - line - 0.3f * em), text,
              "singular values σ_k, largest first");
  dl->AddRectFilled(bars.Min, bars.Max, ImGui::GetColorU32(ImGuiCol_FrameBg));
  const double top = sigma_max * 1.1;
  const auto py = [&](double v) {
    return bars.Max.y - static_cast<float>(v / top) * bars.GetHeight();
  };
  int n = 0;
  for (const ModelView& m : snap.models)
    if (has_spectra(m))
      n = std::max(
          n, static_cast<int>(m.spectra[clamped_layer(m, app.layer)][0].singular_values.size()));
  const float group = bars.GetWidth() / static_cast<float>(std::max(n, 1));
  const float bar = std::max(1.0f, (group * 0.8f) / static_cast<float>(count));
  int shown = 0;
  for (int mi = 0; mi < static_cast<int>(snap.models.size()); ++mi) {
    const ModelView& m = snap.models[mi];
    if (!has_spectra(m)) continue;
    const int l = clamped_layer(m, app.layer);
    const Vec& sv = m.spectra[l][shown_block(m, app.lab.spectrum, l)].singular_values;
    for (Eigen::Index k = 0; k < sv.size(); ++k) {
      const float x = bars.Min.x + group * k + group * 0.1f + bar * shown;
      dl->AddRectFilled(ImVec2(x, py(sv(k))), ImVec2(x + bar, bars.Max.y), model_colour(mi));
    }
    ++shown;
  }
  // σ = 1: above it a direction is stretched by one step, below it squeezed.
  const float y1 = py(1.0);
  for (float x = bars.Min.x; x < bars.Max.x; x += 0.8f * em)
    dl->AddLine(ImVec2(x, y1), ImVec2(std::min(x + 0.45f * em, bars.Max.x), y1), text, 1.5f);
  dl->AddText(ImVec2(left, y1 - 0.5f * line), text, "1");
  const ImU32 dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  dl->AddText(ImVec2(left, bars.Min.y - 0.5f * line), dim, fmt_num(top, 2).c_str());
  dl->AddText(ImVec2(left, bars.Max.y - 0.5f * line), dim, "0");
  const std::string k_range = "k = 1 … " + std::to_string(n);
  dl->AddText(ImVec2(bars.GetCenter().x - 0.5f * ImGui::CalcTextSize(k_range.c_str()).x,
                     bars.Max.y + 0.2f * em),
              text, k_range.c_str());
  dl->AddRect(bars.Min, bars.Max, ImGui::GetColorU32(ImGuiCol_Border));
}

// ρ and σ₁ of each model in big type, then the singular values as bars with a line at 1.
void draw_numbers(const Snapshot& snap, AppState& app, ImVec2 size) {
  const float em = ImGui::GetFontSize(), line = ImGui::GetTextLineHeight();
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImGui::Dummy(size);
  double sigma_max = 1.0;
  const int count = draw_model_numbers(snap, app, p0, size.x, &sigma_max);
  if (count == 0) return;
  const float y = p0.y + model_numbers_height(count);
  const ImRect bars(ImVec2(p0.x + 2.2f * em, y + line + 0.3f * em),
                    ImVec2(p0.x + size.x - 0.3f * em, p0.y + size.y - line - 0.4f * em));
  if (bars.GetHeight() < 2 * em || bars.GetWidth() < 4 * em) return;
  draw_singular_bars(snap, app, bars, count, sigma_max);
}

// [SECTION] Rescale

void draw_rescale(AppState& app, TrainingWorker& worker) {
  SpectrumPanelState& st = app.lab.spectrum;
  const float em = ImGui::GetFontSize();
  ImGui::SetNextItemWidth(std::min(12 * em, ImGui::GetContentRegionAvail().x));
  const bool moved = ImGui::SliderFloat("##rho", &st.target_radius, 0.1f, 3.0f, "ρ → %.2f",
                                        ImGuiSliderFlags_AlwaysClamp);
  const ImGuiStyle& style = ImGui::GetStyle();
  const auto button_w = [&](const char* label) {
    return ImGui::CalcTextSize(label).x + 2 * style.FramePadding.x;
  };
  fit_on_line(button_w("Rescale now"));
  const auto rescale_now = [&] {
    worker.send(cmd::RescaleRecurrent{st.target_radius});
  };
  if (ImGui::Button("Rescale now")) rescale_now();
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip(
        "Scales every recurrent block of W_hh, in every model, so that its spectral radius is ρ.\n"
        "Applied between two iterations; training goes on from there.");
  fit_on_line(ImGui::GetFrameHeight() + style.ItemInnerSpacing.x + ImGui::CalcTextSize("live").x);
  ImGui::Checkbox("live", &st.live);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Rescale as the slider moves.");
  if (st.live && moved) rescale_now();
  fit_on_line(button_w("At reset"));
  if (ImGui::Button("At reset")) {
    ExperimentConfig& e = app.config.edit;
    e.model.init.spectral_radius = st.target_radius;
    for (ModelConfig& m : e.compare) m.init.spectral_radius = st.target_radius;
    remember(app, worker, "restarting at a new spectral radius");
    worker.send(cmd::Configure{e});
  }
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip(
        "Sets the experiment's initial spectral radius to ρ (every model) and starts again\n"
        "from the seed: the first iterations then show what ρ does.");
}

// The layer, the gate block of each gated cell present, and "(why ρ?)", each piece on the line
// while it fits.
void draw_selectors(const Snapshot& snap, AppState& app) {
  SpectrumPanelState& st = app.lab.spectrum;
  const float em = ImGui::GetFontSize();
  int layers = 1;
  bool lstm = false, gru = false;
  for (const ModelView& m : snap.models) {
    layers = std::max(layers, m.spec.num_layers);
    lstm = lstm || m.spec.cell == CellType::Lstm;
    gru = gru || m.spec.cell == CellType::Gru;
  }
  bool first = true;
  if (layers > 1) {
    ImGui::SetNextItemWidth(6 * em);
    int shown_layer = app.layer + 1;
    if (ImGui::SliderInt("layer", &shown_layer, 1, layers)) app.layer = shown_layer - 1;
    first = false;
  }
  // Each piece on the line while it fits, else on the next.
  const auto block_buttons = [&](const char* cell, const char* const* names, int n, int& block) {
    if (!first) fit_on_line(ImGui::CalcTextSize(cell).x);
    first = false;
    ImGui::TextUnformatted(cell);
    for (int g = 0; g < n; ++g) {
      fit_on_line(ImGui::GetFrameHeight() + ImGui::CalcTextSize(names[g]).x);
      ImGui::PushID(cell);
      if (ImGui::RadioButton(names[g], block == g)) block = g;
      ImGui::PopID();
    }
  };
  if (lstm) block_buttons("LSTM block", kLstmBlocks, 4, st.lstm_block);
  if (gru) block_buttons("GRU block", kGruBlocks, 3, st.gru_block);
  if (!first) fit_on_line(ImGui::CalcTextSize("(why ρ?)").x);
  ImGui::TextDisabled("(why ρ?)");
  if (ImGui::IsItemHovered()) {
    text_tooltip(
        "Backpropagation through time multiplies the gradient by W_hhᵀ (and the activation's "
        "slope) once per step back. "
        "In the linear regime its part along an eigenvector of W_hh is scaled by |λ| at every "
        "step, so after d steps by |λ|^d.\n\n"
        "ρ < 1 (every eigenvalue inside the circle): gradients through time shrink geometrically, "
        "they vanish.\n"
        "ρ > 1 (an eigenvalue outside): they can grow geometrically, they can explode; the "
        "nonlinearity may still hold them back.\n\n"
        "σ₁, the largest singular value, is the most one step can stretch any vector: σ₁ < 1 "
        "guarantees shrinking, whatever the "
        "direction. Always ρ ≤ σ₁.\n\n"
        "LSTM and GRU: each gate block has its own W_h; the gradient also takes the cell-state "
        "path, which W_h does not scale.");
  }
}

}  // namespace

// [SECTION] Panel

void draw_spectrum_panel(const Snapshot& snap, AppState& app, TrainingWorker& worker) {
  if (snap.models.empty()) return;
  const float em = ImGui::GetFontSize();

  draw_selectors(snap, app);

  bool any = false;
  for (const ModelView& m : snap.models) any = any || has_spectra(m);
  if (!any) {
    ImGui::TextDisabled(app.mode == Mode::Inspect ? "not computed: the spectrum is computed for "
                                                    "models of at most 256 hidden units"
                                                  : "computing the spectrum…");
    return;
  }
  // The plane keeps a data area of min_plot_box() (square: its larger side); the numbers go beside
  // it while they keep min_plot_box() too, else below, the panel scrolling.
  const float rescale_h = ImGui::GetFrameHeightWithSpacing() + 0.2f * em;
  const ImVec2 avail = ImGui::GetContentRegionAvail(), least = min_plot_box();
  const float least_side = std::max(kMinDataLinesH, kMinDataLinesW) * ImGui::GetTextLineHeight();
  int count = 0;
  for (const ModelView& m : snap.models) count += has_spectra(m);
  const bool beside = avail.x * 0.45f - em >= least.x;
  const float legend_h = ImGui::GetTextLineHeightWithSpacing();
  const float side =
      std::min(avail.x, std::max(least_side, std::min(avail.y - rescale_h - legend_h,
                                                      beside ? avail.x * 0.55f : avail.x)));
  ImGui::BeginGroup();
  draw_plane_legend(snap, app);
  draw_plane(snap, app, side);
  ImGui::EndGroup();
  if (beside) ImGui::SameLine(0, em);
  const float numbers_h = model_numbers_height(count) + least.y;
  draw_numbers(snap, app,
               ImVec2(ImGui::GetContentRegionAvail().x, std::max(beside ? side : 0, numbers_h)));
  // Inspect shows a trained model as it is: no rescaling (that would act on the lesson behind it).
  if (app.mode != Mode::Inspect) draw_rescale(app, worker);
}

}  // namespace unrolled
