#include "widgets/svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include <imgui_internal.h>

namespace unrolled::widgets {
namespace {

SvgWriter* g_svg = nullptr;

std::string paint(const char* what, ImU32 col) {
  std::string s = std::string(" ") + what + "=\"" + svg_color(col) + "\"";
  const float a = svg_alpha(col);
  if (a < 1.0f) {
    char buf[48];
    std::snprintf(buf, sizeof buf, " %s-opacity=\"%.3g\"", what, a);
    s += buf;
  }
  return s;
}

}  // namespace

void set_svg_target(SvgWriter* writer) {
  g_svg = writer;
}
SvgWriter* svg_target() {
  return g_svg;
}

std::string svg_color(ImU32 col) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", (col >> IM_COL32_R_SHIFT) & 0xFF,
                (col >> IM_COL32_G_SHIFT) & 0xFF, (col >> IM_COL32_B_SHIFT) & 0xFF);
  return buf;
}

float svg_alpha(ImU32 col) {
  return ((col >> IM_COL32_A_SHIFT) & 0xFF) / 255.0f;
}

std::string xml_escape(const char* begin, const char* end) {
  if (!end) end = begin + std::strlen(begin);
  std::string out;
  out.reserve(end - begin);
  for (const char* p = begin; p < end; ++p) {
    switch (*p) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // Control characters are not allowed in XML 1.0 (tab, newline and return are).
        if (static_cast<unsigned char>(*p) < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
          out += ' ';
        else
          out += *p;
    }
  }
  return out;
}

SvgWriter::SvgWriter(ImVec2 origin, ImVec2 size) : origin_(origin), size_(size) {}

std::string SvgWriter::num(float v) const {
  if (!std::isfinite(v)) v = 0.0f;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", kSvgDecimals, v);
  // Trailing zeros (and a bare point) add nothing.
  char* end = buf + std::strlen(buf);
  if (std::strchr(buf, '.')) {
    while (end[-1] == '0') *--end = '\0';
    if (end[-1] == '.') *--end = '\0';
  }
  if (std::strcmp(buf, "-0") == 0) return "0";
  return buf;
}

std::string SvgWriter::clip_attr(ImVec2 lo, ImVec2 hi, Clip clip) {
  if (lo.x >= clip.min.x && lo.y >= clip.min.y && hi.x <= clip.max.x && hi.y <= clip.max.y)
    return "";
  std::size_t k = clips_.size();
  for (std::size_t i = 0; i < clips_.size(); ++i)
    if (clips_[i].min.x == clip.min.x && clips_[i].min.y == clip.min.y &&
        clips_[i].max.x == clip.max.x && clips_[i].max.y == clip.max.y)
      k = i;
  if (k == clips_.size()) {
    clips_.push_back(clip);
    defs_ += "<clipPath id=\"c" + std::to_string(k) + "\"><rect x=\"" + x(clip.min.x) + "\" y=\"" +
             y(clip.min.y) + "\" width=\"" + num(clip.max.x - clip.min.x) + "\" height=\"" +
             num(clip.max.y - clip.min.y) + "\"/></clipPath>\n";
  }
  return " clip-path=\"url(#c" + std::to_string(k) + ")\"";
}

void SvgWriter::begin(const char* name, ImVec2 lo, ImVec2 hi, Clip clip) {
  body_ += "<";
  body_ += name;
  if (!next_attributes_.empty()) {
    body_ += " " + next_attributes_;
    next_attributes_.clear();
  }
  body_ += clip_attr(lo, hi, clip);
  ++elements_;
}

void SvgWriter::line(ImVec2 a, ImVec2 b, ImU32 col, float thickness, Clip clip) {
  begin("line", ImMin(a, b), ImMax(a, b), clip);
  body_ += " x1=\"" + x(a.x) + "\" y1=\"" + y(a.y) + "\" x2=\"" + x(b.x) + "\" y2=\"" + y(b.y) +
           "\"" + paint("stroke", col) + " stroke-width=\"" + num(thickness) + "\"/>\n";
}

void SvgWriter::polyline(const ImVec2* p, int n, ImU32 col, bool closed, float thickness,
                         Clip clip) {
  if (n < 2) return;
  ImVec2 lo = p[0], hi = p[0];
  std::string pts;
  pts.reserve(static_cast<std::size_t>(n) * 14);
  for (int i = 0; i < n; ++i) {
    lo = ImMin(lo, p[i]), hi = ImMax(hi, p[i]);
    if (i) pts += ' ';
    pts += x(p[i].x) + "," + y(p[i].y);
  }
  begin(closed ? "polygon" : "polyline", lo, hi, clip);
  body_ += " points=\"" + pts + "\" fill=\"none\"" + paint("stroke", col) + " stroke-width=\"" +
           num(thickness) + "\" stroke-linejoin=\"round\"/>\n";
}

