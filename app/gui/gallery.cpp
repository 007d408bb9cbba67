// [SECTION] Synthetic data
// [SECTION] Demos, one per widget
// [SECTION] Layout and the run loop
#include "app/gui/gallery.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <imgui.h>

#include "app/gui/window.hpp"
#include "core/rng.hpp"
#include "widgets/colorbar.hpp"
#include "widgets/colormap.hpp"
#include "widgets/text.hpp"

namespace unrolled {
namespace {

using namespace widgets;

constexpr int kIterations = 2000;  // N: points in the training curves
constexpr int kDistances = 51;     // D: distances T - t = 0..50
constexpr int kUnits = 16;         // H: hidden units in the gate and state heatmaps
constexpr int kGateSteps = 40;     // T of the forget-gate heatmap
constexpr int kGradUnits = 8;      // H2 of the NaN demo
constexpr int kGradSteps = 24;     // T2 of the NaN demo
constexpr double kClipThreshold = 5.0;
const char* const kSentence = "the cat sat on the mat.";

double sigmoid(double x) {
  return 1.0 / (1.0 + std::exp(-x));
}

// -----------------------------------------------------------------------------------------------
// [SECTION] Synthetic data
// -----------------------------------------------------------------------------------------------

void make_training_curves(GalleryState& g, Rng& rng) {
  g.loss_ring.assign(kIterations, 0.0);
  g.grad_norm.assign(kIterations, 0.0);
  g.loss_head = 737;  // an arbitrary oldest index: the plot must unroll the ring
  for (int i = 0; i < kIterations; ++i) {
    double norm = 1.2 + 2.0 * std::exp(-i / 500.0) + 0.5 * rng.uniform(-1, 1);
    double loss = 0.035 + 2.27 * std::exp(-i / 330.0);
    loss *= std::exp(0.18 * rng.uniform(-1, 1));
    if (rng.uniform() < 0.012) {  // an exploding step: a spike in the norm, and in the loss
      norm *= rng.uniform(3.0, 9.0);
      loss *= 1.6;
      g.clip_iter.push_back(i);
      g.clip_loss.push_back(loss);
      g.clip_norm.push_back(norm);
    }
    g.loss_ring[(g.loss_head + i) % kIterations] = loss;
    g.grad_norm[i] = norm;
  }
  for (int i = 0; i < kIterations; i += 50) {
    g.val_iter.push_back(i);
    g.val_loss.push_back((0.075 + 2.25 * std::exp(-i / 310.0)) *
                         std::exp(0.05 * rng.uniform(-1, 1)));
  }
}

void make_decay_profiles(GalleryState& g, Rng& rng) {
  for (int k = 0; k < kDistances; ++k) {
    g.distance.push_back(k);
    // ||prod of Jacobians|| ~ (rho * mean tanh')^k: 0.9 * 0.8 vanishes, 1.5 * 0.83 explodes.
    g.decay_vanish.push_back(std::pow(0.72, k) * std::exp(0.25 * rng.uniform(-1, 1)));
    g.decay_explode.push_back(std::pow(1.25, k) * std::exp(0.25 * rng.uniform(-1, 1)));
    g.decay_lstm.push_back(std::pow(0.97, k) * std::exp(0.1 * rng.uniform(-1, 1)));
  }
}

void make_matrices(GalleryState& g, Rng& rng) {
  // f_t, (H, T) column-major: units 0-4 hold on (f near 1), 5-9 reset at every 10th step,
  // the rest follow the input loosely.
  g.forget_gate.resize(kUnits * kGateSteps);
  for (int t = 0; t < kGateSteps; ++t)
    for (int u = 0; u < kUnits; ++u) {
      double a = 0.0;
      if (u < 5) {
        a = 3.2 + 0.3 * u + 0.4 * rng.uniform(-1, 1);
      } else if (u < 10) {
        a = (t % 10 == 9) ? -3.5 : 2.0 + 0.6 * rng.uniform(-1, 1);
      } else {
        a = 2.2 * std::sin(0.25 * t + 1.3 * u) + 0.4 * rng.uniform(-1, 1);
      }
      g.forget_gate[u + t * kUnits] = sigmoid(a);
    }

  // h_t, (H, T) column-major over the characters of kSentence. Each unit is a leaky integrator
  // of one feature of the input (vowel, space, place in the alphabet, ...), with its own memory
  // length, so the map shows both event-locked stripes and slow bands.
  const int steps = static_cast<int>(std::char_traits<char>::length(kSentence));
  g.hidden.resize(kUnits * steps);
  std::vector<double> a(kUnits, 0.0);  // (H) pre-activations carried across steps
  for (int t = 0; t < steps; ++t) {
    const char c = kSentence[t];
    const bool vowel = std::string_view("aeiou").find(c) != std::string_view::npos;
    const bool letter = c >= 'a' && c <= 'z';
    const double place = letter ? (c - 'a') / 12.5 - 1.0 : 0.0;  // a -> -1, z -> +1
    for (int u = 0; u < kUnits; ++u) {
      // Four groups of four units, each group one feature, with memories from short to long.
      double drive = 0.0;
      switch (u / 4) {
        case 0:
          drive = vowel ? 2.6 : -1.0;
          break;  // vowel detectors
        case 1:
          drive = letter ? 1.0 : -3.0;
          break;  // word boundaries
        case 2:
          drive = 2.6 * place;
          break;  // place in the alphabet
        default:
          drive = letter ? 1.6 : -1.6;
          break;  // slow: "inside a word"
      }
      const double memory = 0.1 + 0.2 * (u % 4) + (u / 4 == 3 ? 0.15 : 0.0);  // 0.1 .. 0.85
      const double sign = (u / 4) % 2 ? -1.0 : 1.0;  // groups alternate in sign
      a[u] = memory * a[u] + (1 - memory) * sign * drive + 0.2 * rng.uniform(-1, 1);
      g.hidden[u + t * kUnits] = std::tanh(a[u]);
    }
    g.chars.push_back(c == ' ' ? "\xC2\xB7" : std::string(1, c));  // U+00B7 marks a space
  }
  for (const auto& s : g.chars) g.char_labels.push_back(s.c_str());

  // |dL/dh_t|, (H2, T2): decays with the distance from the last step; units 2 and 5 overflowed
  // early on and hold NaN there.
  g.grad_h.resize(kGradUnits * kGradSteps);
  for (int t = 0; t < kGradSteps; ++t)
    for (int u = 0; u < kGradUnits; ++u) {
      const double d = kGradSteps - 1 - t;
      double v = std::pow(10.0, -0.28 * d * (0.7 + 0.1 * u) + 0.3 * rng.uniform(-1, 1));
      if ((u == 2 || u == 5) && t < 6) v = std::nan("");
      g.grad_h[u + t * kGradUnits] = v;
    }
}

// -----------------------------------------------------------------------------------------------
// [SECTION] Demos, one per widget
// -----------------------------------------------------------------------------------------------

// One line of explanation under a demo, in the quieter text colour.
void caption(const char* text) {
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("%s", text);
  ImGui::PopStyleColor();
}

// Height a caption takes once wrapped to the available width, so the widget above leaves room.
float caption_height(const char* text) {
  const float w = ImGui::GetContentRegionAvail().x;
  return ImGui::CalcTextSize(text, nullptr, false, w).y + ImGui::GetStyle().ItemSpacing.y;
}

void Demo_LossPlot(GalleryState& g) {
  const char* note = "Log y: equal steps are equal ratios. \xE2\x96\xBC a clipped step.";
  if (BeginPlot("Training loss##loss", ImVec2(-1, -caption_height(note)), g.loss_plot)) {
    SetupAxes("iteration", "loss (cross-entropy)", PlotFlags_LogY | PlotFlags_XFromZero);
    PlotLine("train", nullptr, g.loss_ring.data(), kIterations, g.loss_head);
    PlotLine("validation", g.val_iter.data(), g.val_loss.data(),
             static_cast<int>(g.val_iter.size()));
    PlotScatter("clipped step", g.clip_iter.data(), g.clip_loss.data(),
                static_cast<int>(g.clip_iter.size()), Marker::TriangleDown);
    PlotHLine("chance: ln 10 \xE2\x89\x88 2.30", std::log(10.0));
    EndPlot();
  }
  caption(note);
}

void Demo_GradNormPlot(GalleryState& g) {
  const char* note = "Longer than the threshold? Clipping scales it back.";
  if (BeginPlot("Gradient norm and clipping##grad", ImVec2(-1, -caption_height(note)),
                g.grad_plot)) {
    SetupAxes("iteration", "\xE2\x80\x96\xE2\x88\x87\xCE\xB8 L\xE2\x80\x96", PlotFlags_XFromZero);
    SetupAxisLimits(Axis::Y, 0.0, 25.0);
    PlotLine("before clipping", nullptr, g.grad_norm.data(), kIterations);
    PlotHLine("threshold = 5", kClipThreshold);
    PlotScatter("clipped", g.clip_iter.data(), g.clip_norm.data(),
                static_cast<int>(g.clip_iter.size()), Marker::TriangleUp);
    EndPlot();
  }
  caption(note);
}

void Demo_DecayPlot(GalleryState& g) {
  const char* note = "Each step back multiplies by a Jacobian (\xE2\x89\x88 \xCF\x81).";
  if (BeginPlot("Gradient through time##decay", ImVec2(-1, -caption_height(note)), g.decay_plot)) {
    SetupAxes("distance T \xE2\x88\x92 t (steps back)",
              "\xE2\x80\x96\xE2\x88\x82L\xE2\x82\x9C/\xE2\x88\x82h\xE2\x82\x9C\xE2\x80\x96 (loss "
              "at the last step T)",
              PlotFlags_LogY | PlotFlags_XFromZero | PlotFlags_LegendLeft | PlotFlags_LegendBottom);
    const int n = static_cast<int>(g.distance.size());
    PlotLine("RNN, \xCF\x81 = 0.9: vanishes", g.distance.data(), g.decay_vanish.data(), n);
    PlotLine("RNN, \xCF\x81 = 1.5: explodes", g.distance.data(), g.decay_explode.data(), n);
    PlotLine("LSTM, f \xE2\x89\x88 0.97", g.distance.data(), g.decay_lstm.data(), n);
    PlotHLine("1 (unchanged)", 1.0);
    EndPlot();
  }
  caption(note);
}

void Demo_ForgetGateHeatmap(GalleryState& g) {
  const char* note = "Bright: keeps its memory. Click a row to select a unit.";
  HeatmapOptions opt;
  opt.colormap = Colormap::Sequential;
  opt.vmin = 0.0;
  opt.vmax = 1.0;
  opt.title = "LSTM forget gate f\xE2\x82\x9C  (sequential map, [0, 1])";
  opt.x_label = "time step t";
  opt.y_label = "unit";
  opt.value_label = "f";
  opt.value_format = "%.4f";
  opt.x_first = 1;
  opt.highlight_row = g.selected_unit;
  opt.highlight_col = g.current_step;
  if (Heatmap("##forget", g.forget_gate.data(), kUnits, kGateSteps, /*col_major=*/true, opt,
              g.forget_map, ImVec2(-1, -caption_height(note))))
    g.selected_unit = g.forget_map.clicked_row;
  const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  g.hover_demo_point = ImVec2(a.x + 0.52f * (b.x - a.x), a.y + 0.43f * (b.y - a.y));
  caption(note);
}

void Demo_HiddenStateHeatmap(GalleryState& g) {
  const char* note =
      "Blue < 0 < red. Rows 0\xE2\x80\x93"
      "3 fire on vowels, 4\xE2\x80\x93"
      "7 on spaces.";
  HeatmapOptions opt;
  opt.colormap = Colormap::Diverging;
  opt.vmin = -1.0;
  opt.vmax = 1.0;
  opt.title =
      "Hidden state h\xE2\x82\x9C = tanh(a\xE2\x82\x9C)  (diverging map, [\xE2\x88\x92"
      "1, 1])";
  opt.x_label = "input character";
  opt.y_label = "unit";
  opt.value_label = "h";
  opt.value_format = "%+.4f";
  opt.x_tick_labels = g.char_labels.data();
  opt.highlight_row = g.selected_unit;
  const int steps = static_cast<int>(g.char_labels.size());
  if (Heatmap("##hidden", g.hidden.data(), kUnits, steps, /*col_major=*/true, opt, g.hidden_map,
              ImVec2(-1, -caption_height(note))))
    g.selected_unit = g.hidden_map.clicked_row;
  caption(note);
}

void Demo_ColorBars() {
  ColorBarOptions seq;
  seq.vertical = false;
  seq.label = "gate value, \xCF\x83(\xC2\xB7) in [0, 1]";
  // Side by side, so the edge cases below keep their height.
  const float half =
      std::floor(0.5f * (ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x));
  ColorBar("##bar_seq", Colormap::Sequential, 0.0, 1.0, ImVec2(half, 0), seq);
  ImGui::SameLine();
  ColorBarOptions div;
  div.vertical = false;
  div.label = "h\xE2\x82\x9C and weights, centred on 0";
  ColorBar("##bar_div", Colormap::Diverging, -1.0, 1.0, ImVec2(-1, 0), div);
}

void Demo_EdgeCases(GalleryState& g) {
  const char* note = "Grey = NaN (overflowed); no data gets a note.";
  const float h = ImGui::GetContentRegionAvail().y - caption_height(note);
  const float w = ImGui::GetContentRegionAvail().x;
  HeatmapOptions opt;
  opt.colormap = Colormap::Sequential;
  opt.log_scale = true;
  opt.title = "\xE2\x80\x96\xE2\x88\x82L/\xE2\x88\x82h\xE2\x82\x9C\xE2\x80\x96, log colours";
  opt.x_label = "t";
  opt.y_label = "unit";
  opt.value_label = "\xE2\x80\x96\xE2\x88\x82L/\xE2\x88\x82h\xE2\x80\x96";
  // Side by side; the empty one needs little room, but at least 8 em (the heatmap's minimum).
  const float empty_w = std::max(8 * ImGui::GetFontSize(), 0.32f * w);
  Heatmap("##grad_nan", g.grad_h.data(), kGradUnits, kGradSteps, true, opt, g.grad_map,
          ImVec2(w - empty_w - ImGui::GetStyle().ItemSpacing.x, h));
  ImGui::SameLine();
  HeatmapOptions empty;
  empty.title = "Empty matrix";
  empty.colorbar = false;
  empty.x_label = "t";
  empty.y_label = "unit";
  Heatmap("##empty", nullptr, 0, 0, true, empty, g.empty_map, ImVec2(-1, h));
  caption(note);
}

// A bordered card that fills (w, h), with the demo inside.
template <class F>
void card(const char* id, float w, float h, F&& demo) {
  ImGui::BeginChild(id, ImVec2(w, h), true,
                    ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
  demo();
  ImGui::EndChild();
}

}  // namespace

// -----------------------------------------------------------------------------------------------
// [SECTION] Layout and the run loop
// -----------------------------------------------------------------------------------------------

void gallery_init(GalleryState& g) {
  Rng rng(20240611);
  make_training_curves(g, rng);
  make_decay_profiles(g, rng);
  make_matrices(g, rng);
}

void gallery_draw(GalleryState& g) {
  const ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(io.DisplaySize);
  // Scrolls when the cards' minimum heights do not fit (a small window, large text).
  ImGui::Begin("Unrolled widget gallery", nullptr,
               ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize |
                   ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoMove |
                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus);
  if (g.title_font) ImGui::PushFont(g.title_font);
  ImGui::TextUnformatted("Unrolled \xE2\x80\x94 widget gallery");
  if (g.title_font) ImGui::PopFont();
  ImGui::SameLine();
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::SetCursorPosY(ImGui::GetCursorPosY() + 0.35f * ImGui::GetFontSize());
  char hint[200];
  std::snprintf(hint, sizeof hint,
                "   hover for values \xC2\xB7 click legend entries to hide a series \xC2\xB7 "
                "Ctrl + = / Ctrl + \xE2\x88\x92 / Ctrl + 0: text size (%.0f%%)",
                100.0f * ImGui::GetFontSize() / Window::kBaseFontPx);
  TextEllipsis(hint);  // shortened, whole in a tooltip, when the window is narrow
  ImGui::PopStyleColor();

  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float gap = ImGui::GetStyle().ItemSpacing.x;
  // A card holds a plot with a data area of 8 lines and what surrounds it (title, legend rows,
  // axes: as measured last frame) and a caption of two lines.
  const ImGuiStyle& style = ImGui::GetStyle();
  float plot_min_h = 0.0f;
  for (const PlotState* p : {&g.loss_plot, &g.grad_plot, &g.decay_plot})
    plot_min_h = std::max(plot_min_h, plot_height_for(*p, 8.0f * ImGui::GetTextLineHeight()));
  const float min_card_h = plot_min_h + 2 * ImGui::GetTextLineHeightWithSpacing() +
                           style.ItemSpacing.y + 2 * style.WindowPadding.y;
  const float top_h = std::max(std::floor(0.48f * avail.y), min_card_h);
  const float bottom_h = std::max(avail.y - top_h - style.ItemSpacing.y,
                                  12.5f * ImGui::GetTextLineHeightWithSpacing());
  const float third = std::floor((avail.x - 2 * gap) / 3);
  card("##c_loss", third, top_h, [&] { Demo_LossPlot(g); });
  ImGui::SameLine();
  card("##c_grad", third, top_h, [&] { Demo_GradNormPlot(g); });
  ImGui::SameLine();
  card("##c_decay", -1, top_h, [&] { Demo_DecayPlot(g); });

  const float wide = std::floor((avail.x - 2 * gap) * 0.355f);
  card("##c_forget", wide, bottom_h, [&] { Demo_ForgetGateHeatmap(g); });
  ImGui::SameLine();
  card("##c_hidden", wide, bottom_h, [&] { Demo_HiddenStateHeatmap(g); });
  ImGui::SameLine();
  card("##c_bars", -1, bottom_h, [&] {
    Demo_ColorBars();
    Demo_EdgeCases(g);
  });
  ImGui::End();
}

void gallery_release(GalleryState& g) {
  for (HeatmapState* s : {&g.forget_map, &g.hidden_map, &g.grad_map, &g.empty_map}) s->release();
}

int run_gallery(Window& window, int frames, const std::string& screenshot_path) {
  GalleryState g;
  gallery_init(g);
  g.title_font = window.title_font();
  const bool shooting = !screenshot_path.empty();
  for (int f = 0; (frames <= 0 || f < frames) && !window.should_close(); ++f) {
    // For screenshots the mouse rests on a forget-gate cell once the first frame has laid it out.
    if (shooting && g.hover_demo_point.x >= 0)
      window.set_mouse_override(g.hover_demo_point.x, g.hover_demo_point.y);
    window.begin_frame();
    g.title_font = window.title_font();  // begin_frame() rebuilds the fonts after Ctrl+= / -
    gallery_draw(g);
    window.end_frame();
  }
  int code = 0;
  if (shooting) {
    if (window.save_screenshot(screenshot_path)) {
      std::printf("unrolled: wrote %s (%d x %d)\n", screenshot_path.c_str(),
                  window.framebuffer_width(), window.framebuffer_height());
    } else {
      code = 1;
    }
  }
  gallery_release(g);
  return code;
}

}  // namespace unrolled
