// The training app's main loop: set up, loop (poll, new frame, panels, render, swap), clean up.
//
// [SECTION] Layout     each mode's panels and where they go for a window size
// [SECTION] Menu       lessons, view, the mode tabs, the divergence banner
// [SECTION] Keys       Space, N, R, arrows, Ctrl+Q; in Step through also B, Home, End
// [SECTION] Main loop  screenshots and --bench-frames
#include "app/gui/app.hpp"

#include <GLFW/glfw3.h>
#include <imgui.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <vector>

#include "app/gui/app_state.hpp"
#include "app/panels/panels.hpp"
#include "app/session/training_worker.hpp"

namespace unrolled {
namespace {

// [SECTION] Layout

using DrawFn = void (*)(const Snapshot&, AppState&, TrainingWorker&);

struct PanelDef {
  const char* title;
  DrawFn draw;
  bool* visible;  // the View menu's switch (Train mode); null: always shown in its mode
};

struct PanelSlot {
  const PanelDef* def;
  ImVec2 pos, size;
};

// Every panel, by title.
std::vector<PanelDef> panel_defs(AppState& app) {
  PanelVisibility& v = app.settings.show;
  auto grads = [](const Snapshot& s, AppState& a, TrainingWorker&) { draw_gradients_panel(s, a); };
  auto train = [](const Snapshot& s, AppState& a, TrainingWorker&) { draw_training_panel(s, a); };
  auto inspector = [](const Snapshot& s, AppState& a, TrainingWorker&) {
    draw_inspector_panel(s, a);
  };
  auto jacobian = [](const Snapshot& s, AppState& a, TrainingWorker&) {
    draw_jacobian_panel(s, a);
  };
  auto cliff = [](const Snapshot&, AppState& a, TrainingWorker&) { draw_cliff_panel(a); };
  auto sweep = [](const Snapshot& s, AppState& a, TrainingWorker&) { draw_sweep_panel(s, a); };
  return {
      {"Controls", draw_controls_panel, &v.controls},
      {"Experiment", draw_config_panel, &v.config},
      {"Gates", draw_gates_panel, &v.gates},
      {"Training", train, &v.training},
      {"Cell and hidden state", draw_states_panel, &v.states},
      {"Gradient through time", grads, &v.gradients},
      {"Sample", draw_sample_panel, &v.sample},
      {"Unrolled network", draw_graph_panel, nullptr},
      {"Cell inspector", inspector, nullptr},
      {"Spectrum of W_hh", draw_spectrum_panel, nullptr},
      {"Jacobian products", jacobian, nullptr},
      {"Gradient cliff", cliff, nullptr},
      {"Dependency length", sweep, nullptr},
  };
}

struct ModeLayout {
  std::vector<const char*> left;               // stacked in a column on the left
  float left_first_share;                      // height share of the first left panel
  std::vector<std::vector<const char*>> rows;  // the main area, row by row
  float first_row_share;                       // height share of the first row
};

ModeLayout mode_layout(Mode m) {
  switch (m) {
    case Mode::Train:
      return {{"Controls", "Experiment"},
              0.36f,
              {{"Gates", "Training", "Cell and hidden state"}, {"Gradient through time", "Sample"}},
              0.52f};
    case Mode::Step:
      return {{"Controls", "Cell inspector"},
              0.30f,
              {{"Unrolled network"}, {"Gates", "Gradient through time"}},
              0.46f};
    case Mode::Compare:
      return {{"Controls", "Experiment"},
              0.36f,
              {{"Training", "Gradient through time", "Gates"},
               {"Spectrum of W_hh", "Jacobian products"}},
              0.6f};
    case Mode::Cliff:
      return {{}, 0, {{"Gradient cliff"}}, 1.0f};
    case Mode::Sweep:
      return {{"Controls", "Experiment"}, 0.36f, {{"Dependency length"}}, 1.0f};
  }
  return {};
}

// Where each panel of the current mode goes. The View menu's switches apply in Train mode.
std::vector<PanelSlot> layout(AppState& app, const std::vector<PanelDef>& defs, ImVec2 origin,
                              ImVec2 avail, const std::string& only) {
  auto find = [&](const char* title) -> const PanelDef* {
    for (const auto& d : defs)
      if (std::string(d.title) == title) return &d;
    return nullptr;
  };
  auto shown = [&](const PanelDef* d) {
    return d && (app.mode != Mode::Train || !d->visible || *d->visible);
  };
  std::vector<PanelSlot> out;
  if (!only.empty()) {
    if (const PanelDef* d = find(only.c_str())) out.push_back({d, origin, avail});
    return out;
  }
  const float gap = 4;
  const ModeLayout ml = mode_layout(app.mode);
  std::vector<const PanelDef*> left;
  for (const char* t : ml.left)
    if (shown(find(t))) left.push_back(find(t));
  const float left_w = left.empty() ? 0 : std::clamp(avail.x * 0.24f, 300.0f, 480.0f);
  if (left.size() == 1) out.push_back({left[0], origin, {left_w, avail.y}});
  if (left.size() == 2) {
    const float h0 = avail.y * ml.left_first_share;
    out.push_back({left[0], origin, {left_w, h0}});
    out.push_back({left[1], {origin.x, origin.y + h0 + gap}, {left_w, avail.y - h0 - gap}});
  }
  std::vector<std::vector<const PanelDef*>> rows;
  for (const auto& r : ml.rows) {
    std::vector<const PanelDef*> row;
    for (const char* t : r)
      if (shown(find(t))) row.push_back(find(t));
    if (!row.empty()) rows.push_back(row);
  }
  const float x0 = origin.x + (left.empty() ? 0 : left_w + gap), w = avail.x - (x0 - origin.x);
  const float first_h = rows.size() == 1 ? avail.y : avail.y * ml.first_row_share;
  const float rest_h =
      rows.size() <= 1 ? 0 : (avail.y - first_h - gap * (rows.size() - 1)) / (rows.size() - 1);
  float y = origin.y;
  for (size_t r = 0; r < rows.size(); ++r) {
    const float h = r == 0 ? first_h : rest_h;
    const float cw = (w - gap * (rows[r].size() - 1)) / static_cast<float>(rows[r].size());
    for (size_t i = 0; i < rows[r].size(); ++i)
      out.push_back({rows[r][i], {x0 + i * (cw + gap), y}, {cw, h}});
    y += h + gap;
  }
  return out;
}

// Asks the worker for the analysis the visible panels draw, only when that changes.
void request_analysis(const std::vector<PanelSlot>& slots, AppState& app, TrainingWorker& worker) {
  bool spectra = false, jacobian = false;
  for (const PanelSlot& s : slots) {
    spectra = spectra || std::string(s.def->title) == "Spectrum of W_hh";
    jacobian = jacobian || std::string(s.def->title) == "Jacobian products";
  }
  const int layer = jacobian ? app.layer : -1;
  if (spectra == app.analysis_spectra && layer == app.analysis_jacobian) return;
  app.analysis_spectra = spectra;
  app.analysis_jacobian = layer;
  worker.send(cmd::SetAnalysis{spectra, layer});
}

// [SECTION] Menu

void load_lesson(AppState& app, TrainingWorker& worker, const ExperimentConfig& c,
                 const std::string& source) {
  worker.send(cmd::Configure{c});
  app.config.edit = c;
  app.source = source;
  app.seed = c.training.seed;
  app.layer = app.unit = app.sample = app.model = 0;
}

void draw_menu(const Snapshot& snap, AppState& app, TrainingWorker& worker, Window& window) {
  if (!ImGui::BeginMainMenuBar()) return;
  if (ImGui::BeginMenu("Lesson")) {
    for (const auto& [name, text] : embedded_presets()) {
      ExperimentConfig c;
      if (!parse_experiment_text(text, name, c, nullptr)) continue;
      const std::string label = name + "  \xE2\x80\x94  " + c.title;
      if (ImGui::MenuItem(label.c_str())) load_lesson(app, worker, c, "built-in: " + name);
    }
    ImGui::Separator();
    if (ImGui::MenuItem("Quit", "Ctrl+Q")) app.want_quit = true;
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("View")) {
    PanelVisibility& v = app.settings.show;
    ImGui::MenuItem("Controls", nullptr, &v.controls);
    ImGui::MenuItem("Experiment", nullptr, &v.config);
    ImGui::MenuItem("Gates", nullptr, &v.gates);
    ImGui::MenuItem("Cell and hidden state", nullptr, &v.states);
    ImGui::MenuItem("Gradient through time", nullptr, &v.gradients);
    ImGui::MenuItem("Training", nullptr, &v.training);
    ImGui::MenuItem("Sample", nullptr, &v.sample);
    ImGui::Separator();
    if (ImGui::MenuItem("Larger text", "Ctrl +"))
      window.set_ui_scale(window.ui_scale() * Window::kScaleStep);
    if (ImGui::MenuItem("Smaller text", "Ctrl -"))
      window.set_ui_scale(window.ui_scale() / Window::kScaleStep);
    if (ImGui::MenuItem("Light theme", nullptr, app.settings.light_theme)) {
      app.settings.light_theme = !app.settings.light_theme;
      window.set_theme(app.settings.light_theme ? Theme::Light : Theme::Dark);
    }
    ImGui::EndMenu();
  }
  // The modes, as tabs: what the main area shows.
  const std::pair<Mode, const char*> modes[] = {{Mode::Train, "Train"},
                                                {Mode::Step, "Step through"},
                                                {Mode::Compare, "Compare"},
                                                {Mode::Cliff, "Gradient cliff"},
                                                {Mode::Sweep, "Dependency length"}};
  ImGui::Separator();
  for (const auto& [mode, label] : modes) {
    const bool active = app.mode == mode;
    if (active)
      ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
    if (ImGui::MenuItem(label, nullptr, active)) {
      app.mode = mode;
      // Compare mode's default lesson: vanilla RNN against LSTM on first-symbol recall.
      if (mode == Mode::Compare && snap.models.size() < 2)
        for (const auto& [name, text] : embedded_presets()) {
          ExperimentConfig c;
          if (name == "compare" && parse_experiment_text(text, name, c, nullptr)) {
            load_lesson(app, worker, c, "built-in: compare");
            worker.send(cmd::Play{});
          }
        }
    }
    if (active) ImGui::PopStyleColor();
  }
  ImGui::Separator();
  // The lesson's title, centred, for the back of the room.
  const std::string title = snap.config.title.empty() ? app.source : snap.config.title;
  const float tw = ImGui::CalcTextSize(title.c_str()).x;
  ImGui::SetCursorPosX(
      std::max(ImGui::GetCursorPosX() + 12, (ImGui::GetWindowWidth() - tw) * 0.5f));
  ImGui::TextUnformatted(title.c_str());
  char right[96];
  std::snprintf(right, sizeof right, "iteration %lld   %s",
                snap.models.empty() ? 0LL : static_cast<long long>(snap.models[0].iteration),
                snap.playing ? "\xE2\x96\xB6 training" : "\xE2\x80\x96 paused");
  const float rw = ImGui::CalcTextSize(right).x;
  ImGui::SetCursorPosX(ImGui::GetWindowWidth() - rw - 16);
  ImGui::TextUnformatted(right);
  ImGui::EndMainMenuBar();
}

// The divergence banner: where, why, and a one-click reset. Returns its height.
float draw_banner(const Snapshot& snap, AppState& app, TrainingWorker& worker, ImVec2 pos,
                  float width) {
  const ModelView* bad = nullptr;
  for (const auto& m : snap.models)
    if (m.phase == Phase::Diverged) bad = &m;
  std::string text;
  if (bad) {
    char head[160];
    std::snprintf(head, sizeof head, "%s diverged at iteration %lld: ", bad->name.c_str(),
                  static_cast<long long>(bad->divergence.iteration));
    text = head + bad->divergence.where + ". " + bad->divergence.cause;
  } else if (!snap.error.empty()) {
    text = snap.error;
  } else {
    return 0;
  }
  const float pad = ImGui::GetStyle().WindowPadding.y;
  const float h = ImGui::GetTextLineHeightWithSpacing() * 2 + pad * 2;
  ImGui::SetNextWindowPos(pos);
  ImGui::SetNextWindowSize({width, h});
  ImGui::PushStyleColor(ImGuiCol_WindowBg, IM_COL32(150, 30, 30, 255));
  ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(255, 255, 255, 255));
  ImGui::Begin(
      "##banner", nullptr,
      ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings);
  const float button_w = 200 * app.settings.ui_scale;
  ImGui::PushTextWrapPos(width - button_w - 24);
  ImGui::TextUnformatted(text.c_str());
  ImGui::PopTextWrapPos();
  ImGui::SameLine(width - button_w - 8);
  if (bad && ImGui::Button("Reset and try again", {button_w - 8, 0})) worker.send(cmd::Reset{});
  ImGui::End();
  ImGui::PopStyleColor(2);
  return h + 4;
}

// [SECTION] Keys

void handle_keys(const Snapshot& snap, AppState& app, TrainingWorker& worker) {
  ImGuiIO& io = ImGui::GetIO();
  // Step through: the arrows and Space step the network, so they do not also move ImGui's
  // keyboard focus (or press a focused button).
  if (app.mode == Mode::Step)
    io.ConfigFlags &= ~ImGuiConfigFlags_NavEnableKeyboard;
  else
    io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
  if (io.WantTextInput) return;
  if (io.KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_Q)) app.want_quit = true;
  if (io.KeyCtrl) return;
  if (ImGui::IsKeyPressed(GLFW_KEY_N)) worker.send(cmd::StepIteration{});
  if (ImGui::IsKeyPressed(GLFW_KEY_R, false)) worker.send(cmd::Reset{});
  if (app.mode == Mode::Step && !snap.models.empty()) {  // step_state.hpp: what each key does
    const ModelView& m = inspected_model(snap, app);
    const int k1 = snap.config.training.k1;
    const std::pair<int, StepAction> keys[] = {
        {GLFW_KEY_RIGHT, StepAction::Forward},  {GLFW_KEY_LEFT, StepAction::Back},
        {GLFW_KEY_B, StepAction::BackwardPass}, {GLFW_KEY_HOME, StepAction::Home},
        {GLFW_KEY_END, StepAction::End},        {GLFW_KEY_SPACE, StepAction::ToggleAnimate}};
    for (const auto& [key, action] : keys) {
      const bool repeat = action == StepAction::Forward || action == StepAction::Back;
      if (ImGui::IsKeyPressed(key, repeat)) step_action(action, m, k1, app.step, worker);
    }
    return;
  }
  if (ImGui::IsKeyPressed(GLFW_KEY_SPACE, false))
    worker.send(snap.playing ? Command{cmd::Pause{}} : Command{cmd::Play{}});
  if (ImGui::IsKeyPressed(GLFW_KEY_RIGHT)) worker.send(cmd::StepForward{});
  if (ImGui::IsKeyPressed(GLFW_KEY_LEFT)) worker.send(cmd::StepBackward{});
}