void SvgWriter::polygon_filled(const ImVec2* p, int n, ImU32 col, Clip clip) {
  if (n < 3) return;
  ImVec2 lo = p[0], hi = p[0];
  std::string pts;
  for (int i = 0; i < n; ++i) {
    lo = ImMin(lo, p[i]), hi = ImMax(hi, p[i]);
    if (i) pts += ' ';
    pts += x(p[i].x) + "," + y(p[i].y);
  }
  begin("polygon", lo, hi, clip);
  body_ += " points=\"" + pts + "\"" + paint("fill", col) + "/>\n";
}

void SvgWriter::rect(ImVec2 a, ImVec2 b, ImU32 col, float rounding, float thickness, Clip clip) {
  begin("rect", a, b, clip);
  // ImGui draws an outline half a pixel inside the box.
  const float in = 0.5f;
  body_ += " x=\"" + x(a.x + in) + "\" y=\"" + y(a.y + in) + "\" width=\"" +
           num(std::max(0.0f, b.x - a.x - 2 * in)) + "\" height=\"" +
           num(std::max(0.0f, b.y - a.y - 2 * in)) + "\"";
  if (rounding > 0) body_ += " rx=\"" + num(rounding) + "\"";
  body_ += " fill=\"none\"" + paint("stroke", col) + " stroke-width=\"" + num(thickness) + "\"/>\n";
}

void SvgWriter::rect_filled(ImVec2 a, ImVec2 b, ImU32 col, float rounding, Clip clip) {
  begin("rect", a, b, clip);
  body_ += " x=\"" + x(a.x) + "\" y=\"" + y(a.y) + "\" width=\"" + num(std::max(0.0f, b.x - a.x)) +
           "\" height=\"" + num(std::max(0.0f, b.y - a.y)) + "\"";
  if (rounding > 0) body_ += " rx=\"" + num(rounding) + "\"";
  body_ += paint("fill", col) + "/>\n";
}

void SvgWriter::rect_gradient(ImVec2 a, ImVec2 b, ImU32 ul, ImU32 ur, ImU32 br, ImU32 bl,
                              Clip clip) {
  const bool vertical = ul == ur && bl == br, horizontal = ul == bl && ur == br;
  if (!vertical && !horizontal) {
    ImVec4 m(0, 0, 0, 0);
    for (ImU32 c : {ul, ur, br, bl}) {
      const ImVec4 v = ImGui::ColorConvertU32ToFloat4(c);
      m = ImVec4(m.x + v.x / 4, m.y + v.y / 4, m.z + v.z / 4, m.w + v.w / 4);
    }
    rect_filled(a, b, ImGui::ColorConvertFloat4ToU32(m), 0.0f, clip);
    return;
  }
  std::string id = "g";  // (built in steps: GCC 12 warns falsely on "g" + to_string)
  id += std::to_string(gradients_++);
  const ImU32 from = ul, to = vertical ? bl : ur;
  defs_ += "<linearGradient id=\"" + id + "\" x1=\"0\" y1=\"0\" x2=\"" + (vertical ? "0" : "1") +
           "\" y2=\"" + (vertical ? "1" : "0") + "\"><stop offset=\"0\" stop-color=\"" +
           svg_color(from) + "\"/><stop offset=\"1\" stop-color=\"" + svg_color(to) +
           "\"/></linearGradient>\n";
  begin("rect", a, b, clip);
  body_ += " x=\"" + x(a.x) + "\" y=\"" + y(a.y) + "\" width=\"" + num(b.x - a.x) + "\" height=\"" +
           num(b.y - a.y) + "\" fill=\"url(#" + id + ")\"/>\n";
}

void SvgWriter::circle(ImVec2 c, float r, ImU32 col, float thickness, Clip clip) {
  begin("circle", c - ImVec2(r, r), c + ImVec2(r, r), clip);
  body_ += " cx=\"" + x(c.x) + "\" cy=\"" + y(c.y) + "\" r=\"" + num(r) + "\" fill=\"none\"" +
           paint("stroke", col) + " stroke-width=\"" + num(thickness) + "\"/>\n";
}

