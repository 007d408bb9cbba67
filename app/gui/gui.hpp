// The GUI room's own pieces, one file each: the menu bar and banner (menu.cpp), the keys
// (keys.cpp), the panels' windows and tabs (panel_host.cpp), the frame benchmark
// (frame_bench.cpp). app.cpp's main loop calls them in this order: keys, menu, banner, layout,
// panels.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/gui/app_state.hpp"
#include "app/gui/figure.hpp"
#include "app/gui/gif_recorder.hpp"
#include "app/gui/layout.hpp"
#include "app/gui/window.hpp"
#include "app/session/training_worker.hpp"
#include "core/undo_budget.hpp"

namespace unrolled {

// [menu.cpp] Sends a new experiment to the worker and points the inspection at its start.
void load_lesson(AppState& app, TrainingWorker& worker, const ExperimentConfig& c,
                 const std::string& source);
// What the menu bar showed: whether two of its items overlap (the layout report's menu_overlap),
// the title and the status as drawn (whole, before any shortening).
struct MenuReport {
  bool overlap = false;
  std::string title, status;
};
// The menu bar: Lesson, View, the mode tabs, the title (shortened first; its tooltip the lesson's
// description) and the status (always whole): the iteration and whether training runs, is paused
// (for stepping, in Step through) or diverged; in Gradient cliff, the cliff's descent.
MenuReport draw_menu(const Snapshot& snap, AppState& app, TrainingWorker& worker, Window& window);
// The running experiment's title and description as the menu bar shows them: "edited: <title>"
// once the experiment differs from the lesson as loaded (lesson_edited), and then the description
// marked as describing the original lesson.
struct LessonHeading {
  std::string title, description;
  bool edited = false;
};
LessonHeading lesson_heading(const Snapshot& snap, const AppState& app);
// The divergence (or error) banner at pos, width wide; returns the height it took (0: none) and
// the text in *shown (when not null).
float draw_banner(const Snapshot& snap, AppState& app, TrainingWorker& worker, ImVec2 pos,
                  float width, std::string* shown = nullptr);

// [guard.cpp] Nothing lost: the questions asked before edits are thrown away (AppState::Guard).
// unapplied_edits: the Experiment panel differs from the running experiment. ask_*: do it at
// once when nothing would be lost (ask_to_load then returns true), else ask. save_edits: the panel's edits to path (asking
// before it replaces a file unless `replace`). guard_choose: one answer (the modal's buttons;
// tests call it directly). draw_guard: the modal, every frame.
enum class GuardChoice { Save, Discard, Cancel, AddModel, BuiltInCompare, Stay };
bool unapplied_edits(const Snapshot& snap, const AppState& app);
bool save_edits(AppState& app, const std::string& path, bool replace);
void ask_to_quit(const Snapshot& snap, AppState& app);
bool ask_to_load(const Snapshot& snap, AppState& app, TrainingWorker& worker,
                 const ExperimentConfig& c, const std::string& source);
void ask_compare(const Snapshot& snap, AppState& app, Mode from);
ModelConfig companion_model(const ModelConfig& m);
void guard_choose(AppState& app, TrainingWorker& worker, const Snapshot& snap, GuardChoice choice);
void draw_guard(const Snapshot& snap, AppState& app, TrainingWorker& worker);

// [sessions.cpp] Sessions, undo and autosave. remember: the run as it is, onto the undo stack,
// before something replaces it (reset, another lesson, applied edits, a session opened);
// reset_run remembers, then resets. Undo and redo never hold more than kUndoBytes together
// (core/undo_budget.hpp: app_memory_bytes counts it); an entry above
// kUndoBytes / kUndoLevels drops its checkpoints, so kUndoLevels fit whenever the run itself
// does (more levels while they fit, never more than kMaxUndoLevels). The autosave (autosave_path(), beside
// the settings) is written every kAutosaveSeconds and at exit; unsaved_autosave_summary says what
// it holds when the run it saved had work not saved ("" otherwise).
constexpr size_t kUndoLevels = 20, kMaxUndoLevels = 100;
constexpr double kAutosaveSeconds = 180;
std::string autosave_path();
void remember(AppState& app, TrainingWorker& worker, const std::string& what);
void reset_run(AppState& app, TrainingWorker& worker);
bool undo(AppState& app, TrainingWorker& worker);
bool redo(AppState& app, TrainingWorker& worker);
bool save_session_as(AppState& app, TrainingWorker& worker, const std::string& path);
bool open_session(AppState& app, TrainingWorker& worker, const std::string& path);
bool autosave(AppState& app, TrainingWorker& worker, const Snapshot& snap);
void maybe_autosave(AppState& app, TrainingWorker& worker, const Snapshot& snap, double now);
std::string unsaved_autosave_summary(const std::string& path);
bool resume_autosave(AppState& app, TrainingWorker& worker);
void session_menu_items(AppState& app, TrainingWorker& worker);
void draw_session_dialogs(AppState& app, TrainingWorker& worker);

// [keys.cpp] Space, N, R, the arrows, Ctrl+Q; in Step through also B, Home, End; F focuses the
// panel under the mouse, Esc restores the layout.
// With a tour: PageDown / PageUp, and → ← Space while the card has focus. F5 presents (B blanks,
// Esc leaves).
void handle_keys(const Snapshot& snap, AppState& app, TrainingWorker& worker, Window& window);
// Presenter mode on or off: full screen, the projector's text scale, the step's panels only.
void set_presenting(AppState& app, Window& window, bool on);

// [tour.cpp] The lesson's guided tour. start_tour: the card shows the first step; its actions run
// unless run_first_step is false (--paused), what it shows unless show_first is false (--mode,
// --only). Next enters the next step and starts its actions (or,
// on an unanswered question, runs the step and reveals); Back shows the previous card.
void start_tour(AppState& app, const ExperimentConfig& c, bool run_first_step,
                bool show_first = true);
bool tour_active(const AppState& app);
void tour_next(AppState& app);
void tour_back(AppState& app);
void tour_answer(AppState& app, int choice);
// Actions left to send, or a run still going.
bool tour_busy(const Snapshot& snap, const AppState& app);
// Sends the step's next actions once the run before them has ended. Every frame, before drawing.
void update_tour(const Snapshot& snap, AppState& app, TrainingWorker& worker);
// --tour-step N: steps 1..N−1 done and step N entered, at full speed, before the first frame.
void fast_forward_tour(AppState& app, TrainingWorker& worker, int steps);
// [tour_card.cpp] The card's height at this width (0 when there is nothing to show), and the card.
float tour_card_height(const AppState& app, float width);
void draw_tour_card(const Snapshot& snap, AppState& app, Rect r, ImFont* title_font);

// [inspect_view.cpp] The Inspect view. start_inspect: the model is shown (Mode::Inspect) on a
// first input (its example, else a few steps the model reads). probe_lesson: the lesson's main
// model as it is in `lesson` (the worker's snapshot), typed as words, characters or numbers;
// false with a message when it cannot be probed. update_inspect: every frame before the panels,
// the snapshot rebuilt when the text or the chosen output changed (app.inspect.dirty).
void start_inspect(AppState& app, InspectModel model);
bool probe_lesson(AppState& app, const Snapshot& lesson, std::string* error);
void update_inspect(AppState& app);
// The Input panel's text replaced (as if typed), the snapshot rebuilt, the chosen output's step
// inspected.
void set_inspect_text(AppState& app, const std::string& text);

// [panel_host.cpp] What one panel's window showed this frame (the layout report reads it).
struct DrawnPlot {
  std::string title;
  Rect data;                  // where the data are drawn (no axes, labels, legend, colour bar)
  std::optional<Rect> legend;
  int legend_points_covered = 0;  // plotted points inside the legend's rectangle
};
struct DrawnPanel {
  PanelId id;
  Rect rect;
  bool visible = true;  // false: a tab behind another
  std::vector<DrawnPlot> plots;
  std::vector<std::string> clipped_text;  // text cut without an ellipsis
  std::vector<std::pair<std::string, std::string>> values;  // report_value's name = value pairs
};
// Draws every cell of the layout: one window per cell, a row of tabs when panels share it, the
// chosen panel inside. `shown[i]` is the snapshot panel table entry i draws this frame.
std::vector<DrawnPanel> draw_cells(const Layout& layout, const std::vector<const Snapshot*>& shown,
                                   AppState& app, TrainingWorker& worker);

// [figure_menu.cpp] Figures from the running app. figure_menu: the right-click menu of the panel
// being drawn (Save as PNG 1x/2x/3x, SVG, CSV, Copy data, Record to GIF); it only asks.
// draw_figure_status: the recording's REC label and the last message, over everything.
// serve_figures: between frames (after end_frame), does what was asked and takes the
// recording's next frame when due. close_figures: before the GL context goes.
struct FigureDesk {
  FigureRenderer renderer;
  GifRecorder recorder;
};
void figure_menu(PanelId id, Rect rect, AppState& app);
void draw_figure_status(const AppState& app);
void serve_figures(AppState& app, TrainingWorker& worker, Window& window, FigureDesk& desk);
void close_figures(AppState& app, FigureDesk& desk);

// [app.cpp] One frame's UI between window.begin_frame() and end_frame(): keys, menu, banner,
// layout, panels. What it drew, for the layout report and tests.
struct AppOptions;
struct GuiFrame {
  bool menu_overlap = false;
  std::string menu_title, menu_status;  // as drawn (MenuReport)
  std::string banner;                   // the divergence or error banner's text; "" without one
  std::vector<DrawnPanel> drawn;
};
GuiFrame build_frame(const AppOptions& o, AppState& app, TrainingWorker& worker, Window& window);

// The panels a layout draws, in cell order (each tab counted).
std::vector<PanelId> panels_of(const Layout& layout);

}  // namespace unrolled
