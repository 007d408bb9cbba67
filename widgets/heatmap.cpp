// [SECTION] GL state save/restore
// [SECTION] GPU colour mapping: upload values, render cols x rows colours into a colour texture
// [SECTION] Layout and ticks
// [SECTION] Heatmap(): values and range, layout, labels, cells, ticks, hover, report
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
#include "widgets/plot_data.hpp"
#include "widgets/report.hpp"
#include "widgets/svg.hpp"
#include "widgets/text.hpp"
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

void outline(Canvas dl, ImVec2 a, ImVec2 b, float em) {
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
// [SECTION] Heatmap(): values and range, layout, labels, cells, ticks, hover, report
// -----------------------------------------------------------------------------------------------

namespace {

// Values -> state.upload ((rows, cols) row-major floats) and the range mapped onto the colours:
// opt.vmin / vmax, or automatic from the finite values, in one pass.
void stage_values(const double* values, int rows, int cols, bool col_major,
                  const HeatmapOptions& opt, HeatmapState& state, bool empty) {
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
}

struct HeatLayout {
  ImRect bb, cells;
  float em, line, pad;
  float bar_w;  // the colour bar's strip
};

// [y ticks | cells | colour bar], title and y label above, x ticks and x label below.
HeatLayout layout_heatmap(const ImRect& bb, const HeatmapOptions& opt, int rows, bool empty,
                          double vmin, double vmax) {
  HeatLayout l;
  l.bb = bb;
  l.em = ImGui::GetFontSize();
  l.line = ImGui::GetTextLineHeight();
  l.pad = 0.4f * l.em;
  l.bar_w = 1.0f * l.em;
  char buf[32];
  float ytick_w = 0.0f;
  if (!empty) {
    ytick_w =
        ImGui::CalcTextSize(index_label(buf, sizeof buf, opt.y_tick_labels, opt.y_first, rows - 1))
            .x;
    if (opt.y_tick_labels)
      for (int r = 0; r < rows; ++r)
        ytick_w = std::max(ytick_w, ImGui::CalcTextSize(opt.y_tick_labels[r]).x);
  }
  const float top = (opt.title ? l.line + l.pad : 0.0f) + l.line + 0.3f * l.em;  // title, y label
  const float bottom = l.line + l.pad + l.line + 0.3f * l.em;                    // x ticks, x label
  ColorBarOptions cb_opt;
  cb_opt.log_scale = opt.log_scale;
  const float cells_h_guess = bb.GetHeight() - top - bottom;
  const float colorbar_w = opt.colorbar
                               ? 0.8f * l.em + l.bar_w + 0.6f * l.em +
                                     ColorBarTickLabelWidth(vmin, vmax, cells_h_guess, cb_opt)
                               : 0.0f;
  // Never inverted: a heatmap squeezed below its labels keeps an empty (zero-size) cell area.
  const ImVec2 min(bb.Min.x + ytick_w + l.pad + 0.35f * l.em, bb.Min.y + top);
  l.cells = ImRect(min, ImMax(min, ImVec2(bb.Max.x - colorbar_w - 0.3f * l.em, bb.Max.y - bottom)));
  return l;
}

// Title, axis names (shortened with an ellipsis when they do not fit) and the colour bar.
void draw_frame_text(Canvas dl, const HeatLayout& l, const HeatmapOptions& opt, double vmin,
                     double vmax) {
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  const ImRect& bb = l.bb;
  const ImRect& cells = l.cells;
  if (opt.title) DrawTextEllipsis(dl, bb.Min, text, opt.title, bb.GetWidth());
  const float label_y = cells.Min.y - l.line - 0.3f * l.em;
  const float bar_x = cells.Max.x + 0.8f * l.em;
  const bool bar = opt.colorbar && cells.GetHeight() > 2 * l.em;
  if (opt.y_label)
    DrawTextEllipsis(dl, ImVec2(bb.Min.x, label_y), text, opt.y_label,
                     (bar ? bar_x - 0.5f * l.em : bb.Max.x) - bb.Min.x);
  if (opt.x_label) {
    const float w = std::min(ImGui::CalcTextSize(opt.x_label).x, bb.GetWidth());
    const float x = std::clamp(cells.GetCenter().x - 0.5f * w, bb.Min.x, bb.Max.x - w);
    DrawTextEllipsis(dl, ImVec2(x, bb.Max.y - l.line), text, opt.x_label, bb.GetWidth());
  }
  if (!bar) return;
  ColorBarOptions cb_opt;
  cb_opt.log_scale = opt.log_scale;
  const ImVec2 b0(bar_x, cells.Min.y);
  DrawColorBar(dl, b0, ImVec2(b0.x + l.bar_w, cells.Max.y), opt.colormap, vmin, vmax, cb_opt);
  if (opt.value_label)
    DrawTextEllipsis(dl, ImVec2(b0.x, label_y), text, opt.value_label, bb.Max.x - b0.x);
}

// Two centred lines in an empty frame: "no data" and the shape, e.g. "(0 × 16)".
void draw_empty(Canvas dl, const HeatLayout& l, int rows, int cols) {
  const ImRect& cells = l.cells;
  const ImU32 dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  dl->AddRectFilled(cells.Min, cells.Max, ImGui::GetColorU32(ImGuiCol_FrameBg));
  char buf[64];
  std::snprintf(buf, sizeof buf, "(%d \xC3\x97 %d)", rows, cols);
  const ImVec2 c = cells.GetCenter();
  const float w = std::max(1.0f, cells.GetWidth());
  if (cells.GetHeight() >= 2 * l.line) {
    const char* note = "no data";
    const float nw = std::min(ImGui::CalcTextSize(note).x, w);
    DrawTextEllipsis(dl, ImVec2(c.x - 0.5f * nw, c.y - l.line), dim, note, w);
    const float bw = std::min(ImGui::CalcTextSize(buf).x, w);
    DrawTextEllipsis(dl, ImVec2(c.x - 0.5f * bw, c.y), dim, buf, w);
  }
  dl->AddRect(cells.Min, cells.Max, ImGui::GetColorU32(ImGuiCol_Border));
}

// Cells: on the GPU into a colour texture, else rectangles on the CPU; then the grid and frame.
void draw_cells(Canvas dl, const HeatLayout& l, int rows, int cols, const HeatmapOptions& opt,
                HeatmapState& state) {
  const ImRect& cells = l.cells;
  const double vmin = state.range_min, vmax = state.range_max;
  const float cw = cells.GetWidth() / cols, ch = cells.GetHeight() / rows;
  bool drawn = false;
  {
    SavedGlState saved;
    if (ensure_gpu(state, opt.colormap)) drawn = render_colors(state, rows, cols, opt, vmin, vmax);
  }
  if (drawn) {
    // An SVG gets the same colours as rectangles, mapped on the CPU.
    std::vector<ImU32> colors;
    if (svg_target())
      for (float v : state.upload)
        colors.push_back(colormap_color(opt.colormap, v, vmin, vmax, opt.log_scale));
    dl->AddImage(
        reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(state.color_tex[state.front])),
        cells.Min, cells.Max, ImVec2(0, 0), ImVec2(1, 1), rows, cols, &colors);
  } else {
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < cols; ++c) {
        const double v = state.upload[static_cast<std::size_t>(r) * cols + c];
        const ImVec2 a(cells.Min.x + c * cw, cells.Min.y + r * ch);
        dl->AddRectFilled(a, ImVec2(a.x + cw, a.y + ch),
                          colormap_color(opt.colormap, v, vmin, vmax, opt.log_scale));
      }
  }
  if (opt.grid && cw >= 0.6f * l.em && ch >= 0.6f * l.em) {
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
              ImGui::GetColorU32(ImGuiCol_Text));
}

