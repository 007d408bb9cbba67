#include "app/gui/figure.hpp"

#define GL_GLEXT_PROTOTYPES 1
#include <GL/glcorearb.h>
#include <imgui.h>
#include <stb_image_write.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "app/gui/app_state.hpp"
#include "app/panels/panels.hpp"
#include "app/session/training_worker.hpp"
#include "widgets/canvas.hpp"
#include "widgets/plot_data.hpp"
#include "widgets/svg.hpp"

namespace unrolled {
namespace {

// Frames drawn before the one kept: ImGui settles a new window's size, tab bars and the
// widgets' own layout (a legend's corner) over the first frames.
constexpr int kSettleFrames = 2;

// Makes `ctx` current for its lifetime and the previous context current again after.
class ContextScope {
 public:
  explicit ContextScope(ImGuiContext* ctx) : prev_(ImGui::GetCurrentContext()) {
    ImGui::SetCurrentContext(ctx);
  }
  ~ContextScope() { ImGui::SetCurrentContext(prev_); }
  ContextScope(const ContextScope&) = delete;
  ContextScope& operator=(const ContextScope&) = delete;

 private:
  ImGuiContext* prev_;
};

// The title above the panel, through the canvas so that an SVG has it too. Returns its height.
float draw_heading(const char* text) {
  ImFont* title_font =
      ImGui::GetIO().Fonts->Fonts.Size > 2 ? ImGui::GetIO().Fonts->Fonts[2] : ImGui::GetFont();
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  widgets::Canvas(ImGui::GetWindowDrawList())
      ->AddText(title_font, title_font->FontSize, pos, ImGui::GetColorU32(ImGuiCol_Text), text);
  const float h = title_font->FontSize;
  ImGui::Dummy(ImVec2(1.0f, h));
  return h;
}

// The caption in lines that fit `width`, broken after its " · " separators (a part wider than the
// width keeps a line of its own).
std::vector<std::string> caption_lines(const std::string& caption, float width) {
  const std::string sep = " \xC2\xB7 ";
  std::vector<std::string> parts;
  for (std::size_t at = 0;;) {
    const std::size_t next = caption.find(sep, at);
    parts.push_back(caption.substr(at, next == std::string::npos ? next : next - at));
    if (next == std::string::npos) break;
    at = next + sep.size();
  }
  std::vector<std::string> lines;
  for (const std::string& part : parts) {
    if (!lines.empty() && ImGui::CalcTextSize((lines.back() + sep + part).c_str()).x <= width)
      lines.back() += sep + part;
    else
      lines.push_back(part);
  }
  return lines;
}

void flip_rows(std::vector<unsigned char>& rgb, int w, int h) {
  const std::size_t row = static_cast<std::size_t>(w) * 3;
  std::vector<unsigned char> tmp(row);
  for (int y = 0; y < h / 2; ++y) {
    unsigned char* a = rgb.data() + y * row;
    unsigned char* b = rgb.data() + (h - 1 - y) * row;
    std::copy(a, a + row, tmp.begin());
    std::copy(b, b + row, a);
    std::copy(tmp.begin(), tmp.end(), b);
  }
}

}  // namespace

FigureRenderer::~FigureRenderer() {
  // The GL objects need their context: release() is the owner's to call while it is current.
  // Without it only the ImGui context goes.
  if (context_) ImGui::DestroyContext(context_);
}

void FigureRenderer::release() {
  if (renderer_ready_) renderer_.release();
  renderer_ready_ = false;
  if (font_texture_) glDeleteTextures(1, &font_texture_);
  font_texture_ = 0;
  if (context_) ImGui::DestroyContext(context_);
  context_ = nullptr;
  built_scale_ = 0.0f;
}

bool FigureRenderer::prepare(const FigureSpec& spec, std::string* error) {
  if (!renderer_ready_) {
    if (!renderer_.init()) {
      *error = "cannot build the figure's renderer (OpenGL 3.3 shaders)";
      return false;
    }
    renderer_.set_back_buffer_preserved(false);  // always the offscreen canvas
    renderer_ready_ = true;
  }
  if (!context_) {
    ImGuiContext* prev = ImGui::GetCurrentContext();
    context_ = ImGui::CreateContext();
    ImGui::SetCurrentContext(prev);
  }
  ContextScope scope(context_);
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  // The renderer draws with a base vertex (as the app's does): a panel's list may pass 64k
  // vertices with 16-bit indices (the cliff's surface does).
  io.BackendFlags |= ImGuiBackendFlags_RendererHasVtxOffset;
  ui_style(spec.theme, spec.scale, ImGui::GetStyle());
  if (built_scale_ == spec.scale) return true;
  io.Fonts->Clear();
  ImFont* ui = nullptr;
  add_ui_fonts(std::round(Window::kBaseFontPx * spec.scale), &ui, nullptr, nullptr);
  io.FontDefault = ui;
  unsigned char* pixels = nullptr;
  int w = 0, h = 0;
  io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);  // (h, w, RGBA)
  if (!font_texture_) glGenTextures(1, &font_texture_);
  GLint last = 0;
  glGetIntegerv(GL_TEXTURE_BINDING_2D, &last);
  glBindTexture(GL_TEXTURE_2D, font_texture_);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
  glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, w, h, 0, GL_RGBA, GL_UNSIGNED_BYTE, pixels);
  glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(last));
  io.Fonts->SetTexID(reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(font_texture_)));
  built_scale_ = spec.scale;
  return true;
}

