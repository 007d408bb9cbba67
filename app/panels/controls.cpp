// Controls: play/pause, one iteration, one time step forward or back, reset, speed, seed, and
// where the trainer is in its iteration (phase and time step).
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/panels/panels.hpp"
#include "app/panels/step_state.hpp"

namespace unrolled {
namespace {

const char* phase_text(const ModelView& m) {
  switch (m.phase) {
    case Phase::Ready:
      return "ready: the next step draws a new batch";
    case Phase::Forward:
      return "forward pass";
    case Phase::Backward:
      return m.profile_sweep ? "backward: decay-profile sweep" : "backward pass (BPTT)";
    case Phase::Update:
      return "gradients ready: next is the update";
    case Phase::Diverged:
      return "diverged";
  }
  return "";
}

}  // namespace

void draw_controls_panel(const Snapshot& snap, AppState& app, TrainingWorker& worker) {
  const ImGuiStyle& style = ImGui::GetStyle();
  const float w = ImGui::GetContentRegionAvail().x;
  const float bw = (w - 2 * style.ItemSpacing.x) / 3;
  // Short labels when the long ones would be cut (the narrow column of Step through).
  const bool narrow = std::max(ImGui::CalcTextSize("Step iteration").x,
                               ImGui::CalcTextSize("\xE2\x86\x90 Backward t").x) +
                          2 * style.FramePadding.x >
                      bw;

  if (ImGui::Button(snap.playing ? "\xE2\x80\x96 Pause" : "\xE2\x96\xB6 Play", {bw, 0}))
    worker.send(snap.playing ? Command{cmd::Pause{}} : Command{cmd::Play{}});
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Space: start or stop training");
  ImGui::SameLine();
  if (ImGui::Button(narrow ? "Iteration" : "Step iteration", {bw, 0}))
    worker.send(cmd::StepIteration{});
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip(
        "N: finish this iteration, or run one whole iteration:\nforward, BPTT, clip, update");
  ImGui::SameLine();
  if (ImGui::Button("Reset", {bw, 0})) worker.send(cmd::Reset{});
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("R: weights and data back to the seed; history cleared");

  // The time-step buttons do what the arrow keys do in the current mode: in Step through they
  // are the graph's ← and → (step_state.hpp), elsewhere one forward / one BPTT step.
  const bool step_mode = app.mode == Mode::Step && !snap.models.empty();
  const auto step = [&](StepAction a, Command outside_step_mode) {
    if (step_mode)
      step_action(a, inspected_model(snap, app), snap.config.training.k1, app.step, worker);
    else
      worker.send(outside_step_mode);
  };
  if (ImGui::Button(narrow ? "\xE2\x86\x92 t" : "\xE2\x86\x92 Forward t", {bw, 0}))
    step(StepAction::Forward, cmd::StepForward{});
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip(step_mode ? "Right arrow: forward in time. In the forward pass, compute the "
                                  "next time step;\nin the backward pass, move the inspected cell "
                                  "right over computed gradients"
                                : "Right arrow: compute one more time step of the forward pass");
  ImGui::SameLine();
  if (ImGui::Button(narrow ? "\xE2\x86\x90 t" : "\xE2\x86\x90 Backward t", {bw, 0}))
    step(StepAction::Back, cmd::StepBackward{});
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip(step_mode ? "Left arrow: back in time. In the forward pass, move the "
                                  "inspected cell back;\nin the backward pass, back-propagate "
                                  "through one more time step (B starts BPTT)"
                                : "Left arrow: back-propagate through one more time step "
                                  "(finishing the forward pass first)");
  ImGui::SameLine();
  if (ImGui::Button("Update", {bw, 0})) worker.send(cmd::ApplyUpdate{});
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Finish BPTT, clip the gradient and take the optimiser step");

  ImGui::Spacing();
  ImGui::SetNextItemWidth(w * 0.62f);
  ImGui::BeginDisabled(app.max_speed);
  if (ImGui::SliderFloat("##speed", &app.speed, 0.5f, 1000.0f, "%.1f it/s",
                         ImGuiSliderFlags_Logarithmic)) {
    worker.send(cmd::SetSpeed{app.speed});
  }
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
    ImGui::SetTooltip("Iterations per second: slow motion on the left, quick on the right");
  ImGui::SameLine();
  if (ImGui::Checkbox("full speed", &app.max_speed)) {
    worker.send(cmd::SetSpeed{app.max_speed ? 0.0 : app.speed});
  }

  int seed = static_cast<int>(std::min<uint64_t>(app.seed, 1'000'000'000));
  ImGui::SetNextItemWidth(w * 0.4f);
  if (ImGui::InputInt("seed", &seed, 1, 10, ImGuiInputTextFlags_EnterReturnsTrue) ||
      (ImGui::IsItemDeactivatedAfterEdit())) {
    app.seed = static_cast<uint64_t>(std::max(seed, 0));
    worker.send(cmd::Reseed{app.seed});
  }
  help_marker(
      "One seed drives the weights and the data. The same seed gives the same numbers, bit for "
      "bit; changing it restarts training.");

  ImGui::Separator();
  if (snap.models.empty()) return;
  for (const ModelView& m : snap.models) {
    ImGui::Text("%s", m.name.c_str());
    ImGui::SameLine();
    ImGui::TextDisabled("iteration %lld", static_cast<long long>(m.iteration));
    char where[96] = "";
    if (m.phase == Phase::Forward)
      std::snprintf(where, sizeof where, "  t = %d of %d", m.forward_t, m.steps);
    if (m.phase == Phase::Backward && !m.profile_sweep)
      std::snprintf(where, sizeof where, "  next t = %d", m.backward_t + 1);
    ImGui::Text("  %s%s", phase_text(m), where);
    if (std::isfinite(m.last_loss)) {
      ImGui::Text("  loss %.4f", m.last_loss);
      ImGui::SameLine();
      ImGui::TextDisabled("(chance %.4f)", snap.task.baseline);
      if (std::isfinite(m.last_accuracy)) {
        ImGui::SameLine();
        ImGui::Text("  accuracy %.0f%%", 100 * m.last_accuracy);
      }
    }
  }
  if (snap.playing) ImGui::TextDisabled("%.0f iterations per second", snap.measured_speed);
}

}  // namespace unrolled
