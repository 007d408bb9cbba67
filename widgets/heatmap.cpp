// [SECTION] GL state save/restore
// [SECTION] GPU colour mapping: upload values, render cols x rows colours into a colour texture
// [SECTION] Layout and ticks
// [SECTION] Heatmap()
#define IMGUI_DEFINE_MATH_OPERATORS  // ImVec2 arithmetic, before any ImGui header
#include "widgets/heatmap.hpp"

#define GL_GLEXT_PROTOTYPES 1
#include <GL/glcorearb.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <span>
#include <string>

#include <imgui_internal.h>

#include "widgets/colorbar.hpp"
#include "widgets/gl_util.hpp"
#include "widgets/ticks.hpp"

namespace unrolled::widgets {
namespace {

// -----------------------------------------------------------------------------------------------
// [SECTION] GL state save/restore
// -----------------------------------------------------------------------------------------------

// Everything the heatmap pass changes, so ImGui's own rendering later in the frame is unaffected.
struct SavedGlState {
  GLint draw_fbo, read_fbo, program, vao, active_texture, tex0, tex1, unpack_alignment,
      unpack_row_length;
  GLint viewport[4];
  GLboolean blend, scissor, depth, cull;

  SavedGlState() {
    glGetIntegerv(GL_DRAW_FRAMEBUFFER_BINDING, &draw_fbo);
    glGetIntegerv(GL_READ_FRAMEBUFFER_BINDING, &read_fbo);
    glGetIntegerv(GL_CURRENT_PROGRAM, &program);
    glGetIntegerv(GL_VERTEX_ARRAY_BINDING, &vao);
    glGetIntegerv(GL_ACTIVE_TEXTURE, &active_texture);
    glActiveTexture(GL_TEXTURE0);
    glGetIntegerv(GL_TEXTURE_BINDING_2D, &tex0);
    glActiveTexture(GL_TEXTURE1);
    glGetIntegerv(GL_TEXTURE_BINDING_2D, &tex1);
    glGetIntegerv(GL_UNPACK_ALIGNMENT, &unpack_alignment);
    glGetIntegerv(GL_UNPACK_ROW_LENGTH, &unpack_row_length);
    glGetIntegerv(GL_VIEWPORT, viewport);
    blend = glIsEnabled(GL_BLEND);
    scissor = glIsEnabled(GL_SCISSOR_TEST);
    depth = glIsEnabled(GL_DEPTH_TEST);
    cull = glIsEnabled(GL_CULL_FACE);
  }
  ~SavedGlState() {
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, static_cast<GLuint>(draw_fbo));
    glBindFramebuffer(GL_READ_FRAMEBUFFER, static_cast<GLuint>(read_fbo));
    glUseProgram(static_cast<GLuint>(program));
    glBindVertexArray(static_cast<GLuint>(vao));
    glActiveTexture(GL_TEXTURE1);
    glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(tex1));
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(tex0));
    glActiveTexture(static_cast<GLenum>(active_texture));
    glPixelStorei(GL_UNPACK_ALIGNMENT, unpack_alignment);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, unpack_row_length);
    glViewport(viewport[0], viewport[1], viewport[2], viewport[3]);
    const auto set = [](GLenum cap, GLboolean on) { on ? glEnable(cap) : glDisable(cap); };
    set(GL_BLEND, blend);
    set(GL_SCISSOR_TEST, scissor);
    set(GL_DEPTH_TEST, depth);
    set(GL_CULL_FACE, cull);
  }
  SavedGlState(const SavedGlState&) = delete;
  SavedGlState& operator=(const SavedGlState&) = delete;
};

// -----------------------------------------------------------------------------------------------
// [SECTION] GPU colour mapping: upload values, render cols x rows colours into a colour texture
// -----------------------------------------------------------------------------------------------

// Makes sure program, VAO and LUT exist; false (and gpu_failed set) when they cannot be made.
bool ensure_gpu(HeatmapState& s, Colormap map) {
  if (s.gpu_failed) return false;
  if (!s.program) {
    s.program = build_program("heatmap.vert", "heatmap.frag");
    if (!s.program) {
      s.gpu_failed = true;
      return false;
    }
    glGenVertexArrays(1, &s.vao);
  }
  if (!s.lut_tex) s.lut_tex = make_texture(GL_LINEAR);
  if (s.lut_map != static_cast<int>(map)) {
    std::uint8_t lut[kLutSize * 4];
    colormap_fill_lut(map, std::span<std::uint8_t, kLutSize * 4>(lut));
    glBindTexture(GL_TEXTURE_2D, s.lut_tex);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, kLutSize, 1, 0, GL_RGBA, GL_UNSIGNED_BYTE, lut);
    s.lut_map = static_cast<int>(map);
    s.uploaded.clear();  // new colours: render again
  }
  return true;
}

