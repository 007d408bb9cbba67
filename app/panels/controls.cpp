// Controls: play/pause, one iteration, one time step forward or back, reset, speed, seed, and
// where the trainer is in its iteration (phase and time step).
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <string>

#include "app/gui/gui.hpp"
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

// The six buttons in as many columns as their labels fit (3, 2 or 1), short labels when the long
// ones would be cut: a label is never clipped by its button.
struct ButtonGrid {
  int cols = 3;
  bool narrow = false;
  float width = 0;
  int placed = 0;
  ButtonGrid() {
    const ImGuiStyle& style = ImGui::GetStyle();
    const float w = ImGui::GetContentRegionAvail().x;
    const auto widest = [&](std::initializer_list<const char*> labels) {
      float m = 0;
      for (const char* l : labels) m = std::max(m, ImGui::CalcTextSize(l).x);
      return m + 2 * style.FramePadding.x;
    };
    const float long_w =
        widest({"Step iteration", "\xE2\x86\x90 Backward t", "\xE2\x80\x96 Pause"});
    const float short_w = widest({"Iteration", "Update", "\xE2\x80\x96 Pause", "Reset"});
    for (cols = 3; cols > 1; --cols) {
      width = (w - (cols - 1) * style.ItemSpacing.x) / cols;
      if (width >= short_w) break;
    }
    width = (w - (cols - 1) * style.ItemSpacing.x) / cols;
    narrow = width < long_w;
  }
  bool button(const char* long_label, const char* short_label, const char* tooltip) {
    if (placed++ % cols) ImGui::SameLine();
    const bool pressed = ImGui::Button(narrow ? short_label : long_label, {width, 0});
    if (ImGui::IsItemHovered()) text_tooltip(tooltip);
    return pressed;
  }
};

void draw_buttons(const Snapshot& snap, AppState& app, TrainingWorker& worker) {
  ButtonGrid grid;
  const char* play = snap.playing ? "\xE2\x80\x96 Pause" : "\xE2\x96\xB6 Play";
  report_value(app, "play button", play);
  if (grid.button(play, play, "Space: start or stop training"))
    worker.send(snap.playing ? Command{cmd::Pause{}} : Command{cmd::Play{}});
  if (grid.button("Step iteration", "Iteration",
                  "N: finish this iteration, or run one whole iteration:\nforward, BPTT, clip, "
                  "update"))
    worker.send(cmd::StepIteration{});
  if (grid.button("Reset", "Reset",
                  "R: weights and data back to the seed; history cleared (Ctrl+Z undoes it)"))
    reset_run(app, worker);

  // The time-step buttons do what the arrow keys do in the current mode: in Step through they
  // are the graph's ← and → (step_plan.hpp), elsewhere one forward / one BPTT step.
  const bool step_mode = app.mode == Mode::Step && !snap.models.empty();
  const auto step = [&](StepAction a, Command c) {
    if (step_mode)
      step_action(a, inspected_model(snap, app), snap.config.training.k1, app.step, worker);
    else
      worker.send(std::move(c));
  };
  if (grid.button("\xE2\x86\x92 Forward t", "\xE2\x86\x92 t",
                  step_mode ? "Right arrow: forward in time. In the forward pass, compute the "
                              "next time step;\nin the backward pass, move the inspected cell "
                              "right over computed gradients"
                            : "Right arrow: compute one more time step of the forward pass"))
    step(StepAction::Forward, cmd::StepForward{});
  if (grid.button("\xE2\x86\x90 Backward t", "\xE2\x86\x90 t",
                  step_mode ? "Left arrow: back in time. In the forward pass, move the "
                              "inspected cell back;\nin the backward pass, back-propagate "
                              "through one more time step (B starts BPTT)"
                            : "Left arrow: back-propagate through one more time step, once "
                              "the forward pass is complete (\xE2\x86\x92 takes it to t = T)")) {
    if (step_mode)
      step(StepAction::Back, cmd::StepBackward{});
    else
      step_back_in_time(snap, app, worker);
  }
  if (grid.button("Update", "Update", "Finish BPTT, clip the gradient and take the optimiser step"))
    worker.send(cmd::ApplyUpdate{});
}

