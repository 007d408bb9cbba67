// The app's window: GLFW + an OpenGL 3.3 core context + a Dear ImGui context with its GLFW and
// OpenGL3 backends, the UI font (embedded DejaVu Sans, with Greek, maths, arrows, super- and
// subscripts) and a global UI scale for projectors.
//
//   Window w;
//   if (!w.open(1600, 900, "Unrolled")) return 1;   // prints why (e.g. no display)
//   while (!w.should_close()) {
//     w.begin_frame();                                // poll events, apply Ctrl+= / Ctrl+- /
//     Ctrl+0
//     ... ImGui calls ...
//     w.end_frame();                                  // render + swap
//   }
//   w.save_screenshot("shot.png");                    // the last frame, as a PNG
//   w.close();                                        // also done by the destructor
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "app/gui/renderer.hpp"

struct GLFWwindow;
struct ImFont;
struct ImDrawData;
struct ImGuiIO;
struct ImGuiStyle;

namespace unrolled {

enum class Theme { Dark, Light };

// Fills style.Colors with a theme's colours; needs no ImGui or GL context (tests check them).
// Both themes give every text colour 4.5:1 (WCAG AA) against every background it is drawn on.
void theme_colors(Theme theme, ImGuiStyle& style);

// The UI's fonts at px pixels into the current ImGui context's atlas, in the order the panels
// rely on (UI, mono, title: spectrum.cpp and inspector.cpp find the title and mono fonts by
// place). Not built; any of the out pointers may be null.
void add_ui_fonts(float px, ImFont** ui, ImFont** mono, ImFont** title);
// The UI's style (sizes and colours) in a theme, at a scale.
void ui_style(Theme theme, float scale, ImGuiStyle& style);

class Window {
 public:
  Window() = default;
  ~Window();
  Window(const Window&) = delete;
  Window& operator=(const Window&) = delete;

  // Creates the window (width x height screen coordinates), the GL context and ImGui. false, with
  // one message on stderr, when there is no display or no OpenGL 3.3. fit_to_monitor: the size is
  // shrunk to the primary monitor's work area (a remembered size on a smaller screen). Either way
  // text is scaled by the monitor's content scale (HiDPI) times the UI scale.
  // visible false: a hidden window, only for its GL context (`unrolled figure`).
  bool open(int width, int height, const char* title, bool fit_to_monitor = false,
            bool visible = true);
  void close();
  bool is_open() const { return window_ != nullptr; }

  // Call first in each loop turn: sleeps until a 60 Hz frame's time has passed since the last
  // call (or, when the last frame presented nothing, until input arrives, if sooner).
  void wait_for_next_frame();
  void begin_frame();
  // Renders what changed since the last frame into the canvas and presents it; presents nothing
  // (no swap) when nothing changed.
  void end_frame();
  // What the last end_frame() did, for --bench-frames: ImGui::Render (building the draw lists),
  // drawing what changed into the canvas and copying it to the window, and the buffer swap (where
  // a software rasteriser such as Mesa's llvmpipe finishes its work). Milliseconds; the draw
  // lists' size; the pixels redrawn; whether the frame was presented.
  struct FrameCost {
    double render_ms = 0, submit_ms = 0, swap_ms = 0;
    int vertices = 0, triangles = 0;
    std::int64_t redrawn_pixels = 0;
    bool presented = false;
  };
  const FrameCost& last_cost() const { return cost_; }
  // True when the UI is drawn straight into a back buffer that keeps its pixels across swaps.
  bool back_buffer_preserved() const { return own_renderer_ && renderer_.back_buffer_preserved(); }
  bool should_close() const;
  void cancel_close();  // the app asks first (guard.cpp); it closes by itself
  void request_close();
  // Full screen on the monitor the window is on (presenter mode), and back to the window as it was.
  void set_fullscreen(bool on);
  bool fullscreen() const { return fullscreen_; }

