// The training app's main loop: set up, loop (poll, new frame, keys, menu, layout, panels, render,
// swap), clean up. The pieces live beside it: menu.cpp, keys.cpp, layout.cpp, panel_host.cpp,
// pacing.cpp, frame_bench.cpp, layout_report.cpp.
#include "app/gui/app.hpp"

#include <GLFW/glfw3.h>
#include <imgui.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "app/gui/app_state.hpp"
#include "app/gui/frame_bench.hpp"
#include "app/gui/gui.hpp"
#include "app/gui/layout_report.hpp"
#include "app/panels/panels.hpp"
#include "app/session/training_worker.hpp"
#include "widgets/report.hpp"

namespace unrolled {
namespace {

// The experiment the options ask for; false (with a message) when it cannot be had.
bool choose_experiment(const AppOptions& o, AppState& app, ExperimentConfig& config) {
  std::string error;
  if (o.bench_frames > 0) {
    config = bench_lesson();
    app.source = "benchmark";
  } else if (!o.experiment_path.empty()) {
    if (!load_experiment(o.experiment_path, config, &error)) {
      std::fprintf(stderr, "unrolled: %s\n", error.c_str());
      return false;
    }
    app.source = o.experiment_path;
  } else if (!o.preset.empty()) {
    bool found = false;
    std::string names;
    for (const auto& [name, text] : embedded_presets()) {
      names += " " + name;
      if (name == o.preset) found = parse_experiment_text(text, name, config, &error);
    }
    if (!found) {
      std::fprintf(stderr, "unrolled: --preset '%s' is not built in; built in:%s\n",
                   o.preset.c_str(), names.c_str());
      return false;
    }
    app.source = "built-in: " + o.preset;
  } else {
    config = default_experiment();
    app.source = "built-in: default";
  }
  if (const auto m = find_mode(o.mode)) app.mode = *m;
  // Compare mode with no lesson named: the built-in compare lesson.
  if (app.mode == Mode::Compare && config.compare.empty() && o.experiment_path.empty() &&
      o.preset.empty())
    for (const auto& [name, text] : embedded_presets())
      if (name == "compare" && parse_experiment_text(text, name, config, nullptr))
        app.source = "built-in: compare";
  return true;
}

// Speed, warmup, steps and play, sent before the first frame.
void first_commands(const AppOptions& o, AppState& app, TrainingWorker& worker) {
  if (o.speed >= 0) app.speed = static_cast<float>(o.speed), app.max_speed = o.speed == 0;
  if (o.bench_frames > 0 && o.speed < 0) app.max_speed = true;
  worker.send(cmd::SetSpeed{app.max_speed ? 0.0 : app.speed});
  if (o.warmup > 0) worker.send(cmd::RunIterations{o.warmup});
  // --steps-forward / --steps-backward: time steps taken before the first frame (screenshots).
  for (int i = 0; i < o.steps_forward; ++i) worker.send(cmd::StepForward{});
  for (int i = 0; i < o.steps_backward; ++i) worker.send(cmd::StepBackward{});
  if (!o.paused) worker.send(cmd::Play{});
}

// Asks the worker for the analysis the panels on screen draw, only when that changes.
void request_analysis(const std::vector<DrawnPanel>& drawn, AppState& app,
                      TrainingWorker& worker) {
  bool spectra = false, jacobian = false;
  for (const DrawnPanel& d : drawn) {
    if (!d.visible) continue;
    spectra = spectra || panel_info(d.id).analysis == Analysis::Spectra;
    jacobian = jacobian || panel_info(d.id).analysis == Analysis::Jacobian;
  }
  const int layer = jacobian ? app.layer : -1;
  if (spectra == app.analysis_spectra && layer == app.analysis_jacobian) return;
  app.analysis_spectra = spectra;
  app.analysis_jacobian = layer;
  worker.send(cmd::SetAnalysis{spectra, layer});
}

}  // namespace

GuiFrame build_frame(const AppOptions& o, AppState& app, TrainingWorker& worker, Window& window) {
  GuiFrame f;
  const auto snap = worker.latest();
  handle_keys(*snap, app, worker);
  f.menu_overlap = draw_menu(*snap, app, worker, window);
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  LayoutInput in;
  in.mode = app.mode;
  // The menu bar reserves its height from the next frame on; the first frame knows it too.
  const float top = std::max(vp->WorkPos.y, vp->Pos.y + ImGui::GetFrameHeight());
  in.area = {vp->WorkPos.x, top, vp->WorkSize.x, vp->Pos.y + vp->Size.y - top};
  const float banner = draw_banner(*snap, worker, {in.area.x, top}, in.area.w);
  in.area.y += banner;
  in.area.h -= banner;
  in.line_px = ImGui::GetTextLineHeight();
  in.chrome_px = ImGui::GetFrameHeight() + ImGui::GetStyle().WindowPadding.y * 2;
  in.gap = 4;
  in.hidden = app.settings.hidden;
  in.focus = app.focus;
  if (const PanelInfo* only = find_panel(o.only)) in.focus = only->id;
  const Layout layout = compute_layout(in);
  const std::vector<const Snapshot*> shown = pace_snapshots(panels_of(layout), snap, app);
  f.drawn = draw_cells(layout, shown, app, worker);
  request_analysis(f.drawn, app, worker);
  return f;
}

namespace {

bool write_report(const std::string& path, const GuiFrame& f, Window& window) {
  LayoutReport r;
  r.width = window.framebuffer_width();
  r.height = window.framebuffer_height();
  r.scale = window.ui_scale();
  r.font_px = ImGui::GetTextLineHeight();
  r.menu_overlap = f.menu_overlap;
  r.windows = f.drawn;
  std::string error;
  if (write_layout_report(path, r, &error)) return true;
  std::fprintf(stderr, "unrolled: %s\n", error.c_str());
  return false;
}

void release_gl(AppState& app) {
  for (auto& s : app.panel_snapshots) s.reset();
  // Heatmap textures go before the GL context.
  app.gates.release();
  app.states.release();
  app.gradients.release();
  app.sample_panel.release();
}

}  // namespace

int run_app(const AppOptions& o) {
  AppState app;
  app.settings_file = settings_path();
  app.settings = load_settings(app.settings_file);
  ExperimentConfig config;
  if (!choose_experiment(o, app, config)) return 2;
  app.config.edit = config;
  app.seed = config.training.seed;
  if (const std::string slow = slow_iteration_warning(config); !slow.empty())
    std::fprintf(stderr, "unrolled: warning: %s\n", slow.c_str());  // and in the banner
  app.report_values = !o.layout_report.empty();
  widgets::set_layout_report(app.report_values);

  Window window;
  window.set_ui_scale(o.scale > 0 ? o.scale : app.settings.ui_scale);
  app.settings.light_theme = o.theme >= 0 ? o.theme == 1 : app.settings.light_theme;
  window.set_theme(app.settings.light_theme ? Theme::Light : Theme::Dark);
  // An explicit --size is kept exactly (screenshots, reports); a remembered one fits the monitor.
  const bool exact = o.width > 0 && o.height > 0;
  if (!window.open(exact ? o.width : app.settings.window_width,
                   exact ? o.height : app.settings.window_height, "Unrolled", !exact))
    return 1;
  if (o.bench_frames > 0) glfwSwapInterval(0);  // measure the frame, not the display's refresh
  window.hide_mouse(!o.screenshot.empty() || o.bench_frames > 0 || !o.layout_report.empty());

  TrainingWorker worker;
  std::string error;
  if (!worker.start(config, &error)) {
    std::fprintf(stderr, "unrolled: %s\n", error.c_str());
    return 2;
  }
  first_commands(o, app, worker);
  // The first frame draws whatever snapshot there is (start() publishes the untrained model): it
  // never waits for training, which can take minutes per iteration. A benchmark waits for its
  // warm-up; a capture waits in every frame (below).
  if (o.bench_frames > 0) worker.wait_idle();

  FrameBench bench;
  GuiFrame last;
  const int total_frames = o.bench_frames > 0 ? o.bench_frames + 10 : o.frames;
  const bool capture = !o.screenshot.empty() || !o.layout_report.empty();
  for (int64_t frame = 0; !window.should_close() && !app.want_quit; ++frame) {
    if (total_frames > 0 && frame >= total_frames) break;
    window.wait_for_next_frame();  // not part of the frame's time: nothing to do until then
    const auto t0 = std::chrono::steady_clock::now();
    const double cpu0 = thread_cpu_ms(), pcpu0 = process_cpu_ms();
    // A screenshot shows what the commands sent so far have produced, not a race with them.
    if (capture) worker.wait_idle();
    window.begin_frame();
    last = build_frame(o, app, worker, window);
    window.end_frame();
    if (o.bench_frames > 0 && frame >= 10) {  // the first frames build fonts and textures
      const double ui_cpu = thread_cpu_ms() - cpu0;
      const auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0);
      bench.add(window.last_cost(), ms.count(), ui_cpu, process_cpu_ms() - pcpu0 - ui_cpu);
    }
  }
  int code = 0;
  if (!o.screenshot.empty() && !window.save_screenshot(o.screenshot)) code = 1;
  if (!o.layout_report.empty() && !write_report(o.layout_report, last, window)) code = 1;
  if (o.bench_frames > 0) {
    std::printf(
        "LSTM H=64 T=100 B=32 training at full speed (%.0f it/s), every panel, %dx%d; UI "
        "kept in %s\n",
        worker.latest()->measured_speed, window.framebuffer_width(), window.framebuffer_height(),
        window.back_buffer_preserved() ? "the back buffer (it survives swaps)"
                                       : "an offscreen canvas");
    bench.print();
  }
  worker.stop();
  if (o.persist && !capture && o.bench_frames == 0) {
    glfwGetWindowSize(window.glfw(), &app.settings.window_width, &app.settings.window_height);
    app.settings.ui_scale = window.ui_scale();
    save_settings(app.settings_file, app.settings);
  }
  release_gl(app);
  return code;
}

}  // namespace unrolled
