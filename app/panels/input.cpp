// Input (Inspect): what the model reads, typed or pasted, read again on every edit; each token in a
// box coloured by the selected hidden unit's h_t at that step (as LSTMVis shows it: blue negative,
// white zero, red positive, on the diverging map of the heatmaps); the output whose gradient the
// Gradient of the output panel (influence.cpp) follows, and its value.
//
// [SECTION] The text field
// [SECTION] The tokens coloured by a unit
// [SECTION] The chosen output
#include <imgui.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include "app/panels/panels.hpp"
#include "widgets/canvas.hpp"
#include "widgets/colormap.hpp"

namespace unrolled {
namespace {

// [SECTION] The text field

std::string model_line(const InspectModel& im) {
  const NetworkSpec& s = im.model.net.spec();
  char buf[160];
  std::string cell(to_string(s.cell));
  for (char& c : cell) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::snprintf(buf, sizeof buf, "%s, %d layer%s of %d", cell.c_str(), s.num_layers,
                s.num_layers > 1 ? "s" : "", s.hidden_size);
  std::string out = buf;
  const Vocabulary& v = im.vocab;
  if (v.kind == Vocabulary::Kind::Characters)
    out += "; reads characters (" + v.source + ")";
  else if (v.kind == Vocabulary::Kind::Words)
    out += "; reads words (" + v.source + ")";
  else if (im.model.has_embedding())
    out += "; reads token ids 0-" + std::to_string(im.model.vocab_size() - 1) +
           ", one a line (give --vocab FILE.json to type words)";
  else
    out += "; reads " + std::to_string(s.input_size) + " number" + (s.input_size > 1 ? "s" : "") +
           " a step: one line per step" + (s.input_size > 1 ? ", comma-separated" : "");
  return out;
}

void draw_text_field(AppState& app) {
  InspectState& is = app.inspect;
  is.edit.assign(kMaxInspectTextBytes + 1, '\0');
  std::memcpy(is.edit.data(), is.text.data(), std::min(is.text.size(), kMaxInspectTextBytes));
  const float lines = is.model.vocab.kind == Vocabulary::Kind::None ? 5.0f : 3.0f;
  const ImVec2 size(-1, ImGui::GetTextLineHeight() * lines + ImGui::GetStyle().FramePadding.y * 2);
  if (ImGui::InputTextMultiline("##input", is.edit.data(), is.edit.size(), size)) {
    is.text = is.edit.data();
    is.dirty = true;
  }
  if (ImGui::IsItemHovered())
    text_tooltip(("Type or paste what the model reads; it runs again on every edit. At most " +
                  std::to_string(kMaxInspectSteps) + " steps (" +
                  std::to_string(kMaxInspectTextBytes / 1024) + " KiB of text).")
                     .c_str());
  report_value(app, "input", is.text);
  if (is.error.empty()) return;
  ImGui::PushStyleColor(ImGuiCol_Text, attention_color(true));
  ImGui::TextWrapped("%s", is.error.c_str());
  ImGui::PopStyleColor();
  if (is.input.batch.steps() > 0)
    ImGui::TextDisabled("The panels show the last input that could be read.");
  report_value(app, "input error", is.error);
}

// [SECTION] The tokens coloured by a unit

// The range the colours span: ±1 for a squashed state (tanh, the LSTM's o ⊙ tanh c, the GRU's
// mix), else ± the largest |h| of the unit on this input.
double colour_range(const ModelView& m, const Mat& h) {
  if (m.spec.cell != CellType::Rnn || m.spec.activation == Activation::Tanh ||
      m.spec.activation == Activation::Sigmoid)
    return 1.0;
  const double top = h.size() > 0 ? h.cwiseAbs().maxCoeff() : 1.0;
  return top > 0 && std::isfinite(top) ? top : 1.0;
}

// Black or white, whichever reads better on fill.
ImU32 text_on(ImU32 fill) {
  const ImVec4 c = ImGui::ColorConvertU32ToFloat4(fill);
  return 0.299f * c.x + 0.587f * c.y + 0.114f * c.z > 0.55f ? IM_COL32(0, 0, 0, 255)
                                                            : IM_COL32(255, 255, 255, 255);
}

void draw_token_boxes(const ModelView& m, AppState& app) {
  const InspectState& is = app.inspect;
  const int l = std::clamp(app.layer, 0, m.spec.num_layers - 1);
  const int H = m.spec.hidden_size, T = m.steps;
  app.unit = std::clamp(app.unit, 0, H - 1);
  const Mat& h = m.h[l];  // (H, T)
  const Mat unit_row = h.row(app.unit);
  const double range = colour_range(m, unit_row);
  const float em = ImGui::GetFontSize() * 1.3f, pad = 0.25f * em;
  const ImGuiStyle& style = ImGui::GetStyle();
  const float right = ImGui::GetCursorScreenPos().x + ImGui::GetContentRegionAvail().x;
  std::string values, colours;
  // The tokens at 1.3 times the text size: they are what the class reads from the back.
  ImGui::SetWindowFontScale(1.3f);
  ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(0.2f * em, 0.35f * em));
  for (int t = 0; t < T && t < static_cast<int>(is.input.labels.size()); ++t) {
    const std::string& label = is.input.labels[t];
    const double v = h(app.unit, t);
    const ImU32 fill = widgets::colormap_color(widgets::Colormap::Diverging, v, -range, range);
    const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
    const ImVec2 box(std::max(ts.x, 0.6f * em) + 2 * pad, ts.y + 2 * pad);
    if (t > 0 && ImGui::GetItemRectMax().x + style.ItemSpacing.x + box.x <= right)
      ImGui::SameLine();
    const ImVec2 p = ImGui::GetCursorScreenPos();
    ImGui::PushID(t);
    ImGui::InvisibleButton("##tok", box);
    ImGui::PopID();
    const bool chosen = t == app.step.t;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(p, {p.x + box.x, p.y + box.y}, fill, 0.15f * em);
    if (chosen)
      dl->AddRect(p, {p.x + box.x, p.y + box.y}, ImGui::GetColorU32(ImGuiCol_Text), 0.15f * em, 0,
                  std::max(1.5f, 0.12f * em));
    dl->AddText({p.x + (box.x - ts.x) * 0.5f, p.y + pad}, text_on(fill), label.c_str());
    if (ImGui::IsItemClicked()) app.step.t = t;  // the inspector and the graph go to this step
    if (ImGui::IsItemHovered()) {
      char buf[200];
      std::snprintf(buf, sizeof buf, "step %d, %s: h of unit %d = %s%s", t + 1, label.c_str(),
                    app.unit, fmt_num(v, 4).c_str(),
                    is.gradient.norm.cols() == T
                        ? ("\n\xE2\x80\x96\xE2\x88\x82y/\xE2\x88\x82h\xE2\x82\x9C\xE2\x80\x96 = " +
                           fmt_num(is.gradient.norm(l, t), 3) + "\nclick: inspect this step")
                              .c_str()
                        : "");
      text_tooltip(buf);
    }
    char num[40];
    std::snprintf(num, sizeof num, "%.17g", v);
    values += (t ? "," : "") + std::string(num);
    std::snprintf(num, sizeof num, "%08X", fill);
    colours += (t ? "," : "") + std::string(num);
  }
  ImGui::PopStyleVar();
  ImGui::SetWindowFontScale(1.0f);
  report_value(app, "layer", std::to_string(l + 1));
  report_value(app, "unit", std::to_string(app.unit));
  report_value(app, "unit h", values);
  report_value(app, "unit colours", colours);
  report_value(app, "colour range", fmt_num(range, 6));
  ImGui::PushTextWrapPos(0);
  ImGui::TextDisabled(
      "colour: h of unit %d, blue \xE2\x88\x92%s \xE2\x80\xA6 0 white \xE2\x80\xA6 "
      "red +%s",
      app.unit, fmt_num(range, 2).c_str(), fmt_num(range, 2).c_str());
  ImGui::PopTextWrapPos();
}

void draw_unit_picker(const Snapshot& snap, AppState& app) {
  const ModelView& m = snap.models[0];
  draw_inspect_selectors(snap, app, nullptr);
  const int H = m.spec.hidden_size;
  const float slider_w = 7 * ImGui::GetFontSize();
  if (m.spec.num_layers > 1)
    fit_on_line(slider_w + ImGui::GetStyle().ItemInnerSpacing.x +
                ImGui::CalcTextSize("hidden unit").x);
  ImGui::SetNextItemWidth(slider_w);
  int unit = std::clamp(app.unit, 0, H - 1);
  if (ImGui::SliderInt("hidden unit", &unit, 0, H - 1, "%d", ImGuiSliderFlags_AlwaysClamp))
    app.unit = unit;
  if (ImGui::IsItemHovered())
    text_tooltip(
        "The unit whose h\xE2\x82\x9C colours the tokens below (a click on a row of the "
        "states' or gates' heatmaps selects it too). Look for units that switch at "
        "\"not\", at a space, at the end of a word.");
  const char* busiest = "busiest unit";
  fit_on_line(ImGui::CalcTextSize(busiest).x + 2 * ImGui::GetStyle().FramePadding.x);
  if (ImGui::Button(busiest))
    app.unit = busiest_unit(m, std::clamp(app.layer, 0, m.spec.num_layers - 1));
  if (ImGui::IsItemHovered())
    text_tooltip(
        "Selects the unit whose h\xE2\x82\x9C swings most over this input (the largest "
        "max \xE2\x88\x92 min): a place to start looking.");
}

// [SECTION] The chosen output

void draw_output_choice(const ModelView& m, AppState& app) {
  InspectState& is = app.inspect;
  const int O = m.spec.output_size, T = m.steps;
  const float em = ImGui::GetFontSize();
  const std::vector<std::string>& names = is.model.output_labels;
  const auto name = [&](int k) {
    return k < static_cast<int>(names.size()) ? names[k] : "y" + std::to_string(k);
  };
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("output");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(std::min(9 * em, ImGui::GetContentRegionAvail().x));
  const int k = std::clamp(is.gradient.unit, 0, O - 1);
  if (ImGui::BeginCombo("##out", name(k).c_str())) {
    for (int j = 0; j < O; ++j)
      if (ImGui::Selectable(name(j).c_str(), j == k)) is.choice.unit = j, is.dirty = true;
    ImGui::EndCombo();
  }
  if (ImGui::IsItemHovered())
    text_tooltip(
        "The output whose gradient the Gradient of the output panel follows back "
        "through time.");
  if (m.spec.readout == Readout::Every && T > 1) {
    const float w = 7 * em;
    fit_on_line(w + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize("at step").x);
    ImGui::SetNextItemWidth(w);
    int step = is.gradient.step + 1;
    if (ImGui::SliderInt("at step", &step, 1, T, "%d", ImGuiSliderFlags_AlwaysClamp)) {
      is.choice.step = step - 1;
      is.dirty = true;
    }
  }
  // Every output at the chosen step, the chosen one first, largest next.
  const int n = m.spec.readout == Readout::Every ? is.gradient.step : 0;
  std::vector<int> order(O);
  for (int j = 0; j < O; ++j) order[j] = j;
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return (a == k) != (b == k) ? a == k : m.outputs(a, n) > m.outputs(b, n);
  });
  std::string line;
  for (int j = 0; j < std::min(O, 6); ++j)
    line += (j ? "   " : "") + name(order[j]) + "\xC2\xA0" + fmt_num(m.outputs(order[j], n), 3);
  if (O > 6) line += "   \xE2\x80\xA6";
  const char* act = is.model.model.readout_activation == ReadoutActivation::Softmax   ? "softmax"
                    : is.model.model.readout_activation == ReadoutActivation::Sigmoid ? "sigmoid"
                                                                                      : "";
  ImGui::SetWindowFontScale(1.2f);  // the model's answer, readable from the back
  const std::string when = m.spec.readout == Readout::Every
                               ? "at step " + std::to_string(is.gradient.step + 1)
                               : "after the last step";
  ImGui::TextUnformatted(
      wrap_at_spaces(when + (*act ? std::string(" (") + act + ")" : "") + ": " + line,
                     ImGui::GetContentRegionAvail().x)
          .c_str());
  ImGui::SetWindowFontScale(1.0f);
  char exact[40];
  std::snprintf(exact, sizeof exact, "%.17g", is.gradient.value);
  report_value(app, "output", exact);
  report_value(app, "output step", std::to_string(is.gradient.step + 1));
  report_value(app, "output unit", name(k));
}

}  // namespace

void draw_input_panel(const Snapshot& snap, AppState& app) {
  InspectState& is = app.inspect;
  if (!is.active) {
    ImGui::TextDisabled(
        "No model open: `unrolled open MODEL`, or Lesson \xE2\x86\x92 Probe this "
        "model.");
    return;
  }
  ImGui::PushTextWrapPos(0);
  ImGui::TextDisabled("%s", model_line(is.model).c_str());
  ImGui::PopTextWrapPos();
  draw_text_field(app);
  if (snap.models.empty() || snap.models[0].steps == 0) return;
  const ModelView& m = snap.models[0];
  draw_unit_picker(snap, app);
  draw_token_boxes(m, app);
  ImGui::Separator();
  draw_output_choice(m, app);
}

}  // namespace unrolled
