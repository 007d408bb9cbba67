// A colour bar: the colour map as a gradient strip with numbered ticks, so a heatmap can be read.
//
//   ColorBar("##gates", Colormap::Sequential, 0.0, 1.0, ImVec2(0, 300), {.label = "gate value"});
//
// Vertical bars grow upward (vmax at the top) with tick labels on the right; horizontal bars grow
// to the right with tick labels below. Hovering shows the value under the mouse.
#pragma once

#include <imgui.h>

#include "widgets/canvas.hpp"
#include "widgets/colormap.hpp"

namespace unrolled::widgets {

struct ColorBarOptions {
  bool vertical = true;
  bool log_scale = false;        // ticks and colours in log10; needs 0 < vmin < vmax
  const char* label = nullptr;   // name of the quantity, drawn above the bar
  const char* format = nullptr;  // printf format for the hover read-out; null: format_number, 4
                                 // significant digits
};

// size.x / size.y <= 0: natural thickness (vertical: width; horizontal: height); along the bar,
// <= 0 uses the available space (minus |size| when negative, as ImGui does). Returns true while
// hovered.
bool ColorBar(const char* id, Colormap map, double vmin, double vmax, ImVec2 size,
              const ColorBarOptions& opt = {});

// Low level, for widgets that place a bar themselves (the heatmap). Draws the strip in
// [bar_min, bar_max] and its ticks and labels outside it: right of a vertical strip, below a
// horizontal one.
void DrawColorBar(Canvas draw_list, ImVec2 bar_min, ImVec2 bar_max, Colormap map, double vmin,
                  double vmax, const ColorBarOptions& opt);

// Width of the widest tick label of a vertical bar of this pixel height (for layout).
float ColorBarTickLabelWidth(double vmin, double vmax, float bar_length,
                             const ColorBarOptions& opt);

}  // namespace unrolled::widgets
