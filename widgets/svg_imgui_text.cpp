// write_imgui_text (svg.hpp): ImGui's own text, read back from the draw data. ImFont::RenderText
// adds every visible glyph as one quad (PrimRectUV: 4 vertices, indices 0 1 2 0 2 3) whose
// texture corners are the glyph's (U0, V0) and (U1, V1) in the font atlas; nothing else in the
// atlas has a glyph's corners. So a quad with a glyph's corners is that glyph, at that place.
#include <cmath>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include <imgui.h>

#include "widgets/svg.hpp"

namespace unrolled::widgets {
namespace {

struct GlyphRef {
  const ImFont* font;
  const ImFontGlyph* glyph;
};

std::uint64_t uv_key(ImVec2 uv) {
  const auto q = [](float v) { return static_cast<std::uint32_t>(std::lround(v * 1048576.0f)); };
  return (static_cast<std::uint64_t>(q(uv.x)) << 32) | q(uv.y);
}

// Every glyph of every font in the atlas, by its top-left texture corner.
std::unordered_map<std::uint64_t, GlyphRef> glyph_table(const ImFontAtlas* atlas) {
  std::unordered_map<std::uint64_t, GlyphRef> out;
  for (const ImFont* font : atlas->Fonts)
    for (const ImFontGlyph& g : font->Glyphs)
      if (g.Visible) out.emplace(uv_key(ImVec2(g.U0, g.V0)), GlyphRef{font, &g});
  return out;
}

void append_utf8(std::string& s, unsigned c) {
  if (c < 0x80) {
    s += static_cast<char>(c);
  } else if (c < 0x800) {
    s += static_cast<char>(0xC0 | (c >> 6));
    s += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    s += static_cast<char>(0xE0 | (c >> 12));
    s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    s += static_cast<char>(0xF0 | (c >> 18));
    s += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// A line of glyphs in one font, size and colour.
struct Run {
  const ImFont* font = nullptr;
  float scale = 1;  // drawn size / the font's size
  ImVec2 origin;    // the line's top-left
  float end_x = 0;  // where the next glyph would start
  ImU32 col = 0;
  SvgWriter::Clip clip;
  std::string text;
};

void flush(Run& run, SvgWriter& svg) {
  if (run.font && !run.text.empty()) {
    const bool mono =
        ImGui::GetIO().Fonts->Fonts.Size > 1 && run.font == ImGui::GetIO().Fonts->Fonts[1];
    const float size = run.font->FontSize * run.scale;
    svg.text(run.origin, run.col, size * kDejaVuEmPerLine, run.font->Ascent * run.scale, mono,
             run.text.data(), run.text.data() + run.text.size(), run.clip);
  }
  run = Run();
}

// Adds one glyph to the run, or closes the run and starts another: a run goes on along the same
// line in the same font, size, colour and clip, with whole spaces between glyphs.
void add_glyph(Run& run, const GlyphRef& g, const ImDrawVert& a, const ImDrawVert& c,
               const SvgWriter::Clip& clip, SvgWriter& svg) {
  const float w = g.glyph->X1 - g.glyph->X0;
  const float scale = w > 0 ? (c.pos.x - a.pos.x) / w : 1.0f;
  const ImVec2 origin(a.pos.x - g.glyph->X0 * scale, a.pos.y - g.glyph->Y0 * scale);
  const ImFontGlyph* space = g.font->FindGlyphNoFallback(' ');
  const float space_w = (space ? space->AdvanceX : 0.3f * g.font->FontSize) * scale;
  const bool same = run.font == g.font && std::abs(run.scale - scale) < 1e-3f && run.col == a.col &&
                    std::abs(run.origin.y - origin.y) < 0.5f && run.clip.min.x == clip.min.x &&
                    run.clip.min.y == clip.min.y && run.clip.max.x == clip.max.x &&
                    run.clip.max.y == clip.max.y;
  const float gap = origin.x - run.end_x;
  const float spaces = space_w > 0 ? std::round(gap / space_w) : 0.0f;
  if (!same || gap < -0.5f || spaces > 8 || std::abs(gap - spaces * space_w) > 0.75f) {
    flush(run, svg);
    run.font = g.font;
    run.scale = scale;
    run.origin = origin;
    run.col = a.col;
    run.clip = clip;
  } else {
    run.text.append(static_cast<std::size_t>(spaces), ' ');
  }
  append_utf8(run.text, g.glyph->Codepoint);
  run.end_x = origin.x + g.glyph->AdvanceX * scale;
}

}  // namespace

void write_imgui_text(const ImDrawData* dd, SvgWriter& svg) {
  const ImFontAtlas* atlas = ImGui::GetIO().Fonts;
  if (!dd || !atlas) return;
  const auto table = glyph_table(atlas);
  for (int l = 0; l < dd->CmdListsCount; ++l) {
    const ImDrawList* list = dd->CmdLists[l];
    const ImDrawIdx* idx = list->IdxBuffer.Data;
    Run run;
    for (const ImDrawCmd& cmd : list->CmdBuffer) {
      if (cmd.UserCallback || cmd.TextureId != atlas->TexID) continue;
      const ImDrawVert* vtx = list->VtxBuffer.Data + cmd.VtxOffset;
      const SvgWriter::Clip clip{ImVec2(cmd.ClipRect.x, cmd.ClipRect.y),
                                 ImVec2(cmd.ClipRect.z, cmd.ClipRect.w)};
      const unsigned end = cmd.IdxOffset + cmd.ElemCount;
      for (unsigned i = cmd.IdxOffset; i + 6 <= end;) {
        const ImDrawIdx* q = idx + i;
        const bool quad = q[1] == q[0] + 1 && q[2] == q[0] + 2 && q[3] == q[0] && q[4] == q[2] &&
                          q[5] == q[0] + 3;
        if (!quad) {
          i += 3;  // a triangle of something else
          continue;
        }
        i += 6;
        const ImDrawVert& a = vtx[q[0]];
        const ImDrawVert& c = vtx[q[2]];
        const auto it = table.find(uv_key(a.uv));
        if (it == table.end() || std::abs(c.uv.x - it->second.glyph->U1) > 1e-6f ||
            std::abs(c.uv.y - it->second.glyph->V1) > 1e-6f || svg.glyph_marked(a.pos))
          continue;
        add_glyph(run, it->second, a, c, clip, svg);
      }
    }
    flush(run, svg);
  }
}

}  // namespace unrolled::widgets
