#include "widgets/text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <imgui_internal.h>  // ImTextCharFromUtf8

#include "widgets/report.hpp"

namespace unrolled::widgets {
namespace {

constexpr const char* kMinus = "\xE2\x88\x92";  // U+2212, as wide as a digit's plus sign

// Drops trailing zeros of a decimal fraction, and the point if nothing follows it.
void trim_fraction(char* s) {
  char* dot = std::strchr(s, '.');
  if (!dot) return;
  char* end = s + std::strlen(s);
  while (end > dot + 1 && end[-1] == '0') --end;
  if (end == dot + 1) --end;
  *end = '\0';
}

}  // namespace

const char* format_number(char* buf, std::size_t size, double v, int significant) {
  if (size == 0) return buf;
  if (std::isnan(v)) {
    std::snprintf(buf, size, "NaN");
    return buf;
  }
  const char* sign = std::signbit(v) ? kMinus : "";
  if (std::isinf(v)) {
    std::snprintf(buf, size, "%sinf", sign);
    return buf;
  }
  if (v == 0.0) {
    std::snprintf(buf, size, "0");
    return buf;
  }
  const int digits = std::clamp(significant, 1, 15);
  // Round to `digits` first, then choose the notation from the rounded exponent, so 999999.7
  // becomes "1e6", not "1000000".
  char sci[48];
  std::snprintf(sci, sizeof sci, "%.*e", digits - 1, std::abs(v));
  char* e = std::strchr(sci, 'e');
  const int exponent = std::atoi(e + 1);
  char body[48];
  if (exponent >= 6 || exponent < -4) {
    *e = '\0';
    trim_fraction(sci);
    std::snprintf(body, sizeof body, "%se%d", sci, exponent);
  } else {
    std::snprintf(body, sizeof body, "%.*f", std::max(0, digits - 1 - exponent), std::abs(v));
    trim_fraction(body);
  }
  std::snprintf(buf, size, "%s%s", sign, body);
  return buf;
}

std::string format_number(double v, int significant) {
  char buf[64];
  return format_number(buf, sizeof buf, v, significant);
}

const char* ellipsis_text() {
  ImFont* font = ImGui::GetFont();
  return font && font->FindGlyphNoFallback(0x2026) ? "\xE2\x80\xA6" : "...";
}

bool fit_text(std::string& out, const char* text, const char* text_end, float max_width) {
  if (!text_end) text_end = text + std::strlen(text);
  if (ImGui::CalcTextSize(text, text_end).x <= max_width) {
    out.assign(text, text_end);
    return false;
  }
  const char* dots = ellipsis_text();
  const float room = max_width - ImGui::CalcTextSize(dots).x;
  out.clear();
  if (room < 0.0f) return true;
  // Walk whole UTF-8 characters; the prefix width only grows, so stop at the first that overflows.
  const char* fit = text;
  for (const char* p = text; p < text_end;) {
    unsigned int c = 0;
    const int n = ImTextCharFromUtf8(&c, p, text_end);
    p += std::max(n, 1);
    if (ImGui::CalcTextSize(text, p).x > room) break;
    fit = p;
  }
  // No space just before the ellipsis: "loss of…" rather than "loss of …".
  while (fit > text && fit[-1] == ' ') --fit;
  out.assign(text, fit);
  out += dots;
  return true;
}

bool TextEllipsis(const char* text, float max_width) {
  if (max_width <= 0.0f) max_width += ImGui::GetContentRegionAvail().x;
  std::string shown;
  const bool shortened = fit_text(shown, text, nullptr, max_width);
  if (shortened && shown.empty()) report_clipped_text(text);
  ImGui::TextUnformatted(shown.c_str(), shown.c_str() + shown.size());
  if (shortened && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", text);
  return shortened;
}

float DrawTextEllipsis(Canvas dl, ImVec2 pos, ImU32 color, const char* text, float max_width,
                       const char* text_end) {
  if (!text_end) text_end = text + std::strlen(text);
  if (text == text_end) return 0.0f;
  // Most labels fit: draw them without a copy.
  const float full = ImGui::CalcTextSize(text, text_end).x;
  if (full <= max_width) {
    dl->AddText(pos, color, text, text_end);
    return full;
  }
  std::string shown;
  fit_text(shown, text, text_end, max_width);
  if (shown.empty()) {
    report_clipped_text(text, text_end);
    return 0.0f;
  }
  dl->AddText(pos, color, shown.c_str(), shown.c_str() + shown.size());
  const ImVec2 size = ImGui::CalcTextSize(shown.c_str(), shown.c_str() + shown.size());
  if (ImGui::IsWindowHovered(ImGuiHoveredFlags_AllowWhenBlockedByActiveItem) &&
      ImGui::IsMouseHoveringRect(pos, ImVec2(pos.x + size.x, pos.y + size.y))) {
    ImGui::BeginTooltip();
    ImGui::TextUnformatted(text, text_end);
    ImGui::EndTooltip();
  }
  return size.x;
}

}  // namespace unrolled::widgets
