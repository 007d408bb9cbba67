// The menu bar (Lesson, View, the modes, the lesson's title, the status) and the divergence banner.
#include <imgui.h>

#include <algorithm>
#include <cstdio>

#include "app/gui/gui.hpp"
#include "app/panels/panels.hpp"
#include "core/parallel.hpp"

namespace unrolled {
namespace {

void lesson_menu(AppState& app, TrainingWorker& worker) {
  if (!ImGui::BeginMenu("Lesson")) return;
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

void switch_mode(Mode mode, const Snapshot& snap, AppState& app, TrainingWorker& worker) {
  app.mode = mode;
  app.focus.reset();
  // Compare mode's default lesson: vanilla RNN against LSTM on first-symbol recall.
  if (mode != Mode::Compare || snap.models.size() >= 2) return;
  for (const auto& [name, text] : embedded_presets()) {
    ExperimentConfig c;
    if (name == "compare" && parse_experiment_text(text, name, c, nullptr)) {
      load_lesson(app, worker, c, "built-in: compare");
      worker.send(cmd::Play{});
    }
  }
}

// The modes as tabs when they fit in `room`, else one "Mode" menu.
void mode_items(const Snapshot& snap, AppState& app, TrainingWorker& worker, float room) {
  const ImGuiStyle& style = ImGui::GetStyle();
  float tabs_w = 0;
  for (const ModeInfo& m : mode_table())
    tabs_w += ImGui::CalcTextSize(m.label).x + style.ItemSpacing.x * 2;
  if (tabs_w <= room) {
    // The active mode on the header colour (a selected item), its text as every other's.
    for (const ModeInfo& m : mode_table())
      if (ImGui::MenuItem(m.label, nullptr, app.mode == m.mode))
        switch_mode(m.mode, snap, app, worker);
    return;
  }
  const std::string label = std::string(mode_info(app.mode).label) + "###modes";
  if (!ImGui::BeginMenu(label.c_str())) return;
  for (const ModeInfo& m : mode_table())
    if (ImGui::MenuItem(m.label, nullptr, app.mode == m.mode)) switch_mode(m.mode, snap, app, worker);
  ImGui::EndMenu();
}

std::string status_text(const Snapshot& snap) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "iteration %lld   %s",
                snap.models.empty() ? 0LL : static_cast<long long>(snap.models[0].iteration),
                snap.playing ? "\xE2\x96\xB6 training" : "\xE2\x80\x96 paused");
  return buf;
}

}  // namespace

void load_lesson(AppState& app, TrainingWorker& worker, const ExperimentConfig& c,
                 const std::string& source) {
  worker.send(cmd::Configure{c});
  app.config.edit = c;
  app.source = source;
  app.seed = c.training.seed;
  app.layer = app.unit = app.sample = app.model = 0;
}

bool draw_menu(const Snapshot& snap, AppState& app, TrainingWorker& worker, Window& window) {
  if (!ImGui::BeginMainMenuBar()) return false;
  lesson_menu(app, worker);
  view_menu(app, window);
  ImGui::Separator();
  // The status is always whole, at the right; the modes come next; the title gets what is left.
  const std::string status = status_text(snap);
  const float pad = ImGui::GetStyle().ItemSpacing.x * 2, width = ImGui::GetWindowWidth();
  const float status_x = width - ImGui::CalcTextSize(status.c_str()).x - pad * 1.5f;
  const float min_title = ImGui::CalcTextSize("Lesson…").x;
  mode_items(snap, app, worker, status_x - ImGui::GetCursorPosX() - min_title - pad * 2);
  ImGui::Separator();
  float end = ImGui::GetItemRectMax().x - ImGui::GetWindowPos().x;
  const std::string title = snap.config.title.empty() ? app.source : snap.config.title;
  const float room = status_x - pad - (ImGui::GetCursorPosX() + pad);
  if (room > ImGui::CalcTextSize("…").x) {
    const std::string shown = fit_text(title, room);
    const float tw = ImGui::CalcTextSize(shown.c_str()).x;
    // Centred in the window (for the back of the room) when that leaves the rest clear.
    ImGui::SetCursorPosX(std::clamp((width - tw) * 0.5f, ImGui::GetCursorPosX() + pad,
                                    status_x - pad - tw));
    ImGui::TextUnformatted(shown.c_str());
    if (shown != title && ImGui::IsItemHovered()) text_tooltip(title.c_str());
    end = ImGui::GetItemRectMax().x - ImGui::GetWindowPos().x;
  }
  // The status plays and pauses too (Space does the same), so play is at hand when the Controls
  // panel sits behind a tab.
  ImGui::SetCursorPosX(status_x);
  if (ImGui::MenuItem(status.c_str()))
    worker.send(snap.playing ? Command{cmd::Pause{}} : Command{cmd::Play{}});
  if (ImGui::IsItemHovered()) text_tooltip(snap.playing ? "Pause (Space)" : "Play (Space)");
  const bool overlap = end > status_x + 0.5f || status_x < 0;
  ImGui::EndMainMenuBar();
  return overlap;
}

float draw_banner(const Snapshot& snap, TrainingWorker& worker, ImVec2 pos, float width) {
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
  } else {
    return 0;
  }
  const ImGuiStyle& style = ImGui::GetStyle();
  const char* button = "Reset and try again";
  const float button_w = ImGui::CalcTextSize(button).x + style.FramePadding.x * 2;
  const float wrap = width - button_w - style.WindowPadding.x * 2 - style.ItemSpacing.x;
  const float text_h = ImGui::CalcTextSize(text.c_str(), nullptr, false, wrap).y;
  const float h = std::max(text_h, ImGui::GetFrameHeight()) + style.WindowPadding.y * 2;
  ImGui::SetNextWindowPos(pos);
  ImGui::SetNextWindowSize({width, h});
  const bool warning = !bad && snap.error.empty();
  ImGui::PushStyleColor(ImGuiCol_WindowBg,
                        warning ? IM_COL32(140, 90, 10, 255) : IM_COL32(150, 30, 30, 255));
  ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(255, 255, 255, 255));
  ImGui::Begin(
      "##banner", nullptr,
      ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings);
  ImGui::PushTextWrapPos(style.WindowPadding.x + wrap);
  ImGui::TextUnformatted(text.c_str());
  ImGui::PopTextWrapPos();
  if (bad) {
    ImGui::SameLine(width - button_w - style.WindowPadding.x);
    if (ImGui::Button(button)) worker.send(cmd::Reset{});
  }
  ImGui::End();
  ImGui::PopStyleColor(2);
  return h + 4;
}

}  // namespace unrolled