// Tick labels at cell centres, every step-th index so that neighbours leave a gap. Returns the
// count of row labels drawn.
int draw_index_ticks(Canvas dl, const HeatLayout& l, int rows, int cols,
                     const HeatmapOptions& opt) {
  const ImRect& cells = l.cells;
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  const float cw = cells.GetWidth() / cols, ch = cells.GetHeight() / rows;
  char buf[32];
  float need = 0.0f;
  for (int c = std::max(0, cols - 3); c < cols; ++c)
    need = std::max(
        need,
        ImGui::CalcTextSize(index_label(buf, sizeof buf, opt.x_tick_labels, opt.x_first, c)).x);
  if (opt.x_tick_labels)
    for (int c = 0; c < cols; ++c)
      need = std::max(need, ImGui::CalcTextSize(opt.x_tick_labels[c]).x);
  const int step = label_step(cw, need + 0.8f * l.em);  // a visible gap between labels
  for (int c = 0; c < cols; ++c) {
    if (!labelled(opt.x_tick_labels, opt.x_first, c, step)) continue;
    const float x = cells.Min.x + (c + 0.5f) * cw;
    const char* label = index_label(buf, sizeof buf, opt.x_tick_labels, opt.x_first, c);
    const float w = ImGui::CalcTextSize(label).x;
    dl->AddLine(ImVec2(x, cells.Max.y + 1), ImVec2(x, cells.Max.y + 0.3f * l.em), text, 1.0f);
    dl->AddText(ImVec2(x - 0.5f * w, cells.Max.y + l.pad), text, label);
  }
  const int ystep = label_step(ch, l.line * 1.15f);
  int drawn = 0;
  for (int r = 0; r < rows; ++r) {
    if (!labelled(opt.y_tick_labels, opt.y_first, r, ystep)) continue;
    ++drawn;
    const float y = cells.Min.y + (r + 0.5f) * ch;
    const char* label = index_label(buf, sizeof buf, opt.y_tick_labels, opt.y_first, r);
    const float w = ImGui::CalcTextSize(label).x;
    dl->AddLine(ImVec2(cells.Min.x - 0.3f * l.em, y), ImVec2(cells.Min.x - 1, y), text, 1.0f);
    dl->AddText(ImVec2(cells.Min.x - 0.35f * l.em - l.pad * 0.5f - w, y - 0.5f * l.line), text,
                label);
  }
  return drawn;
}

