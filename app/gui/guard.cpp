// Nothing lost (issue 13): before the app throws away edits it asks, and a mode switch never
// replaces the user's lesson on its own.
//
//   Quit / Ctrl+Q / closing the window with edits not applied   Save and quit · Discard · Cancel
//   Opening a lesson or a file with edits not applied            Save first · Discard · Cancel
//   Compare with a one-model lesson                              Add a model · the built-in
//                                                                compare lesson · Stay · Back
//   Save onto a file that exists                                 Replace · Cancel
//
// Each question is a plain state (AppState::Guard) and one function per choice, so tests answer
// them without clicking; the modal only draws them.
#include <imgui.h>

#include <filesystem>

#include "app/gui/gui.hpp"
#include "app/panels/panels.hpp"

namespace unrolled {

bool unapplied_edits(const Snapshot& snap, const AppState& app) {
  return experiment_to_json(app.config.edit) != experiment_to_json(snap.config);
}

bool save_edits(AppState& app, const std::string& path, bool replace) {
  AppState::Guard& g = app.guard;
  std::error_code ec;
  if (path.empty()) {
    g.message = "Type a file name in the Experiment panel's File field first.";
    return false;
  }
  if (!replace && std::filesystem::exists(path, ec)) {
    g.ask = AppState::Ask::Overwrite;
    g.path = path;
    return false;
  }
  std::string error;
  if (!write_file_atomic(path, experiment_to_json(app.config.edit).dump(2) + "\n", &error)) {
    g.message = error;
    app.config.message = error;
    return false;
  }
  app.config.message = "saved the experiment as edited to " + path;
  g.message.clear();
  return true;
}

void ask_to_quit(const Snapshot& snap, AppState& app) {
  if (!unapplied_edits(snap, app)) {
    app.quit_now = true;
    return;
  }
  app.guard.ask = AppState::Ask::Quit;
}

bool ask_to_load(const Snapshot& snap, AppState& app, TrainingWorker& worker,
                 const ExperimentConfig& c, const std::string& source) {
  if (!unapplied_edits(snap, app)) {
    load_lesson(app, worker, c, source);
    return true;
  }
  app.guard.ask = AppState::Ask::Load;
  app.guard.load = c;
  app.guard.load_source = source;
  return false;
}

void ask_compare(const Snapshot& snap, AppState& app, Mode from) {
  if (snap.models.size() >= 2) return;
  app.guard.ask = AppState::Ask::CompareMode;
  app.guard.from = from;
}

// The model a one-model lesson is compared with: the gated cell beside a vanilla RNN, the
// vanilla RNN beside a gated one; the rest of the model as it is.
ModelConfig companion_model(const ModelConfig& m) {
  ModelConfig c = m;
  c.cell = m.cell == CellType::Rnn ? CellType::Lstm : CellType::Rnn;
  c.name = c.cell == CellType::Rnn ? "RNN" : "LSTM";
  return c;
}

void guard_choose(AppState& app, TrainingWorker& worker, const Snapshot& snap, GuardChoice choice) {
  using Ask = AppState::Ask;
  AppState::Guard& g = app.guard;
  const Ask ask = g.ask;
  g.ask = Ask::None;
  switch (choice) {
    case GuardChoice::Cancel:
      if (ask == Ask::CompareMode) app.mode = g.from;
      if (ask == Ask::Overwrite) g.message.clear();
      break;
    case GuardChoice::Save:  // save the edits, then go on
      if (!save_edits(app, ask == Ask::Overwrite ? g.path : app.config.load_path,
                      ask == Ask::Overwrite)) {
        if (g.ask == Ask::None) g.ask = ask;  // failed: ask again, with the message
        break;
      }
      if (ask == Ask::Quit) app.quit_now = true;
      if (ask == Ask::Load) load_lesson(app, worker, g.load, g.load_source);
      break;
    case GuardChoice::Discard:
      if (ask == Ask::Quit) app.quit_now = true;
      if (ask == Ask::Load) load_lesson(app, worker, g.load, g.load_source);
      break;
    case GuardChoice::AddModel: {  // compare the running model with its companion
      ExperimentConfig c = snap.config;
      c.compare = {companion_model(c.model)};
      if (c.model.name.empty()) c.model.name = std::string(to_string(c.model.cell));
      remember(app, worker, "adding a model to compare");
      worker.send(cmd::Configure{c});
      app.config.edit = c;
      app.model = 0;
      break;
    }
    case GuardChoice::BuiltInCompare:
      for (const auto& [name, text] : embedded_presets()) {
        ExperimentConfig c;
        if (name == "compare" && parse_experiment_text(text, name, c, nullptr)) {
          load_lesson(app, worker, c, "built-in: compare");
          worker.send(cmd::Play{});
        }
      }
      break;
    case GuardChoice::Stay:
      break;
  }
}

namespace {

void button(const char* label, AppState& app, TrainingWorker& worker, const Snapshot& snap,
            GuardChoice choice, bool same_line = true) {
  if (ImGui::Button(label)) {
    guard_choose(app, worker, snap, choice);
    ImGui::CloseCurrentPopup();
  }
  if (same_line) ImGui::SameLine();
}

const char* title_of(AppState::Ask ask) {
  switch (ask) {
    case AppState::Ask::Quit: return "Quit with edits not applied?###guard";
    case AppState::Ask::Load: return "Open another lesson?###guard";
    case AppState::Ask::CompareMode: return "Compare needs two models###guard";
    case AppState::Ask::Overwrite: return "Replace the file?###guard";
    case AppState::Ask::None: break;
  }
  return "###guard";
}

void draw_question(const Snapshot& snap, AppState& app, TrainingWorker& worker) {
  using Ask = AppState::Ask;
  const AppState::Guard& g = app.guard;
  const std::string& path = app.config.load_path;
  const std::string save = path.empty() ? "Save (type a file name first)" : "Save to " + path;
  switch (g.ask) {
    case Ask::Quit:
    case Ask::Load:
      ImGui::TextUnformatted(
          "The Experiment panel has changes that are neither applied nor saved. They are lost "
          "unless you save them.");
      if (!g.message.empty()) ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(attention_color(true)), "%s",
                           g.message.c_str());
      ImGui::BeginDisabled(path.empty());
      button(save.c_str(), app, worker, snap, GuardChoice::Save);
      ImGui::EndDisabled();
      button(g.ask == Ask::Quit ? "Discard and quit" : "Discard and open", app, worker, snap,
             GuardChoice::Discard);
      button("Cancel", app, worker, snap, GuardChoice::Cancel, false);
      break;
    case Ask::CompareMode: {
      const ModelConfig other = companion_model(snap.config.model);
      ImGui::TextUnformatted(
          "Compare mode trains two or more models side by side on the same task and seed. This "
          "lesson has one model.");
      const std::string add = "Add an " + std::string(to_string(other.cell)) +
                              " beside this model (restarts training)";
      button(add.c_str(), app, worker, snap, GuardChoice::AddModel, false);
      button("Open the built-in compare lesson (RNN against LSTM)", app, worker, snap,
             GuardChoice::BuiltInCompare, false);
      button("Stay in Compare with one model", app, worker, snap, GuardChoice::Stay);
      button("Back", app, worker, snap, GuardChoice::Cancel, false);
      break;
    }
    case Ask::Overwrite:
      ImGui::Text("%s exists. Replace it with the experiment as edited?", g.path.c_str());
      button("Replace", app, worker, snap, GuardChoice::Save);
      button("Cancel", app, worker, snap, GuardChoice::Cancel, false);
      break;
    case Ask::None:
      break;
  }
}

}  // namespace

void draw_guard(const Snapshot& snap, AppState& app, TrainingWorker& worker) {
  const char* title = title_of(app.guard.ask);
  if (app.guard.ask != AppState::Ask::None && !ImGui::IsPopupOpen("###guard"))
    ImGui::OpenPopup(title);
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(vp->GetCenter(), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSizeConstraints({0, 0}, {vp->Size.x * 0.9f, vp->Size.y * 0.9f});
  // (Nothing here may touch the current window before the modal begins: outside any window that
  // is ImGui's implicit "Debug" window, which would then be drawn.)
  if (ImGui::BeginPopupModal(title, nullptr, ImGuiWindowFlags_AlwaysAutoResize)) {
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 32);
    report_value(app, "question", title);
    draw_question(snap, app, worker);
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) {
      guard_choose(app, worker, snap, GuardChoice::Cancel);
      ImGui::CloseCurrentPopup();
    }
    ImGui::PopTextWrapPos();
    ImGui::EndPopup();
  }
}

}  // namespace unrolled
