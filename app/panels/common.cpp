// Helpers every panel shares: the inspected model, help markers and tooltips, text fields, and text
// shortened to a width.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cctype>
#include <cstring>
#include <string_view>
#include <vector>

#include "app/panels/panels.hpp"
#include "widgets/report.hpp"
#include "widgets/text.hpp"

namespace unrolled {

const ModelView& inspected_model(const Snapshot& snap, const AppState& app) {
  return snap.models[std::clamp(app.model, 0, static_cast<int>(snap.models.size()) - 1)];
}

void text_tooltip(const char* text) {
  ImGui::BeginTooltip();
  ImGui::PushTextWrapPos(ImGui::GetFontSize() * 28.0f);
  ImGui::TextUnformatted(notation(text).c_str());
  ImGui::PopTextWrapPos();
  ImGui::EndTooltip();
}

void help_marker(const char* text) {
  fit_on_line(ImGui::CalcTextSize("(?)").x);  // beside the item, or below when it would be cut
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

bool lesson_edited(const ExperimentConfig& running, const ExperimentConfig& lesson) {
  const auto essence = [](ExperimentConfig c) {
    c.title.clear();
    c.description.clear();
    c.training.seed = 0;
    c.training.precision = Precision::Float32;
    return experiment_to_json(c);
  };
  return essence(running) != essence(lesson);
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

std::string fmt_num(double v, int significant) { return widgets::format_number(v, significant); }

std::string fmt_percent(double fraction, int significant) {
  return std::isnan(fraction) ? "\xE2\x80\x94" : fmt_num(100 * fraction, significant) + "%";
}

ImU32 attention_color(bool error) {
  const ImVec4 bg = ImGui::GetStyleColorVec4(ImGuiCol_WindowBg);
  const bool light = 0.2126f * bg.x + 0.7152f * bg.y + 0.0722f * bg.z > 0.5f;
  // Contrast against the window (WCAG): dark theme 4.9:1 (red) and 10:1 (amber); light theme
  // 6.4:1 and 5.6:1.
  if (error) return light ? IM_COL32(180, 40, 30, 255) : IM_COL32(235, 90, 80, 255);
  return light ? IM_COL32(150, 90, 0, 255) : IM_COL32(240, 190, 60, 255);
}

void report_plot(const char* title, ImVec2 data_min, ImVec2 data_max) {
  if (!widgets::layout_report_enabled()) return;
  widgets::PlotRecord r;
  r.title = title;
  r.data_rect = {data_min.x, data_min.y, data_max.x - data_min.x, data_max.y - data_min.y};
  r.has_legend = false;
  r.legend_points_covered = 0;
  widgets::layout_report().plots.push_back(r);
}

void report_value(AppState& app, const char* name, const std::string& value) {
  if (app.report_values) app.reported.emplace_back(name, value);
}

}  // namespace unrolled

namespace unrolled {
namespace {

// The Unicode subscript of c (as UTF-8), or null when the fonts' ranges have none.
const char* subscript(char32_t c) {
  switch (c) {
    case U'0': return "\xE2\x82\x80";
    case U'1': return "\xE2\x82\x81";
    case U'2': return "\xE2\x82\x82";
    case U'3': return "\xE2\x82\x83";
    case U'4': return "\xE2\x82\x84";
    case U'5': return "\xE2\x82\x85";
    case U'6': return "\xE2\x82\x86";
    case U'7': return "\xE2\x82\x87";
    case U'8': return "\xE2\x82\x88";
    case U'9': return "\xE2\x82\x89";
    case U'+': return "\xE2\x82\x8A";
    case U'-': case U'\u2212': return "\xE2\x82\x8B";
    case U'a': return "\xE2\x82\x90";
    case U'e': return "\xE2\x82\x91";
    case U'o': return "\xE2\x82\x92";
    case U'x': return "\xE2\x82\x93";
    case U'h': return "\xE2\x82\x95";
    case U'k': return "\xE2\x82\x96";
    case U'n': return "\xE2\x82\x99";
    case U'p': return "\xE2\x82\x9A";
    case U's': return "\xE2\x82\x9B";
    case U't': return "\xE2\x82\x9C";
    case U'i': return "\xE1\xB5\xA2";
    case U'r': return "\xE1\xB5\xA3";
    default: return nullptr;
  }
}

// Decodes one UTF-8 character at s[i], advancing i.
char32_t next_char(std::string_view s, size_t& i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  const int n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  char32_t cp = n == 1 ? c : c & (0xFF >> (n + 1));
  for (int k = 1; k < n && i + k < s.size(); ++k) cp = cp << 6 | (s[i + k] & 0x3F);
  i += n;
  return cp;
}

// The superscript of c (as UTF-8) for the few exponents the lessons write, or null.
const char* superscript(char c) {
  switch (c) {
    case 'd': return "\xE1\xB5\x88";
    case 'T': return "\xE1\xB5\x80";
    case 't': return "\xE1\xB5\x97";
    case 'k': return "\xE1\xB5\x8F";
    case 'n': return "\xE2\x81\xBF";
    case '2': return "\xC2\xB2";
    case '3': return "\xC2\xB3";
    default: return nullptr;
  }
}

// The subscript form of s, or "" when a character of it has none.
std::string subscripted(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    const char* sub = subscript(next_char(s, i));
    if (!sub) return "";
    out += sub;
  }
  return out;
}

}  // namespace

std::string notation(std::string_view tex) {
  std::string out;
  for (size_t i = 0; i < tex.size();) {
    // ^x: one exponent character followed by no letter or digit, e.g. (λ₁γ)^d, W_hh^T.
    if (tex[i] == '^' && i > 0 && i + 1 < tex.size() && superscript(tex[i + 1]) &&
        (i + 2 >= tex.size() || !std::isalnum(static_cast<unsigned char>(tex[i + 2])))) {
      out += superscript(tex[i + 1]);
      i += 2;
      continue;
    }
    if (tex[i] != '_' || i == 0 || i + 1 >= tex.size()) {
      out += tex[i++];
      continue;
    }
    // _{...}: the braces' contents; _x: one letter or digit, when no letter or digit follows
    // (so W_hh and W_xh take both letters, and names such as max_speed stay as they are).
    std::string_view body;
    size_t end = 0;
    if (tex[i + 1] == '{') {
      end = tex.find('}', i + 2);
      if (end == std::string_view::npos) end = 0;
      else body = tex.substr(i + 2, end - i - 2), ++end;
    } else {
      size_t j = i + 1;
      while (j < tex.size() && j < i + 3 && std::isalnum(static_cast<unsigned char>(tex[j]))) ++j;
      if (j < tex.size() && std::isalnum(static_cast<unsigned char>(tex[j]))) j = i + 1;
      body = tex.substr(i + 1, j - i - 1), end = j;
    }
    const std::string sub = body.empty() ? "" : subscripted(body);
    if (sub.empty()) {
      out += tex[i++];
      continue;
    }
    out += sub;
    i = end;
  }
  return out;
}

}  // namespace unrolled