void FigureRenderer::draw(const FigureSpec& spec, const Snapshot& snap, AppState& app,
                          TrainingWorker& worker, float width, float height) {
  const PanelInfo& p = panel_info(spec.panel);
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImVec2(width, height));
  ImGui::Begin("##figure", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoBackground);
  draw_heading(notation(p.title).c_str());
  const std::vector<std::string> caption =
      spec.caption.empty() ? std::vector<std::string>()
                           : caption_lines(spec.caption, ImGui::GetContentRegionAvail().x);
  const float line = ImGui::GetTextLineHeight();
  const float caption_h =
      caption.empty() ? 0.0f : caption.size() * line + ImGui::GetStyle().ItemSpacing.y;
  if (ImGui::BeginChild("##panel", ImVec2(0, -caption_h), false,
                        ImGuiWindowFlags_NoBackground | ImGuiWindowFlags_NoScrollbar)) {
    app.reported.clear();
    p.draw(snap, app, worker);
  }
  ImGui::EndChild();
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  for (std::size_t i = 0; i < caption.size(); ++i)
    widgets::Canvas(ImGui::GetWindowDrawList())
        ->AddText(ImVec2(pos.x, pos.y + i * line), ImGui::GetColorU32(ImGuiCol_TextDisabled),
                  caption[i].c_str());
  ImGui::End();
}