// Uploads s.upload (rows x cols) and renders its colours into the back colour texture, which
// then becomes the front one. Nothing is done when values and range are those already shown.
bool render_colors(HeatmapState& s, int rows, int cols, const HeatmapOptions& opt, double vmin,
                   double vmax) {
  GLint max_size = 0;
  glGetIntegerv(GL_MAX_TEXTURE_SIZE, &max_size);
  if (rows > max_size || cols > max_size) return false;
  if (!s.value_tex) s.value_tex = make_texture(GL_NEAREST);
  for (unsigned& t : s.color_tex)
    if (!t) t = make_texture(GL_NEAREST);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
  glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
  glBindTexture(GL_TEXTURE_2D, s.value_tex);
  const bool resized = s.tex_rows != rows || s.tex_cols != cols;
  const float lo = static_cast<float>(vmin), hi = static_cast<float>(vmax);
  if (!resized && s.upload == s.uploaded && lo == s.uploaded_vmin && hi == s.uploaded_vmax &&
      opt.log_scale == s.uploaded_log)
    return true;
  s.uploaded = s.upload;
  s.uploaded_vmin = lo;
  s.uploaded_vmax = hi;
  s.uploaded_log = opt.log_scale;
  if (resized) {
    glTexImage2D(GL_TEXTURE_2D, 0, GL_R32F, cols, rows, 0, GL_RED, GL_FLOAT, s.upload.data());
    for (unsigned t : s.color_tex) {
      glBindTexture(GL_TEXTURE_2D, t);
      glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, cols, rows, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
    }
    s.tex_rows = rows;
    s.tex_cols = cols;
  } else {
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, cols, rows, GL_RED, GL_FLOAT, s.upload.data());
  }
  if (!s.fbo) glGenFramebuffers(1, &s.fbo);
  glBindFramebuffer(GL_FRAMEBUFFER, s.fbo);
  const int back = 1 - s.front;
  glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, s.color_tex[back], 0);
  if (resized && glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE) {
    std::fprintf(stderr, "unrolled: heatmap framebuffer incomplete; drawing on the CPU\n");
    s.gpu_failed = true;
    return false;
  }
  s.front = back;
  glViewport(0, 0, cols, rows);
  glDisable(GL_BLEND);
  glDisable(GL_SCISSOR_TEST);
  glDisable(GL_DEPTH_TEST);
  glDisable(GL_CULL_FACE);
  glUseProgram(s.program);
  glUniform1i(glGetUniformLocation(s.program, "u_values"), 0);
  glUniform1i(glGetUniformLocation(s.program, "u_lut"), 1);
  glUniform1f(glGetUniformLocation(s.program, "u_vmin"), lo);
  glUniform1f(glGetUniformLocation(s.program, "u_vmax"), hi);
  glUniform1i(glGetUniformLocation(s.program, "u_log"), opt.log_scale ? 1 : 0);
  const ImVec4 nan = ImGui::ColorConvertU32ToFloat4(kNanColor);
  glUniform4f(glGetUniformLocation(s.program, "u_nan_color"), nan.x, nan.y, nan.z, nan.w);
  glActiveTexture(GL_TEXTURE0);
  glBindTexture(GL_TEXTURE_2D, s.value_tex);
  glActiveTexture(GL_TEXTURE1);
  glBindTexture(GL_TEXTURE_2D, s.lut_tex);
  glBindVertexArray(s.vao);
  glDrawArrays(GL_TRIANGLES, 0, 3);
  return true;
}

// -----------------------------------------------------------------------------------------------
// [SECTION] Layout and ticks
// -----------------------------------------------------------------------------------------------

const char* index_label(char* buf, std::size_t n, const char* const* names, int first, int i) {
  if (names) return names[i];
  std::snprintf(buf, n, "%d", first + i);
  return buf;
}

// Label every step-th index, step in 1, 2, 5, 10, 20, ..., so labels spaced cell_px apart do not
// collide when each needs need_px.
int label_step(float cell_px, float need_px) {
  int step = 1;
  while (step * cell_px < need_px && step < (1 << 28)) {
    const int lead = step / static_cast<int>(std::pow(10, std::floor(std::log10(step))));
    step = lead == 1 ? step * 2 : lead == 2 ? step / 2 * 5 : step * 2;
  }
  return step;
}

bool labelled(const char* const* names, int first, int i, int step) {
  return names ? i % step == 0 : (first + i) % step == 0;
}