  // Writes the last rendered frame (the default framebuffer, framebuffer pixels) as an RGB PNG.
  // Call after end_frame(). false, with a message, on failure.
  bool save_screenshot(const std::string& path);
  // The last rendered frame as RGB bytes, top row first (framebuffer_width() x _height() x 3);
  // empty before the first frame.
  std::vector<unsigned char> read_pixels();
  // Keep the UI in an offscreen canvas even where the back buffer survives swaps (tests compare
  // the two ways); false probes the back buffer again.
  void use_offscreen_canvas(bool on);
  // The next end_frame() redraws every pixel, as if nothing had been drawn before.
  void redraw_everything();
  // Framebuffer size in pixels.
  int framebuffer_width() const;
  int framebuffer_height() const;

  // UI scale: fonts are re-rasterised at base size * scale (crisp, not stretched) and the style's
  // sizes scaled. Takes effect at the next begin_frame(). Clamped to [0.5, 4].
  void set_ui_scale(float scale);
  float ui_scale() const { return scale_; }
  // The monitor's content scale (1 on most screens, 2 on HiDPI ones), read when the window opens.
  float content_scale() const { return content_scale_; }
  void set_theme(Theme theme);
  Theme theme() const { return theme_; }

  // Puts the mouse at (x, y) (window pixels) for the coming frames, so screenshots can show hover
  // read-outs and tooltips; x < 0 gives the mouse back to the user.
  void set_mouse_override(float x, float y) { mouse_override_x_ = x, mouse_override_y_ = y; }
  // No mouse over the window at all (screenshots and benchmarks: no hover, no tooltip wherever
  // the X server's pointer happens to be).
  void hide_mouse(bool on) { hide_mouse_ = on; }
  // Called every begin_frame() after the window system's input is read and before ImGui's new
  // frame: tests press keys and buttons through it (io.KeysDown, io.MouseDown, io.MousePos).
  void set_input_hook(std::function<void(ImGuiIO&)> hook) { input_hook_ = std::move(hook); }

  ImFont* ui_font() const { return ui_font_; }        // DejaVu Sans, the default
  ImFont* mono_font() const { return mono_font_; }    // DejaVu Sans Mono, for columns of numbers
  ImFont* title_font() const { return title_font_; }  // DejaVu Sans, larger, for headings
  GLFWwindow* glfw() const { return window_; }

  static constexpr float kBaseFontPx = 18.0f;  // at scale 1: readable on a projector at 1600x900
  static constexpr float kScaleStep = 1.1f;    // per Ctrl+= / Ctrl+-

 private:
  void rebuild_fonts();  // outside a frame only
  void apply_style();
  void handle_scale_keys();
  bool back_buffer_survives_swap();

  GLFWwindow* window_ = nullptr;
  bool imgui_ready_ = false;
  float scale_ = 1.0f;
  float content_scale_ = 1.0f;
  float built_scale_ = 0.0f;  // scale the font atlas was built for; 0: not built
  bool style_dirty_ = true;
  Theme theme_ = Theme::Dark;
  ImFont* ui_font_ = nullptr;
  ImFont* mono_font_ = nullptr;
  ImFont* title_font_ = nullptr;
  float mouse_override_x_ = -1.0f, mouse_override_y_ = -1.0f;
  bool hide_mouse_ = false;
  bool fullscreen_ = false;
  int settle_frames_ = 0;  // frames still drawn whole after going full screen or back
  int windowed_[4] = {0, 0, 0, 0};  // x, y, width, height before going full screen
  std::function<void(ImGuiIO&)> input_hook_;
  FrameCost cost_;
  UiRenderer renderer_;
  bool own_renderer_ = false;   // false: ImGui's stock OpenGL3 backend draws (shaders failed)
  bool presented_ = true;       // the last end_frame() swapped
  bool force_present_ = false;  // the window system asked for a redraw
  double frame_began_ = 0;      // glfwGetTime() at the last wait_for_next_frame()
};

}  // namespace unrolled
