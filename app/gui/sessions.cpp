// Sessions in the app (issue 13): Lesson → Save session / Open session, undo and redo of what
// replaces a run, and the autosave the app offers to resume from.
//
// A session is the worker's capture (every model's weights, optimiser and data state, history and
// checkpoints: core/session_file.hpp) plus the view below, which only the app reads:
//   {"mode": "train", "focus": "gates" | null, "tour_step": 3, "layer": 0, "unit": 5,
//    "sample": 0, "model": 0, "source": "built-in: default", "lesson": {experiment},
//    "edit": {experiment}, "unsaved": true}
// Undo keeps whole sessions as bytes, newest last, never more than kUndoBytes together: an entry
// larger than kUndoBytes / kUndoLevels keeps the run without its checkpoints (its past for time
// travel), so that kUndoLevels of them fit whenever the run itself does.
#include <GLFW/glfw3.h>
#include <imgui.h>

#include <cstdio>
#include <filesystem>

#include "app/gui/gui.hpp"
#include "app/panels/panels.hpp"
#include "core/session_file.hpp"

namespace unrolled {

namespace {

Json view_json(const AppState& app, bool unsaved) {
  Json v = Json::object();
  v["mode"] = mode_info(app.mode).name;
  v["focus"] = app.focus ? Json(panel_info(*app.focus).name) : Json(nullptr);
  v["tour_step"] = app.tour.step;
  v["layer"] = app.layer;
  v["unit"] = app.unit;
  v["sample"] = app.sample;
  v["model"] = app.model;
  v["source"] = app.source;
  v["lesson"] = experiment_to_json(app.lesson);
  v["edit"] = experiment_to_json(app.config.edit);
  v["unsaved"] = unsaved;
  return v;
}

int view_int(const Json& v, const char* key, int lo, int hi, int fallback) {
  if (!v.contains(key) || !v[key].is_number_integer()) return fallback;
  const int64_t x = v[key].get<int64_t>();
  return x < lo || x > hi ? fallback : static_cast<int>(x);
}

ExperimentConfig view_experiment(const Json& v, const char* key, const ExperimentConfig& fallback) {
  ExperimentConfig c;
  if (v.contains(key) && experiment_from_json(v[key], c, nullptr)) return c;
  return fallback;
}

// The view a session was saved with. It is the app's own and only guides the eye: a value that
// does not fit (an unknown mode, a unit beyond the model) keeps what the app has.
void apply_view(const Json& v, const ExperimentConfig& running, AppState& app) {
  if (!v.is_object()) return;
  app.lesson = view_experiment(v, "lesson", running);
  app.config.edit = view_experiment(v, "edit", running);
  if (v.contains("source") && v["source"].is_string()) app.source = v["source"].get<std::string>();
  if (v.contains("mode") && v["mode"].is_string())
    if (const auto m = find_mode(v["mode"].get<std::string>())) app.mode = *m;
  app.focus.reset();
  if (v.contains("focus") && v["focus"].is_string())
    if (const PanelInfo* p = find_panel(v["focus"].get<std::string>())) app.focus = p->id;
  app.layer = view_int(v, "layer", 0, running.model.layers - 1, 0);
  app.unit = view_int(v, "unit", 0, running.model.hidden_size - 1, 0);
  app.sample = view_int(v, "sample", 0, running.training.batch_size - 1, 0);
  app.model = view_int(v, "model", 0, static_cast<int>(running.compare.size()), 0);
  start_tour(app, app.lesson, false, false);  // the card at the saved step; nothing re-run
  const int steps = static_cast<int>(app.tour.steps.size());
  if (steps > 0) {
    app.tour.step = view_int(v, "tour_step", 0, steps - 1, 0);
    app.tour.reached = app.tour.step;
  }
}

Session capture(AppState& app, TrainingWorker& worker, bool unsaved) {
  Session s = worker.capture_session();
  s.view = view_json(app, unsaved);
  return s;
}

// Replaces the run with s (paused) and the view with the one it was saved with.
void restore(AppState& app, TrainingWorker& worker, const Session& s) {
  worker.send(cmd::LoadSession{std::make_shared<const Session>(s)});
  apply_view(s.view, s.config, app);
  app.seed = s.config.training.seed;
}

std::string entry_bytes(Session s) {
  std::string bytes = session_to_bytes(s);
  if (bytes.size() > kUndoBytes / kUndoLevels) {  // the run alone, without its past
    for (auto& c : s.checkpoints) c.clear();
    bytes = session_to_bytes(s);
  }
  return bytes;
}

size_t bytes_of(const std::deque<AppState::UndoEntry>& d) {
  size_t n = 0;
  for (const auto& e : d) n += e.bytes.size();
  return n;
}

// Undo and redo together within kUndoBytes (app_memory_bytes counts that much): the oldest undo
// entries go first, then the farthest redo ones.
void trim(AppState::Sessions& h) {
  while (!h.undo.empty() && bytes_of(h.undo) + bytes_of(h.redo) > kUndoBytes) h.undo.pop_front();
  while (!h.redo.empty() && bytes_of(h.redo) > kUndoBytes) h.redo.pop_front();
  while (h.undo.size() > kMaxUndoLevels) h.undo.pop_front();
  while (h.redo.size() > kMaxUndoLevels) h.redo.pop_front();
}

bool step_history(AppState& app, TrainingWorker& worker, std::deque<AppState::UndoEntry>& from,
                  std::deque<AppState::UndoEntry>& to) {
  if (from.empty()) return false;
  AppState::UndoEntry e = std::move(from.back());
  from.pop_back();
  Session s;
  std::string error;
  if (!session_from_bytes(e.bytes, "undo", s, &error)) {
    app.sessions.message = error;
    return false;
  }
  to.push_back({e.what, entry_bytes(capture(app, worker, true))});
  trim(app.sessions);
  restore(app, worker, s);
  return true;
}

}  // namespace

std::string autosave_path() {
  return (std::filesystem::path(settings_path()).parent_path() / "autosave.session").string();
}

void remember(AppState& app, TrainingWorker& worker, const std::string& what) {
  auto& h = app.sessions;
  h.undo.push_back({what, entry_bytes(capture(app, worker, true))});
  h.redo.clear();
  trim(h);
}

void reset_run(AppState& app, TrainingWorker& worker) {
  remember(app, worker, "reset");
  worker.send(cmd::Reset{});
}

bool undo(AppState& app, TrainingWorker& worker) {
  return step_history(app, worker, app.sessions.undo, app.sessions.redo);
}
bool redo(AppState& app, TrainingWorker& worker) {
  return step_history(app, worker, app.sessions.redo, app.sessions.undo);
}

bool save_session_as(AppState& app, TrainingWorker& worker, const std::string& path) {
  std::string error;
  const Session s = capture(app, worker, false);
  if (!save_session(path, s, &error)) {
    app.sessions.message = error;
    return false;
  }
  app.sessions.message = "saved the session to " + path;
  app.sessions.saved_iteration = s.models.empty() ? 0 : s.models[0].iteration;
  return true;
}

bool open_session(AppState& app, TrainingWorker& worker, const std::string& path) {
  Session s;
  std::string error;
  if (!load_session(path, s, &error)) {
    app.sessions.message = error;
    return false;
  }
  remember(app, worker, "opening a session");
  restore(app, worker, s);
  app.sessions.message = "opened " + path;
  app.sessions.saved_iteration = s.models.empty() ? 0 : s.models[0].iteration;
  return true;
}

bool autosave(AppState& app, TrainingWorker& worker, const Snapshot& snap) {
  const bool unsaved = unapplied_edits(snap, app) ||
                       (snap.live_iteration > 0 && snap.live_iteration != app.sessions.saved_iteration);
  std::string error;
  const std::string path = autosave_path();
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  if (!save_session(path, capture(app, worker, unsaved), &error)) {
    std::fprintf(stderr, "unrolled: autosave failed: %s\n", error.c_str());
    return false;
  }
  return true;
}

std::string unsaved_autosave_summary(const std::string& path) {
  Session s;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec) || !load_session(path, s, nullptr)) return "";
  if (!s.view.is_object() || !s.view.value("unsaved", false)) return "";
  const int64_t it = s.models.empty() ? 0 : s.models[0].iteration;
  return (s.config.title.empty() ? std::string("an experiment") : s.config.title) +
         ", iteration " + std::to_string(it);
}

