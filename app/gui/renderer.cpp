#include "app/gui/renderer.hpp"

#define GL_GLEXT_PROTOTYPES 1
#include <GL/glcorearb.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstring>

#include <imgui.h>

#include "widgets/gl_util.hpp"

namespace unrolled {
namespace {

using Rect = UiRenderer::Rect;

bool overlaps(const Rect& a, const Rect& b) {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

Rect unite(const Rect& a, const Rect& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return {std::min(a.x0, b.x0), std::min(a.y0, b.y0), std::max(a.x1, b.x1), std::max(a.y1, b.y1)};
}

Rect intersect(const Rect& a, const Rect& b) {
  return {std::max(a.x0, b.x0), std::max(a.y0, b.y0), std::min(a.x1, b.x1), std::min(a.y1, b.y1)};
}

// A command's clip rectangle in framebuffer pixels, rounded outwards.
// A coordinate in pixels, clamped to a range any framebuffer fits in (a NaN or an infinite vertex
// from some widget must not turn into an out-of-range int).
int to_pixel(float v) {
  constexpr float kLimit = 1 << 24;
  return std::isnan(v) ? 0 : static_cast<int>(std::clamp(v, -kLimit, kLimit));
}

Rect clip_pixels(const ImVec4& clip, const ImDrawData* dd) {
  const ImVec2 o = dd->DisplayPos, s = dd->FramebufferScale;
  return {to_pixel(std::floor((clip.x - o.x) * s.x)), to_pixel(std::floor((clip.y - o.y) * s.y)),
          to_pixel(std::ceil((clip.z - o.x) * s.x)), to_pixel(std::ceil((clip.w - o.y) * s.y))};
}

void copy_list(const ImDrawList* list, std::vector<unsigned char>& vtx,
               std::vector<unsigned char>& idx) {
  const auto* v = reinterpret_cast<const unsigned char*>(list->VtxBuffer.Data);
  const auto* i = reinterpret_cast<const unsigned char*>(list->IdxBuffer.Data);
  vtx.assign(v, v + static_cast<std::size_t>(list->VtxBuffer.Size) * sizeof(ImDrawVert));
  idx.assign(i, i + static_cast<std::size_t>(list->IdxBuffer.Size) * sizeof(ImDrawIdx));
}

bool same_bytes(const std::vector<unsigned char>& a, const void* b, std::size_t n) {
  return a.size() == n && (n == 0 || std::memcmp(a.data(), b, n) == 0);
}

}  // namespace

bool UiRenderer::init() {
  program_ = widgets::build_program("ui.vert", "ui.frag");
  if (!program_) return false;
  loc_proj_ = glGetUniformLocation(program_, "u_proj");
  loc_texture_ = glGetUniformLocation(program_, "u_texture");
  glGenVertexArrays(1, &vao_);
  glGenBuffers(1, &vbo_);
  glGenBuffers(1, &ebo_);
  glBindVertexArray(vao_);
  glBindBuffer(GL_ARRAY_BUFFER, vbo_);
  glBindBuffer(GL_ELEMENT_ARRAY_BUFFER, ebo_);  // part of the VAO's state
  const GLsizei stride = sizeof(ImDrawVert);
  glEnableVertexAttribArray(0);
  glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, stride,
                        reinterpret_cast<void*>(offsetof(ImDrawVert, pos)));
  glEnableVertexAttribArray(1);
  glVertexAttribPointer(1, 2, GL_FLOAT, GL_FALSE, stride,
                        reinterpret_cast<void*>(offsetof(ImDrawVert, uv)));
  glEnableVertexAttribArray(2);
  glVertexAttribPointer(2, 4, GL_UNSIGNED_BYTE, GL_TRUE, stride,
                        reinterpret_cast<void*>(offsetof(ImDrawVert, col)));
  glBindVertexArray(0);
  return true;
}

void UiRenderer::release() {
  if (canvas_fbo_) glDeleteFramebuffers(1, &canvas_fbo_);
  if (canvas_tex_) glDeleteTextures(1, &canvas_tex_);
  if (ebo_) glDeleteBuffers(1, &ebo_);
  if (vbo_) glDeleteBuffers(1, &vbo_);
  if (vao_) glDeleteVertexArrays(1, &vao_);
  if (program_) glDeleteProgram(program_);
  program_ = vao_ = vbo_ = ebo_ = canvas_fbo_ = canvas_tex_ = 0;
  canvas_w_ = canvas_h_ = 0;
  last_.clear();
}

void UiRenderer::set_back_buffer_preserved(bool preserved) {
  preserved_ = preserved;
  if (canvas_fbo_) glDeleteFramebuffers(1, &canvas_fbo_);
  if (canvas_tex_) glDeleteTextures(1, &canvas_tex_);
  canvas_fbo_ = canvas_tex_ = 0;
  canvas_w_ = canvas_h_ = 0;
  last_.clear();
}

bool UiRenderer::ensure_canvas(int fb_width, int fb_height) {
  if (preserved_) {
    if (canvas_w_ != fb_width || canvas_h_ != fb_height) last_.clear();  // resized: all anew
    canvas_w_ = fb_width;
    canvas_h_ = fb_height;
    return true;
  }
  if (canvas_fbo_ && canvas_w_ == fb_width && canvas_h_ == fb_height) return true;
  if (!canvas_tex_) canvas_tex_ = widgets::make_texture(GL_NEAREST);
  if (!canvas_fbo_) glGenFramebuffers(1, &canvas_fbo_);
  glBindTexture(GL_TEXTURE_2D, canvas_tex_);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, fb_width, fb_height, 0, GL_RGBA, GL_UNSIGNED_BYTE,
               nullptr);
  glBindFramebuffer(GL_FRAMEBUFFER, canvas_fbo_);
  glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, canvas_tex_, 0);
  if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE) {
    std::fprintf(stderr, "unrolled: cannot make a %dx%d canvas framebuffer\n", fb_width, fb_height);
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    return false;
  }
  canvas_w_ = fb_width;
  canvas_h_ = fb_height;
  last_.clear();  // new pixels: everything is to be drawn
  return true;
}

