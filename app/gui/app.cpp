// The training app's main loop: set up, loop (poll, new frame, keys, menu, layout, panels, render,
// swap), clean up. The pieces live beside it: menu.cpp, keys.cpp, layout.cpp, panel_host.cpp,
// pacing.cpp, frame_bench.cpp, layout_report.cpp.
#include "app/gui/app.hpp"

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_internal.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <cstdio>

#include "app/gui/app_state.hpp"
#include "app/gui/frame_bench.hpp"
#include "app/gui/gui.hpp"
#include "app/gui/layout_report.hpp"
#include "app/panels/panels.hpp"
#include "app/session/training_worker.hpp"
#include "core/parallel.hpp"
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
  // Time steps asked for are there to be looked at: they imply --paused, as Step through does.
  // A lesson with a tour plays when its steps say so.
  const bool paused =
      o.paused || o.steps_forward > 0 || o.steps_backward > 0 || app.mode == Mode::Step;
  if (!paused && app.tour.steps.empty()) worker.send(cmd::Play{});
}

// Entering Step through pauses training: the steps are taken by hand (the status says so).
void enter_mode(AppState& app, TrainingWorker& worker) {
  if (app.entered == app.mode) return;
  app.entered = app.mode;
  if (app.mode == Mode::Step) worker.send(cmd::Pause{});
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

namespace {

// The panels the layout may use: those the View menu shows, less those the tour's step leaves out
// and, while presenting, the controls and the experiment.
PanelFlags hidden_panels(const AppState& app) {
  PanelFlags hidden = app.settings.hidden;
  for (int i = 0; i < kPanelCount; ++i) {
    if (app.tour.limit_panels && !app.tour.shown[i]) hidden[i] = true;
    const PanelId id = static_cast<PanelId>(i);
    if (app.presenter.on && (id == PanelId::Controls || id == PanelId::Experiment))
      hidden[i] = true;
  }
  return hidden;
}

// The animated outline around the panel the step points at: when it points at the whole panel, or
// at an element the panel could not outline this frame (scrolled away, behind a tab, or a plot
// that does not draw series highlights).
void outline_panel(const std::vector<DrawnPanel>& drawn, AppState& app) {
  if (!tour_active(app)) return;
  const TourHighlight& h = app.tour.steps[app.tour.step].highlight;
  const PanelInfo* p = find_panel(h.panel);
  if (!p || !app.tour.outlines.empty()) return;
  for (const DrawnPanel& d : drawn) {
    if (d.id != p->id || !d.visible) continue;
    const float em = ImGui::GetFontSize(), inset = std::max(2.0f, 0.12f * em);
    const ImVec2 min(d.rect.x + inset, d.rect.y + inset);
    const ImVec2 max(d.rect.right() - inset, d.rect.bottom() - inset);
    ImGui::GetForegroundDrawList()->AddRect(min, max, outline_color(app), 0.3f * em, 0,
                                            std::max(3.0f, 0.22f * em));
    app.tour.outlines.push_back({"panel " + std::string(p->name), d.rect});
  }
}

}  // namespace

GuiFrame build_frame(const AppOptions& o, AppState& app, TrainingWorker& worker, Window& window) {
  GuiFrame f;
  update_inspect(app);
  // Inspect draws the typed input's snapshot; every other mode the worker's newest.
  const auto snap = app.mode == Mode::Inspect && app.inspect.snapshot ? app.inspect.snapshot
                                                                      : worker.latest();
  update_tour(*snap, app, worker);
  app.tour.outlines.clear();
  handle_keys(*snap, app, worker, window);
  if (app.want_quit || window.should_close()) {  // Quit, Ctrl+Q, the window's close button
    app.want_quit = false;
    window.cancel_close();
    ask_to_quit(*snap, app);
  }
  if (app.presenter.on && app.presenter.blank) {  // a black screen until any key
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(vp->Pos);
    ImGui::SetNextWindowSize(vp->Size);
    ImGui::PushStyleColor(ImGuiCol_WindowBg, IM_COL32(0, 0, 0, 255));
    ImGui::Begin("###blank", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoSavedSettings);
    ImGui::End();
    ImGui::PopStyleColor();
    return f;
  }
  const MenuReport menu = draw_menu(*snap, app, worker, window);
  f.menu_overlap = menu.overlap;
  f.menu_title = menu.title;
  f.menu_status = menu.status;
  enter_mode(app, worker);
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  LayoutInput in;
  in.mode = app.mode;
  // The menu bar reserves its height from the next frame on; the first frame knows it too.
  const float top = std::max(vp->WorkPos.y, vp->Pos.y + ImGui::GetFrameHeight());
  in.area = {vp->WorkPos.x, top, vp->WorkSize.x, vp->Pos.y + vp->Size.y - top};
  const float banner = draw_banner(*snap, app, worker, {in.area.x, top}, in.area.w, &f.banner);
  in.area.y += banner;
  in.area.h -= banner;
  in.gap = 4;
  in.line_px = ImGui::GetTextLineHeight();
  in.chrome_px = ImGui::GetFrameHeight() + ImGui::GetStyle().WindowPadding.y * 2;
  // The tour card: a band under the panels, so it never covers what it points at (none with
  // --only: that panel alone fills the window). It leaves the mode's key panel its least height
  // and scrolls when that makes it shorter than its text.
  const float key_h = min_cell_height(mode_layout(app.mode).priority.front(), in, true);
  // Presenting, the card comes first: up to half the screen whatever the panels need.
  const float room = app.presenter.on ? in.area.h * 0.5f : in.area.h - key_h - in.gap;
  const float least = ImGui::GetFrameHeight() + 2 * ImGui::GetStyle().WindowPadding.y;
  // Less room than one line: the tour's Back / n of N / Next move into the menu bar instead.
  // Inspect shows a model, not the lesson: the lesson's tour waits in the other modes.
  const float card_h = o.only.empty() && room >= least && app.mode != Mode::Inspect
                           ? std::min(tour_card_height(app, in.area.w), room)
                           : 0.0f;
  const Rect card{in.area.x, in.area.bottom() - card_h, in.area.w, card_h};
  if (card_h > 0) in.area.h -= card_h + in.gap;
  in.hidden = hidden_panels(app);
  in.focus = app.focus;
  if (const PanelInfo* only = find_panel(o.only)) in.focus = only->id;
  const Layout layout = compute_layout(in);
  const std::vector<const Snapshot*> shown = pace_snapshots(panels_of(layout), snap, app);
  f.drawn = draw_cells(layout, shown, app, worker);
  outline_panel(f.drawn, app);
  draw_tour_card(*snap, app, card, window.title_font());
  request_analysis(f.drawn, app, worker);
  draw_guard(*snap, app, worker);
  draw_session_dialogs(app, worker);
  return f;
}

namespace {

Json card_json(const AppState& app, const Snapshot& snap) {
  const TourState& t = app.tour;
  if (t.card.h <= 0) return nullptr;
  Json outlines = Json::array();
  for (const auto& [what, r] : t.outlines)
    outlines.push_back({{"what", what}, {"rect", {r.x, r.y, r.w, r.h}}});
  const std::string title = t.steps.empty() ? t.title : t.steps[t.step].title;
  return {{"rect", {t.card.x, t.card.y, t.card.w, t.card.h}},
          {"title", notation(title)},
          {"step", t.step + 1},
          {"steps", t.steps.size()},
          {"asking", t.asking},
          {"busy", tour_busy(snap, app)},
          {"presenting", app.presenter.on},
          {"blank", app.presenter.blank},
          {"outlines", outlines}};
}

bool write_report(const std::string& path, const GuiFrame& f, Window& window, const Json& card) {
  LayoutReport r;
  r.card = card;
  r.width = window.framebuffer_width();
  r.height = window.framebuffer_height();
  r.scale = window.ui_scale();
  r.font_px = ImGui::GetTextLineHeight();
  r.menu_overlap = f.menu_overlap;
  const ImGuiWindow* debug = ImGui::FindWindowByName("Debug##Default");
  r.stray_debug_window = debug && debug->Active;  // after EndFrame: used this frame
  r.menu_title = f.menu_title;
  r.menu_status = f.menu_status;
  r.banner = f.banner;
  r.windows = f.drawn;
  std::string error;
  if (write_layout_report(path, r, &error)) return true;
  std::fprintf(stderr, "unrolled: %s\n", error.c_str());
  return false;
}

}  // namespace

void release_gl(AppState& app) {
  for (auto& s : app.panel_snapshots) s.reset();
  // Heatmap textures go before the GL context.
  app.gates.release();
  app.states.release();
  app.gradients.release();
  app.sample_panel.release();
}

int run_app(const AppOptions& o) {
  AppState app;
  app.settings_file = settings_path();
  app.settings = load_settings(app.settings_file, &app.settings_problem);
  ExperimentConfig config;
  if (!choose_experiment(o, app, config)) return 2;
  std::optional<InspectModel> inspected;
  if (!o.model_path.empty()) {  // read before any window opens: a bad file is one message
    std::string error;
    inspected.emplace();
    if (!open_inspect_model(o.model_path, o.import, o.vocab_path, *inspected, &error)) {
      std::fprintf(stderr, "unrolled open: %s\n", error.c_str());
      return 2;
    }
    for (const std::string& n : inspected->notes)
      std::fprintf(stderr, "unrolled open: note: %s\n", n.c_str());
  }
  app.config.edit = config;
  app.lesson = config;
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
  // The first step's actions wait when the command line asked for a state of its own (paused,
  // trained for a while, stepped); what it shows, when it asked for a mode or one panel.
  const bool own_state = o.paused || o.warmup > 0 || o.steps_forward > 0 || o.steps_backward > 0;
  if (inspected) {  // no tour and no training: the lesson behind the view waits, paused
    start_inspect(app, std::move(*inspected));
    if (!o.inspect_input.empty()) set_inspect_text(app, o.inspect_input);
  } else {
    start_tour(app, config, !own_state || o.tour_step > 0, o.mode.empty() && o.only.empty());
    first_commands(o, app, worker);
  }
  if (o.probe) {  // Lesson → Probe this model, from the command line (after the warmup)
    worker.send(cmd::Pause{});
    worker.wait_idle();
    if (!probe_lesson(app, *worker.latest(), &error)) {
      std::fprintf(stderr, "unrolled: --probe: %s\n", error.c_str());
      return 2;
    }
    if (!o.inspect_input.empty()) set_inspect_text(app, o.inspect_input);
  }
  if (o.tour_step > 0) fast_forward_tour(app, worker, o.tour_step);
  // The last session's autosave: opened with --resume-last, else offered when it had work not
  // saved (not for captures, benchmarks and tests, which leave no autosave either).
  const bool capture = !o.screenshot.empty() || !o.layout_report.empty();
  const bool autosaving = o.persist && !capture && o.bench_frames == 0;
  if (o.resume_last) {
    if (!resume_autosave(app, worker)) return 2;
  } else if (autosaving) {
    app.sessions.resume_summary = unsaved_autosave_summary(autosave_path());
    app.sessions.asking_resume = !app.sessions.resume_summary.empty();
  }
  if (o.present) set_presenting(app, window, true);
  // The first frame draws whatever snapshot there is (start() publishes the untrained model): it
  // never waits for training, which can take minutes per iteration. A benchmark waits for its
  // warm-up; a capture waits in every frame (below).
  if (o.bench_frames > 0) worker.wait_idle();

  FrameBench bench;
  FigureDesk figures;  // the panels' figure menu: offscreen figures, GIF recording
  GuiFrame last;
  const int total_frames = o.bench_frames > 0 ? o.bench_frames + 10 : o.frames;
  for (int64_t frame = 0; !app.quit_now; ++frame) {
    if (total_frames > 0 && frame >= total_frames) break;
    window.wait_for_next_frame();  // not part of the frame's time: nothing to do until then
    const auto t0 = std::chrono::steady_clock::now();
    const double cpu0 = thread_cpu_ms(), pcpu0 = process_cpu_ms();
    // A screenshot shows what the commands sent so far have produced, not a race with them.
    if (capture) worker.wait_idle();
    // The UI first: training that uses every core leaves them to the frame (ours and the
    // rasteriser's threads) from its start to the end of its swap, and has them in between.
    const bool hold = thread_count() >= hardware_threads();
    if (hold) worker.hold_training(true);
    window.begin_frame();
    last = build_frame(o, app, worker, window);
    window.end_frame();
    if (hold) worker.hold_training(false);
    if (autosaving) maybe_autosave(app, worker, *worker.latest(), glfwGetTime());
    serve_figures(app, worker, window, figures);
    if (o.bench_frames > 0 && frame >= 10) {  // the first frames build fonts and textures
      const double ui_cpu = thread_cpu_ms() - cpu0;
      const auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0);
      bench.add(window.last_cost(), ms.count(), ui_cpu, process_cpu_ms() - pcpu0 - ui_cpu);
    }
  }
  int code = 0;
  if (!o.screenshot.empty() && !window.save_screenshot(o.screenshot)) code = 1;
  if (!o.layout_report.empty() &&
      !write_report(o.layout_report, last, window, card_json(app, *worker.latest())))
    code = 1;
  if (o.bench_frames > 0) {
    std::printf(
        "LSTM H=64 T=100 B=32 training at full speed (%.0f it/s), every panel, %dx%d; UI "
        "kept in %s\n",
        worker.latest()->measured_speed, window.framebuffer_width(), window.framebuffer_height(),
        window.back_buffer_preserved() ? "the back buffer (it survives swaps)"
                                       : "an offscreen canvas");
    bench.print();
  }
  if (autosaving) autosave(app, worker, *worker.latest());
  worker.stop();
  if (autosaving) {
    glfwGetWindowSize(window.glfw(), &app.settings.window_width, &app.settings.window_height);
    app.settings.ui_scale = window.ui_scale();
    std::string error;
    if (!save_settings(app.settings_file, app.settings, !app.settings_problem.empty(), &error))
      std::fprintf(stderr, "unrolled: settings not saved: %s\n", error.c_str());
  }
  close_figures(app, figures);
  release_gl(app);
  return code;
}

}  // namespace unrolled