bool FigureRenderer::render(const FigureSpec& spec, unsigned parts, const Snapshot& snap,
                            AppState& app, TrainingWorker& worker, FigureOutput& out,
                            std::string* error) {
  const int w = static_cast<int>(std::lround(spec.width * spec.scale));
  const int h = static_cast<int>(std::lround(spec.height * spec.scale));
  if (!(spec.scale >= 0.5f && spec.scale <= 12.0f) || spec.width < 160 || spec.height < 120 ||
      w > kMaxFigurePixels || h > kMaxFigurePixels) {
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "a figure of %dx%d at scale %g is %dx%d pixels: allowed from 160x120 at scales "
                  "0.5 to 12, at most %d pixels a side",
                  spec.width, spec.height, spec.scale, w, h, kMaxFigurePixels);
    *error = buf;
    return false;
  }
  if (!prepare(spec, error)) return false;
  ContextScope scope(context_);
  ImGuiIO& io = ImGui::GetIO();
  const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
  widgets::SvgWriter svg(ImVec2(0, 0), ImVec2(static_cast<float>(w), static_cast<float>(h)));
  widgets::PlotData data;
  for (int frame = 0; frame <= kSettleFrames; ++frame) {
    io.DisplaySize = ImVec2(static_cast<float>(w), static_cast<float>(h));
    io.DisplayFramebufferScale = ImVec2(1, 1);
    io.DeltaTime = 1.0f / 60.0f;
    io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);  // no hover, no tooltip
    const bool last = frame == kSettleFrames;
    ImGui::NewFrame();
    if (last && (parts & kFigureSvg)) {
      widgets::set_svg_target(&svg);
      svg.rect_filled(ImVec2(0, 0), io.DisplaySize, ImGui::GetColorU32(ImGuiCol_WindowBg), 0.0f,
                      {ImVec2(0, 0), io.DisplaySize});
    }
    if (last && (parts & kFigureCsv)) widgets::set_plot_data_capture(&data);
    draw(spec, snap, app, worker, static_cast<float>(w), static_cast<float>(h));
    widgets::set_svg_target(nullptr);
    widgets::set_plot_data_capture(nullptr);
    ImGui::Render();
    // ImGui's own text (labels, buttons, tables) too: the widgets wrote theirs already.
    if (last && (parts & kFigureSvg)) widgets::write_imgui_text(ImGui::GetDrawData(), svg);
  }
  out.width = w;
  out.height = h;
  if (parts & kFigureSvg) out.svg = svg.document();
  if (parts & kFigureCsv) out.csv = widgets::plot_data_csv(data);
  if (!(parts & kFigurePixels)) return true;
  const float clear[4] = {bg.x, bg.y, bg.z, 1.0f};
  renderer_.invalidate();  // every pixel anew: the canvas may hold another figure
  renderer_.update(ImGui::GetDrawData(), w, h, clear);
  if (!renderer_.bind_canvas_for_read()) {
    *error = "the figure's offscreen canvas could not be made";
    return false;
  }
  out.rgb.assign(static_cast<std::size_t>(w) * h * 3, 0);
  glFinish();
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glPixelStorei(GL_PACK_ROW_LENGTH, 0);
  glReadPixels(0, 0, w, h, GL_RGB, GL_UNSIGNED_BYTE, out.rgb.data());
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
  flip_rows(out.rgb, w, h);  // GL's first row is the bottom one
  return true;
}

std::string figure_caption(const Snapshot& snap, const AppState& app) {
  std::string s = snap.config.title.empty() ? "untitled lesson" : snap.config.title;
  if (snap.models.empty()) return s;
  const ModelView& m =
      snap.models[std::clamp(app.model, 0, static_cast<int>(snap.models.size()) - 1)];
  char buf[160];
  std::snprintf(
      buf, sizeof buf, " \xC2\xB7 %s, H = %d%s \xC2\xB7 iteration %lld", m.name.c_str(),
      m.spec.hidden_size,
      m.spec.num_layers > 1 ? (", " + std::to_string(m.spec.num_layers) + " layers").c_str() : "",
      static_cast<long long>(m.iteration));
  return s + buf;
}

// Files are written to PATH.part and renamed into place when complete: an existing file is never
// left half-overwritten.
namespace {
bool put_in_place(const std::string& part, const std::string& path, std::string* error) {
  if (std::rename(part.c_str(), path.c_str()) == 0) return true;
  std::remove(part.c_str());
  *error = "cannot write " + path + " (renaming " + part + " failed)";
  return false;
}
}  // namespace

bool write_figure_png(const std::string& path, const FigureOutput& out, std::string* error) {
  if (out.rgb.size() != static_cast<std::size_t>(out.width) * out.height * 3 || out.width <= 0) {
    *error = "no pixels to write to " + path;
    return false;
  }
  const std::string part = path + ".part";
  if (!stbi_write_png(part.c_str(), out.width, out.height, 3, out.rgb.data(), out.width * 3)) {
    std::remove(part.c_str());
    *error = "cannot write " + path;
    return false;
  }
  return put_in_place(part, path, error);
}

bool write_text_file(const std::string& path, const std::string& text, std::string* error) {
  const std::string part = path + ".part";
  std::FILE* f = std::fopen(part.c_str(), "wb");
  if (!f) {
    *error = "cannot write " + path;
    return false;
  }
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (std::fclose(f) != 0 || !ok) {
    std::remove(part.c_str());
    *error = "cannot write " + path + " (disk full?)";
    return false;
  }
  return put_in_place(part, path, error);
}

}  // namespace unrolled
