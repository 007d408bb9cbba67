// The keyboard. Step through gives the arrows, B, Home, End and Space to the step planner
// (step_plan.hpp); elsewhere Space plays and pauses. F maximises the panel under the mouse and Esc
// brings the layout back.
#include <GLFW/glfw3.h>
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

}  // namespace

void handle_keys(const Snapshot& snap, AppState& app, TrainingWorker& worker) {
  const ImGuiIO& io = ImGui::GetIO();  // no keyboard navigation: the arrows and Space are ours
  if (io.WantTextInput) return;
  if (io.KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_Q)) app.want_quit = true;
  if (io.KeyCtrl) return;
  if (ImGui::IsKeyPressed(GLFW_KEY_ESCAPE, false)) app.focus.reset();
  if (ImGui::IsKeyPressed(GLFW_KEY_F, false) && app.hovered_panel)
    app.focus = app.focus ? std::nullopt : app.hovered_panel;
  if (ImGui::IsKeyPressed(GLFW_KEY_N)) worker.send(cmd::StepIteration{});
  if (ImGui::IsKeyPressed(GLFW_KEY_R, false)) worker.send(cmd::Reset{});
  if (app.mode == Mode::Step && !snap.models.empty()) return step_keys(snap, app, worker);
  if (ImGui::IsKeyPressed(GLFW_KEY_SPACE, false))
    worker.send(snap.playing ? Command{cmd::Pause{}} : Command{cmd::Play{}});
  if (ImGui::IsKeyPressed(GLFW_KEY_RIGHT)) worker.send(cmd::StepForward{});
  if (ImGui::IsKeyPressed(GLFW_KEY_LEFT)) step_back_in_time(snap, app, worker);
}

}  // namespace unrolled
