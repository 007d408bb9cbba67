// A lesson's guided tour as the class follows it. Entering a step (Next) shows what it says to show
// and starts its actions; a `run` plays at the set speed until its condition holds (the worker
// pauses then), and the actions after it wait for it. A step with a question holds its actions
// until the class answers (or the lecturer presses Next), and reveals the answer once they are
// done. Back shows an earlier card without running anything again.
#include <imgui.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "app/gui/gui.hpp"
#include "app/panels/panels.hpp"

namespace unrolled {
namespace {

// What the step says to show: its mode, its panels (or all of the mode's), one panel focused.
void apply_show(const TourShow& show, AppState& app) {
  if (const auto m = find_mode(show.mode); m && (*m != Mode::Inspect || app.inspect.active))
    app.mode = *m;  // Inspect only once a model is open
  app.focus.reset();
  if (const PanelInfo* p = find_panel(show.focus)) app.focus = p->id;
  app.tour.limit_panels = !show.panels.empty();
  app.tour.shown = {};
  for (const std::string& name : show.panels)
    if (const PanelInfo* p = find_panel(name)) app.tour.shown[index_of(p->id)] = true;
}

// The inspection a `select` action asks for (-1: unchanged).
void select(const TourAction& a, AppState& app, TrainingWorker& worker) {
  if (a.layer >= 0) app.layer = a.layer;
  if (a.unit >= 0) app.unit = a.unit;
  if (a.model >= 0) app.model = a.model;
  if (a.sample >= 0) {
    app.sample = a.sample;
    worker.send(cmd::SetSample{a.sample});
  }
  if (a.t >= 0) {
    app.step.t = a.t;
    app.step.follow = false;
  }
}

// The dependency-length sweep the action asks for, in the sweep panel (the tour waits for it).
void start_sweep(const TourAction& a, AppState& app) {
  SweepPanelState& st = app.lab.sweep;
  if (st.sweep && st.sweep->running()) st.sweep->cancel();
  st.lags_text.clear();
  for (int lag : a.lags) st.lags_text += (st.lags_text.empty() ? "" : ", ") + std::to_string(lag);
  st.iterations = static_cast<int>(a.limit);
  st.seeds = a.seeds;
  SweepSpec spec;
  spec.base = app.lesson;
  spec.lags = a.lags;
  spec.seeds = a.seeds;
  spec.iterations = a.limit;
  st.error.clear();
  if (!st.sweep) st.sweep = std::make_unique<Sweep>();
  app.tour.sweeping = st.sweep->start(spec, &st.error);
}

// Sends one action; a run returns its id (the actions after it wait for it), others 0.
uint64_t send_action(const TourAction& a, AppState& app, TrainingWorker& worker) {
  using K = TourAction::Kind;
  switch (a.kind) {
    case K::Play: worker.send(cmd::Play{}); break;
    case K::Pause: worker.send(cmd::Pause{}); break;
    case K::Speed:
      app.max_speed = a.value == 0;
      if (a.value > 0) app.speed = static_cast<float>(a.value);
      if (!app.tour.fast) worker.send(cmd::SetSpeed{a.value});
      break;
    case K::Run: {
      const uint64_t id = app.tour.next_id++;
      worker.send(cmd::RunUntil{a, id});
      return id;
    }
    case K::Forward:
      for (int i = 0; i < a.count; ++i) worker.send(cmd::StepForward{});
      break;
    case K::Backward:
      for (int i = 0; i < a.count; ++i) worker.send(cmd::StepBackward{});
      break;
    case K::FinishForward: worker.send(cmd::FinishForward{}); break;
    case K::FinishBackward: worker.send(cmd::FinishBackward{}); break;
    case K::Update: worker.send(cmd::ApplyUpdate{}); break;
    case K::Reset: worker.send(cmd::Reset{}); break;
    case K::Clip:
      app.config.edit.training.clip = a.clip;
      worker.send(cmd::SetClip{a.clip});
      break;
    case K::Truncation:
      app.config.edit.training.k1 = a.k1;
      app.config.edit.training.k2 = a.k2;
      worker.send(cmd::SetTruncation{a.k1, a.k2});
      break;
    case K::Temperature:
      app.temperature = static_cast<float>(a.value);
      worker.send(cmd::SetTemperature{a.value});
      break;
    case K::Select: select(a, app, worker); break;
    case K::Sweep: start_sweep(a, app); break;
  }
  return 0;
}

void queue_actions(int step, AppState& app) {
  const TourStep& s = app.tour.steps[step];
  app.tour.pending.insert(app.tour.pending.end(), s.actions.begin(), s.actions.end());
}

void enter(int step, AppState& app) {
  TourState& t = app.tour;
  t.step = step;
  t.entered_at = ImGui::GetCurrentContext() ? ImGui::GetTime() : 0;
  apply_show(t.steps[step].show, app);
  if (const TourHighlight& h = t.steps[step].highlight; !h.panel.empty())
    if (const PanelInfo* p = find_panel(h.panel)) app.select_tab = p->id;
  if (step <= t.reached) return;  // seen before: shown again, not run again
  t.reached = step;
  t.answer = -1;
  t.asking = t.steps[step].predict.has_value();
  if (!t.asking) queue_actions(step, app);
}

}  // namespace

void start_tour(AppState& app, const ExperimentConfig& c, bool run_first_step, bool show_first) {
  TourState fresh;
  fresh.steps = c.tour;
  fresh.title = c.title;
  fresh.description = c.description;
  fresh.next_id = app.tour.next_id;  // ids stay unique across lessons
  app.tour = std::move(fresh);
  app.tour.limit_panels = false;
  if (app.tour.steps.empty()) return;
  if (run_first_step && show_first) {
    enter(0, app);
    return;
  }
  app.tour.reached = 0;  // on the card; its actions are left to the class (--paused)
  app.tour.asking = run_first_step && app.tour.steps[0].predict.has_value();
  if (run_first_step && !app.tour.asking) queue_actions(0, app);
  if (show_first) apply_show(app.tour.steps[0].show, app);
}

bool tour_active(const AppState& app) { return !app.tour.steps.empty(); }

void tour_next(AppState& app) {
  TourState& t = app.tour;
  if (t.steps.empty()) return;
  if (t.asking) {  // Next without an answer: run the step and reveal
    t.asking = false;
    queue_actions(t.reached, app);
    return;
  }
  if (t.step + 1 < static_cast<int>(t.steps.size())) enter(t.step + 1, app);
}

void tour_back(AppState& app) {
  if (app.tour.steps.empty() || app.tour.step == 0) return;
  enter(app.tour.step - 1, app);
}

void tour_answer(AppState& app, int choice) {
  TourState& t = app.tour;
  if (!t.asking) return;
  t.answer = choice;
  t.asking = false;
  queue_actions(t.reached, app);
}

bool tour_busy(const Snapshot& snap, const AppState& app) {
  const SweepPanelState& sweep = app.lab.sweep;
  return !app.tour.pending.empty() || (app.tour.waiting != 0 && snap.goal_done < app.tour.waiting) ||
         (app.tour.sweeping && sweep.sweep && sweep.sweep->running());
}

void update_tour(const Snapshot& snap, AppState& app, TrainingWorker& worker) {
  TourState& t = app.tour;
  if (t.waiting != 0 && snap.goal_done < t.waiting) return;  // a run is going on
  if (t.sweeping && app.lab.sweep.sweep && app.lab.sweep.sweep->running()) return;
  t.sweeping = false;
  t.waiting = 0;
  while (!t.pending.empty() && t.waiting == 0) {
    const TourAction a = t.pending.front();
    t.pending.pop_front();
    t.waiting = send_action(a, app, worker);
  }
}

void fast_forward_tour(AppState& app, TrainingWorker& worker, int steps) {
  TourState& t = app.tour;
  if (t.steps.empty()) return;
  t.fast = true;
  worker.send(cmd::SetSpeed{0});
  const auto drain = [&] {
    while (true) {
      worker.wait_idle();
      update_tour(*worker.latest(), app, worker);
      worker.wait_idle();  // what update_tour sent is applied before it counts as done
      if (!tour_busy(*worker.latest(), app)) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  };
  drain();
  while (t.step + 1 < steps && t.step + 1 < static_cast<int>(t.steps.size())) {
    if (t.asking) {
      tour_next(app);  // the question answered by Next: the step runs
      drain();
    }
    tour_next(app);
    drain();
  }
  t.fast = false;
  worker.send(cmd::SetSpeed{app.max_speed ? 0.0 : app.speed});
  worker.wait_idle();
}

const TourHighlight* tour_highlight(const AppState& app, PanelId panel) {
  const TourState& t = app.tour;
  if (t.steps.empty()) return nullptr;
  const TourHighlight& h = t.steps[t.step].highlight;
  const PanelInfo* p = find_panel(h.panel);
  return p && p->id == panel ? &h : nullptr;
}

}  // namespace unrolled