void UiRenderer::setup_state(const ImDrawData* dd, int fb_width, int fb_height) {
  glEnable(GL_BLEND);
  glBlendEquation(GL_FUNC_ADD);
  glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
  glDisable(GL_CULL_FACE);
  glDisable(GL_DEPTH_TEST);
  glDisable(GL_STENCIL_TEST);
  glEnable(GL_SCISSOR_TEST);
  glViewport(0, 0, fb_width, fb_height);
  // Display rectangle [l, r] x [t, b] onto clip space [-1, 1]^2, y down. Column-major 4x4.
  const float l = dd->DisplayPos.x, r = dd->DisplayPos.x + dd->DisplaySize.x;
  const float t = dd->DisplayPos.y, b = dd->DisplayPos.y + dd->DisplaySize.y;
  const float proj[16] = {
      2.0f / (r - l), 0.0f, 0.0f, 0.0f,  0.0f, 2.0f / (t - b),    0.0f,
      0.0f,           0.0f, 0.0f, -1.0f, 0.0f, (r + l) / (l - r), (t + b) / (b - t),
      0.0f,           1.0f};
  glUseProgram(program_);
  glUniformMatrix4fv(loc_proj_, 1, GL_FALSE, proj);
  glUniform1i(loc_texture_, 0);
  glActiveTexture(GL_TEXTURE0);
  glBindVertexArray(vao_);
  glBindBuffer(GL_ARRAY_BUFFER, vbo_);
}

void UiRenderer::upload(const ImDrawData* dd) {
  // One upload for the frame: orphan both buffers, then each list after the last.
  glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(dd->TotalVtxCount) * sizeof(ImDrawVert),
               nullptr, GL_STREAM_DRAW);
  glBufferData(GL_ELEMENT_ARRAY_BUFFER,
               static_cast<GLsizeiptr>(dd->TotalIdxCount) * sizeof(ImDrawIdx), nullptr,
               GL_STREAM_DRAW);
  GLintptr vtx_at = 0, idx_at = 0;
  for (int n = 0; n < dd->CmdListsCount; ++n) {
    const ImDrawList* list = dd->CmdLists[n];
    const GLsizeiptr v = static_cast<GLsizeiptr>(list->VtxBuffer.Size) * sizeof(ImDrawVert);
    const GLsizeiptr i = static_cast<GLsizeiptr>(list->IdxBuffer.Size) * sizeof(ImDrawIdx);
    glBufferSubData(GL_ARRAY_BUFFER, vtx_at, v, list->VtxBuffer.Data);
    glBufferSubData(GL_ELEMENT_ARRAY_BUFFER, idx_at, i, list->IdxBuffer.Data);
    vtx_at += v;
    idx_at += i;
  }
}

