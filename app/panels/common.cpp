// Helpers every panel shares: the inspected model, help markers and tooltips, text fields, and text
// shortened to a width.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "app/panels/panels.hpp"
#include "widgets/text.hpp"

namespace unrolled {

const ModelView& inspected_model(const Snapshot& snap, const AppState& app) {
  return snap.models[std::clamp(app.model, 0, static_cast<int>(snap.models.size()) - 1)];
}

void text_tooltip(const char* text) {
  ImGui::BeginTooltip();
  ImGui::PushTextWrapPos(ImGui::GetFontSize() * 28.0f);
  ImGui::TextUnformatted(text);
  ImGui::PopTextWrapPos();
  ImGui::EndTooltip();
}

void help_marker(const char* text) {
  ImGui::SameLine();
  ImGui::TextDisabled("(?)");
  if (ImGui::IsItemHovered()) text_tooltip(text);
}

bool input_text(const char* label, std::string& s, size_t cap) {
  std::vector<char> buf(cap);
  std::strncpy(buf.data(), s.c_str(), cap - 1);
  if (!ImGui::InputText(label, buf.data(), cap)) return false;
  s = buf.data();
  return true;
}

std::string fit_text(const std::string& text, float width) {
  std::string out;
  widgets::fit_text(out, text.c_str(), text.c_str() + text.size(), width);
  return out;
}

}  // namespace unrolled

namespace unrolled {

ImVec2 min_plot_box() {
  const float line = ImGui::GetTextLineHeight();
  // Around the data: a title line, a legend strip, tick labels and an axis label below; tick
  // labels, an axis label and a colour bar beside.
  return {(kMinDataLinesW + 6.5f) * line, (kMinDataLinesH + 5.0f) * line};
}

float stacked_plot_height(int n, float below) {
  const float gap = ImGui::GetStyle().ItemSpacing.y;
  const float share = (ImGui::GetContentRegionAvail().y - below - gap * (n - 1)) / std::max(n, 1);
  return std::max(share, min_plot_box().y);
}

int grid_columns(int n, float min_w) {
  const float gap = ImGui::GetStyle().ItemSpacing.x;
  const int fit = static_cast<int>((ImGui::GetContentRegionAvail().x + gap) / (min_w + gap));
  return std::clamp(fit, 1, std::max(n, 1));
}

std::string fmt_num(double v, int significant) { return widgets::format_number(v, significant); }

void report_value(AppState& app, const char* name, const std::string& value) {
  if (app.report_values) app.reported.emplace_back(name, value);
}

}  // namespace unrolled
