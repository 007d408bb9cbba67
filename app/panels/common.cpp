// Helpers every panel shares: the inspected model, help markers and tooltips, text fields, and text
// shortened to a width.
#include <imgui.h>

#include <algorithm>
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
