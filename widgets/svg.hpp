// SVG from the widgets' own drawing: while an SvgWriter is the target (set_svg_target), every
// shape a widget draws through a Canvas (widgets/canvas.hpp) is written as an SVG element too, at
// the same place, in the same colour, clipped to the same rectangle. The layout code is the
// screen's: the SVG is what the screen shows, as vector shapes (polylines, rectangles, circles,
// text elements) instead of pixels.
//
//   SvgWriter svg(figure_min, figure_size);        // the figure's box in screen pixels
//   set_svg_target(&svg);
//   ... draw the figure's last frame ...
//   set_svg_target(nullptr);
//   write_text_file(path, svg.document());
//
// Coordinates are printed with two decimals (kSvgDecimals), relative to figure_min. A widget may
// add attributes to its next element (set_next_attributes, e.g. data-series="loss") and group its
// elements (open_group / close_group) so a reader can find a plot and its data in the file.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include <imgui.h>

namespace unrolled::widgets {

inline constexpr int kSvgDecimals = 2;

// ImGui sizes a font by its line (ascent + descent = size pixels); CSS by its em square. The
// embedded DejaVu fonts' line is 2384 / 2048 em (hhea ascent 1901, descent 483, 2048 units per em;
// the same for Sans and Sans Mono).
inline constexpr float kDejaVuEmPerLine = 2048.0f / 2384.0f;

class SvgWriter {
 public:
  SvgWriter(ImVec2 origin, ImVec2 size);

  // Each shape takes the clip rectangle it is drawn under (screen pixels).
  struct Clip {
    ImVec2 min, max;
  };
  void line(ImVec2 a, ImVec2 b, ImU32 col, float thickness, Clip clip);
  void polyline(const ImVec2* points, int count, ImU32 col, bool closed, float thickness,
                Clip clip);
  void polygon_filled(const ImVec2* points, int count, ImU32 col, Clip clip);
  void rect(ImVec2 a, ImVec2 b, ImU32 col, float rounding, float thickness, Clip clip);
  void rect_filled(ImVec2 a, ImVec2 b, ImU32 col, float rounding, Clip clip);
  // A rectangle whose colour runs from (upper left, upper right, bottom right, bottom left):
  // a linear gradient when two sides agree, else the corners' mean.
  void rect_gradient(ImVec2 a, ImVec2 b, ImU32 ul, ImU32 ur, ImU32 br, ImU32 bl, Clip clip);
  void circle(ImVec2 c, float r, ImU32 col, float thickness, Clip clip);
  void circle_filled(ImVec2 c, float r, ImU32 col, Clip clip);
  // Text at pos (top-left of its line box, as ImGui places it); ascent moves it to the baseline;
  // size is the CSS font size (the em square).
  void text(ImVec2 pos, ImU32 col, float size, float ascent, bool mono, const char* begin,
            const char* end, Clip clip);
  // A rows x cols grid of cells filling [a, b], colours row-major (row 0 at the top): one
  // rectangle per run of equal colours along a row.
  void cells(ImVec2 a, ImVec2 b, int rows, int cols, const std::vector<ImU32>& colors, Clip clip);

  // Glyphs a Canvas already wrote as text, by the top-left corner of their quads on screen, so
  // that a pass over ImGui's own text (the figure's) does not write them twice.
  void mark_glyph(ImVec2 quad_min);
  bool glyph_marked(ImVec2 quad_min) const;

  // Added to the next element only (a widget names its data: data-series="loss").
  void set_next_attributes(std::string attributes);
  // <g attributes> ... </g>, nested.
  void open_group(const std::string& attributes);
  void close_group();

  // "x y width height" of a box, in the document's coordinates (for data-* attributes).
  std::string box(ImVec2 min, ImVec2 max) const;

  // The whole document: XML declaration, <svg> with width, height and viewBox, the clip paths and
  // gradients, the elements.
  std::string document() const;
  std::size_t elements() const { return elements_; }

 private:
  std::string num(float v) const;  // x or y relative to the origin is done by the caller
  std::string x(float v) const { return num(v - origin_.x); }
  std::string y(float v) const { return num(v - origin_.y); }
  // ' clip-path="url(#cN)"' when the shape's box reaches outside clip; "" otherwise.
  std::string clip_attr(ImVec2 box_min, ImVec2 box_max, Clip clip);
  // Opens an element: "<name" + pending attributes + clip.
  void begin(const char* name, ImVec2 box_min, ImVec2 box_max, Clip clip);

  ImVec2 origin_, size_;
  std::string defs_, body_, next_attributes_;
  std::vector<Clip> clips_;
  std::unordered_set<std::uint64_t> glyphs_;
  int gradients_ = 0;
  std::size_t elements_ = 0;
};

// The writer the widgets also draw into; null (the default): the screen only. Set by the UI
// thread around one frame of one figure.
void set_svg_target(SvgWriter* writer);
SvgWriter* svg_target();

// ImGui's own text in a frame's draw data (labels, buttons, table cells: whatever ImGui drew with
// the font atlas and no Canvas wrote) as <text> runs: each glyph quad is found by its texture
// coordinates in the atlas, and glyphs that follow one another on a line in one colour make one
// run (the gaps between them as spaces). Call after ImGui::Render() of the frame whose canvas
// drawing went to `svg`; the runs go after everything else.
void write_imgui_text(const ImDrawData* draw_data, SvgWriter& svg);

// "#rrggbb" of an ImGui colour, and its alpha in [0, 1].
std::string svg_color(ImU32 col);
float svg_alpha(ImU32 col);
// Text with &, <, >, " and ' escaped, for XML attributes and elements.
std::string xml_escape(const char* begin, const char* end = nullptr);

}  // namespace unrolled::widgets
