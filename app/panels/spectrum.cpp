// Spectrum of W_hh: the eigenvalues of each model's recurrent matrix on the complex plane with the
// unit circle, its singular values as bars, ρ and σ₁ as big numbers, and a slider that rescales
// W_hh to a chosen spectral radius, now (between iterations) or at the next reset.
//
// [SECTION] Helpers      which gate block, colours, the big font
// [SECTION] The plane    axes, unit circle, eigenvalues, hover read-out
// [SECTION] The numbers  ρ, σ₁ and the singular-value bars
// [SECTION] Rescale      the slider, "now", "live" and "at reset"
// [SECTION] Panel
#define IMGUI_DEFINE_MATH_OPERATORS
#include <imgui.h>
#include <imgui_internal.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>
#include <string>

#include "app/panels/panels.hpp"
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

// Re/Im axes, the unit circle and every shown model's eigenvalues, in a square of side `side`.
void draw_plane(const Snapshot& snap, const AppState& app, float side) {
  const SpectrumPanelState& st = app.lab.spectrum;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float em = ImGui::GetFontSize();
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton("##plane", ImVec2(side, side));
  const bool hovered = ImGui::IsItemHovered();
  const ImRect box(p0, p0 + ImVec2(side, side));
  const ImVec2 c = box.GetCenter();

  // The extent: the unit circle and every eigenvalue, with a margin.
  double extent = 1.0;
  for (const ModelView& m : snap.models) {
    if (!has_spectra(m)) continue;
    const int l = clamped_layer(m, app.layer);
    extent = std::max(extent, m.spectra[l][shown_block(m, st, l)].spectral_radius);
  }
  extent *= 1.18;
  const float scale = (0.5f * side - 0.4f * em) / static_cast<float>(extent);  // pixels per unit
  const auto at = [&](double re, double im) {
    return ImVec2(c.x + static_cast<float>(re) * scale, c.y - static_cast<float>(im) * scale);
  };

  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  const ImU32 dim = ImGui::GetColorU32(ImGuiCol_Text, 0.35f);
  dl->AddRectFilled(box.Min, box.Max, ImGui::GetColorU32(ImGuiCol_FrameBg));
  dl->PushClipRect(box.Min, box.Max, true);
  // Inside the circle gradients shrink, outside they can grow: a faint tint says which is which.
  dl->AddCircleFilled(c, scale, ImGui::GetColorU32(ImGuiCol_Text, 0.06f), 96);
  dl->AddLine(ImVec2(box.Min.x, c.y), ImVec2(box.Max.x, c.y), dim, 1.0f);
  dl->AddLine(ImVec2(c.x, box.Min.y), ImVec2(c.x, box.Max.y), dim, 1.0f);
  for (int k : {-1, 1}) {  // ticks at ±1 on both axes
    const ImVec2 tx = at(k, 0), ty = at(0, k);
    dl->AddLine(tx - ImVec2(0, 0.3f * em), tx + ImVec2(0, 0.3f * em), text, 1.0f);
    dl->AddLine(ty - ImVec2(0.3f * em, 0), ty + ImVec2(0.3f * em, 0), text, 1.0f);
    char buf[8];
    std::snprintf(buf, sizeof buf, "%d", k);
    dl->AddText(tx + ImVec2(0.2f * em, 0.1f * em), text, buf);
    if (k == 1) dl->AddText(ty + ImVec2(0.3f * em, -ImGui::GetTextLineHeight()), text, "i");
  }
  dl->AddCircle(c, scale, text, 128, std::max(1.5f, 0.12f * em));
  // Axis names above the Re axis and left of the Im axis, clear of the ±1 ticks.
  dl->AddText(ImVec2(box.Max.x - ImGui::CalcTextSize("Re").x - 0.3f * em,
                     c.y - ImGui::GetTextLineHeight() - 0.1f * em),
              text, "Re");
  dl->AddText(ImVec2(c.x - ImGui::CalcTextSize("Im").x - 0.3f * em, box.Min.y + 0.2f * em), text,
              "Im");
  {
    const char* note = "|λ| = 1";
    const ImVec2 q = at(std::cos(0.8), std::sin(0.8));  // on the circle, upper right
    dl->AddText(q + ImVec2(0.3f * em, -1.1f * em), text, note);
  }

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
      const ImVec2 q = at(z.real(), z.imag());
      dl->AddCircleFilled(q, r, model_colour(mi), 12);
      dl->AddCircle(q, r, edge, 12, 1.0f);
      if (k == 0) dl->AddCircle(q, r + 0.22f * em, model_colour(mi), 16, 2.0f);
      const float d = std::sqrt(ImLengthSqr(q - mouse));
      if (hovered && d < best_d) best_d = d, best_model = mi, best = z;
    }
  }
  // Legend: one swatch per model with its block's name, top left.
  float y = box.Min.y + 0.3f * em;
  for (int mi = 0; mi < static_cast<int>(snap.models.size()); ++mi) {
    const ModelView& m = snap.models[mi];
    if (!has_spectra(m)) continue;
    const int l = clamped_layer(m, app.layer);
    const std::string label = m.name + ": " + block_name(m, shown_block(m, st, l));
    dl->AddCircleFilled(ImVec2(box.Min.x + 0.7f * em, y + 0.5f * ImGui::GetTextLineHeight()), r,
                        model_colour(mi), 12);
    dl->AddText(ImVec2(box.Min.x + 1.3f * em, y), text, label.c_str());
    y += ImGui::GetTextLineHeightWithSpacing();
  }
  dl->PopClipRect();
  dl->AddRect(box.Min, box.Max, ImGui::GetColorU32(ImGuiCol_Border));

  if (best_model >= 0) {
    ImGui::BeginTooltip();
    ImGui::Text("%s: λ = %.4f %c %.4fi", snap.models[best_model].name.c_str(), best.real(),
                best.imag() < 0 ? '-' : '+', std::abs(best.imag()));
    ImGui::Text("|λ| = %.4f: %s", std::abs(best),
                std::abs(best) < 1 ? "this direction shrinks at every step"
                                   : "this direction can grow at every step");
    ImGui::EndTooltip();
  }
}

