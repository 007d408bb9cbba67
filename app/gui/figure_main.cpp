// `unrolled figure`: trains headless (no frame waits for the screen), then draws one panel
// offscreen in a hidden window's GL context and writes it as PNG, SVG, CSV or an animated GIF.
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "app/cli/figure.hpp"
#include "app/gui/app.hpp"
#include "app/gui/app_state.hpp"
#include "app/gui/figure.hpp"
#include "app/gui/gif_recorder.hpp"
#include "app/gui/gui.hpp"
#include "app/panels/panel_table.hpp"
#include "app/session/training_worker.hpp"
#include "core/experiment.hpp"

namespace unrolled {
namespace {

int fail(const std::string& message) {
  std::fprintf(stderr, "unrolled figure: %s\n", message.c_str());
  return 2;
}

// The mode a panel is first shown in: panels may draw differently per mode.
Mode first_mode_of(const PanelInfo& p) {
  for (const ModeInfo& m : mode_table())
    if (p.modes & mode_bit(m.mode)) return m.mode;
  return Mode::Train;
}

FigureSpec spec_of(const FigureOptions& o, const PanelInfo& p) {
  FigureSpec s;
  s.panel = p.id;
  s.width = o.width;
  s.height = o.height;
  s.scale = static_cast<float>(o.scale);
  s.theme = o.dark ? Theme::Dark : Theme::Light;
  return s;
}

// Writes the one frame as the format asks. 0 or an exit code.
int write_still(const FigureOptions& o, FigureSpec spec, FigureRenderer& fig, AppState& app,
                TrainingWorker& worker) {
  const auto snap = worker.latest();
  if (o.caption) spec.caption = figure_caption(*snap, app);
  const unsigned part = o.format == FigureFormat::Png   ? kFigurePixels
                        : o.format == FigureFormat::Svg ? kFigureSvg
                                                        : kFigureCsv;
  FigureOutput out;
  std::string error;
  if (!fig.render(spec, part, *snap, app, worker, out, &error)) return fail(error);
  if (o.format == FigureFormat::Csv && out.csv.empty())
    return fail(
        "--panel " + o.panel +
        " plots no data (no line plot or heatmap) to write as CSV; save it as .png or .svg");
  const bool ok = o.format == FigureFormat::Png   ? write_figure_png(o.out, out, &error)
                  : o.format == FigureFormat::Svg ? write_text_file(o.out, out.svg, &error)
                                                  : write_text_file(o.out, out.csv, &error);
  if (!ok) return fail(error);
  std::printf("%s: %s, %dx%d%s\n", o.out.c_str(), panel_info(spec.panel).title, out.width,
              out.height, spec.caption.empty() ? "" : (", " + spec.caption).c_str());
  return 0;
}

// F frames K iterations apart, encoded on the recorder's thread while the next ones train.
int write_gif(const FigureOptions& o, FigureSpec spec, FigureRenderer& fig, AppState& app,
              TrainingWorker& worker) {
  GifRecorder rec;
  std::string error;
  for (int f = 0; f < o.frames; ++f) {
    if (f > 0) {
      worker.send(cmd::RunIterations{o.iterations_per_frame});
      worker.wait_idle();
    }
    const auto snap = worker.latest();
    if (o.caption) spec.caption = figure_caption(*snap, app);
    FigureOutput out;
    if (!fig.render(spec, kFigurePixels, *snap, app, worker, out, &error)) return fail(error);
    if (f == 0 && !rec.start({o.out, out.width, out.height, o.fps}, &error)) return fail(error);
    // Headless, nothing is dropped: wait while the encoder's queue is full.
    while (!rec.push(out.rgb)) {
      const GifRecorder::Status s = rec.status();
      if (s.failed || s.full) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (rec.status().full || rec.status().failed) break;
  }
  if (!rec.finish(&error)) return fail(error);
  const GifRecorder::Status s = rec.status();
  std::printf("%s: %s, %d frames of %dx%d at %g frames a second, %lld bytes%s\n", o.out.c_str(),
              panel_info(spec.panel).title, s.frames_written,
              static_cast<int>(spec.width * spec.scale), static_cast<int>(spec.height * spec.scale),
              o.fps, static_cast<long long>(s.bytes), s.full ? " (stopped at the size bound)" : "");
  return 0;
}

}  // namespace

int figure_main(const std::vector<std::string>& args) {
  FigureOptions o;
  if (const int code = parse_figure_args(args, o)) return code;
  const PanelInfo* panel = find_panel(o.panel);
  if (!panel) return fail("--panel '" + o.panel + "' is not a panel; panels: " + panel_names());
  ExperimentConfig config;
  std::string error;
  Session session;
  if (!load_figure_lesson(o, config, &error, &session)) return fail(error);

  AppState app;
  app.config.edit = config;
  app.lesson = config;
  app.seed = config.training.seed;
  app.mode = first_mode_of(*panel);
  Window window;
  window.set_theme(o.dark ? Theme::Dark : Theme::Light);
  if (!window.open(320, 240, "Unrolled figure", false, /*visible=*/false)) return 1;
  TrainingWorker worker;
  if (!worker.start(config, &error)) return fail(error);
  if (!o.session.empty()) {  // the run as saved: weights, history, checkpoints; warm-up after it
    worker.send(cmd::LoadSession{std::make_shared<const Session>(std::move(session))});
    worker.wait_idle();
    if (const auto s = worker.latest(); !s->error.empty()) return fail(o.session + ": " + s->error);
  }
  if (panel->analysis == Analysis::Spectra) worker.send(cmd::SetAnalysis{true, -1});
  if (panel->analysis == Analysis::Jacobian) worker.send(cmd::SetAnalysis{false, app.layer});
  if (o.warmup > 0) worker.send(cmd::RunIterations{o.warmup});
  worker.wait_idle();

  FigureRenderer fig;
  const FigureSpec spec = spec_of(o, *panel);
  const int code = o.format == FigureFormat::Gif ? write_gif(o, spec, fig, app, worker)
                                                 : write_still(o, spec, fig, app, worker);
  worker.stop();
  fig.release();
  release_gl(app);
  return code;
}

}  // namespace unrolled
