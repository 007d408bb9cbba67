#include "widgets/colormap.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "widgets/contrast.hpp"

namespace unrolled::widgets {
namespace {

// Viridis-like: nine points, CIE L* rising from about 15 to 91 in near-equal steps.
constexpr std::array<ColorStop, 9> kSequential = {{
    {0.000f, 68, 1, 84},
    {0.125f, 71, 44, 122},
    {0.250f, 59, 81, 139},
    {0.375f, 44, 113, 142},
    {0.500f, 33, 144, 141},
    {0.625f, 39, 173, 129},
    {0.750f, 92, 200, 99},
    {0.875f, 170, 220, 50},
    {1.000f, 253, 231, 37},
}};

// Blue-white-red in the manner of ColorBrewer's RdBu; each blue point has a red partner of about
// the same L* (within 3), so equal |value| reads as equal strength on either side of 0.
constexpr std::array<ColorStop, 9> kDiverging = {{
    {0.000f, 5, 48, 97},
    {0.125f, 33, 102, 172},
    {0.250f, 67, 147, 195},
    {0.375f, 146, 197, 222},
    {0.500f, 247, 247, 247},
    {0.625f, 244, 165, 130},
    {0.750f, 214, 96, 77},
    {0.875f, 178, 24, 43},
    {1.000f, 103, 0, 31},
}};

// Okabe & Ito's palette (2008), in its order, made to reach 4.5:1 (WCAG AA) against every
// background a plot sits on in each theme, by moving each colour towards white (dark theme) or
// towards black (light theme) in sRGB, which keeps its hue. Sky blue and blue share a hue and
// differ in lightness only, so each theme keeps them apart: on dark, blue is lifted just to AA and
// sky blue further; on light, sky blue is darkened just to AA and blue further.
constexpr std::array<ImU32, kSeriesColorCount> kSeriesDark = {
    IM_COL32(230, 159, 0, 255),    // orange (as published)
    IM_COL32(140, 204, 240, 255),  // sky blue
    IM_COL32(26, 176, 133, 255),   // bluish green
    IM_COL32(232, 128, 48, 255),   // vermillion
    IM_COL32(214, 140, 182, 255),  // reddish purple
    IM_COL32(72, 152, 214, 255),   // blue
    IM_COL32(240, 228, 66, 255),   // yellow (as published)
};
constexpr std::array<ImU32, kSeriesColorCount> kSeriesLight = {
    IM_COL32(140, 96, 0, 255),    // orange
    IM_COL32(50, 110, 144, 255),  // sky blue
    IM_COL32(0, 122, 89, 255),    // bluish green
    IM_COL32(176, 77, 0, 255),    // vermillion
    IM_COL32(148, 86, 121, 255),  // reddish purple
    IM_COL32(0, 78, 124, 255),    // blue
    IM_COL32(112, 106, 30, 255),  // yellow, darkened to olive
};

std::uint8_t lerp_byte(std::uint8_t a, std::uint8_t b, double f) {
  return static_cast<std::uint8_t>(std::lround(a + (b - a) * f));
}

}  // namespace

std::span<const ColorStop> colormap_stops(Colormap map) {
  if (map == Colormap::Diverging) return kDiverging;
  return kSequential;
}

const char* colormap_name(Colormap map) {
  return map == Colormap::Diverging ? "diverging (blue-white-red)" : "sequential (viridis-like)";
}

ImU32 colormap_at(Colormap map, double t) {
  if (std::isnan(t)) return kNanColor;
  t = std::clamp(t, 0.0, 1.0);
  const auto stops = colormap_stops(map);
  std::size_t k = 1;
  while (k + 1 < stops.size() && stops[k].pos < t) ++k;
  const ColorStop& a = stops[k - 1];
  const ColorStop& b = stops[k];
  const double f = std::clamp((t - a.pos) / (b.pos - a.pos), 0.0, 1.0);
  return IM_COL32(lerp_byte(a.r, b.r, f), lerp_byte(a.g, b.g, f), lerp_byte(a.b, b.b, f), 255);
}

double colormap_position(double value, double vmin, double vmax, bool log_scale) {
  if (std::isnan(value)) return value;
  if (log_scale) {
    if (value <= 0.0) return 0.0;
    if (vmin <= 0.0 || vmax <= 0.0) return 0.5;
    value = std::log10(value);
    vmin = std::log10(vmin);
    vmax = std::log10(vmax);
  }
  if (!(vmax != vmin)) return 0.5;
  return std::clamp((value - vmin) / (vmax - vmin), 0.0, 1.0);
}

ImU32 colormap_color(Colormap map, double value, double vmin, double vmax, bool log_scale) {
  return colormap_at(map, colormap_position(value, vmin, vmax, log_scale));
}

void colormap_fill_lut(Colormap map, std::span<std::uint8_t, kLutSize * 4> rgba) {
  for (int i = 0; i < kLutSize; ++i) {
    const ImU32 c = colormap_at(map, i / double(kLutSize - 1));
    rgba[4 * i + 0] = static_cast<std::uint8_t>((c >> IM_COL32_R_SHIFT) & 0xFF);
    rgba[4 * i + 1] = static_cast<std::uint8_t>((c >> IM_COL32_G_SHIFT) & 0xFF);
    rgba[4 * i + 2] = static_cast<std::uint8_t>((c >> IM_COL32_B_SHIFT) & 0xFF);
    rgba[4 * i + 3] = 255;
  }
}

ImU32 series_color(int i, bool light) {
  const int n = kSeriesColorCount;
  const auto& table = light ? kSeriesLight : kSeriesDark;
  return table[static_cast<std::size_t>(((i % n) + n) % n)];
}

ImU32 series_color(int i) {
  return series_color(i, style_is_light());
}

}  // namespace unrolled::widgets