// CPU time the calling thread has used, in milliseconds.
double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

double process_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5));
  return v[k];
}

// The lesson --bench-frames trains: an LSTM with H = 64 on a task of T = 100 steps, batch 32.
ExperimentConfig bench_lesson() {
  ExperimentConfig c;
  c.title = "Frame-time benchmark: LSTM H = 64, T = 100, B = 32";
  c.model.name = "LSTM";
  c.model.cell = CellType::Lstm;
  c.model.hidden_size = 64;
  c.task = default_task_spec(TaskKind::Adding);
  c.task.length = 100;
  c.training.batch_size = 32;
  c.training.optimizer.learning_rate = 0.001;
  c.training.clip = {ClipMode::Norm, 1.0};
  return c;
}

}  // namespace

const ModelView& inspected_model(const Snapshot& snap, const AppState& app) {
  return snap.models[std::clamp(app.model, 0, static_cast<int>(snap.models.size()) - 1)];
}

void help_marker(const char* text) {
  ImGui::SameLine();
  ImGui::TextDisabled("(?)");
  if (ImGui::IsItemHovered()) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 28.0f);
    ImGui::TextUnformatted(text);
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
}

bool input_text(const char* label, std::string& s, size_t cap) {
  std::vector<char> buf(cap);
  std::strncpy(buf.data(), s.c_str(), cap - 1);
  if (!ImGui::InputText(label, buf.data(), cap)) return false;
  s = buf.data();
  return true;
}

