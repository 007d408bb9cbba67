// Colour maps for heatmaps and colour bars, and the colours of plot series. All are safe for the
// common forms of colour blindness:
//   Colormap::Sequential  viridis-like, dark purple -> blue -> green -> yellow, luminance rising
//                         monotonically; for values with an order, such as gates in [0, 1].
//   Colormap::Diverging   blue -> near-white -> red, symmetric in luminance around the centre;
//                         for signed values such as h_t in [-1, 1] or weights, centred on 0.
// Each map is a short table of control points interpolated linearly in sRGB. The CPU functions
// here are the reference: the heatmap shader reads the same map as a 256-entry LUT.
#pragma once

#include <cstdint>
#include <span>

#include <imgui.h>

namespace unrolled::widgets {

enum class Colormap { Sequential, Diverging };

struct ColorStop {
  float pos;  // in [0, 1], increasing along the table
  std::uint8_t r, g, b;
};

inline constexpr int kLutSize = 256;                              // entries in a LUT
inline constexpr ImU32 kNanColor = IM_COL32(128, 128, 128, 255);  // "no value": NaN cells

// The control points of a map, from pos 0 to pos 1.
std::span<const ColorStop> colormap_stops(Colormap map);
const char* colormap_name(Colormap map);

// Colour at t in [0, 1] (clamped; NaN gives kNanColor).
ImU32 colormap_at(Colormap map, double t);

// Where value falls in [vmin, vmax], as t in [0, 1], clamped. With log_scale the position is
// measured in log10 and values <= 0 count as below vmin. vmin == vmax gives 0.5. NaN stays NaN.
double colormap_position(double value, double vmin, double vmax, bool log_scale = false);

// Colour of value over [vmin, vmax]: colormap_at(map, colormap_position(...)).
ImU32 colormap_color(Colormap map, double value, double vmin, double vmax, bool log_scale = false);

// Fills kLutSize RGBA entries (4 bytes each, alpha 255); entry i is colormap_at(i / 255).
void colormap_fill_lut(Colormap map, std::span<std::uint8_t, kLutSize * 4> rgba);

// Colours for plot series, in order: Okabe & Ito's palette (distinct under colour blindness), in a
// dark-theme and a light-theme variant that each keep 4.5:1 against the plot backgrounds of that
// theme. i wraps around. Without `light`, the variant follows the current ImGui style's WindowBg
// (style_is_light()), so panels need not know the theme.
ImU32 series_color(int i);
ImU32 series_color(int i, bool light);
inline constexpr int kSeriesColorCount = 7;

}  // namespace unrolled::widgets
