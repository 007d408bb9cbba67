// The menu bar (Lesson, View, the modes, the lesson's title, the status) and the divergence banner.
#include <imgui.h>

#include <algorithm>
#include <cstdio>

#include "app/gui/gui.hpp"
#include "app/panels/panels.hpp"
#include "core/parallel.hpp"

namespace unrolled {
namespace {

struct LessonEntry {
  std::string name;
  ExperimentConfig config;
};

// The built-in lessons: the course in teaching order first, then the others by name.
std::vector<LessonEntry> lesson_entries() {
  std::vector<LessonEntry> out;
  for (const auto& [name, text] : embedded_presets()) {
    LessonEntry e{name, {}};
    if (parse_experiment_text(text, name, e.config, nullptr)) out.push_back(std::move(e));
  }
  const auto order = [](const LessonEntry& e) {
    return e.config.course_order > 0 ? e.config.course_order : 1000;
  };
  std::stable_sort(out.begin(), out.end(),
                   [&](const LessonEntry& a, const LessonEntry& b) { return order(a) < order(b); });
  return out;
}

void lesson_item(const LessonEntry& e, const Snapshot& snap, AppState& app,
                 TrainingWorker& worker) {
  const ExperimentConfig& c = e.config;
  std::string label = c.course_order > 0 ? std::to_string(c.course_order) + ".  " : "";
  label += notation(c.title) + "###" + e.name;
  const std::string summary = notation(c.summary.empty() ? e.name : c.summary);
  if (ImGui::MenuItem(label.c_str(), summary.c_str()))
    ask_to_load(snap, app, worker, c, "built-in: " + e.name);
  if (ImGui::IsItemHovered())
    text_tooltip(notation(c.description + (c.tour.empty() ? "" : "\n\nA guided tour of " +
                                           std::to_string(c.tour.size()) + " steps."))
                     .c_str());
}

// The lesson's model as it is now, in the Inspect view: type a review into the sentiment lesson's
// LSTM, a seed text into the character model's.
void probe_item(AppState& app, TrainingWorker& worker) {
  const auto lesson = worker.latest();
  const bool can = !lesson->models.empty() && lesson->models[0].spec.hidden_size > 0;
  if (ImGui::MenuItem("Probe this model", nullptr, false, can)) {
    std::string error;
    if (probe_lesson(app, *lesson, &error))
      worker.send(cmd::Pause{});  // the lesson waits behind the view
    else
      app.inspect.error = error;
  }
  if (ImGui::IsItemHovered())
    text_tooltip("The lesson's model with its weights as they are now, in the Inspect view: type "
                 "your own input (words, characters or numbers, as the lesson's task reads them) "
                 "and see its gates, states and what its output depends on. Training waits.");
}

void lesson_menu(const Snapshot& snap, AppState& app, TrainingWorker& worker) {
  if (!ImGui::BeginMenu("Lesson")) return;
  const std::vector<LessonEntry> entries = lesson_entries();
  bool course = false;
  for (const LessonEntry& e : entries) {
    if (e.config.course_order > 0 && !course) ImGui::TextDisabled("The course, in teaching order");
    if (e.config.course_order == 0 && course) {
      ImGui::Separator();
      ImGui::TextDisabled("More lessons");
    }
    course = e.config.course_order > 0;
    lesson_item(e, snap, app, worker);
  }
  ImGui::Separator();
  probe_item(app, worker);
  // Sessions and undo here too: a File menu of their own would not leave the menu bar room at
  // 1280x720 with large text.
  ImGui::Separator();
  session_menu_items(app, worker);
  ImGui::Separator();
  if (ImGui::MenuItem("Quit", "Ctrl+Q")) app.want_quit = true;
  ImGui::EndMenu();
}

// When the window has no room for the tour's card (huge text on a small screen), the step opens
// from the menu bar: a menu "3/9" with the step's title and text, Back and Next.
void tour_menu_items(AppState& app) {
  const TourState& t = app.tour;
  if (t.steps.empty() || t.card.h > 0 || app.mode == Mode::Inspect) return;
  char label[48];
  std::snprintf(label, sizeof label, "%d/%zu###tour", t.step + 1, t.steps.size());
  if (!ImGui::BeginMenu(label)) return;
  ImGui::PushTextWrapPos(ImGui::GetFontSize() * 24);
  ImGui::TextUnformatted(notation(t.steps[t.step].title).c_str());
  ImGui::TextUnformatted(notation(t.steps[t.step].text).c_str());
  ImGui::PopTextWrapPos();
  ImGui::Separator();
  if (ImGui::MenuItem("Back", "PageUp", false, t.step > 0)) tour_back(app);
  if (ImGui::MenuItem("Next", "PageDown", false,
                      t.step + 1 < static_cast<int>(t.steps.size()) || t.asking))
    tour_next(app);
  ImGui::EndMenu();
}

// While presenting, the little that is still needed at hand: play, pause, reset, speed, leave.
void presenter_menu(const Snapshot& snap, AppState& app, TrainingWorker& worker, Window& window) {
  if (!app.presenter.on || !ImGui::BeginMenu("Presenting")) return;
  if (ImGui::MenuItem(snap.playing ? "Pause" : "Play", "Space"))
    worker.send(snap.playing ? Command{cmd::Pause{}} : Command{cmd::Play{}});
  if (ImGui::MenuItem("Reset", "R")) reset_run(app, worker);
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
  if (ImGui::SliderFloat("iterations / s", &app.speed, 1, 500, "%.0f", ImGuiSliderFlags_Logarithmic))
    worker.send(cmd::SetSpeed{app.speed});
  if (ImGui::MenuItem("Blank the screen", "B")) app.presenter.blank = true;
  if (ImGui::MenuItem("Stop presenting", "Esc")) set_presenting(app, window, false);
  ImGui::EndMenu();
}

void view_menu(AppState& app, Window& window) {
  if (!ImGui::BeginMenu("View")) return;
  ImGui::TextDisabled("Panels of this mode");
  for (const PanelInfo& p : panel_table()) {
    if (!p.switchable || !(p.modes & mode_bit(app.mode))) continue;
    bool on = !app.settings.hidden[index_of(p.id)];
    if (ImGui::MenuItem(p.title, nullptr, &on)) app.settings.hidden[index_of(p.id)] = !on;
    if (ImGui::IsItemHovered()) text_tooltip(p.about);
  }
  ImGui::Separator();
  if (ImGui::MenuItem("Present", "F5", app.presenter.on))
    set_presenting(app, window, !app.presenter.on);
  if (ImGui::IsItemHovered())
    text_tooltip("Full screen, larger text, the tour's card and the step's panels only. B blanks "
                 "the screen, Esc leaves.");
  if (app.focus && ImGui::MenuItem("Back to the layout", "Esc")) app.focus.reset();
  if (ImGui::MenuItem("Larger text", "Ctrl +"))
    window.set_ui_scale(window.ui_scale() * Window::kScaleStep);
  if (ImGui::MenuItem("Smaller text", "Ctrl -"))
    window.set_ui_scale(window.ui_scale() / Window::kScaleStep);
  int threads = thread_count();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
  if (ImGui::SliderInt("training threads", &threads, 1, hardware_threads()))
    set_thread_count(threads);  // from the next iteration; the numbers do not change
  if (ImGui::IsItemHovered())
    text_tooltip("Threads for training: compare mode's models, the sweep's runs and large "
                 "batches run in parallel. The results are bit for bit the same at any count.");
  if (ImGui::MenuItem("Light theme (projectors)", nullptr, app.settings.light_theme)) {
    app.settings.light_theme = !app.settings.light_theme;
    window.set_theme(app.settings.light_theme ? Theme::Light : Theme::Dark);
  }
  ImGui::EndMenu();
}

void switch_mode(Mode mode, const Snapshot& snap, AppState& app) {
  const Mode from = app.mode;
  app.mode = mode;
  app.focus.reset();
  app.tour.limit_panels = false;  // the class left the step's view
  // Compare with a one-model lesson asks what to compare it with; it never replaces the lesson.
  if (mode == Mode::Compare && from != Mode::Compare) ask_compare(snap, app, from);
}

// The modes as tabs when they fit in `room`, else one "Mode" menu.
void mode_items(const Snapshot& snap, AppState& app, float room) {
  const ImGuiStyle& style = ImGui::GetStyle();
  // Inspect is a mode once a model is open (`unrolled open MODEL`, Lesson → Probe this model).
  const auto offered = [&](const ModeInfo& m) {
    return m.mode != Mode::Inspect || app.inspect.active;
  };
  float tabs_w = 0;
  for (const ModeInfo& m : mode_table())
    if (offered(m)) tabs_w += ImGui::CalcTextSize(m.label).x + style.ItemSpacing.x * 2;
  if (tabs_w <= room) {
    // The active mode on the header colour (a selected item), its text as every other's.
    for (const ModeInfo& m : mode_table())
      if (offered(m) && ImGui::MenuItem(m.label, nullptr, app.mode == m.mode))
        switch_mode(m.mode, snap, app);
    return;
  }
  const std::string label = std::string(mode_info(app.mode).label) + "###modes";
  if (!ImGui::BeginMenu(label.c_str())) return;
  for (const ModeInfo& m : mode_table())
    if (offered(m) && ImGui::MenuItem(m.label, nullptr, app.mode == m.mode))
      switch_mode(m.mode, snap, app);
  ImGui::EndMenu();
}

bool any_diverged(const Snapshot& snap) {
  return std::any_of(snap.models.begin(), snap.models.end(),
                     [](const ModelView& m) { return m.phase == Phase::Diverged; });
}

// The status at the right of the menu bar and what clicking it does (its tooltip says). In the
// gradient cliff mode it is the cliff's descent, which the mode shows, not the training lesson's.
struct Status {
  std::string text;
  std::string tip;
};

Status status_of(const Snapshot& snap, const AppState& app) {
  char buf[128];
  if (app.mode == Mode::Inspect)
    return {"inspecting \xC2\xB7 no training",
            "A trained model on the input you type: one forward pass, and the gradient of the "
            "chosen output. Nothing trains here; the lesson waits in the other modes."};
  if (app.mode == Mode::Cliff) {
    const CliffPanelState& st = app.lab.cliff;
    std::snprintf(buf, sizeof buf, "descent step %d of %d   %s",
                  std::clamp(static_cast<int>(st.shown), 0, st.steps), st.steps,
                  st.animate ? "\xE2\x96\xB6 animating" : "\xE2\x80\x96 stopped");
    return {buf, st.animate ? "Stop the descent's animation" : "Animate the descent from step 0"};
  }
  const long long it = snap.models.empty() ? 0LL : static_cast<long long>(snap.models[0].iteration);
  if (any_diverged(snap)) {
    std::snprintf(buf, sizeof buf, "iteration %lld   \xE2\x96\xA0 diverged", it);
    return {buf, "Training diverged and stopped: Reset (R) starts again from the seed"};
  }
  const char* state = snap.playing             ? "\xE2\x96\xB6 training"
                      : app.mode == Mode::Step ? "\xE2\x80\x96 paused: stepping"
                                               : "\xE2\x80\x96 paused";
  std::snprintf(buf, sizeof buf, "iteration %lld   %s", it, state);
  return {buf, snap.playing ? "Pause (Space)"
               : app.mode == Mode::Step
                   ? "Training is paused while you step through an iteration. Play trains on "
                     "(a step key pauses it again)."
                   : "Play (Space)"};
}

void status_clicked(const Snapshot& snap, AppState& app, TrainingWorker& worker) {
  if (app.mode == Mode::Cliff) {
    CliffPanelState& st = app.lab.cliff;
    st.animate = !st.animate;
    if (st.animate) st.shown = 0;
  } else if (app.mode != Mode::Inspect && !any_diverged(snap)) {
    worker.send(snap.playing ? Command{cmd::Pause{}} : Command{cmd::Play{}});
  }
}

// The title in the middle of the menu bar, and its tooltip.
LessonHeading heading_of(const Snapshot& snap, const AppState& app) {
  if (app.mode == Mode::Inspect) {
    const InspectModel& m = app.inspect.model;
    std::string about = "Inspecting " + m.source + " (" + m.format + ").";
    for (const std::string& n : m.notes) about += "\n" + n;
    return {"Inspect: " + m.name, about, false};
  }
  if (app.mode != Mode::Cliff) return lesson_heading(snap, app);
  return {"Gradient cliff: loss over (w, b)",
          notation("The loss of the one-unit recurrence x_t = w σ(x_{t−1}) + b after 50 steps, "
                   "over its two parameters, and gradient descent on it with and without "
                   "clipping (Pascanu, Mikolov and Bengio 2013, Figure 6). This mode does not "
                   "show the training lesson, which waits in the other modes."),
          false};
}

}  // namespace

void load_lesson(AppState& app, TrainingWorker& worker, const ExperimentConfig& c,
                 const std::string& source) {
  remember(app, worker, "switching lessons");
  worker.send(cmd::Configure{c});
  app.config.edit = c;
  app.source = source;
  app.lesson = c;
  app.seed = c.training.seed;
  app.layer = app.unit = app.sample = app.model = 0;
  start_tour(app, c, true);
}

LessonHeading lesson_heading(const Snapshot& snap, const AppState& app) {
  LessonHeading h;
  const std::string& title = snap.config.title.empty() ? app.source : snap.config.title;
  h.edited = lesson_edited(snap.config, app.lesson);
  h.title = h.edited ? "edited: " + title : title;
  h.description = snap.config.description;
  if (h.edited)
    h.description =
        "You have changed this lesson's experiment, so what follows describes the "
        "original lesson, not what runs now:\n\n" +
        h.description;
  return h;
}

MenuReport draw_menu(const Snapshot& snap, AppState& app, TrainingWorker& worker, Window& window) {
  MenuReport r;
  if (!ImGui::BeginMainMenuBar()) return r;
  lesson_menu(snap, app, worker);
  view_menu(app, window);
  presenter_menu(snap, app, worker, window);
  tour_menu_items(app);
  ImGui::Separator();
  // The status is always whole, at the right; the modes come next; the title gets what is left.
  const Status status = status_of(snap, app);
  const float pad = ImGui::GetStyle().ItemSpacing.x * 2, width = ImGui::GetWindowWidth();
  const float status_x = width - ImGui::CalcTextSize(status.text.c_str()).x - pad * 1.5f;
  const float min_title = ImGui::CalcTextSize("Lesson…").x;
  mode_items(snap, app, status_x - ImGui::GetCursorPosX() - min_title - pad * 2);
  ImGui::Separator();
  float end = ImGui::GetItemRectMax().x - ImGui::GetWindowPos().x;
  const LessonHeading heading = heading_of(snap, app);
  const std::string& title = heading.title;
  const float room = status_x - pad - (ImGui::GetCursorPosX() + pad);
  if (room > ImGui::CalcTextSize("…").x) {
    const std::string shown = fit_text(title, room);
    const float tw = ImGui::CalcTextSize(shown.c_str()).x;
    // Centred in the window (for the back of the room) when that leaves the rest clear.
    ImGui::SetCursorPosX(std::clamp((width - tw) * 0.5f, ImGui::GetCursorPosX() + pad,
                                    status_x - pad - tw));
    ImGui::TextUnformatted(shown.c_str());
    if (ImGui::IsItemHovered())
      text_tooltip(
          (shown != title ? title + "\n\n" + heading.description : heading.description).c_str());
    end = ImGui::GetItemRectMax().x - ImGui::GetWindowPos().x;
  }
  // The status plays and pauses too (Space does the same), so play is at hand when the Controls
  // panel sits behind a tab.
  ImGui::SetCursorPosX(status_x);
  if (ImGui::MenuItem(status.text.c_str())) status_clicked(snap, app, worker);
  if (ImGui::IsItemHovered()) text_tooltip(status.tip.c_str());
  r.overlap = end > status_x + 0.5f || status_x < 0;
  r.title = title;
  r.status = status.text;
  ImGui::EndMainMenuBar();
  return r;
}

float draw_banner(const Snapshot& snap, AppState& app, TrainingWorker& worker, ImVec2 pos,
                  float width, std::string* shown) {
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
  } else if (!snap.warning.empty()) {
    text = "Slow lesson: " + snap.warning;  // amber, no button
  } else if (snap.viewing >= 0) {
    text = "Viewing iteration " + std::to_string(snap.viewing) + " of " +
           std::to_string(snap.live_iteration) +
           (snap.playing ? " (training goes on behind it)" : " (training paused)");
  } else {
    return 0;
  }
  if (shown) *shown = text;
  const ImGuiStyle& style = ImGui::GetStyle();
  const bool past = !bad && snap.error.empty() && snap.warning.empty();
  const char* button = past ? "Back to live" : "Reset and try again";
  const float button_w = ImGui::CalcTextSize(button).x + style.FramePadding.x * 2;
  const float wrap = width - button_w - style.WindowPadding.x * 2 - style.ItemSpacing.x;
  const float text_h = ImGui::CalcTextSize(text.c_str(), nullptr, false, wrap).y;
  const float h = std::max(text_h, ImGui::GetFrameHeight()) + style.WindowPadding.y * 2;
  ImGui::SetNextWindowPos(pos);
  ImGui::SetNextWindowSize({width, h});
  const bool warning = !bad && snap.error.empty() && !past;
  ImGui::PushStyleColor(ImGuiCol_WindowBg, past      ? IM_COL32(30, 80, 150, 255)
                                           : warning ? IM_COL32(140, 90, 10, 255)
                                                     : IM_COL32(150, 30, 30, 255));
  ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(255, 255, 255, 255));
  ImGui::Begin(
      "##banner", nullptr,
      ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings);
  ImGui::PushTextWrapPos(style.WindowPadding.x + wrap);
  ImGui::TextUnformatted(text.c_str());
  ImGui::PopTextWrapPos();
  if (bad || past) {
    ImGui::SameLine(width - button_w - style.WindowPadding.x);
    if (ImGui::Button(button)) past ? worker.send(cmd::BackToLive{}) : reset_run(app, worker);
  }
  ImGui::End();
  ImGui::PopStyleColor(2);
  return h + 4;
}

}  // namespace unrolled