void SvgWriter::circle_filled(ImVec2 c, float r, ImU32 col, Clip clip) {
  begin("circle", c - ImVec2(r, r), c + ImVec2(r, r), clip);
  body_ += " cx=\"" + x(c.x) + "\" cy=\"" + y(c.y) + "\" r=\"" + num(r) + "\"" +
           paint("fill", col) + "/>\n";
}

void SvgWriter::text(ImVec2 pos, ImU32 col, float size, float ascent, bool mono,
                     const char* begin_text, const char* end_text, Clip clip) {
  if (!end_text) end_text = begin_text + std::strlen(begin_text);
  if (begin_text == end_text) return;
  // A text's box is not known here without the font: clipped whenever its line starts outside.
  const ImVec2 lo = pos, hi(pos.x, pos.y + size);
  begin("text", lo, hi, clip);
  body_ += " x=\"" + x(pos.x) + "\" y=\"" + y(pos.y + ascent) + "\" font-size=\"" + num(size) +
           "\" font-family=\"" +
           (mono ? "DejaVu Sans Mono, monospace" : "DejaVu Sans, sans-serif") + "\"" +
           paint("fill", col) + " xml:space=\"preserve\">" + xml_escape(begin_text, end_text) +
           "</text>\n";
}

void SvgWriter::cells(ImVec2 a, ImVec2 b, int rows, int cols, const std::vector<ImU32>& colors,
                      Clip clip) {
  if (rows <= 0 || cols <= 0 || colors.size() != static_cast<std::size_t>(rows) * cols) return;
  open_group("class=\"cells\" data-rows=\"" + std::to_string(rows) + "\" data-cols=\"" +
             std::to_string(cols) + "\" shape-rendering=\"crispEdges\"");
  // More cells than pixels: one cell per pixel, the one under the pixel's centre, as the screen's
  // nearest-filtered texture shows them (a 2000 x 512 matrix stays a few hundred thousand
  // rectangles at most, not a million).
  const int out_cols = std::min(cols, std::max(1, static_cast<int>(std::ceil(b.x - a.x))));
  const int out_rows = std::min(rows, std::max(1, static_cast<int>(std::ceil(b.y - a.y))));
  const auto at = [&](int r, int c) {
    const int src_r = std::min(rows - 1, static_cast<int>((r + 0.5) * rows / out_rows));
    const int src_c = std::min(cols - 1, static_cast<int>((c + 0.5) * cols / out_cols));
    return colors[static_cast<std::size_t>(src_r) * cols + src_c];
  };
  const float cw = (b.x - a.x) / out_cols, ch = (b.y - a.y) / out_rows;
  for (int r = 0; r < out_rows; ++r) {
    for (int c = 0; c < out_cols;) {
      const ImU32 col = at(r, c);
      int run = 1;
      while (c + run < out_cols && at(r, c + run) == col) ++run;
      rect_filled(ImVec2(a.x + c * cw, a.y + r * ch),
                  ImVec2(a.x + (c + run) * cw, a.y + (r + 1) * ch), col, 0.0f, clip);
      c += run;
    }
  }
  close_group();
}

namespace {
std::uint64_t glyph_key(ImVec2 p) {
  const auto q = [](float v) {
    return static_cast<std::uint32_t>(std::lround(v * 8.0f) & 0xFFFFFFFF);
  };
  return (static_cast<std::uint64_t>(q(p.x)) << 32) | q(p.y);
}
}  // namespace

void SvgWriter::mark_glyph(ImVec2 quad_min) {
  glyphs_.insert(glyph_key(quad_min));
}
bool SvgWriter::glyph_marked(ImVec2 quad_min) const {
  return glyphs_.count(glyph_key(quad_min)) > 0;
}

std::string SvgWriter::box(ImVec2 min, ImVec2 max) const {
  return x(min.x) + " " + y(min.y) + " " + num(max.x - min.x) + " " + num(max.y - min.y);
}

void SvgWriter::set_next_attributes(std::string attributes) {
  next_attributes_ = std::move(attributes);
}

void SvgWriter::open_group(const std::string& attributes) {
  body_ += "<g" + (attributes.empty() ? std::string() : " " + attributes) + ">\n";
}

void SvgWriter::close_group() {
  body_ += "</g>\n";
}

std::string SvgWriter::document() const {
  const std::string w = num(size_.x), h = num(size_.y);
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" +
      w + "\" height=\"" + h + "\" viewBox=\"0 0 " + w + " " + h + "\">\n";
  if (!defs_.empty()) out += "<defs>\n" + defs_ + "</defs>\n";
  out += body_;
  out += "</svg>\n";
  return out;
}

}  // namespace unrolled::widgets