// [SECTION] Main loop

// --bench-frames: what each measured frame cost, and the summary printed at the end.
struct FrameBench {
  std::vector<double> all_ms, presented_ms, ui_cpu_ms, other_cpu_ms, render_ms, submit_ms, swap_ms,
      triangles, redrawn;
  void add(const Window::FrameCost& c, double frame_ms, double ui_cpu, double other_cpu) {
    all_ms.push_back(frame_ms);
    if (c.presented) presented_ms.push_back(frame_ms);
    ui_cpu_ms.push_back(ui_cpu);
    other_cpu_ms.push_back(other_cpu);
    render_ms.push_back(c.render_ms);
    submit_ms.push_back(c.submit_ms);
    swap_ms.push_back(c.swap_ms);
    triangles.push_back(c.triangles);
    redrawn.push_back(static_cast<double>(c.redrawn_pixels));
  }
  void print() const {
    const auto line = [](const char* what, const std::vector<double>& v) {
      std::printf("%-44s p50 %6.2f ms   p99 %6.2f ms   max %6.2f ms\n", what, percentile(v, 0.5),
                  percentile(v, 0.99), percentile(v, 1.0));
    };
    std::printf("%zu frames measured, %zu presented (the others had nothing new to show)\n",
                all_ms.size(), presented_ms.size());
    line("CPU frame time, every frame:", all_ms);
    line("CPU frame time, presented frames:", presented_ms);
    line("  ImGui::Render", render_ms);
    line("  redraw changed rectangles + copy to window", submit_ms);
    line("  swap (the rasteriser finishes)", swap_ms);
    line("UI thread CPU time:", ui_cpu_ms);
    line("other threads' CPU (rasteriser, training):", other_cpu_ms);
    std::printf("triangles per frame p50 %.0f; pixels redrawn per frame p50 %.0f, p99 %.0f\n",
                percentile(triangles, 0.5), percentile(redrawn, 0.5), percentile(redrawn, 0.99));
  }
};

