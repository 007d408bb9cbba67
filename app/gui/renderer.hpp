// Draws Dear ImGui's draw data with OpenGL 3.3, redrawing only what changed.
//
// The UI is kept in a canvas, an offscreen image of the whole window. Each frame the renderer
// compares every window's draw list (vertices, indices, commands) with the one it drew last time;
// only the rectangles of lists that changed (where they are now and where they were) are cleared
// and redrawn, every list that overlaps them drawn again clipped to them, so overlaps stay right.
// The canvas is then copied to the window. A frame in which nothing changed draws nothing, and
// the app need not present it at all.
//
// Why: under Mesa's llvmpipe (Xvfb, machines without a GPU) every triangle is set up on the UI
// thread and rasterised on the CPU; a static panel beside a live one should cost nothing. For the
// same reason the whole frame's vertices go up in one buffer upload: ImGui's stock backend
// uploads each list into the same buffer in turn, which llvmpipe answers by waiting for the
// rasteriser before every upload.
//
// Texture contents are not compared: widgets that change a texture's pixels draw the new pixels
// under a new texture name (widgets/heatmap.hpp double-buffers its colours for this).
//
//   UiRenderer r;
//   r.init();                                      // GL context and ImGui exist
//   if (r.update(ImGui::GetDrawData(), w, h, bg))  // redrew something
//     r.present(w, h), swap();
//   r.release();                                   // before the context goes
#pragma once

#include <cstdint>
#include <vector>

struct ImDrawData;
struct ImDrawList;

namespace unrolled {

class UiRenderer {
 public:
  // A rectangle of framebuffer pixels, y down, [x0, x1) x [y0, y1).
  struct Rect {
    int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    bool empty() const { return x1 <= x0 || y1 <= y0; }
    std::int64_t area() const { return empty() ? 0 : std::int64_t(x1 - x0) * (y1 - y0); }
  };

  // Builds the program (shaders/ui.vert, ui.frag), buffers and canvas. false, with one message,
  // if the shaders do not build (the caller then draws with ImGui's stock backend).
  bool init();
  void release();

  // Where the UI is kept between frames. The window's own back buffer when it keeps its pixels
  // across a swap (copy-on-swap, as Mesa's software rasterisers do under X): then only what
  // changed is drawn and nothing is copied. Otherwise (a GPU driver that flips buffers) an
  // offscreen canvas, copied to the back buffer by present().
  void set_back_buffer_preserved(bool preserved);
  bool back_buffer_preserved() const { return preserved_; }

  // Brings the canvas (fb_width x fb_height) up to date with dd. clear: RGBA of the background.
  // Returns the number of pixels redrawn: 0 when the canvas already showed dd.
  std::int64_t update(const ImDrawData* dd, int fb_width, int fb_height, const float clear[4]);
  // The next update redraws everything (after a theme change, say, or an expose).
  void invalidate() { last_.clear(); }
  // Copies the canvas to framebuffer 0 (the window's back buffer); nothing to do when the back
  // buffer is the canvas.
  void present(int fb_width, int fb_height);
  // Binds the canvas for reading (glReadPixels).
  bool bind_canvas_for_read();
  // The rectangles redrawn by the last update.
  const std::vector<Rect>& last_damage() const { return damage_; }

 private:
  struct Cmd {  // what a draw command draws, to compare one frame's with the last
    float clip[4];
    std::uintptr_t texture, callback, callback_data;
    unsigned vtx_offset, idx_offset, elem_count;
    bool operator==(const Cmd&) const = default;
  };
  struct ListCopy {
    const ImDrawList* list = nullptr;
    std::vector<unsigned char> vtx, idx;  // raw bytes of the vertex and index buffers
    std::vector<Cmd> cmds;
    Rect bounds;             // where the list can draw: the union of its commands' clip rectangles
    bool unchanged = false;  // this frame's list equals the last frame's
  };

  void setup_state(const ImDrawData* dd, int fb_width, int fb_height);
  void upload(const ImDrawData* dd);
  // Draws every list of dd that reaches into r, clipped to r.
  void draw_clipped(const ImDrawData* dd, int fb_width, int fb_height, const Rect& r);
  bool ensure_canvas(int fb_width, int fb_height);
  // What changed since the last frame: describe one list, compare every list, merge rectangles.
  static void describe(const ImDrawList* list, const ImDrawData* dd, Rect whole, ListCopy& now);
  void find_damage(const ImDrawData* dd, Rect whole);
  void merge_damage();

  unsigned program_ = 0, vao_ = 0, vbo_ = 0, ebo_ = 0;
  int loc_proj_ = -1, loc_texture_ = -1;
  bool preserved_ = false;
  unsigned canvas_fbo_ = 0, canvas_tex_ = 0;  // 0 while the back buffer is the canvas
  int canvas_w_ = 0, canvas_h_ = 0;
  std::vector<ListCopy> last_;  // the lists the canvas shows, in drawing order
  std::vector<ListCopy> next_;  // this frame's, swapped into last_ (buffers reused)
  std::vector<Rect> damage_;
};

}  // namespace unrolled