// The speed slider with "full speed" beside it (below it when the panel is narrow), and the seed.
void draw_speed_and_seed(AppState& app, TrainingWorker& worker) {
  const ImGuiStyle& style = ImGui::GetStyle();
  const float em = ImGui::GetFontSize(), w = ImGui::GetContentRegionAvail().x;
  const float check_w =
      ImGui::GetFrameHeight() + style.ItemInnerSpacing.x + ImGui::CalcTextSize("full speed").x;
  const bool beside = w - check_w - em >= 7 * em;
  ImGui::SetNextItemWidth(beside ? w - check_w - em : w);
  ImGui::BeginDisabled(app.max_speed);
  if (ImGui::SliderFloat("##speed", &app.speed, 0.5f, 1000.0f, "%.1f it/s",
                         ImGuiSliderFlags_Logarithmic)) {
    worker.send(cmd::SetSpeed{app.speed});
  }
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
    text_tooltip("Iterations per second: slow motion on the left, quick on the right");
  if (beside) ImGui::SameLine(0, em);
  if (ImGui::Checkbox("full speed", &app.max_speed)) {
    worker.send(cmd::SetSpeed{app.max_speed ? 0.0 : app.speed});
  }
  report_value(app, "speed", app.max_speed ? "full" : fmt_num(app.speed) + " it/s");

  int seed = static_cast<int>(std::min<uint64_t>(app.seed, 1'000'000'000));
  // The field takes what "seed (?)" leaves, at most 9 em.
  const float label_w = style.ItemInnerSpacing.x + ImGui::CalcTextSize("seed").x +
                        style.ItemSpacing.x + ImGui::CalcTextSize("(?)").x;
  ImGui::SetNextItemWidth(std::clamp(w - label_w, 4 * em, 9 * em));
  if (ImGui::InputInt("seed", &seed, 1, 10, ImGuiInputTextFlags_EnterReturnsTrue) ||
      (ImGui::IsItemDeactivatedAfterEdit())) {
    app.seed = static_cast<uint64_t>(std::max(seed, 0));
    worker.send(cmd::Reseed{app.seed});
  }
  help_marker(
      "One seed drives the weights and the data. The same seed gives the same numbers, bit for "
      "bit; changing it restarts training.");
}

// Per model: its iteration, the phase and time step, the last loss against chance, accuracy.
void draw_model_status(const Snapshot& snap, const ModelView& m, AppState& app) {
  ImGui::TextUnformatted(m.name.c_str());
  const std::string iteration = std::to_string(m.iteration);
  const std::string it_text = "iteration " + iteration;
  fit_on_line(ImGui::CalcTextSize(it_text.c_str()).x);
  ImGui::TextDisabled("%s", it_text.c_str());
  char where[96] = "";
  if (m.phase == Phase::Forward)
    std::snprintf(where, sizeof where, "  t = %d of %d", m.forward_t, m.steps);
  if (m.phase == Phase::Backward && !m.profile_sweep)
    std::snprintf(where, sizeof where, "  next t = %d", m.backward_t + 1);
  const std::string phase = std::string(phase_text(m)) + where;
  ImGui::PushTextWrapPos(0);
  ImGui::Text("  %s", phase.c_str());
  ImGui::PopTextWrapPos();
  if (&m == &snap.models.front()) {
    report_value(app, "iteration", iteration);
    report_value(app, "phase", phase);
  }
  if (!std::isfinite(m.last_loss)) return;
  const std::string parts[3] = {
      "loss " + fmt_num(m.last_loss, 4), "(chance " + fmt_num(snap.task.baseline, 4) + ")",
      snap.task.has_accuracy ? "accuracy " + fmt_percent(m.last_accuracy) : ""};
  ImGui::Text("  %s", parts[0].c_str());
  fit_on_line(ImGui::CalcTextSize(parts[1].c_str()).x);
  ImGui::TextDisabled("%s", parts[1].c_str());
  if (parts[2].empty()) return;
  fit_on_line(ImGui::CalcTextSize(parts[2].c_str()).x);
  ImGui::TextUnformatted(parts[2].c_str());
}

// The notice of a refused key, while it still applies.
void draw_notice(const Snapshot& snap, AppState& app) {
  AppState::Notice& n = app.notice;
  if (n.text.empty()) return;
  const ModelView& m = inspected_model(snap, app);
  if (m.phase != Phase::Forward || m.iteration != n.iteration || m.forward_t != n.forward_t) {
    n.text.clear();
    return;
  }
  ImGui::PushStyleColor(ImGuiCol_Text, attention_color(false));
  ImGui::TextWrapped("%s", n.text.c_str());
  ImGui::PopStyleColor();
  report_value(app, "notice", n.text);
}

}  // namespace

void step_back_in_time(const Snapshot& snap, AppState& app, TrainingWorker& worker) {
  if (snap.models.empty()) return;
  const ModelView& m = inspected_model(snap, app);
  if (m.phase != Phase::Forward) {
    app.notice.text.clear();
    worker.send(cmd::StepBackward{});
    return;
  }
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "\xE2\x86\x90 back-propagates once the forward pass is complete; it is at t = "
                "%d of %d. \xE2\x86\x92 computes the next step, N the rest of the iteration.",
                m.forward_t, m.steps);
  app.notice = {buf, m.iteration, m.forward_t};
}

void draw_controls_panel(const Snapshot& snap, AppState& app, TrainingWorker& worker) {
  draw_buttons(snap, app, worker);
  if (!snap.models.empty()) draw_notice(snap, app);
  ImGui::Spacing();
  draw_speed_and_seed(app, worker);
  ImGui::Separator();
  if (snap.models.empty()) return;
  for (const ModelView& m : snap.models) draw_model_status(snap, m, app);
  if (snap.playing) {
    const std::string speed = fmt_num(snap.measured_speed) + " iterations per second";
    report_value(app, "measured speed", speed);
    ImGui::PushTextWrapPos(0);
    ImGui::TextDisabled("%s", speed.c_str());
    ImGui::PopTextWrapPos();
  }
}

}  // namespace unrolled