std::vector<const Snapshot*> pace_snapshots(const std::vector<std::string>& panels,
                                            const std::shared_ptr<const Snapshot>& latest,
                                            AppState& app) {
  const auto iteration = [](const Snapshot& s) {
    return s.models.empty() ? int64_t{0} : s.models[0].iteration;
  };
  std::vector<const Snapshot*> out(panels.size(), latest.get());
  std::vector<std::pair<uint64_t, size_t>> behind;  // (version shown, panel)
  for (size_t i = 0; i < panels.size(); ++i) {
    auto& shown = app.panel_snapshots[panels[i]];
    const bool stagger = latest->playing && shown && shown->playing &&
                         shown->version < latest->version &&
                         iteration(*shown) <= iteration(*latest);  // not across a reset
    if (!stagger)
      shown = latest;
    else
      behind.emplace_back(shown->version, i);
  }
  std::sort(behind.begin(), behind.end());
  int budget = kFrameBudget;
  bool moved = false;
  for (const auto& [version, i] : behind) {
    auto& shown = app.panel_snapshots[panels[i]];
    const int cost = app.panel_cost[panels[i]];
    if (!moved || cost <= budget) {
      shown = latest;
      budget -= cost;
      moved = true;
    }
    out[i] = shown.get();
  }
  return out;
}

