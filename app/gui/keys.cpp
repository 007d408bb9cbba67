// The keyboard. Step through gives the arrows, B, Home, End and Space to the step planner
// (step_plan.hpp); elsewhere Space plays and pauses. F maximises the panel under the mouse and Esc
// brings the layout back.
#include <GLFW/glfw3.h>
#include <algorithm>
#include <imgui.h>

#include "app/gui/gui.hpp"
#include "app/panels/panels.hpp"

namespace unrolled {
namespace {

void step_keys(const Snapshot& snap, AppState& app, TrainingWorker& worker) {
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
}

// Any key at all (a blanked screen comes back on any key).
bool any_key_pressed() {
  const ImGuiIO& io = ImGui::GetIO();
  for (int k = 0; k < IM_ARRAYSIZE(io.KeysDown); ++k)
    if (ImGui::IsKeyPressed(k, false)) return true;
  return ImGui::IsMouseClicked(ImGuiMouseButton_Left);
}

// The tour's keys: PageDown / PageUp (what presentation clickers send) always; → ← and Space while
// the card has focus (or while presenting). True when a key was the tour's.
bool tour_keys(AppState& app) {
  if (!tour_active(app)) return false;
  const bool card = app.tour.card_focused || app.presenter.on;
  if (ImGui::IsKeyPressed(GLFW_KEY_PAGE_DOWN) ||
      (card && (ImGui::IsKeyPressed(GLFW_KEY_RIGHT) || ImGui::IsKeyPressed(GLFW_KEY_SPACE, false)))) {
    tour_next(app);
    return true;
  }
  if (ImGui::IsKeyPressed(GLFW_KEY_PAGE_UP) || (card && ImGui::IsKeyPressed(GLFW_KEY_LEFT))) {
    tour_back(app);
    return true;
  }
  return false;
}

// Presenter mode: F5 in and out, Esc out, B blanks the screen until any key.
bool presenter_keys(AppState& app, Window& window) {
  PresenterState& p = app.presenter;
  if (p.on && p.blank) {
    if (any_key_pressed()) p.blank = false;
    return true;
  }
  if (ImGui::IsKeyPressed(GLFW_KEY_F5, false)) {
    set_presenting(app, window, !p.on);
    return true;
  }
  if (!p.on) return false;
  if (ImGui::IsKeyPressed(GLFW_KEY_ESCAPE, false)) {
    set_presenting(app, window, false);
    return true;
  }
  if (ImGui::IsKeyPressed(GLFW_KEY_B, false)) {
    p.blank = true;
    return true;
  }
  p.scale = window.ui_scale();  // Ctrl +/− (the window's keys) adjust the projector's text
  return false;
}

}  // namespace

void set_presenting(AppState& app, Window& window, bool on) {
  PresenterState& p = app.presenter;
  if (on == p.on) return;
  p.on = on;
  p.blank = false;
  if (on) {
    p.saved_scale = window.ui_scale();
    window.set_ui_scale(p.scale);
    app.focus.reset();
  } else {
    window.set_ui_scale(p.saved_scale);
  }
  window.set_fullscreen(on);
}

namespace {
// Inspect: ← → move the inspected step (the cell inspector, the graph).
void inspect_keys(AppState& app) {
  const auto& snap = app.inspect.snapshot;
  const int T = snap && !snap->models.empty() ? snap->models[0].steps : 0;
  if (ImGui::IsKeyPressed(GLFW_KEY_RIGHT))
    app.step.t = std::min(app.step.t + 1, std::max(T - 1, 0));
  if (ImGui::IsKeyPressed(GLFW_KEY_LEFT)) app.step.t = std::max(app.step.t - 1, 0);
}
}  // namespace

void handle_keys(const Snapshot& snap, AppState& app, TrainingWorker& worker, Window& window) {
  const ImGuiIO& io = ImGui::GetIO();  // no keyboard navigation: the arrows and Space are ours
  if (io.WantTextInput) return;
  if (io.KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_Q)) app.want_quit = true;
  if (io.KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_Z, false))
    io.KeyShift ? redo(app, worker) : undo(app, worker);
  if (io.KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_S, false)) app.sessions.asking_save = true;
  if (io.KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_O, false)) app.sessions.asking_open = true;
  if (io.KeyCtrl) return;
  if (presenter_keys(app, window) || tour_keys(app)) return;
  if (ImGui::IsKeyPressed(GLFW_KEY_ESCAPE, false)) app.focus.reset();
  if (ImGui::IsKeyPressed(GLFW_KEY_F, false) && app.hovered_panel)
    app.focus = app.focus ? std::nullopt : app.hovered_panel;
  if (app.mode == Mode::Inspect) return inspect_keys(app);  // nothing trains in Inspect
  if (ImGui::IsKeyPressed(GLFW_KEY_N)) worker.send(cmd::StepIteration{});
  if (ImGui::IsKeyPressed(GLFW_KEY_R, false)) reset_run(app, worker);
  if (app.mode == Mode::Step && !snap.models.empty()) return step_keys(snap, app, worker);
  if (ImGui::IsKeyPressed(GLFW_KEY_SPACE, false))
    worker.send(snap.playing ? Command{cmd::Pause{}} : Command{cmd::Play{}});
  if (ImGui::IsKeyPressed(GLFW_KEY_RIGHT)) worker.send(cmd::StepForward{});
  if (ImGui::IsKeyPressed(GLFW_KEY_LEFT)) step_back_in_time(snap, app, worker);
}

}  // namespace unrolled
