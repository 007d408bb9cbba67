// [SECTION] Fonts: embedded DejaVu, glyph ranges for RNN notation
// [SECTION] Style: high-contrast dark and light themes for projectors
// [SECTION] Window: open / close, frames, UI scale, screenshots
#include "app/gui/window.hpp"

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#define GL_GLEXT_PROTOTYPES 1
#include <GL/glcorearb.h>

#include <algorithm>
#include <cfloat>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>
#include <stb_image_write.h>

#include "shaders/shaders.hpp"

namespace unrolled {
namespace {

// -----------------------------------------------------------------------------------------------
// [SECTION] Fonts: embedded DejaVu, glyph ranges for RNN notation
// -----------------------------------------------------------------------------------------------

// Pairs of inclusive code point ranges, zero-terminated. Must outlive the font atlas build.
constexpr ImWchar kGlyphRanges[] = {
    0x0020, 0x00FF,  // Basic Latin + Latin-1 (×, ·, ±, ², ³)
    0x0100, 0x017F,  // Latin Extended-A
    0x0370, 0x03FF,  // Greek: σ ρ λ γ θ η Δ ∇
    0x1D00, 0x1DBF,  // Phonetic extensions: the subscripts ᵢ ᵣ and the superscript ᵀ
    0x2000, 0x206F,  // General punctuation: ‖ – — … ′
    0x2070, 0x209F,  // Superscripts and subscripts: ⁻¹ ₜ
    0x2190, 0x21FF,  // Arrows: ← → ↑ ↓ ⇒
    0x2200, 0x22FF,  // Mathematical operators: ⊙ ∂ ∏ ∑ √ ∞ ≈ ≤
    0x2500, 0x25FF,  // Box drawing, block elements, geometric shapes: ■ ▲ ▼ ●
    0,
};

ImFont* add_embedded_font(const char* name, float px) {
  const EmbeddedFile* f = find_embedded(embedded_shaders(), name);
  ImGuiIO& io = ImGui::GetIO();
  if (!f) {
    std::fprintf(stderr, "unrolled: font %s is not embedded; using ImGui's default font\n", name);
    ImFontConfig cfg;
    cfg.SizePixels = px;
    return io.Fonts->AddFontDefault(&cfg);
  }
  ImFontConfig cfg;
  cfg.FontDataOwnedByAtlas = false;  // the bytes live in the binary
  cfg.OversampleH = 2;
  cfg.OversampleV = 1;
  std::snprintf(cfg.Name, sizeof cfg.Name, "%s %.0fpx", name, px);
  return io.Fonts->AddFontFromMemoryTTF(const_cast<unsigned char*>(f->data),
                                        static_cast<int>(f->size), px, &cfg, kGlyphRanges);
}

// -----------------------------------------------------------------------------------------------
// [SECTION] Style: high-contrast dark and light themes for projectors
// -----------------------------------------------------------------------------------------------

void style_sizes(ImGuiStyle& s) {
  s.WindowPadding = ImVec2(12, 10);
  s.FramePadding = ImVec2(8, 5);
  s.ItemSpacing = ImVec2(10, 8);
  s.ItemInnerSpacing = ImVec2(6, 5);
  s.ScrollbarSize = 16;
  s.GrabMinSize = 12;
  s.WindowRounding = 4;
  s.ChildRounding = 4;
  s.FrameRounding = 3;
  s.PopupRounding = 4;
  s.GrabRounding = 3;
  s.WindowBorderSize = 1;
  s.ChildBorderSize = 1;
  s.PopupBorderSize = 1;
  s.FrameBorderSize = 0;
  s.TabRounding = 3;
}

// Dark: near-black backgrounds, near-white text. Every colour text is drawn on (buttons, headers,
// tabs, the progress bar's fill) stays dark enough for 4.5:1 with the text, hovered and active
// states included; ImGui's own dark tabs and selection blues are too light for that.
void style_dark(ImGuiStyle& s) {
  ImGui::StyleColorsDark(&s);
  ImVec4* c = s.Colors;
  const ImVec4 blue(0.18f, 0.34f, 0.55f, 1.00f), blue_hover(0.22f, 0.40f, 0.64f, 1.00f),
      blue_active(0.24f, 0.43f, 0.70f, 1.00f), title(0.14f, 0.22f, 0.34f, 1.00f);
  c[ImGuiCol_Text] = ImVec4(0.96f, 0.96f, 0.96f, 1.00f);
  c[ImGuiCol_TextDisabled] = ImVec4(0.62f, 0.63f, 0.66f, 1.00f);
  c[ImGuiCol_WindowBg] = ImVec4(0.075f, 0.08f, 0.095f, 1.00f);
  c[ImGuiCol_ChildBg] = ImVec4(0.10f, 0.105f, 0.125f, 1.00f);
  c[ImGuiCol_PopupBg] = ImVec4(0.12f, 0.125f, 0.15f, 0.98f);
  c[ImGuiCol_MenuBarBg] = ImVec4(0.12f, 0.125f, 0.15f, 1.00f);
  c[ImGuiCol_Border] = ImVec4(0.36f, 0.38f, 0.43f, 1.00f);
  c[ImGuiCol_FrameBg] = ImVec4(0.135f, 0.145f, 0.17f, 1.00f);
  c[ImGuiCol_FrameBgHovered] = ImVec4(0.19f, 0.21f, 0.25f, 1.00f);
  c[ImGuiCol_FrameBgActive] = ImVec4(0.23f, 0.26f, 0.31f, 1.00f);
  c[ImGuiCol_TitleBg] = ImVec4(0.10f, 0.105f, 0.125f, 1.00f);
  c[ImGuiCol_TitleBgActive] = title;
  c[ImGuiCol_TitleBgCollapsed] = ImVec4(0.10f, 0.105f, 0.125f, 1.00f);
  c[ImGuiCol_Button] = blue;
  c[ImGuiCol_ButtonHovered] = blue_hover;
  c[ImGuiCol_ButtonActive] = blue_active;
  c[ImGuiCol_Header] = ImVec4(blue.x, blue.y, blue.z, 0.80f);
  c[ImGuiCol_HeaderHovered] = ImVec4(blue_hover.x, blue_hover.y, blue_hover.z, 0.80f);
  c[ImGuiCol_HeaderActive] = blue_active;
  c[ImGuiCol_Tab] = title;
  c[ImGuiCol_TabHovered] = blue_hover;
  c[ImGuiCol_TabActive] = blue;
  c[ImGuiCol_TabUnfocused] = ImVec4(0.10f, 0.13f, 0.18f, 1.00f);
  c[ImGuiCol_TabUnfocusedActive] = title;
  c[ImGuiCol_TableHeaderBg] = ImVec4(0.16f, 0.17f, 0.20f, 1.00f);
  c[ImGuiCol_TextSelectedBg] = ImVec4(0.22f, 0.40f, 0.64f, 0.70f);
  c[ImGuiCol_PlotHistogram] = blue;  // the progress bar's fill, under its white overlay text
  c[ImGuiCol_Separator] = ImVec4(0.30f, 0.32f, 0.37f, 1.00f);
  c[ImGuiCol_CheckMark] = ImVec4(0.40f, 0.75f, 1.00f, 1.00f);
  c[ImGuiCol_SliderGrab] = ImVec4(0.40f, 0.70f, 1.00f, 1.00f);
}

// Light, for projectors: white backgrounds and near-black text, controls in light blue-greys
// that keep black text at 4.5:1 or more in every state (ImGui's light theme puts it on a
// saturated blue when a button is pressed); no pale text anywhere.
void style_light(ImGuiStyle& s) {
  ImGui::StyleColorsLight(&s);
  ImVec4* c = s.Colors;
  const ImVec4 blue(0.78f, 0.86f, 0.96f, 1.00f), blue_hover(0.68f, 0.80f, 0.95f, 1.00f),
      blue_active(0.58f, 0.73f, 0.93f, 1.00f), title(0.86f, 0.89f, 0.94f, 1.00f);
  c[ImGuiCol_Text] = ImVec4(0.04f, 0.04f, 0.05f, 1.00f);
  c[ImGuiCol_TextDisabled] = ImVec4(0.36f, 0.36f, 0.40f, 1.00f);
  c[ImGuiCol_WindowBg] = ImVec4(1.00f, 1.00f, 1.00f, 1.00f);
  c[ImGuiCol_ChildBg] = ImVec4(0.97f, 0.97f, 0.98f, 1.00f);
  c[ImGuiCol_PopupBg] = ImVec4(1.00f, 1.00f, 1.00f, 0.98f);
  c[ImGuiCol_MenuBarBg] = ImVec4(0.93f, 0.94f, 0.96f, 1.00f);
  c[ImGuiCol_Border] = ImVec4(0.55f, 0.56f, 0.60f, 1.00f);
  c[ImGuiCol_FrameBg] = ImVec4(0.95f, 0.955f, 0.965f, 1.00f);
  c[ImGuiCol_FrameBgHovered] = ImVec4(0.88f, 0.91f, 0.96f, 1.00f);
  c[ImGuiCol_FrameBgActive] = ImVec4(0.80f, 0.86f, 0.95f, 1.00f);
  c[ImGuiCol_TitleBg] = ImVec4(0.93f, 0.94f, 0.96f, 1.00f);
  c[ImGuiCol_TitleBgActive] = title;
  c[ImGuiCol_TitleBgCollapsed] = ImVec4(0.93f, 0.94f, 0.96f, 1.00f);
  c[ImGuiCol_Button] = blue;
  c[ImGuiCol_ButtonHovered] = blue_hover;
  c[ImGuiCol_ButtonActive] = blue_active;
  c[ImGuiCol_Header] = blue;
  c[ImGuiCol_HeaderHovered] = blue_hover;
  c[ImGuiCol_HeaderActive] = blue_active;
  c[ImGuiCol_Tab] = title;
  c[ImGuiCol_TabHovered] = blue_hover;
  c[ImGuiCol_TabActive] = blue;
  c[ImGuiCol_TabUnfocused] = ImVec4(0.93f, 0.94f, 0.96f, 1.00f);
  c[ImGuiCol_TabUnfocusedActive] = title;
  c[ImGuiCol_TableHeaderBg] = ImVec4(0.90f, 0.91f, 0.94f, 1.00f);
  c[ImGuiCol_TextSelectedBg] = ImVec4(0.68f, 0.80f, 0.95f, 1.00f);
  c[ImGuiCol_PlotHistogram] = blue_active;  // the progress bar's fill, under its black text
  c[ImGuiCol_CheckMark] = ImVec4(0.05f, 0.30f, 0.65f, 1.00f);
  c[ImGuiCol_SliderGrab] = ImVec4(0.20f, 0.42f, 0.75f, 1.00f);
  c[ImGuiCol_SliderGrabActive] = ImVec4(0.10f, 0.32f, 0.65f, 1.00f);
}

}  // namespace

// -----------------------------------------------------------------------------------------------
// [SECTION] Window: open / close, frames, UI scale, screenshots
// -----------------------------------------------------------------------------------------------

namespace {

// Shrinks width x height to the primary monitor's work area (less the window frame), keeping what
// fits; 0 stands for 1600 x 900.
void fit_work_area(int& width, int& height) {
  if (width <= 0 || height <= 0) width = 1600, height = 900;
  GLFWmonitor* monitor = glfwGetPrimaryMonitor();
  int x = 0, y = 0, w = 0, h = 0;
  if (monitor) glfwGetMonitorWorkarea(monitor, &x, &y, &w, &h);
  if (w <= 0 || h <= 0) return;
  width = std::min(width, w - w / 40);
  height = std::min(height, h - h / 20);  // the title bar and frame the window manager adds
}

}  // namespace

Window::~Window() {
  close();
}

bool Window::open(int width, int height, const char* title, bool fit_to_monitor, bool visible) {
  constexpr const char* kNoDisplay =
      "unrolled: no display: run under xvfb-run, or use the headless subcommands `unrolled train`/"
      "`unrolled grad`";
  const char* display = std::getenv("DISPLAY");
  const char* wayland = std::getenv("WAYLAND_DISPLAY");
  if ((!display || !*display) && (!wayland || !*wayland)) {
    std::fprintf(stderr, "%s\n", kNoDisplay);
    return false;
  }
  if (!glfwInit()) {
    const char* why = nullptr;
    glfwGetError(&why);
    std::fprintf(stderr, "%s (GLFW: %s)\n", kNoDisplay, why ? why : "init failed");
    return false;
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  glfwWindowHint(GLFW_VISIBLE, visible ? GLFW_TRUE : GLFW_FALSE);
  if (fit_to_monitor) fit_work_area(width, height);
  window_ = glfwCreateWindow(width, height, title, nullptr, nullptr);
  if (!window_) {
    const char* why = nullptr;
    glfwGetError(&why);
    std::fprintf(stderr, "unrolled: cannot open a window with OpenGL 3.3 core: %s\n",
                 why ? why : "unknown reason");
    glfwTerminate();
    return false;
  }
  glfwMakeContextCurrent(window_);
  glfwSwapInterval(1);
  float sx = 1, sy = 1;
  glfwGetWindowContentScale(window_, &sx, &sy);
  content_scale_ = std::clamp(std::max(sx, sy), 1.0f, 4.0f);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // layouts come from code, not from a file beside the binary
  // No keyboard navigation: the arrows and Space step and play in every mode (keys.cpp); ImGui's
  // navigation would also move the focus into a panel, show a tooltip there and press a focused
  // button. Tab still moves between text fields.
  io.ConfigFlags &= ~ImGuiConfigFlags_NavEnableKeyboard;
  ImGui_ImplGlfw_InitForOpenGL(window_, true);
  // The window system lost our pixels (uncovered, resized): present the whole canvas again.
  glfwSetWindowUserPointer(window_, this);
  glfwSetWindowRefreshCallback(window_, [](GLFWwindow* w) {
    static_cast<Window*>(glfwGetWindowUserPointer(w))->force_present_ = true;
  });
  ImGui_ImplOpenGL3_Init("#version 330 core");
  imgui_ready_ = true;
  rebuild_fonts();
  apply_style();
  ImGui_ImplOpenGL3_CreateDeviceObjects();  // the font texture; drawing is renderer_'s
  own_renderer_ = renderer_.init();
  if (own_renderer_) renderer_.set_back_buffer_preserved(back_buffer_survives_swap());
  return true;
}

void Window::close() {
  if (!window_) return;
  if (imgui_ready_) {
    renderer_.release();
    own_renderer_ = false;
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    imgui_ready_ = false;
  }
  glfwDestroyWindow(window_);
  window_ = nullptr;
  glfwTerminate();
}

void add_ui_fonts(float px, ImFont** ui, ImFont** mono, ImFont** title) {
  ImFont* u = add_embedded_font("DejaVuSans.ttf", px);
  ImFont* m = add_embedded_font("DejaVuSansMono.ttf", px);
  ImFont* t = add_embedded_font("DejaVuSans.ttf", std::round(px * 1.4f));
  if (ui) *ui = u;
  if (mono) *mono = m;
  if (title) *title = t;
}

void Window::rebuild_fonts() {
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  const float px = std::round(kBaseFontPx * scale_ * content_scale_);
  add_ui_fonts(px, &ui_font_, &mono_font_, &title_font_);
  io.FontDefault = ui_font_;
  io.Fonts->Build();
  if (built_scale_ != 0.0f) {  // the backend's texture exists: replace it
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    ImGui_ImplOpenGL3_CreateFontsTexture();
  }
  built_scale_ = scale_;
}

void theme_colors(Theme theme, ImGuiStyle& style) {
  if (theme == Theme::Light) {
    style_light(style);
  } else {
    style_dark(style);
  }
}

void ui_style(Theme theme, float scale, ImGuiStyle& style) {
  style = ImGuiStyle();
  style_sizes(style);
  theme_colors(theme, style);
  style.ScaleAllSizes(scale);
}

void Window::apply_style() {
  ImGuiStyle style;
  ui_style(theme_, scale_ * content_scale_, style);
  ImGui::GetStyle() = style;
  style_dirty_ = false;
}

void Window::set_ui_scale(float scale) {
  scale_ = std::clamp(scale, 0.5f, 4.0f);
  style_dirty_ = true;
}

void Window::set_theme(Theme theme) {
  theme_ = theme;
  style_dirty_ = true;
}

void Window::handle_scale_keys() {
  const ImGuiIO& io = ImGui::GetIO();
  if (!io.KeyCtrl) return;
  // ImGui 1.86 indexes keys by GLFW key code.
  if (ImGui::IsKeyPressed(GLFW_KEY_EQUAL) || ImGui::IsKeyPressed(GLFW_KEY_KP_ADD)) {
    set_ui_scale(scale_ * kScaleStep);
  } else if (ImGui::IsKeyPressed(GLFW_KEY_MINUS) || ImGui::IsKeyPressed(GLFW_KEY_KP_SUBTRACT)) {
    set_ui_scale(scale_ / kScaleStep);
  } else if (ImGui::IsKeyPressed(GLFW_KEY_0, false) || ImGui::IsKeyPressed(GLFW_KEY_KP_0, false)) {
    set_ui_scale(1.0f);
  }
}

void Window::begin_frame() {
  glfwPollEvents();
  // Fonts can only change between frames.
  if (built_scale_ != scale_) rebuild_fonts();
  if (style_dirty_) apply_style();
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  if (mouse_override_x_ >= 0.0f)
    ImGui::GetIO().MousePos = ImVec2(mouse_override_x_, mouse_override_y_);
  else if (hide_mouse_)
    ImGui::GetIO().MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
  if (input_hook_) input_hook_(ImGui::GetIO());
  ImGui::NewFrame();
  handle_scale_keys();
}

// Does the back buffer keep its pixels across a swap? Two swaps of two slightly different
// clears, then a read of the back buffer: the second colour means copy-on-swap (Mesa's llvmpipe
// under X), the first or anything else a flip or an undefined buffer (GPU drivers).
// UNROLLED_FULL_REDRAW=1 skips the probe and takes the offscreen canvas.
bool Window::back_buffer_survives_swap() {
  if (const char* e = std::getenv("UNROLLED_FULL_REDRAW"); e && *e && *e != '0') return false;
  const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
  glDisable(GL_SCISSOR_TEST);
  int w = 0, h = 0;
  glfwGetFramebufferSize(window_, &w, &h);
  glViewport(0, 0, w, h);
  const float first = bg.x < 0.5f ? bg.x + 2.0f / 255.0f : bg.x - 2.0f / 255.0f;
  glClearColor(first, bg.y, bg.z, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  glfwSwapBuffers(window_);
  glClearColor(bg.x, bg.y, bg.z, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  glfwSwapBuffers(window_);
  unsigned char px[4] = {};
  glReadBuffer(GL_BACK);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(w / 2, h / 2, 1, 1, GL_RGBA, GL_UNSIGNED_BYTE, px);
  const auto near = [](unsigned char a, float b) { return std::abs(a - b * 255.0f) < 1.01f; };
  return near(px[0], bg.x) && near(px[1], bg.y) && near(px[2], bg.z);
}

void Window::wait_for_next_frame() {
  // At most 60 frames a second, even where the swap does not wait for the display (software
  // rasterisers, Xvfb): the rest of the machine trains the network. After a frame that presented
  // nothing, input wakes the loop at once.
  const double due = frame_began_ + 1.0 / 60.0;
  for (double now = glfwGetTime(); now < due; now = glfwGetTime()) {
    glfwWaitEventsTimeout(due - now);
    if (!presented_) break;
  }
  frame_began_ = glfwGetTime();
}

void Window::end_frame() {
  using Clock = std::chrono::steady_clock;
  const auto ms = [](Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
  };
  const auto t0 = Clock::now();
  ImGui::Render();
  const auto t1 = Clock::now();
  int w = 0, h = 0;
  glfwGetFramebufferSize(window_, &w, &h);
  // Entering or leaving full screen: the window system may replace the surface a few frames
  // later, at the same size, and keeps none of its pixels. Draw everything until it has settled.
  if (settle_frames_ > 0) {
    --settle_frames_;
    redraw_everything();
    force_present_ = true;
  }
  ImDrawData* dd = ImGui::GetDrawData();
  const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
  const float clear[4] = {bg.x, bg.y, bg.z, 1.0f};
  cost_.redrawn_pixels = 0;
  if (own_renderer_) {
    if (force_present_ && !renderer_.back_buffer_preserved()) renderer_.invalidate();
    cost_.redrawn_pixels = renderer_.update(dd, w, h, clear);
    presented_ = cost_.redrawn_pixels > 0 || force_present_;
    if (presented_) renderer_.present(w, h);
  } else {  // ImGui's stock backend: everything, every frame
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    glViewport(0, 0, w, h);
    glClearColor(clear[0], clear[1], clear[2], clear[3]);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(dd);
    presented_ = true;
    cost_.redrawn_pixels = static_cast<std::int64_t>(w) * h;
  }
  force_present_ = false;
  const auto t2 = Clock::now();
  if (presented_) glfwSwapBuffers(window_);
  const auto t3 = Clock::now();
  cost_.render_ms = ms(t0, t1);
  cost_.submit_ms = ms(t1, t2);
  cost_.swap_ms = ms(t2, t3);
  cost_.presented = presented_;
  cost_.vertices = dd->TotalVtxCount;
  cost_.triangles = dd->TotalIdxCount / 3;
}

bool Window::should_close() const {
  return !window_ || glfwWindowShouldClose(window_);
}
void Window::cancel_close() {
  if (window_) glfwSetWindowShouldClose(window_, GLFW_FALSE);
}
void Window::request_close() {
  if (window_) glfwSetWindowShouldClose(window_, GLFW_TRUE);
}

void Window::set_fullscreen(bool on) {
  if (!window_ || on == fullscreen_) return;
  GLFWmonitor* monitor = glfwGetPrimaryMonitor();
  const GLFWvidmode* mode = monitor ? glfwGetVideoMode(monitor) : nullptr;
  if (on && !mode) return;  // no monitor to fill: stay in the window
  fullscreen_ = on;
  if (on) {
    glfwGetWindowPos(window_, &windowed_[0], &windowed_[1]);
    glfwGetWindowSize(window_, &windowed_[2], &windowed_[3]);
    glfwSetWindowMonitor(window_, monitor, 0, 0, mode->width, mode->height, mode->refreshRate);
  } else {
    glfwSetWindowMonitor(window_, nullptr, windowed_[0], windowed_[1], windowed_[2], windowed_[3],
                         GLFW_DONT_CARE);
  }
  settle_frames_ = 10;
}

int Window::framebuffer_width() const {
  int w = 0, h = 0;
  if (window_) glfwGetFramebufferSize(window_, &w, &h);
  return w;
}
int Window::framebuffer_height() const {
  int w = 0, h = 0;
  if (window_) glfwGetFramebufferSize(window_, &w, &h);
  return h;
}

std::vector<unsigned char> Window::read_pixels() {
  ImDrawData* draw_data = ImGui::GetDrawData();
  if (!window_ || !draw_data || !draw_data->Valid) return {};
  const int w = framebuffer_width(), h = framebuffer_height();
  std::vector<unsigned char> pixels(static_cast<std::size_t>(w) * h * 3);  // (h, w, RGB)
  if (own_renderer_ && renderer_.bind_canvas_for_read()) {
    // The canvas (or the preserved back buffer) holds the last frame, whole.
  } else {
    // The back buffer is undefined after a swap, so draw the last frame's draw lists again (they
    // stay valid until the next NewFrame) and read them back before anything else touches them.
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    glViewport(0, 0, w, h);
    const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
    glClearColor(bg.x, bg.y, bg.z, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(draw_data);
    glReadBuffer(GL_BACK);
  }
  glFinish();
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glPixelStorei(GL_PACK_ROW_LENGTH, 0);
  glReadPixels(0, 0, w, h, GL_RGB, GL_UNSIGNED_BYTE, pixels.data());
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
  // GL's first row is the bottom one; an image's is the top.
  const std::size_t row = static_cast<std::size_t>(w) * 3;
  std::vector<unsigned char> tmp(row);
  for (int y = 0; y < h / 2; ++y) {
    unsigned char* a = pixels.data() + y * row;
    unsigned char* b = pixels.data() + (h - 1 - y) * row;
    std::copy(a, a + row, tmp.begin());
    std::copy(b, b + row, a);
    std::copy(tmp.begin(), tmp.end(), b);
  }
  return pixels;
}

bool Window::save_screenshot(const std::string& path) {
  const std::vector<unsigned char> pixels = read_pixels();
  if (pixels.empty()) {
    std::fprintf(stderr, "unrolled: no frame rendered yet; cannot write %s\n", path.c_str());
    return false;
  }
  const int w = framebuffer_width(), h = framebuffer_height();
  if (!stbi_write_png(path.c_str(), w, h, 3, pixels.data(), w * 3)) {
    std::fprintf(stderr, "unrolled: cannot write screenshot %s\n", path.c_str());
    return false;
  }
  return true;
}

void Window::use_offscreen_canvas(bool on) {
  if (own_renderer_) renderer_.set_back_buffer_preserved(!on && back_buffer_survives_swap());
}

void Window::redraw_everything() {
  if (own_renderer_) renderer_.invalidate();
}

}  // namespace unrolled
