// Where each panel goes, from the window's size and the text size alone (no ImGui here, so the
// layout is tested as a function).
//
// A mode has a preferred arrangement (panel_table.hpp: a sidebar column and rows of panels) and a
// priority order. The layout gives every visible panel a cell at least its minimum size (the
// table's min_w_lines x min_h_lines, in line heights, plus the title bar). When the window cannot
// hold every panel at that size, panels share cells as tabs: of the arrangements that fit, the one
// that shows most of the mode's key panels at once wins (each cell's first panel counts, the
// first in the priority list most); the key panels keep cells of their own and the rest join a
// neighbour's cell as tabs. Nothing is shrunk below its minimum; a cell that is still too small
// (a tiny window, huge text) scrolls.
#pragma once

#include <optional>
#include <vector>

#include "app/panels/panel_table.hpp"

namespace unrolled {

struct Rect {
  float x = 0, y = 0, w = 0, h = 0;
  float right() const { return x + w; }
  float bottom() const { return y + h; }
};

struct LayoutInput {
  Mode mode = Mode::Train;
  Rect area;            // the window below the menu bar (and any banner)
  float line_px = 18;   // one text line's height at the current font
  float chrome_px = 0;  // a panel's title bar; a tab bar is as high again
  float gap = 4;
  PanelFlags hidden{};                 // hidden with the View menu
  std::optional<PanelId> focus;        // maximised: this panel alone, over the whole area
};

struct LayoutCell {
  Rect rect;
  std::vector<PanelId> panels;  // one panel, or tabs in this order
};

struct Layout {
  std::vector<LayoutCell> cells;
  bool fits = true;  // every cell at least its panels' minimum size
};

Layout compute_layout(const LayoutInput& in);
// The smallest cell that holds panel p (content minimum plus title bar, and a tab bar when tabbed).
float min_cell_width(PanelId p, const LayoutInput& in);
float min_cell_height(PanelId p, const LayoutInput& in, bool tabbed);

}  // namespace unrolled