// [SECTION] The numbers

// ρ and σ₁ of each model in big type, then the singular values as bars with a line at 1.
void draw_numbers(const Snapshot& snap, const AppState& app, ImVec2 size) {
  const SpectrumPanelState& st = app.lab.spectrum;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float em = ImGui::GetFontSize();
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  ImFont* big = big_font();
  const float big_px = big->FontSize;
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImGui::Dummy(size);
  float y = p0.y;
  double sigma_max = 1.0;
  int count = 0;
  for (int mi = 0; mi < static_cast<int>(snap.models.size()); ++mi) {
    const ModelView& m = snap.models[mi];
    if (!has_spectra(m)) continue;
    const int l = clamped_layer(m, app.layer);
    const Spectrum& s = m.spectra[l][shown_block(m, st, l)];
    sigma_max = std::max(sigma_max, s.largest_singular_value);
    ++count;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s  %s", m.name.c_str(),
                  block_name(m, shown_block(m, st, l)).c_str());
    dl->AddRectFilled(ImVec2(p0.x, y + 0.15f * em),
                      ImVec2(p0.x + 0.35f * em, y + big_px * 1.0f + ImGui::GetTextLineHeight()),
                      model_colour(mi));
    dl->AddText(ImVec2(p0.x + 0.7f * em, y), text, buf);
    y += ImGui::GetTextLineHeight();
    std::snprintf(buf, sizeof buf, "ρ = %.3f", s.spectral_radius);
    dl->AddText(big, big_px, ImVec2(p0.x + 0.7f * em, y), text, buf);
    const float col =
        ImGui::CalcTextSize("ρ = 00.000").x * big_px / ImGui::GetFontSize() + 2.5f * em;
    std::snprintf(buf, sizeof buf, "σ₁ = %.3f", s.largest_singular_value);
    dl->AddText(big, big_px, ImVec2(p0.x + 0.7f * em + col, y), text, buf);
    // In words, for the back row: which side of the circle the largest eigenvalue is on.
    const char* verdict = s.spectral_radius < 1 ? "ρ < 1: shrinks" : "ρ ≥ 1: can grow";
    const float vx = p0.x + 0.7f * em + 2 * col;
    if (vx + ImGui::CalcTextSize(verdict).x < p0.x + size.x)
      dl->AddText(ImVec2(vx, y + big_px - ImGui::GetTextLineHeight()),
                  ImGui::GetColorU32(ImGuiCol_TextDisabled), verdict);
    y += big_px + 0.5f * em;
  }
  if (count == 0) return;

  // The bars: singular values sorted, one group per index, one bar per model.
  const float line = ImGui::GetTextLineHeight();
  const ImRect bars(ImVec2(p0.x + 2.2f * em, y + line + 0.3f * em),
                    ImVec2(p0.x + size.x - 0.3f * em, p0.y + size.y - line - 0.4f * em));
  if (bars.GetHeight() < 2 * em || bars.GetWidth() < 4 * em) return;
  dl->AddText(ImVec2(p0.x, y), text, "singular values σ_k, largest first");
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
    const Vec& sv = m.spectra[l][shown_block(m, st, l)].singular_values;
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
  dl->AddText(ImVec2(p0.x, y1 - 0.5f * line), text, "1");
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2g", top);
  dl->AddText(ImVec2(p0.x, bars.Min.y - 0.5f * line), ImGui::GetColorU32(ImGuiCol_TextDisabled),
              buf);
  dl->AddText(ImVec2(p0.x, bars.Max.y - 0.5f * line), ImGui::GetColorU32(ImGuiCol_TextDisabled),
              "0");
  std::snprintf(buf, sizeof buf, "k = 1 … %d", n);
  dl->AddText(
      ImVec2(bars.GetCenter().x - 0.5f * ImGui::CalcTextSize(buf).x, bars.Max.y + 0.2f * em), text,
      buf);
  dl->AddRect(bars.Min, bars.Max, ImGui::GetColorU32(ImGuiCol_Border));
}

