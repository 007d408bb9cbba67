// Contrast as WCAG 2 measures it, for colours the widgets and the app's themes choose:
//   relative luminance  L = 0.2126 R + 0.7152 G + 0.0722 B of the linearised sRGB channels;
//   contrast ratio      (L_lighter + 0.05) / (L_darker + 0.05), from 1 (same) to 21 (black/white).
// AA asks 4.5:1 for text and, on this project, for every line drawn over a background. Pure
// functions of colours: no ImGui context needed, so they are unit-tested directly.
#pragma once

#include <imgui.h>

namespace unrolled::widgets {

inline constexpr double kMinContrast = 4.5;  // WCAG AA, normal-size text

// Of an ImU32 (alpha ignored: composite it first with over()).
double relative_luminance(ImU32 color);
double contrast_ratio(ImU32 a, ImU32 b);

// fg drawn with its alpha over an opaque bg, as the GPU blends it (in sRGB); opaque result.
ImU32 over(ImU32 fg, ImU32 bg);
ImU32 over(const ImVec4& fg, ImU32 bg);
// Straight mix in sRGB: t = 0 gives a, t = 1 gives b; opaque result.
ImU32 mix(ImU32 a, ImU32 b, float t);
// The mix of bg towards fg nearest to bg that still has min_ratio against bg (fg itself when even
// fg falls short): grid lines as light as they may be while still meeting AA.
ImU32 faintest_with_contrast(ImU32 fg, ImU32 bg, double min_ratio = kMinContrast);

// True for a background lighter than mid-grey (relative luminance above that of #767676, the
// point where black and white text have equal contrast): the light variant of a palette applies.
bool is_light_background(ImU32 bg);
// Whether the current ImGui style is a light one (its WindowBg); false without an ImGui context.
bool style_is_light();

}  // namespace unrolled::widgets