// The cell under the mouse: outlined, its indices and exact value in a tooltip.
void hover_cell(Canvas dl, const HeatLayout& l, const double* values, int rows, int cols,
                bool col_major, const HeatmapOptions& opt, HeatmapState& state) {
  const ImRect& cells = l.cells;
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  const float cw = cells.GetWidth() / cols, ch = cells.GetHeight() / rows;
  const int c = std::clamp(static_cast<int>((mouse.x - cells.Min.x) / cw), 0, cols - 1);
  const int r = std::clamp(static_cast<int>((mouse.y - cells.Min.y) / ch), 0, rows - 1);
  const std::size_t src =
      col_major ? static_cast<std::size_t>(c) * rows + r : static_cast<std::size_t>(r) * cols + c;
  state.hover_row = r;
  state.hover_col = c;
  state.hover_value = values[src];
  const ImVec2 a(cells.Min.x + c * cw, cells.Min.y + r * ch);
  outline(dl, a, ImVec2(a.x + cw, a.y + ch), l.em);

  ImGui::BeginTooltip();
  char row_buf[32], col_buf[32], buf[64];
  ImGui::Text("%s = %s,  %s = %s", opt.y_label ? opt.y_label : "row",
              index_label(row_buf, sizeof row_buf, opt.y_tick_labels, opt.y_first, r),
              opt.x_label ? opt.x_label : "column",
              index_label(col_buf, sizeof col_buf, opt.x_tick_labels, opt.x_first, c));
  const ImVec2 sw = ImGui::GetCursorScreenPos();
  const float sq = ImGui::GetTextLineHeight();
  Canvas(ImGui::GetWindowDrawList())
      ->AddRectFilled(sw, sw + ImVec2(sq, sq),
                      colormap_color(opt.colormap, state.hover_value, state.range_min,
                                     state.range_max, opt.log_scale));
  ImGui::Dummy(ImVec2(sq, sq));
  ImGui::SameLine();
  const char* name = opt.value_label ? opt.value_label : "value";
  if (std::isnan(state.hover_value)) {
    ImGui::Text("%s = NaN (no value)", name);
  } else if (opt.value_format) {
    std::snprintf(buf, sizeof buf, opt.value_format, state.hover_value);
    ImGui::Text("%s = %s", name, buf);
  } else {
    ImGui::Text("%s = %s", name, format_number(buf, sizeof buf, state.hover_value, 6));
  }
  ImGui::EndTooltip();
}

void record_heatmap(const char* id, const HeatmapOptions& opt, const ImRect& cells) {
  if (!layout_report_enabled()) return;
  PlotRecord r;
  const char* id_end = ImGui::FindRenderedTextEnd(id);
  if (opt.title)
    r.title = opt.title;
  else if (id_end != id)
    r.title.assign(id, id_end);
  else
    r.title = id;
  r.data_rect = {cells.Min.x, cells.Min.y, cells.GetWidth(), cells.GetHeight()};
  layout_report().plots.push_back(std::move(r));
}

