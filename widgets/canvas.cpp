#include "widgets/canvas.hpp"

#include <cstring>

#include <imgui_internal.h>

#include "widgets/svg.hpp"

namespace unrolled::widgets {
namespace {

SvgWriter::Clip clip_of(const ImDrawList* list) {
  return {list->GetClipRectMin(), list->GetClipRectMax()};
}

// The app's fonts are added in the order UI, mono, title (app/gui/window.cpp): the second is the
// monospaced one.
bool is_mono(const ImFont* font) {
  const ImFontAtlas* atlas = ImGui::GetIO().Fonts;
  return atlas && atlas->Fonts.Size > 1 && font == atlas->Fonts[1];
}

// The glyph quads (4 vertices each) a text call added from vertex `first` on: the SVG has them.
void mark_glyphs(const ImDrawList* list, int first) {
  SvgWriter* svg = svg_target();
  if (!svg) return;
  for (int v = first; v + 3 < list->VtxBuffer.Size; v += 4) svg->mark_glyph(list->VtxBuffer[v].pos);
}

void svg_text(const ImDrawList* list, const ImFont* font, float size, ImVec2 pos, ImU32 col,
              const char* begin, const char* end) {
  SvgWriter* svg = svg_target();
  if (!svg || !font) return;
  if (size <= 0) size = font->FontSize;
  const float ascent = font->Ascent * size / font->FontSize;
  svg->text(pos, col, size * kDejaVuEmPerLine, ascent, is_mono(font), begin, end, clip_of(list));
}

}  // namespace

void Canvas::AddLine(const ImVec2& a, const ImVec2& b, ImU32 col, float thickness) const {
  list_->AddLine(a, b, col, thickness);
  if (SvgWriter* svg = svg_target()) svg->line(a, b, col, thickness, clip_of(list_));
}

void Canvas::AddRect(const ImVec2& a, const ImVec2& b, ImU32 col, float rounding, ImDrawFlags flags,
                     float thickness) const {
  list_->AddRect(a, b, col, rounding, flags, thickness);
  if (SvgWriter* svg = svg_target()) svg->rect(a, b, col, rounding, thickness, clip_of(list_));
}

void Canvas::AddRectFilled(const ImVec2& a, const ImVec2& b, ImU32 col, float rounding,
                           ImDrawFlags flags) const {
  list_->AddRectFilled(a, b, col, rounding, flags);
  if (SvgWriter* svg = svg_target()) svg->rect_filled(a, b, col, rounding, clip_of(list_));
}

void Canvas::AddRectFilledMultiColor(const ImVec2& a, const ImVec2& b, ImU32 ul, ImU32 ur, ImU32 br,
                                     ImU32 bl) const {
  list_->AddRectFilledMultiColor(a, b, ul, ur, br, bl);
  if (SvgWriter* svg = svg_target()) svg->rect_gradient(a, b, ul, ur, br, bl, clip_of(list_));
}

void Canvas::AddTriangle(const ImVec2& a, const ImVec2& b, const ImVec2& c, ImU32 col,
                         float thickness) const {
  list_->AddTriangle(a, b, c, col, thickness);
  const ImVec2 p[3] = {a, b, c};
  if (SvgWriter* svg = svg_target()) svg->polyline(p, 3, col, true, thickness, clip_of(list_));
}

void Canvas::AddTriangleFilled(const ImVec2& a, const ImVec2& b, const ImVec2& c, ImU32 col) const {
  list_->AddTriangleFilled(a, b, c, col);
  const ImVec2 p[3] = {a, b, c};
  if (SvgWriter* svg = svg_target()) svg->polygon_filled(p, 3, col, clip_of(list_));
}

void Canvas::AddCircle(const ImVec2& center, float radius, ImU32 col, int segments,
                       float thickness) const {
  list_->AddCircle(center, radius, col, segments, thickness);
  if (SvgWriter* svg = svg_target()) svg->circle(center, radius, col, thickness, clip_of(list_));
}

void Canvas::AddCircleFilled(const ImVec2& center, float radius, ImU32 col, int segments) const {
  list_->AddCircleFilled(center, radius, col, segments);
  if (SvgWriter* svg = svg_target()) svg->circle_filled(center, radius, col, clip_of(list_));
}

void Canvas::AddPolyline(const ImVec2* points, int count, ImU32 col, ImDrawFlags flags,
                         float thickness) const {
  list_->AddPolyline(points, count, col, flags, thickness);
  if (SvgWriter* svg = svg_target())
    svg->polyline(points, count, col, (flags & ImDrawFlags_Closed) != 0, thickness, clip_of(list_));
}

void Canvas::AddConvexPolyFilled(const ImVec2* points, int count, ImU32 col) const {
  list_->AddConvexPolyFilled(points, count, col);
  if (SvgWriter* svg = svg_target()) svg->polygon_filled(points, count, col, clip_of(list_));
}

void Canvas::AddText(const ImVec2& pos, ImU32 col, const char* text_begin,
                     const char* text_end) const {
  const int first = list_->VtxBuffer.Size;
  list_->AddText(pos, col, text_begin, text_end);
  mark_glyphs(list_, first);
  svg_text(list_, list_->_Data->Font, list_->_Data->FontSize, pos, col, text_begin, text_end);
}

void Canvas::AddText(const ImFont* font, float font_size, const ImVec2& pos, ImU32 col,
                     const char* text_begin, const char* text_end, float wrap_width,
                     const ImVec4* cpu_fine_clip_rect) const {
  const int first = list_->VtxBuffer.Size;
  list_->AddText(font, font_size, pos, col, text_begin, text_end, wrap_width, cpu_fine_clip_rect);
  mark_glyphs(list_, first);
  svg_text(list_, font ? font : list_->_Data->Font, font_size, pos, col, text_begin, text_end);
}

void Canvas::AddImage(ImTextureID texture, const ImVec2& a, const ImVec2& b, const ImVec2& uv_a,
                      const ImVec2& uv_b, int rows, int cols,
                      const std::vector<ImU32>* cell_colors) const {
  list_->AddImage(texture, a, b, uv_a, uv_b);
  if (SvgWriter* svg = svg_target(); svg && cell_colors)
    svg->cells(a, b, rows, cols, *cell_colors, clip_of(list_));
}

}  // namespace unrolled::widgets
