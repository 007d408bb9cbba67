// --layout-report FILE.json: the layout of the last frame as JSON, so tests (and people) check what
// the window means rather than how it looks:
//
//   {"size": [w, h], "scale": s, "font_px": <line height in pixels>, "menu_overlap": false,
//    "menu": {"title": "...", "status": "iteration 20   ‖ paused"}, "banner": "" or its text,
//    "windows": [{"title": "...", "name": "...", "rect": [x, y, w, h], "visible": true,
//                 "plots": [{"title": "...", "data_rect": [x, y, w, h],
//                            "legend_rect": [x, y, w, h] or null, "legend_points_covered": 0}],
//                 "clipped_text": ["..."], "values": {"name": "value", ...}}]}
// (values: what the panel drew that tests compare with the engine's numbers; report_value.)
// With a lesson on screen, also "card": {"rect": [x, y, w, h], "title": "...", "step": 3,
//   "steps": 9 (0 without a tour), "asking": false, "busy": false, "presenting": false,
//   "blank": false, "outlines": [{"what": "panel gradients", "rect": [x, y, w, h]}]}.
#pragma once

#include <string>
#include <vector>

#include "app/gui/gui.hpp"
#include "core/json_io.hpp"

namespace unrolled {

struct LayoutReport {
  int width = 0, height = 0;  // the window, in pixels
  float scale = 1;            // the text scale
  float font_px = 0;          // one text line's height
  bool menu_overlap = false;
  // ImGui's implicit "Debug" window was drawn: something touched the current window outside
  // every window (a stray box over the panels).
  bool stray_debug_window = false;
  std::string menu_title, menu_status, banner;
  std::vector<DrawnPanel> windows;
  Json card;  // the tour card and its highlights (null when there is no card)
};

// Writes the report atomically; false with a message on failure.
bool write_layout_report(const std::string& path, const LayoutReport& r, std::string* error);

}  // namespace unrolled