// While data are captured (plot_data.hpp): the matrix as given, with its labels.
void capture_data(const char* id, const double* values, int rows, int cols, bool col_major,
                  const HeatmapOptions& opt) {
  PlotData* data = plot_data_capture();
  if (!data) return;
  PlotDataBlock b;
  b.heatmap = true;
  const char* title = opt.title ? opt.title : id;
  b.title.assign(title, ImGui::FindRenderedTextEnd(title));
  b.x_label = opt.x_label ? opt.x_label : "";
  b.y_label = opt.y_label ? opt.y_label : "";
  b.value_label = opt.value_label ? opt.value_label : "";
  b.rows = values ? std::max(rows, 0) : 0;
  b.cols = values ? std::max(cols, 0) : 0;
  char buf[32];
  for (int r = 0; r < b.rows; ++r)
    b.row_labels.push_back(index_label(buf, sizeof buf, opt.y_tick_labels, opt.y_first, r));
  for (int c = 0; c < b.cols; ++c)
    b.col_labels.push_back(index_label(buf, sizeof buf, opt.x_tick_labels, opt.x_first, c));
  for (int r = 0; r < b.rows; ++r)
    for (int c = 0; c < b.cols; ++c)
      b.values.push_back(col_major ? values[static_cast<std::size_t>(c) * rows + r]
                                   : values[static_cast<std::size_t>(r) * cols + c]);
  data->blocks.push_back(std::move(b));
}

}  // namespace

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

  Canvas dl = window->DrawList;
  capture_data(id, values, rows, cols, col_major, opt);
  const bool empty = rows <= 0 || cols <= 0 || values == nullptr;
  rows = std::max(rows, 0);
  cols = std::max(cols, 0);
  stage_values(values, rows, cols, col_major, opt, state, empty);
  const HeatLayout l = layout_heatmap(bb, opt, rows, empty, state.range_min, state.range_max);
  // In an SVG, a heatmap is a group naming it, its cells' box, its size and its colour range.
  SvgWriter* svg = svg_target();
  if (svg) {
    char range[96];
    std::snprintf(range, sizeof range, "data-vmin=\"%.17g\" data-vmax=\"%.17g\"", state.range_min,
                  state.range_max);
    const char* title = opt.title ? opt.title : id;
    svg->open_group("class=\"heatmap\" data-title=\"" +
                    xml_escape(title, ImGui::FindRenderedTextEnd(title)) + "\" data-area=\"" +
                    svg->box(l.cells.Min, l.cells.Max) + "\" data-rows=\"" + std::to_string(rows) +
                    "\" data-cols=\"" + std::to_string(cols) + "\" " + range);
  }
  struct CloseGroup {
    SvgWriter* svg;
    ~CloseGroup() {
      if (svg) svg->close_group();
    }
  } close_group{svg};
  draw_frame_text(dl, l, opt, state.range_min, state.range_max);
  record_heatmap(id, opt, l.cells);
  state.cells_min = l.cells.Min;
  state.cells_max = l.cells.Max;
  if (empty || l.cells.GetWidth() < 1 || l.cells.GetHeight() < 1) {
    draw_empty(dl, l, rows, cols);
    return false;
  }
  draw_cells(dl, l, rows, cols, opt, state);
  state.row_labels = draw_index_ticks(dl, l, rows, cols, opt);
  const float cw = l.cells.GetWidth() / cols, ch = l.cells.GetHeight() / rows;
  if (opt.highlight_row >= 0 && opt.highlight_row < rows)
    outline(dl, ImVec2(l.cells.Min.x, l.cells.Min.y + opt.highlight_row * ch),
            ImVec2(l.cells.Max.x, l.cells.Min.y + (opt.highlight_row + 1) * ch), em);
  if (opt.highlight_col >= 0 && opt.highlight_col < cols)
    outline(dl, ImVec2(l.cells.Min.x + opt.highlight_col * cw, l.cells.Min.y),
            ImVec2(l.cells.Min.x + (opt.highlight_col + 1) * cw, l.cells.Max.y), em);
  if (!hovered || !l.cells.Contains(ImGui::GetIO().MousePos)) return false;
  hover_cell(dl, l, values, rows, cols, col_major, opt, state);
  if (!pressed) return false;
  state.clicked_row = state.hover_row;
  state.clicked_col = state.hover_col;
  return true;
}

}  // namespace unrolled::widgets