int run_app(const AppOptions& o) {
  AppState app;
  app.settings_file = settings_path();
  app.settings = load_settings(app.settings_file);

  ExperimentConfig config;
  std::string error;
  if (o.bench_frames > 0) {
    config = bench_lesson();
    app.source = "benchmark";
  } else if (!o.experiment_path.empty()) {
    if (!load_experiment(o.experiment_path, config, &error)) {
      std::fprintf(stderr, "unrolled: %s\n", error.c_str());
      return 2;
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
      return 2;
    }
    app.source = "built-in: " + o.preset;
  } else {
    config = default_experiment();
    app.source = "built-in: default";
  }
  if (!o.mode.empty()) {
    const std::pair<const char*, Mode> names[] = {{"train", Mode::Train},
                                                  {"step", Mode::Step},
                                                  {"compare", Mode::Compare},
                                                  {"cliff", Mode::Cliff},
                                                  {"sweep", Mode::Sweep}};
    for (const auto& [n, m] : names)
      if (o.mode == n) app.mode = m;
    if (app.mode == Mode::Compare && config.compare.empty() && o.experiment_path.empty() &&
        o.preset.empty())
      for (const auto& [name, text] : embedded_presets())
        if (name == "compare" && parse_experiment_text(text, name, config, nullptr))
          app.source = "built-in: compare";
  }
  app.config.edit = config;
  app.seed = config.training.seed;

  Window window;
  const int width = o.width > 0 ? o.width : app.settings.window_width;
  const int height = o.height > 0 ? o.height : app.settings.window_height;
  window.set_ui_scale(o.scale > 0 ? o.scale : app.settings.ui_scale);
  const bool light = o.theme >= 0 ? o.theme == 1 : app.settings.light_theme;
  app.settings.light_theme = light;
  window.set_theme(light ? Theme::Light : Theme::Dark);
  if (!window.open(width, height, "Unrolled")) return 1;
  if (o.bench_frames > 0) glfwSwapInterval(0);  // measure the frame, not the display's refresh
  window.hide_mouse(!o.screenshot.empty() || o.bench_frames > 0);

  TrainingWorker worker;
  if (!worker.start(config, &error)) {
    std::fprintf(stderr, "unrolled: %s\n", error.c_str());
    return 2;
  }
  if (o.speed >= 0) app.speed = static_cast<float>(o.speed), app.max_speed = o.speed == 0;
  if (o.bench_frames > 0 && o.speed < 0) app.max_speed = true;
  worker.send(cmd::SetSpeed{app.max_speed ? 0.0 : app.speed});
  if (o.warmup > 0) worker.send(cmd::RunIterations{o.warmup});
  // --steps-forward / --steps-backward: time steps taken before the first frame (screenshots).
  for (int i = 0; i < o.steps_forward; ++i) worker.send(cmd::StepForward{});
  for (int i = 0; i < o.steps_backward; ++i) worker.send(cmd::StepBackward{});
  if (!o.paused) worker.send(cmd::Play{});
  worker.wait_idle();

  const std::vector<PanelDef> defs = panel_defs(app);
  FrameBench bench;
  const int total_frames = o.bench_frames > 0 ? o.bench_frames : o.frames;
  int frame = 0;
  while (!window.should_close() && !app.want_quit) {
    window.wait_for_next_frame();  // not part of the frame's time: nothing to do until then
    const auto t0 = std::chrono::steady_clock::now();
    const double cpu0 = thread_cpu_ms(), pcpu0 = process_cpu_ms();
    // A screenshot shows what the commands sent so far have produced, not a race with them.
    if (!o.screenshot.empty()) worker.wait_idle();
    window.begin_frame();
    const auto snap = worker.latest();
    handle_keys(*snap, app, worker);
    draw_menu(*snap, app, worker, window);
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImVec2 origin = vp->WorkPos, avail = vp->WorkSize;
    const float banner = draw_banner(*snap, app, worker, origin, avail.x);
    origin.y += banner;
    avail.y -= banner;
    const auto slots = layout(app, defs, origin, avail, o.only);
    request_analysis(slots, app, worker);
    std::vector<std::string> titles;
    for (const PanelSlot& s : slots) titles.emplace_back(s.def->title);
    const std::vector<const Snapshot*> shown = pace_snapshots(titles, snap, app);
    for (size_t i = 0; i < slots.size(); ++i) {
      const PanelSlot& s = slots[i];
      ImGui::SetNextWindowPos(s.pos);
      ImGui::SetNextWindowSize(s.size);
      if (ImGui::Begin(s.def->title, nullptr,
                       ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                           ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings |
                           ImGuiWindowFlags_NoBackground))
        s.def->draw(*shown[i], app, worker);
      // What redrawing it costs a software rasteriser: its triangles, and its area at one
      // triangle's cost per kPixelsPerTriangle pixels.
      app.panel_cost[s.def->title] = ImGui::GetWindowDrawList()->IdxBuffer.Size / 3 +
                                     static_cast<int>(s.size.x * s.size.y / kPixelsPerTriangle);
      ImGui::End();
    }
    window.end_frame();
    const auto t1 = std::chrono::steady_clock::now();
    if (o.bench_frames > 0 && frame >= 10) {  // the first frames build fonts and textures
      const double ui_cpu = thread_cpu_ms() - cpu0;
      bench.add(window.last_cost(), std::chrono::duration<double, std::milli>(t1 - t0).count(),
                ui_cpu, process_cpu_ms() - pcpu0 - ui_cpu);
    }
    ++frame;
    if (total_frames > 0 && frame >= total_frames + (o.bench_frames > 0 ? 10 : 0)) break;
  }
  int code = 0;
  if (!o.screenshot.empty() && !window.save_screenshot(o.screenshot)) code = 1;
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
  if (o.persist && o.screenshot.empty() && o.bench_frames == 0) {
    glfwGetWindowSize(window.glfw(), &app.settings.window_width, &app.settings.window_height);
    app.settings.ui_scale = window.ui_scale();
    save_settings(app.settings_file, app.settings);
  }
  app.panel_snapshots.clear();
  app.panel_cost.clear();
  // Heatmap textures go before the GL context.
  app.gates.release();
  app.states.release();
  app.gradients.release();
  app.sample_panel.release();
  return code;
}

}  // namespace unrolled