void UiRenderer::draw_clipped(const ImDrawData* dd, int fb_width, int fb_height, const Rect& r) {
  const GLenum index_type = sizeof(ImDrawIdx) == 2 ? GL_UNSIGNED_SHORT : GL_UNSIGNED_INT;
  GLint list_vtx = 0;
  std::size_t list_idx = 0;
  GLuint bound = 0;
  bool any_bound = false;
  for (int n = 0; n < dd->CmdListsCount; ++n) {
    const ImDrawList* list = dd->CmdLists[n];
    for (const ImDrawCmd& cmd : list->CmdBuffer) {
      if (cmd.UserCallback) {
        if (cmd.UserCallback == ImDrawCallback_ResetRenderState)
          setup_state(dd, fb_width, fb_height);
        else
          cmd.UserCallback(list, &cmd);
        any_bound = false;
        continue;
      }
      const Rect c = intersect(clip_pixels(cmd.ClipRect, dd), r);
      if (c.empty() || cmd.ElemCount == 0) continue;
      glScissor(c.x0, fb_height - c.y1, c.x1 - c.x0, c.y1 - c.y0);  // GL's origin: bottom left
      const auto tex = static_cast<GLuint>(reinterpret_cast<std::intptr_t>(cmd.TextureId));
      if (!any_bound || tex != bound) {
        glBindTexture(GL_TEXTURE_2D, tex);
        bound = tex;
        any_bound = true;
      }
      glDrawElementsBaseVertex(
          GL_TRIANGLES, static_cast<GLsizei>(cmd.ElemCount), index_type,
          reinterpret_cast<void*>((list_idx + cmd.IdxOffset) * sizeof(ImDrawIdx)),
          list_vtx + static_cast<GLint>(cmd.VtxOffset));
    }
    list_vtx += list->VtxBuffer.Size;
    list_idx += static_cast<std::size_t>(list->IdxBuffer.Size);
  }
}

// What list draws (its commands) and where (the bounds of its clip rectangles, cut to the box
// around its vertices), for comparison with the last frame.
void UiRenderer::describe(const ImDrawList* list, const ImDrawData* dd, Rect whole,
                          ListCopy& now) {
  now.list = list;
  now.cmds.clear();
  now.bounds = {};
  now.unchanged = false;
  for (const ImDrawCmd& cmd : list->CmdBuffer) {
    now.cmds.push_back({{cmd.ClipRect.x, cmd.ClipRect.y, cmd.ClipRect.z, cmd.ClipRect.w},
                        reinterpret_cast<std::uintptr_t>(cmd.TextureId),
                        reinterpret_cast<std::uintptr_t>(cmd.UserCallback),
                        reinterpret_cast<std::uintptr_t>(cmd.UserCallbackData),
                        cmd.VtxOffset,
                        cmd.IdxOffset,
                        cmd.ElemCount});
    if (cmd.ElemCount > 0 || cmd.UserCallback)
      now.bounds = unite(now.bounds, intersect(clip_pixels(cmd.ClipRect, dd), whole));
  }
  // Clip rectangles can be far larger than what is drawn (window decorations are clipped to
  // the whole viewport), so the bounds are also cut to the box around the list's vertices.
  if (list->VtxBuffer.Size > 0) {
    ImVec4 box(FLT_MAX, FLT_MAX, -FLT_MAX, -FLT_MAX);
    for (const ImDrawVert& v : list->VtxBuffer) {
      box.x = std::min(box.x, v.pos.x), box.y = std::min(box.y, v.pos.y);
      box.z = std::max(box.z, v.pos.x), box.w = std::max(box.w, v.pos.y);
    }
    Rect r = clip_pixels(box, dd);
    r.x0 -= 1, r.y0 -= 1, r.x1 += 1, r.y1 += 1;  // rasterisation rounds to pixel centres
    now.bounds = intersect(now.bounds, r);
  }
}

