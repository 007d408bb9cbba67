// Helpers every panel shares: the inspected model, help markers and tooltips, text fields, and text
// shortened to a width.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "app/panels/panels.hpp"

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
  if (ImGui::CalcTextSize(text.c_str()).x <= width) return text;
  const char* ellipsis = "\xE2\x80\xA6";
  const float ew = ImGui::CalcTextSize(ellipsis).x;
  // The longest prefix, cut between UTF-8 characters, that fits with the ellipsis.
  size_t lo = 0, hi = text.size();
  while (lo < hi) {
    size_t mid = (lo + hi + 1) / 2;
    while (mid > 0 && (static_cast<unsigned char>(text[mid]) & 0xC0) == 0x80) --mid;
    if (mid <= lo) break;
    if (ImGui::CalcTextSize(text.c_str(), text.c_str() + mid).x + ew <= width)
      lo = mid;
    else
      hi = mid - 1;
  }
  while (lo > 0 && lo < text.size() && (static_cast<unsigned char>(text[lo]) & 0xC0) == 0x80) --lo;
  return text.substr(0, lo) + ellipsis;
}

}  // namespace unrolled

namespace unrolled {

ImVec2 min_plot_box() {
  const float line = ImGui::GetTextLineHeight();
  // Around the data: a title line, a row of legend entries beside the y axis name, tick labels
  // and an axis label below, and the gaps between them; tick labels, an axis label and a colour
  // bar (with signed labels) beside. Measured with the widgets' layout report: 7.5 lines above and
  // below, 7 beside, hold every panel's plots at 8 x 9 lines from 1280x720 to 1920x1080, text
  // scale 1 to 2 (plots with more legend entries ask for more: see the Training panel).
  return {(kMinDataLinesW + 7.0f) * line, (kMinDataLinesH + 7.5f) * line};
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

std::string fmt_num(double v, int significant) {
  char buf[48];
  const double a = std::fabs(v);
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "inf" : "\xE2\x88\x92inf";
  if (a != 0 && (a >= 1e6 || a < 1e-4)) {
    std::snprintf(buf, sizeof buf, "%.*e", std::max(significant - 1, 0), v);
    // 1.23e+19 -> 1.23e19, 3.40e-05 -> 3.40e-05: no "+", the exponent's leading zeros kept
    // for negative exponents as printf writes them.
    std::string s = buf;
    if (const size_t e = s.find("e+"); e != std::string::npos) s.erase(e + 1, 1);
    if (const size_t e = s.find("e0"); e != std::string::npos) s.erase(e + 1, 1);
    return s;
  }
  std::snprintf(buf, sizeof buf, "%.*g", std::max(significant, 1), v);
  return buf;
}

ImU32 attention_color(bool error) {
  const ImVec4 bg = ImGui::GetStyleColorVec4(ImGuiCol_WindowBg);
  const bool light = 0.2126f * bg.x + 0.7152f * bg.y + 0.0722f * bg.z > 0.5f;
  // Contrast against the window (WCAG): dark theme 4.9:1 (red) and 10:1 (amber); light theme
  // 6.4:1 and 5.6:1.
  if (error) return light ? IM_COL32(180, 40, 30, 255) : IM_COL32(235, 90, 80, 255);
  return light ? IM_COL32(150, 90, 0, 255) : IM_COL32(240, 190, 60, 255);
}

void report_value(AppState& app, const char* name, const std::string& value) {
  if (app.report_values) app.reported.emplace_back(name, value);
}

}  // namespace unrolled
