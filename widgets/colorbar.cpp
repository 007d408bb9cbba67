#include "widgets/colorbar.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include <imgui_internal.h>

#include "widgets/text.hpp"
#include "widgets/ticks.hpp"

namespace unrolled::widgets {
namespace {

// Tick marks for a bar of length px pixels; about one label per 2.5 lines of text.
void bar_ticks(double vmin, double vmax, float length_px, bool log_scale, std::vector<Tick>& out) {
  const int max_ticks = std::max(2, static_cast<int>(length_px / (2.5f * ImGui::GetFontSize())));
  if (log_scale && vmin > 0 && vmax > vmin) {
    log_ticks(vmin, vmax, max_ticks, out);
  } else {
    // A short bar over, say, [-14, 14] would get a single label at 0 (step 20): allow a few more
    // intervals until both signs or at least two values are labelled.
    const double lo = std::min(vmin, vmax), hi = std::max(vmin, vmax);
    for (int k = max_ticks; k < max_ticks + 6; ++k) {
      nice_ticks(lo, hi, k, out);
      if (out.size() >= 2) break;
    }
  }
}

const char* tick_label(char* buf, std::size_t n, const std::vector<Tick>& ticks, std::size_t i,
                       bool log_scale) {
  if (log_scale) return format_log_tick(buf, n, ticks[i].value);
  const double step = ticks.size() > 1 ? std::abs(ticks[1].value - ticks[0].value) : 1.0;
  return format_tick(buf, n, ticks[i].value, step);
}

}  // namespace

float ColorBarTickLabelWidth(double vmin, double vmax, float bar_length,
                             const ColorBarOptions& opt) {
  std::vector<Tick> ticks;
  bar_ticks(vmin, vmax, bar_length, opt.log_scale, ticks);
  float w = ImGui::CalcTextSize("0.0").x;
  char buf[32];
  for (std::size_t i = 0; i < ticks.size(); ++i)
    if (ticks[i].major)
      w = std::max(w, ImGui::CalcTextSize(tick_label(buf, sizeof buf, ticks, i, opt.log_scale)).x);
  return w;
}

void DrawColorBar(Canvas dl, ImVec2 p0, ImVec2 p1, Colormap map, double vmin, double vmax,
                  const ColorBarOptions& opt) {
  const auto stops = colormap_stops(map);
  const float w = p1.x - p0.x, h = p1.y - p0.y;
  for (std::size_t i = 0; i + 1 < stops.size(); ++i) {
    const ImU32 ca = colormap_at(map, stops[i].pos), cb = colormap_at(map, stops[i + 1].pos);
    if (opt.vertical) {  // t = 0 at the bottom
      const float ya = p1.y - stops[i].pos * h, yb = p1.y - stops[i + 1].pos * h;
      dl->AddRectFilledMultiColor(ImVec2(p0.x, yb), ImVec2(p1.x, ya), cb, cb, ca, ca);
    } else {
      const float xa = p0.x + stops[i].pos * w, xb = p0.x + stops[i + 1].pos * w;
      dl->AddRectFilledMultiColor(ImVec2(xa, p0.y), ImVec2(xb, p1.y), ca, cb, cb, ca);
    }
  }
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  dl->AddRect(p0, p1, ImGui::GetColorU32(ImGuiCol_Text, 0.6f));

  std::vector<Tick> ticks;
  const bool log_scale = opt.log_scale && vmin > 0 && vmax > vmin;
  bar_ticks(vmin, vmax, opt.vertical ? h : w, log_scale, ticks);
  const float em = ImGui::GetFontSize();
  const float major_len = 0.35f * em, minor_len = 0.2f * em;
  char buf[32];
  for (std::size_t i = 0; i < ticks.size(); ++i) {
    const double t = colormap_position(ticks[i].value, vmin, vmax, log_scale);
    const float len = ticks[i].major ? major_len : minor_len;
    const char* label = ticks[i].major ? tick_label(buf, sizeof buf, ticks, i, log_scale) : nullptr;
    if (opt.vertical) {
      const float y = IM_ROUND(p1.y - static_cast<float>(t) * h);
      dl->AddLine(ImVec2(p1.x, y), ImVec2(p1.x + len, y), text, 1.0f);
      if (label) dl->AddText(ImVec2(p1.x + major_len + 0.25f * em, y - 0.5f * em), text, label);
    } else {
      const float x = IM_ROUND(p0.x + static_cast<float>(t) * w);
      dl->AddLine(ImVec2(x, p1.y), ImVec2(x, p1.y + len), text, 1.0f);
      if (label) {
        const float tw = ImGui::CalcTextSize(label).x;
        dl->AddText(ImVec2(x - 0.5f * tw, p1.y + major_len + 0.1f * em), text, label);
      }
    }
  }
}

bool ColorBar(const char* id, Colormap map, double vmin, double vmax, ImVec2 size,
              const ColorBarOptions& opt) {
  ImGuiWindow* window = ImGui::GetCurrentWindow();
  if (window->SkipItems) return false;
  const float em = ImGui::GetFontSize();
  const float thickness = 1.2f * em;
  const float label_h = opt.label ? ImGui::GetTextLineHeightWithSpacing() : 0.0f;
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  ImVec2 total;
  if (opt.vertical) {
    const float len = size.y > 0 ? size.y : std::max(4 * em, avail.y + size.y);
    const float tick_w = ColorBarTickLabelWidth(vmin, vmax, len - label_h, opt);
    float natural_w = thickness + 0.6f * em + tick_w;
    if (opt.label) natural_w = std::max(natural_w, ImGui::CalcTextSize(opt.label).x);
    total = ImVec2(size.x > 0 ? size.x : natural_w, len);
  } else {
    const float len = size.x > 0 ? size.x : std::max(4 * em, avail.x + size.x);
    total = ImVec2(len, size.y > 0 ? size.y : label_h + thickness + 0.5f * em + em);
  }
  const ImRect bb(window->DC.CursorPos, window->DC.CursorPos + total);
  ImGui::ItemSize(bb);
  const ImGuiID gid = window->GetID(id);
  if (!ImGui::ItemAdd(bb, gid)) return false;

  Canvas dl = window->DrawList;
  if (opt.label)
    DrawTextEllipsis(dl, bb.Min, ImGui::GetColorU32(ImGuiCol_Text), opt.label, total.x);
  ImVec2 p0(bb.Min.x, bb.Min.y + label_h), p1;
  if (opt.vertical) {
    p0.y += 0.5f * em;  // room for the top tick label
    p1 = ImVec2(p0.x + thickness, bb.Max.y - 0.5f * em);
  } else {
    const float tw = ImGui::CalcTextSize("-0.00").x * 0.5f;  // room for end labels
    p0.x += tw;
    p1 = ImVec2(bb.Max.x - tw, p0.y + thickness);
  }
  DrawColorBar(dl, p0, p1, map, vmin, vmax, opt);

  const bool hovered = ImGui::IsItemHovered() && ImGui::IsMouseHoveringRect(p0, p1);
  if (hovered) {
    const ImVec2 m = ImGui::GetIO().MousePos;
    double t = opt.vertical ? (p1.y - m.y) / (p1.y - p0.y) : (m.x - p0.x) / (p1.x - p0.x);
    t = std::clamp(t, 0.0, 1.0);
    const bool log_scale = opt.log_scale && vmin > 0 && vmax > vmin;
    const double v =
        log_scale ? std::pow(10.0, std::log10(vmin) + t * (std::log10(vmax) - std::log10(vmin)))
                  : vmin + t * (vmax - vmin);
    ImGui::BeginTooltip();
    char buf[64];
    if (opt.format) {
      std::snprintf(buf, sizeof buf, opt.format, v);
    } else {
      format_number(buf, sizeof buf, v, 4);
    }
    ImGui::Text("%s%s%s", opt.label ? opt.label : "", opt.label ? " = " : "", buf);
    ImGui::EndTooltip();
  }
  return hovered;
}

}  // namespace unrolled::widgets
