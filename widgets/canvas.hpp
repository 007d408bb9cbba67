// The widgets' one way to draw: a Canvas wraps an ImDrawList and has the same calls, so drawing
// code reads as it did (`Canvas dl = ImGui::GetWindowDrawList(); dl->AddLine(...)`). Each call
// draws on the list and, while an SVG target is set (widgets/svg.hpp), writes the same shape there
// under the list's current clip rectangle. So one layout code draws the screen and the SVG.
//
// A Canvas is one pointer, passed by value; it converts from ImDrawList*, so functions that take
// a Canvas accept the draw lists callers already have.
#pragma once

#include <vector>

#include <imgui.h>

namespace unrolled::widgets {

class Canvas {
 public:
  Canvas(ImDrawList* list = nullptr)
      : list_(list) {}  // NOLINT(google-explicit-constructor): on purpose
  // `dl->AddLine(...)` reads as it does on an ImDrawList*.
  const Canvas* operator->() const { return this; }
  explicit operator bool() const { return list_ != nullptr; }
  ImDrawList* list() const { return list_; }

  void AddLine(const ImVec2& a, const ImVec2& b, ImU32 col, float thickness = 1.0f) const;
  void AddRect(const ImVec2& a, const ImVec2& b, ImU32 col, float rounding = 0.0f,
               ImDrawFlags flags = 0, float thickness = 1.0f) const;
  void AddRectFilled(const ImVec2& a, const ImVec2& b, ImU32 col, float rounding = 0.0f,
                     ImDrawFlags flags = 0) const;
  void AddRectFilledMultiColor(const ImVec2& a, const ImVec2& b, ImU32 ul, ImU32 ur, ImU32 br,
                               ImU32 bl) const;
  void AddTriangle(const ImVec2& a, const ImVec2& b, const ImVec2& c, ImU32 col,
                   float thickness = 1.0f) const;
  void AddTriangleFilled(const ImVec2& a, const ImVec2& b, const ImVec2& c, ImU32 col) const;
  void AddCircle(const ImVec2& center, float radius, ImU32 col, int segments = 0,
                 float thickness = 1.0f) const;
  void AddCircleFilled(const ImVec2& center, float radius, ImU32 col, int segments = 0) const;
  void AddPolyline(const ImVec2* points, int count, ImU32 col, ImDrawFlags flags,
                   float thickness) const;
  void AddConvexPolyFilled(const ImVec2* points, int count, ImU32 col) const;
  void AddText(const ImVec2& pos, ImU32 col, const char* text_begin,
               const char* text_end = nullptr) const;
  void AddText(const ImFont* font, float font_size, const ImVec2& pos, ImU32 col,
               const char* text_begin, const char* text_end = nullptr, float wrap_width = 0.0f,
               const ImVec4* cpu_fine_clip_rect = nullptr) const;
  // On screen a texture (the heatmap's colours, rendered on the GPU); in the SVG the same cells
  // as rectangles: rows x cols colours, row-major, row 0 at the top (empty: the SVG gets none).
  void AddImage(ImTextureID texture, const ImVec2& a, const ImVec2& b, const ImVec2& uv_a,
                const ImVec2& uv_b, int rows = 0, int cols = 0,
                const std::vector<ImU32>* cell_colors = nullptr) const;
  void PushClipRect(const ImVec2& min, const ImVec2& max, bool intersect = false) const {
    list_->PushClipRect(min, max, intersect);
  }
  void PopClipRect() const { list_->PopClipRect(); }

 private:
  ImDrawList* list_;
};

}  // namespace unrolled::widgets