// [SECTION] Rescale

void draw_rescale(AppState& app, TrainingWorker& worker) {
  SpectrumPanelState& st = app.lab.spectrum;
  const float em = ImGui::GetFontSize();
  ImGui::SetNextItemWidth(12 * em);
  const bool moved = ImGui::SliderFloat("##rho", &st.target_radius, 0.1f, 3.0f, "ρ → %.2f",
                                        ImGuiSliderFlags_AlwaysClamp);
  ImGui::SameLine();
  const auto rescale_now = [&] { worker.send(cmd::RescaleRecurrent{st.target_radius}); };
  if (ImGui::Button("Rescale now")) rescale_now();
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip(
        "Scales every recurrent block of W_hh, in every model, so that its spectral radius is ρ.\n"
        "Applied between two iterations; training goes on from there.");
  ImGui::SameLine();
  ImGui::Checkbox("live", &st.live);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Rescale as the slider moves.");
  if (st.live && moved) rescale_now();
  ImGui::SameLine();
  if (ImGui::Button("At reset")) {
    ExperimentConfig& e = app.config.edit;
    e.model.init.spectral_radius = st.target_radius;
    for (ModelConfig& m : e.compare) m.init.spectral_radius = st.target_radius;
    worker.send(cmd::Configure{e});
  }
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip(
        "Sets the experiment's initial spectral radius to ρ (every model) and starts again\n"
        "from the seed: the first iterations then show what ρ does.");
}

}  // namespace

// [SECTION] Panel

void draw_spectrum_panel(const Snapshot& snap, AppState& app, TrainingWorker& worker) {
  if (snap.models.empty()) return;
  SpectrumPanelState& st = app.lab.spectrum;
  const float em = ImGui::GetFontSize();

  // Selectors: the layer, and the gate block of each gated cell present.
  int layers = 1;
  bool lstm = false, gru = false;
  for (const ModelView& m : snap.models) {
    layers = std::max(layers, m.spec.num_layers);
    lstm = lstm || m.spec.cell == CellType::Lstm;
    gru = gru || m.spec.cell == CellType::Gru;
  }
  if (layers > 1) {
    ImGui::SetNextItemWidth(6 * em);
    int shown_layer = app.layer + 1;
    if (ImGui::SliderInt("layer", &shown_layer, 1, layers)) app.layer = shown_layer - 1;
    ImGui::SameLine();
  }
  const auto block_buttons = [](const char* cell, const char* const* names, int n, int& block) {
    ImGui::TextUnformatted(cell);
    for (int g = 0; g < n; ++g) {
      ImGui::SameLine();
      ImGui::PushID(cell);
      if (ImGui::RadioButton(names[g], block == g)) block = g;
      ImGui::PopID();
    }
    ImGui::SameLine(0, 2 * ImGui::GetFontSize());
  };
  if (lstm) block_buttons("LSTM block", kLstmBlocks, 4, st.lstm_block);
  if (gru) block_buttons("GRU block", kGruBlocks, 3, st.gru_block);
  ImGui::TextDisabled("(why ρ?)");
  if (ImGui::IsItemHovered()) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30.0f);
    ImGui::TextUnformatted(
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
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }

  bool any = false;
  for (const ModelView& m : snap.models) any = any || has_spectra(m);
  if (!any) {
    ImGui::TextDisabled("computing the spectrum…");
    return;
  }
  const float rescale_h = ImGui::GetFrameHeightWithSpacing() + 0.2f * em;
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float side = std::max(8 * em, std::min(avail.y - rescale_h, avail.x * 0.55f));
  draw_plane(snap, app, side);
  ImGui::SameLine(0, em);
  draw_numbers(snap, app, ImVec2(std::max(8 * em, ImGui::GetContentRegionAvail().x), side));
  draw_rescale(app, worker);
}

}  // namespace unrolled