void outline(ImDrawList* dl, ImVec2 a, ImVec2 b, float em) {
  // Dark under light: visible on every colour of both maps.
  dl->AddRect(a, b, IM_COL32(0, 0, 0, 255), 0.0f, 0, 0.25f * em);
  dl->AddRect(a, b, IM_COL32(255, 255, 255, 255), 0.0f, 0, 0.11f * em);
}

}  // namespace

void HeatmapState::release() {
  if (fbo) glDeleteFramebuffers(1, &fbo);
  const GLuint textures[] = {value_tex, lut_tex, color_tex[0], color_tex[1]};
  for (GLuint t : textures)
    if (t) glDeleteTextures(1, &t);
  if (vao) glDeleteVertexArrays(1, &vao);
  if (program) glDeleteProgram(program);
  program = vao = value_tex = lut_tex = color_tex[0] = color_tex[1] = fbo = 0;
  front = 0;
  tex_rows = tex_cols = 0;
  lut_map = -1;
  uploaded.clear();
  tex_rows = tex_cols = 0;
  lut_map = -1;
}

// -----------------------------------------------------------------------------------------------
// [SECTION] Heatmap()
// -----------------------------------------------------------------------------------------------

bool Heatmap(const char* id, const double* values, int rows, int cols, bool col_major,
             const HeatmapOptions& opt, HeatmapState& state, ImVec2 size) {
  state.hover_row = state.hover_col = -1;
  state.hover_value = std::numeric_limits<double>::quiet_NaN();
  ImGuiWindow* window = ImGui::GetCurrentWindow();
  if (window->SkipItems) return false;

  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float em = ImGui::GetFontSize();
  const ImVec2 total(size.x > 0 ? size.x : std::max(8 * em, avail.x + size.x),
                     size.y > 0 ? size.y : std::max(6 * em, avail.y + size.y));
  const ImRect bb(window->DC.CursorPos, window->DC.CursorPos + total);
  ImGui::ItemSize(bb);
  const ImGuiID gid = window->GetID(id);
  if (!ImGui::ItemAdd(bb, gid)) return false;
  bool hovered = false, held = false;
  const bool pressed = ImGui::ButtonBehavior(bb, gid, &hovered, &held);

  ImDrawList* dl = window->DrawList;
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  const ImU32 text_dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  const bool empty = rows <= 0 || cols <= 0 || values == nullptr;
  rows = std::max(rows, 0);
  cols = std::max(cols, 0);

  // Values -> staging buffer (row-major floats) and the automatic range, in one pass.
  double lo = std::numeric_limits<double>::infinity(), hi = -lo, absmax = 0.0;
  if (!empty) {
    state.upload.resize(static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols));
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < cols; ++c) {
        const std::size_t src = col_major ? static_cast<std::size_t>(c) * rows + r
                                          : static_cast<std::size_t>(r) * cols + c;
        const double v = values[src];
        state.upload[static_cast<std::size_t>(r) * cols + c] = static_cast<float>(v);
        if (!std::isfinite(v) || (opt.log_scale && v <= 0)) continue;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
        absmax = std::max(absmax, std::abs(v));
      }
  }
  double vmin = opt.vmin, vmax = opt.vmax;
  if (std::isnan(vmin) || std::isnan(vmax)) {
    double auto_lo = lo, auto_hi = hi;
    if (!(auto_lo <= auto_hi)) auto_lo = opt.log_scale ? 0.1 : 0.0, auto_hi = 1.0;
    if (opt.colormap == Colormap::Diverging && !opt.log_scale) {
      const double m = absmax > 0 ? absmax : 1.0;
      auto_lo = -m, auto_hi = m;
    }
    if (auto_lo == auto_hi) auto_lo -= 0.5, auto_hi += 0.5;
    if (std::isnan(vmin)) vmin = auto_lo;
    if (std::isnan(vmax)) vmax = auto_hi;
  }
  state.range_min = vmin;
  state.range_max = vmax;

  // Layout: [y ticks | cells | colour bar], title and y label above, x ticks and x label below.
  const float line = ImGui::GetTextLineHeight();
  const float pad = 0.4f * em;
  char buf[64];
  float ytick_w = 0.0f;
  if (!empty) {
    ytick_w =
        ImGui::CalcTextSize(index_label(buf, sizeof buf, opt.y_tick_labels, opt.y_first, rows - 1))
            .x;
    if (opt.y_tick_labels)
      for (int r = 0; r < rows; ++r)
        ytick_w = std::max(ytick_w, ImGui::CalcTextSize(opt.y_tick_labels[r]).x);
  }
  const float top = (opt.title ? line + pad : 0.0f) + line + 0.3f * em;  // title, y label
  const float bottom = line + pad + line + 0.3f * em;                    // x ticks, x label
  ColorBarOptions cb_opt;
  cb_opt.log_scale = opt.log_scale;
  const float bar_w = 1.0f * em;
  const float cells_h_guess = total.y - top - bottom;
  const float colorbar_w = opt.colorbar
                               ? 0.8f * em + bar_w + 0.6f * em +
                                     ColorBarTickLabelWidth(vmin, vmax, cells_h_guess, cb_opt)
                               : 0.0f;
  const ImRect cells(ImVec2(bb.Min.x + ytick_w + pad + 0.35f * em, bb.Min.y + top),
                     ImVec2(bb.Max.x - colorbar_w - 0.3f * em, bb.Max.y - bottom));

  if (opt.title) dl->AddText(bb.Min, text, opt.title);
  if (opt.y_label) dl->AddText(ImVec2(bb.Min.x, cells.Min.y - line - 0.3f * em), text, opt.y_label);
  if (opt.x_label) {
    const float w = ImGui::CalcTextSize(opt.x_label).x;
    dl->AddText(ImVec2(cells.GetCenter().x - 0.5f * w, bb.Max.y - line), text, opt.x_label);
  }
  if (opt.colorbar && cells.GetHeight() > 2 * em) {
    const ImVec2 b0(cells.Max.x + 0.8f * em, cells.Min.y);
    DrawColorBar(dl, b0, ImVec2(b0.x + bar_w, cells.Max.y), opt.colormap, vmin, vmax, cb_opt);
    if (opt.value_label)
      dl->AddText(ImVec2(b0.x, cells.Min.y - line - 0.3f * em), text, opt.value_label);
  }
  if (empty || cells.GetWidth() < 1 || cells.GetHeight() < 1) {
    dl->AddRectFilled(cells.Min, cells.Max, ImGui::GetColorU32(ImGuiCol_FrameBg));
    // Two centred lines: "no data" and the shape, e.g. "(0 × 16)".
    const ImVec2 c = cells.GetCenter();
    dl->PushClipRect(cells.Min, cells.Max, true);
    const char* note = "no data";
    dl->AddText(ImVec2(c.x - 0.5f * ImGui::CalcTextSize(note).x, c.y - line), text_dim, note);
    std::snprintf(buf, sizeof buf, "(%d \xC3\x97 %d)", rows, cols);
    dl->AddText(ImVec2(c.x - 0.5f * ImGui::CalcTextSize(buf).x, c.y), text_dim, buf);
    dl->PopClipRect();
    dl->AddRect(cells.Min, cells.Max, ImGui::GetColorU32(ImGuiCol_Border));
    return false;
  }

  // Cells: on the GPU into a colour texture, else rectangles on the CPU.
  const float cw = cells.GetWidth() / cols, ch = cells.GetHeight() / rows;
  bool drawn = false;
  {
    SavedGlState saved;
    if (ensure_gpu(state, opt.colormap)) drawn = render_colors(state, rows, cols, opt, vmin, vmax);
  }
  if (drawn) {
    dl->AddImage(
        reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(state.color_tex[state.front])),
        cells.Min, cells.Max, ImVec2(0, 0), ImVec2(1, 1));
  } else {
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < cols; ++c) {
        const double v = state.upload[static_cast<std::size_t>(r) * cols + c];
        const ImVec2 a(cells.Min.x + c * cw, cells.Min.y + r * ch);
        dl->AddRectFilled(a, ImVec2(a.x + cw, a.y + ch),
                          colormap_color(opt.colormap, v, vmin, vmax, opt.log_scale));
      }
  }
  if (opt.grid && cw >= 0.6f * em && ch >= 0.6f * em) {
    const ImU32 grid = ImGui::GetColorU32(ImGuiCol_WindowBg, 0.55f);
    for (int c = 1; c < cols; ++c) {
      const float x = IM_ROUND(cells.Min.x + c * cw);
      dl->AddLine(ImVec2(x, cells.Min.y), ImVec2(x, cells.Max.y), grid, 1.0f);
    }
    for (int r = 1; r < rows; ++r) {
      const float y = IM_ROUND(cells.Min.y + r * ch);
      dl->AddLine(ImVec2(cells.Min.x, y), ImVec2(cells.Max.x, y), grid, 1.0f);
    }
  }
  dl->AddRect(cells.Min - ImVec2(1, 1), cells.Max + ImVec2(1, 1),
              ImGui::GetColorU32(ImGuiCol_Border));

  // Tick labels at cell centres.
  {
    float need = 0.0f;
    for (int c = std::max(0, cols - 3); c < cols; ++c)
      need = std::max(
          need,
          ImGui::CalcTextSize(index_label(buf, sizeof buf, opt.x_tick_labels, opt.x_first, c)).x);
    if (opt.x_tick_labels)
      for (int c = 0; c < cols; ++c)
        need = std::max(need, ImGui::CalcTextSize(opt.x_tick_labels[c]).x);
    const int step = label_step(cw, need + 0.8f * em);  // a visible gap between labels
    for (int c = 0; c < cols; ++c) {
      if (!labelled(opt.x_tick_labels, opt.x_first, c, step)) continue;
      const float x = cells.Min.x + (c + 0.5f) * cw;
      const char* label = index_label(buf, sizeof buf, opt.x_tick_labels, opt.x_first, c);
      const float w = ImGui::CalcTextSize(label).x;
      dl->AddLine(ImVec2(x, cells.Max.y + 1), ImVec2(x, cells.Max.y + 0.3f * em), text, 1.0f);
      dl->AddText(ImVec2(x - 0.5f * w, cells.Max.y + pad), text, label);
    }
    const int ystep = label_step(ch, line * 1.15f);
    for (int r = 0; r < rows; ++r) {
      if (!labelled(opt.y_tick_labels, opt.y_first, r, ystep)) continue;
      const float y = cells.Min.y + (r + 0.5f) * ch;
      const char* label = index_label(buf, sizeof buf, opt.y_tick_labels, opt.y_first, r);
      const float w = ImGui::CalcTextSize(label).x;
      dl->AddLine(ImVec2(cells.Min.x - 0.3f * em, y), ImVec2(cells.Min.x - 1, y), text, 1.0f);
      dl->AddText(ImVec2(cells.Min.x - 0.35f * em - pad * 0.5f - w, y - 0.5f * line), text, label);
    }
  }

  // Highlights, hover, click.
  if (opt.highlight_row >= 0 && opt.highlight_row < rows)
    outline(dl, ImVec2(cells.Min.x, cells.Min.y + opt.highlight_row * ch),
            ImVec2(cells.Max.x, cells.Min.y + (opt.highlight_row + 1) * ch), em);
  if (opt.highlight_col >= 0 && opt.highlight_col < cols)
    outline(dl, ImVec2(cells.Min.x + opt.highlight_col * cw, cells.Min.y),
            ImVec2(cells.Min.x + (opt.highlight_col + 1) * cw, cells.Max.y), em);

  const ImVec2 mouse = ImGui::GetIO().MousePos;
  if (hovered && cells.Contains(mouse)) {
    const int c = std::clamp(static_cast<int>((mouse.x - cells.Min.x) / cw), 0, cols - 1);
    const int r = std::clamp(static_cast<int>((mouse.y - cells.Min.y) / ch), 0, rows - 1);
    const std::size_t src =
        col_major ? static_cast<std::size_t>(c) * rows + r : static_cast<std::size_t>(r) * cols + c;
    state.hover_row = r;
    state.hover_col = c;
    state.hover_value = values[src];
    const ImVec2 a(cells.Min.x + c * cw, cells.Min.y + r * ch);
    outline(dl, a, ImVec2(a.x + cw, a.y + ch), em);

    ImGui::BeginTooltip();
    char row_buf[32], col_buf[32];
    ImGui::Text("%s = %s,  %s = %s", opt.y_label ? opt.y_label : "row",
                index_label(row_buf, sizeof row_buf, opt.y_tick_labels, opt.y_first, r),
                opt.x_label ? opt.x_label : "column",
                index_label(col_buf, sizeof col_buf, opt.x_tick_labels, opt.x_first, c));
    const ImVec2 sw = ImGui::GetCursorScreenPos();
    const float sq = ImGui::GetTextLineHeight();
    ImGui::GetWindowDrawList()->AddRectFilled(
        sw, sw + ImVec2(sq, sq),
        colormap_color(opt.colormap, state.hover_value, vmin, vmax, opt.log_scale));
    ImGui::Dummy(ImVec2(sq, sq));
    ImGui::SameLine();
    if (std::isnan(state.hover_value)) {
      ImGui::Text("%s = NaN (no value)", opt.value_label ? opt.value_label : "value");
    } else {
      std::snprintf(buf, sizeof buf, opt.value_format ? opt.value_format : "%.6g",
                    state.hover_value);
      ImGui::Text("%s = %s", opt.value_label ? opt.value_label : "value", buf);
    }
    ImGui::EndTooltip();
    if (pressed) {
      state.clicked_row = r;
      state.clicked_col = c;
      return true;
    }
  }
  return false;
}

}  // namespace unrolled::widgets
