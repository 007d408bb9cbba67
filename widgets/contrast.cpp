#include "widgets/contrast.hpp"

#include <algorithm>
#include <cmath>

namespace unrolled::widgets {
namespace {

double channel(ImU32 c, int shift) {
  return static_cast<double>((c >> shift) & 0xFF) / 255.0;
}

// sRGB transfer function, inverted: the channel's share of light.
double linear(double v) {
  return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
}

ImU32 pack(double r, double g, double b) {
  const auto byte = [](double v) {
    return static_cast<int>(std::lround(std::clamp(v, 0.0, 1.0) * 255));
  };
  return IM_COL32(byte(r), byte(g), byte(b), 255);
}

}  // namespace

double relative_luminance(ImU32 c) {
  return 0.2126 * linear(channel(c, IM_COL32_R_SHIFT)) +
         0.7152 * linear(channel(c, IM_COL32_G_SHIFT)) +
         0.0722 * linear(channel(c, IM_COL32_B_SHIFT));
}

double contrast_ratio(ImU32 a, ImU32 b) {
  const double la = relative_luminance(a), lb = relative_luminance(b);
  return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

ImU32 over(ImU32 fg, ImU32 bg) {
  const double a = channel(fg, IM_COL32_A_SHIFT);
  const auto blend = [&](int shift) {
    return a * channel(fg, shift) + (1 - a) * channel(bg, shift);
  };
  return pack(blend(IM_COL32_R_SHIFT), blend(IM_COL32_G_SHIFT), blend(IM_COL32_B_SHIFT));
}

ImU32 over(const ImVec4& fg, ImU32 bg) {
  return over(ImGui::ColorConvertFloat4ToU32(fg), bg);
}

ImU32 mix(ImU32 a, ImU32 b, float t) {
  const auto m = [&](int shift) {
    return channel(a, shift) + t * (channel(b, shift) - channel(a, shift));
  };
  return pack(m(IM_COL32_R_SHIFT), m(IM_COL32_G_SHIFT), m(IM_COL32_B_SHIFT));
}

ImU32 faintest_with_contrast(ImU32 fg, ImU32 bg, double min_ratio) {
  if (contrast_ratio(fg, bg) < min_ratio) return fg | IM_COL32_A_MASK;
  // Along a mix of greys (text over a plot's background) luminance, and so contrast, grows
  // monotonically with t: bisect on it.
  float lo = 0.0f, hi = 1.0f;
  for (int i = 0; i < 20; ++i) {
    const float t = 0.5f * (lo + hi);
    (contrast_ratio(mix(bg, fg, t), bg) >= min_ratio ? hi : lo) = t;
  }
  return mix(bg, fg, hi);
}

bool is_light_background(ImU32 bg) {
  // Black and white text contrast equally at L = sqrt(1.05 * 0.05) - 0.05 ~ 0.179.
  return relative_luminance(bg) > 0.179;
}

bool style_is_light() {
  if (ImGui::GetCurrentContext() == nullptr) return false;
  return is_light_background(
      ImGui::ColorConvertFloat4ToU32(ImGui::GetStyle().Colors[ImGuiCol_WindowBg]));
}

}  // namespace unrolled::widgets
