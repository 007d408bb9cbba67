// Figures for slides: one panel drawn alone, offscreen, at a chosen size and scale, as pixels
// (PNG, GIF frames), as SVG (the widgets' own drawing, widgets/svg.hpp) and as the data it plots
// (CSV, widgets/plot_data.hpp). The panel's own draw function lays it out, exactly as on screen;
// the figure adds the panel's title above it and an optional caption below it.
//
//   FigureRenderer fig;                               // the app's GL context is current
//   FigureSpec spec{PanelId::Training, 800, 500, 2.0f};
//   FigureOutput out;
//   if (fig.render(spec, kFigurePixels | kFigureSvg, snap, app, worker, out, &error))
//     write_png("loss.png", out, &error);             // 1600 x 1000 pixels, text rasterised at 2x
//   fig.release();                                    // before the GL context goes
//
// Scale S multiplies pixels and text alike: the fonts are rasterised at S times the base size and
// the style's sizes scaled, so a 2x figure is the 1x picture with twice the pixels, not an
// upscaled image. The figure has an ImGui context of its own: the app's frame, input and windows
// are untouched.
#pragma once

#include <string>
#include <vector>

#include "app/gui/renderer.hpp"
#include "app/gui/window.hpp"
#include "app/panels/panel_table.hpp"

struct ImGuiContext;

namespace unrolled {

struct Snapshot;
struct AppState;
class TrainingWorker;

struct FigureSpec {
  PanelId panel = PanelId::Training;
  int width = 800, height = 500;  // at scale 1, in pixels
  float scale = 1.0f;             // 0.5..12: pixels and text both (the command line: 1..4)
  Theme theme = Theme::Light;
  std::string caption;  // a line under the panel (figure_caption); empty: none
};

// The largest figure side in pixels (after scaling): what a GL texture holds everywhere.
inline constexpr int kMaxFigurePixels = 8192;

enum FigurePart : unsigned { kFigurePixels = 1, kFigureSvg = 2, kFigureCsv = 4 };

struct FigureOutput {
  int width = 0, height = 0;       // pixels: spec size x scale
  std::vector<unsigned char> rgb;  // (height, width, 3), top row first; kFigurePixels
  std::string svg;                 // kFigureSvg
  std::string csv;                 // kFigureCsv
};

class FigureRenderer {
 public:
  FigureRenderer() = default;
  ~FigureRenderer();
  FigureRenderer(const FigureRenderer&) = delete;
  FigureRenderer& operator=(const FigureRenderer&) = delete;

  // Draws the panel for `snap` and fills the parts asked for. Needs the app's GL context
  // current and no ImGui frame of the figure's own under way; the caller's ImGui context is
  // current again on return. False, with *error, when the size is out of range or the GL canvas
  // cannot be made.
  bool render(const FigureSpec& spec, unsigned parts, const Snapshot& snap, AppState& app,
              TrainingWorker& worker, FigureOutput& out, std::string* error);
  // Deletes the context, its font texture and the renderer; needs the GL context.
  void release();

 private:
  bool prepare(const FigureSpec& spec, std::string* error);
  void draw(const FigureSpec& spec, const Snapshot& snap, AppState& app, TrainingWorker& worker,
            float width, float height);

  ImGuiContext* context_ = nullptr;
  float built_scale_ = 0.0f;  // the scale the fonts were built for
  unsigned font_texture_ = 0;
  UiRenderer renderer_;
  bool renderer_ready_ = false;
};

// "<lesson title> · <cell> H=<hidden> × <layers> layers · iteration <n>": what a figure's caption
// says so the figure reads alone.
std::string figure_caption(const Snapshot& snap, const AppState& app);

// Writes out.rgb as a PNG, out.svg or out.csv as text, through PATH.part renamed when complete;
// false with *error naming the file (and no PATH.part left).
bool write_figure_png(const std::string& path, const FigureOutput& out, std::string* error);
bool write_text_file(const std::string& path, const std::string& text, std::string* error);

}  // namespace unrolled