// Fills next_ with this frame's lists and damage_ with the rectangles of those that changed;
// everything when lists were added, removed or reordered (a window raised, a popup opened).
void UiRenderer::find_damage(const ImDrawData* dd, Rect whole) {
  const int n = dd->CmdListsCount;
  next_.resize(static_cast<std::size_t>(n));
  bool same_lists = static_cast<int>(last_.size()) == n;
  for (int k = 0; k < n; ++k) {
    const ImDrawList* list = dd->CmdLists[k];
    ListCopy& now = next_[k];
    describe(list, dd, whole, now);
    if (!same_lists || last_[k].list != list) {
      same_lists = false;
      continue;
    }
    const ListCopy& was = last_[k];
    now.unchanged =
        was.cmds == now.cmds &&
        same_bytes(was.vtx, list->VtxBuffer.Data,
                   static_cast<std::size_t>(list->VtxBuffer.Size) * sizeof(ImDrawVert)) &&
        same_bytes(was.idx, list->IdxBuffer.Data,
                   static_cast<std::size_t>(list->IdxBuffer.Size) * sizeof(ImDrawIdx));
    if (!now.unchanged) {
      if (!was.bounds.empty()) damage_.push_back(was.bounds);
      if (!now.bounds.empty()) damage_.push_back(now.bounds);
    }
  }
  if (!same_lists) damage_.assign(1, whole);
}

// Merges two rectangles where their bounding box is no bigger than the two apart (overlapping
// neighbours); others stay apart, a pixel in two of them is drawn twice, correctly both times.
void UiRenderer::merge_damage() {
  for (bool merged = true; merged;) {
    merged = false;
    for (std::size_t a = 0; a < damage_.size() && !merged; ++a)
      for (std::size_t b = a + 1; b < damage_.size() && !merged; ++b) {
        const Rect u = unite(damage_[a], damage_[b]);
        if (overlaps(damage_[a], damage_[b]) && u.area() <= damage_[a].area() + damage_[b].area()) {
          damage_[a] = u;
          damage_.erase(damage_.begin() + static_cast<std::ptrdiff_t>(b));
          merged = true;
        }
      }
  }
}

std::int64_t UiRenderer::update(const ImDrawData* dd, int fb_width, int fb_height,
                                const float clear[4]) {
  damage_.clear();
  if (!program_ || !dd || !dd->Valid || fb_width <= 0 || fb_height <= 0) return 0;
  if (!ensure_canvas(fb_width, fb_height)) return 0;
  find_damage(dd, {0, 0, fb_width, fb_height});
  merge_damage();
  std::int64_t pixels = 0;
  if (!damage_.empty()) {
    glBindFramebuffer(GL_FRAMEBUFFER, canvas_fbo_);  // 0, the back buffer, when preserved
    setup_state(dd, fb_width, fb_height);
    upload(dd);
    glClearColor(clear[0], clear[1], clear[2], clear[3]);
    for (const Rect& r : damage_) {
      glScissor(r.x0, fb_height - r.y1, r.x1 - r.x0, r.y1 - r.y0);
      glClear(GL_COLOR_BUFFER_BIT);
      draw_clipped(dd, fb_width, fb_height, r);
      pixels += r.area();
    }
    glDisable(GL_SCISSOR_TEST);
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
  }
  // Remember what the canvas shows (buffers are reused from frame to frame).
  for (int k = 0; k < dd->CmdListsCount; ++k) {
    if (next_[k].unchanged) {  // last_[k] holds these very bytes: take them, copy nothing
      std::swap(next_[k].vtx, last_[k].vtx);
      std::swap(next_[k].idx, last_[k].idx);
    } else {
      copy_list(dd->CmdLists[k], next_[k].vtx, next_[k].idx);
    }
  }
  std::swap(last_, next_);
  return pixels;
}

void UiRenderer::present(int fb_width, int fb_height) {
  if (preserved_ || !canvas_fbo_) return;
  glBindFramebuffer(GL_READ_FRAMEBUFFER, canvas_fbo_);
  glBindFramebuffer(GL_DRAW_FRAMEBUFFER, 0);
  glDisable(GL_SCISSOR_TEST);
  glBlitFramebuffer(0, 0, canvas_w_, canvas_h_, 0, 0, fb_width, fb_height, GL_COLOR_BUFFER_BIT,
                    GL_NEAREST);
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
}

bool UiRenderer::bind_canvas_for_read() {
  if (preserved_) {
    glBindFramebuffer(GL_READ_FRAMEBUFFER, 0);
    glReadBuffer(GL_BACK);
    return true;
  }
  if (!canvas_fbo_) return false;
  glBindFramebuffer(GL_READ_FRAMEBUFFER, canvas_fbo_);
  glReadBuffer(GL_COLOR_ATTACHMENT0);
  return true;
}

}  // namespace unrolled