bool resume_autosave(AppState& app, TrainingWorker& worker) {
  Session s;
  std::string error;
  if (!load_session(autosave_path(), s, &error)) {
    std::fprintf(stderr, "unrolled: cannot resume: %s\n", error.c_str());
    return false;
  }
  restore(app, worker, s);
  return true;
}

void maybe_autosave(AppState& app, TrainingWorker& worker, const Snapshot& snap, double now) {
  if (app.sessions.last_autosave == 0) app.sessions.last_autosave = now;
  if (now - app.sessions.last_autosave < kAutosaveSeconds) return;
  app.sessions.last_autosave = now;
  autosave(app, worker, snap);
}

void session_menu_items(AppState& app, TrainingWorker& worker) {
  auto& h = app.sessions;
  if (ImGui::MenuItem("Open session...", "Ctrl+O")) h.asking_open = true;
  if (ImGui::MenuItem("Save session...", "Ctrl+S")) h.asking_save = true;
  ImGui::Separator();
  const std::string u = h.undo.empty() ? "Undo" : "Undo " + h.undo.back().what;
  const std::string r = h.redo.empty() ? "Redo" : "Redo " + h.redo.back().what;
  if (ImGui::MenuItem(u.c_str(), "Ctrl+Z", false, !h.undo.empty())) undo(app, worker);
  if (ImGui::MenuItem(r.c_str(), "Ctrl+Shift+Z", false, !h.redo.empty())) redo(app, worker);
}

