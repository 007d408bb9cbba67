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
#include "widgets/canvas.hpp"
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

ImU32 outline_color(const AppState& app) {
  // Amber, pulsing for the first six seconds of the step, then steady (no redraws for nothing).
  const double age = ImGui::GetTime() - app.tour.entered_at;
  const float pulse = age < 6 ? 0.8f + 0.2f * static_cast<float>(std::cos(age * 5.0)) : 1.0f;
  const ImU32 base = attention_color(false);
  return (base & ~IM_COL32_A_MASK) | (static_cast<ImU32>(255 * pulse) << IM_COL32_A_SHIFT);
}

void draw_outline(AppState& app, const std::string& what, ImVec2 min, ImVec2 max) {
  const float em = ImGui::GetFontSize();
  // Just entered the step: scroll the panel so that the element is in view.
  if (ImGui::GetTime() - app.tour.entered_at < 0.3)
    ImGui::SetScrollFromPosY(min.y - ImGui::GetWindowPos().y, 0.25f);
  widgets::Canvas(ImGui::GetWindowDrawList())
      ->AddRect(min, max, outline_color(app), 0.3f * em, 0, std::max(2.5f, 0.2f * em));
  app.tour.outlines.push_back({what, Rect{min.x, min.y, max.x - min.x, max.y - min.y}});
}

void emphasise_series(widgets::PlotState& st, const AppState& app, PanelId panel) {
  const TourHighlight* h = tour_highlight(app, panel);
  st.emphasis = h ? h->series : std::string();
  st.emphasis_color = outline_color(app);
}

void note_emphasis(const widgets::PlotState& st, AppState& app) {
  if (st.emphasis.empty() || st.emphasis_max.x <= st.emphasis_min.x) return;
  app.tour.outlines.push_back({"series " + st.emphasis,
                               Rect{st.emphasis_min.x, st.emphasis_min.y,
                                    st.emphasis_max.x - st.emphasis_min.x,
                                    st.emphasis_max.y - st.emphasis_min.y}});
}

namespace {

// Contiguous runs [first, last] of the sorted, deduplicated indices in [0, n).
std::vector<std::pair<int, int>> runs_of(std::vector<int> v, int n) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  std::vector<std::pair<int, int>> out;
  for (int i : v) {
    if (i < 0 || i >= n) continue;
    if (!out.empty() && out.back().second + 1 == i)
      out.back().second = i;
    else
      out.push_back({i, i});
  }
  return out;
}

}  // namespace

void outline_heatmap(AppState& app, PanelId panel, const std::string& title,
                     const widgets::HeatmapState& hs, int rows, int cols) {
  const TourHighlight* h = tour_highlight(app, panel);
  if (!h || rows <= 0 || cols <= 0 || (!h->series.empty() && title.find(h->series) == std::string::npos))
    return;
  const ImVec2 a = hs.cells_min, b = hs.cells_max;
  const float ch = (b.y - a.y) / rows, cw = (b.x - a.x) / cols;
  for (const auto& [r0, r1] : runs_of(h->rows, rows))
    draw_outline(app, "rows " + std::to_string(r0) + "-" + std::to_string(r1) + " of " + title,
                 {a.x - 2, a.y + r0 * ch}, {b.x + 2, a.y + (r1 + 1) * ch});
  for (const auto& [c0, c1] : runs_of(h->columns, cols))
    draw_outline(app, "columns " + std::to_string(c0) + "-" + std::to_string(c1) + " of " + title,
                 {a.x + c0 * cw, a.y - 2}, {a.x + (c1 + 1) * cw, b.y + 2});
}

std::string wrap_at_spaces(const std::string& text, float width) {
  std::string out, line;
  size_t i = 0;
  while (i <= text.size()) {
    const size_t end = std::min(text.find_first_of(" \n", i), text.size());
    const std::string word = text.substr(i, end - i);
    const std::string joined = line.empty() ? word : line + " " + word;
    if (!line.empty() && ImGui::CalcTextSize(joined.c_str()).x > width) {
      out += line + "\n";
      line = word;
    } else {
      line = joined;
    }
    if (end < text.size() && text[end] == '\n') {
      out += line + "\n";
      line.clear();
    }
    i = end + 1;
  }
  return out + line;
}

}  // namespace unrolled