namespace {

// A small modal: a path field, the action and Cancel; the last message under it.
void path_dialog(const char* title, const char* action, bool& open, AppState& app,
                 TrainingWorker& worker, bool saving) {
  auto& h = app.sessions;
  if (open && !ImGui::IsPopupOpen(title)) ImGui::OpenPopup(title);
  if (h.path.empty()) h.path = "unrolled.session";
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(vp->GetCenter(), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  if (!ImGui::BeginPopupModal(title, nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
  ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30);
  ImGui::TextUnformatted(saving ? "Everything: the experiment, every model's weights and "
                                  "optimiser state, the history, the view."
                                : "Replaces the run (Ctrl+Z brings it back).");
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 24);
  input_text("file", h.path);
  std::error_code ec;
  const bool exists = std::filesystem::exists(h.path, ec);
  const std::string label = saving && exists ? "Replace " + h.path : std::string(action);
  if (ImGui::Button(label.c_str())) {
    if (saving ? save_session_as(app, worker, h.path) : open_session(app, worker, h.path)) {
      open = false;
      ImGui::CloseCurrentPopup();
    }
  }
  ImGui::SameLine();
  if (ImGui::Button("Cancel") || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) {
    open = false;
    ImGui::CloseCurrentPopup();
  }
  if (!h.message.empty()) ImGui::TextWrapped("%s", h.message.c_str());
  ImGui::PopTextWrapPos();
  ImGui::EndPopup();
}

}  // namespace

void draw_session_dialogs(AppState& app, TrainingWorker& worker) {
  auto& h = app.sessions;
  // Nothing may touch the current window outside the modals (ImGui's implicit "Debug" window).
  path_dialog("Save session", "Save", h.asking_save, app, worker, true);
  path_dialog("Open session", "Open", h.asking_open, app, worker, false);
  if (h.asking_resume && !ImGui::IsPopupOpen("Resume?")) ImGui::OpenPopup("Resume?");
  if (ImGui::BeginPopupModal("Resume?", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) {
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30);
    ImGui::Text("The last session ended with work not saved: %s.", h.resume_summary.c_str());
    if (ImGui::Button("Resume where I left off")) {
      resume_autosave(app, worker);
      h.asking_resume = false;
      ImGui::CloseCurrentPopup();
    }
    ImGui::SameLine();
    if (ImGui::Button("Start afresh")) {
      h.asking_resume = false;
      ImGui::CloseCurrentPopup();
    }
    ImGui::PopTextWrapPos();
    ImGui::EndPopup();
  }
}

}  // namespace unrolled
