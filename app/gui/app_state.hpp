// The app's state: plain structs with defaults, no function-local statics. Settings persist
// between runs (window size, UI scale, theme, which panels are shown) in a small JSON file.
#pragma once

#include <array>
#include <deque>
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include "app/gui/layout.hpp"
#include "app/panels/lab_state.hpp"
#include "app/panels/panel_table.hpp"
#include "app/panels/step_state.hpp"
#include "app/session/inspect.hpp"
#include "core/experiment.hpp"
#include "core/json_io.hpp"
#include "widgets/heatmap.hpp"
#include "widgets/line_plot.hpp"

namespace unrolled {

// What persists between runs.
struct Settings {
  int window_width = 1600;
  int window_height = 900;
  float ui_scale = 1.0f;
  bool light_theme = false;
  PanelFlags hidden{};  // panels hidden with the View menu, by PanelId (the file: by name)
};

// $UNROLLED_SETTINGS, else $XDG_CONFIG_HOME/unrolled/settings.json, else
// ~/.config/unrolled/settings.json.
std::string settings_path();
// A missing file gives the defaults silently. A file that cannot be used (core/settings_file.hpp
// says what is allowed) gives the defaults, one line on stderr and *problem. Never fails.
Settings load_settings(const std::string& path, std::string* problem = nullptr);
// Writes atomically (core's write_file_atomic: through a symlink, keeping the file's permissions,
// leaving a read-only file alone). With set_aside_bad, an unreadable file found at load is kept
// as PATH.bad first.
bool save_settings(const std::string& path, const Settings& s, bool set_aside_bad = false,
                   std::string* error = nullptr);

// Per-panel state: widget states that persist across frames, the panel's own choices, and scratch
// buffers reused from frame to frame (so a steady panel does not allocate). release() frees the
// heatmaps' GL objects; the app calls it before the GL context goes away.
struct GatesPanelState {
  widgets::HeatmapState maps[4];  // one per heatmap slot of the grid
  bool show_pre = false;          // pre-activations instead of activations
  Mat block;                      // (H, T) one gate's rows, contiguous for the heatmap
  void release() {
    for (auto& m : maps) m.release();
  }
};
struct StatesPanelState {
  widgets::HeatmapState cell_map, hidden_map;
  widgets::PlotState cell_lanes, hidden_lanes;
  bool as_heatmap = false;     // heatmap, or lanes: the selected unit and its neighbours as lines
  int neighbours = 2;          // lanes: units shown on each side of the selected one
  std::vector<double> t_axis;  // (T) 1..T, the x of the lanes
  std::vector<double> row;     // (T) one unit's row, contiguous for the plot
  void release() {
    cell_map.release();
    hidden_map.release();
  }
};
struct GradientsPanelState {
  widgets::PlotState per_step, profile;
  widgets::HeatmapState profile_history;
  bool overview = false;        // the whole run (downsampled) instead of the recent iterations
  std::vector<double> t_axis;   // (T) 1..T
  std::vector<double> row;      // (T) one row of a norm or profile matrix
  std::vector<double> history;  // (K, R) column-major: distance x row, time order
  std::vector<std::string> iteration_labels;  // (R) tick labels of the history's columns
  std::vector<const char*> iteration_ptrs;    // (R)
  void release() { profile_history.release(); }
};
struct TrainingPanelState {
  widgets::PlotState loss, accuracy, norm, learning_rate;
  bool overview = false;
  bool log_loss = true;
  std::vector<double> clip_marks;  // (n) norm before clipping where clipped, NaN elsewhere
  // Time travel: the iteration last asked of the worker (cmd::ViewIteration), -1 none; whether
  // training goes on behind the view.
  int64_t scrub_sent = -1;
  int64_t scrub_picked = -1;  // where the slider was last dragged to (sent exactly on release)
  bool keep_training = false;
};
struct SamplePanelState {
  widgets::HeatmapState inputs, outputs;
  widgets::PlotState series;
  std::vector<double> t_axis;             // (T) 1..T
  std::vector<double> row;                // (T) one row of inputs / targets / outputs
  std::vector<double> scratch;            // rows copied for plots (e.g. marked values)
  std::vector<std::string> labels;        // (T) x tick labels built per frame
  std::vector<const char*> x_label_ptrs;  // (T) into labels
  std::vector<const char*> label_ptrs;    // y tick labels (the task's symbols)
  void release() {
    inputs.release();
    outputs.release();
  }
};
struct ConfigPanelState {
  ExperimentConfig edit;   // the working copy the widgets edit
  Json checked;            // the edit as last validated (validation builds the task, which
                           //   may read a text file: done only when the edit changes)
  std::string edit_error;  // why the edit cannot be applied; "" when it can
  std::string load_path;   // the "open" text field
  std::string message;     // last load/save message
};

// The Inspect view (app/gui/inspect_view.cpp): a trained model, no task and no training, run on
// what the user types in the Input panel. Its snapshot is built here, on the UI thread (one
// forward and one backward pass of at most kMaxInspectSteps steps), whenever the text or the
// chosen output changes; the panels draw it in Mode::Inspect instead of the worker's.
struct InspectState {
  bool active = false;  // a model is open: the Inspect tab is there
  InspectModel model;
  std::string text;           // the Input panel's text, as typed
  OutputChoice choice;        // whose gradient the Gradient of the output panel shows
  bool dirty = true;          // text or choice changed since the snapshot was built
  std::string error;          // why the text cannot be read ("" when it can)
  InspectInput input;         // the text as last read successfully
  OutputGradient gradient;    // the chosen output's value and ∂y/∂h_t
  std::shared_ptr<const Snapshot> snapshot;  // null until some text has been read
  uint64_t version = 0;       // of the last snapshot built
  std::vector<char> edit;     // the text field's buffer (kMaxInspectTextBytes + 1)
  widgets::PlotState influence;  // the Gradient of the output panel's plot
  std::vector<double> t_axis, row;  // (T) its x and one row of the norms
};

// The lesson's guided tour (app/gui/tour.cpp) as the class follows it: the step on the card,
// the actions still to send (a `run` holds the ones after it until it ends), the question.
struct TourState {
  Tour steps;               // the lesson's tour; empty: the card shows the lesson's description
  std::string title, description;
  int step = 0;             // the step on the card (0-based)
  int reached = -1;         // the furthest step whose actions have been started
  std::deque<TourAction> pending;  // actions not sent yet, in order
  uint64_t waiting = 0;     // the cmd::RunUntil id sent and not ended yet (0: none)
  uint64_t next_id = 1;
  bool asking = false;      // step `reached` asks its question; its actions wait for the answer
  int answer = -1;          // the choice picked (-1: none, or Next without an answer)
  double entered_at = 0;    // ImGui::GetTime() when the step was entered (the outline's pulse)
  bool card_focused = false;  // the card's window had focus last frame (→ ← Space go to it)
  bool sweeping = false;      // a sweep the tour started is running (the actions after it wait)
  bool fast = false;          // --tour-step: speed actions are noted, not sent (runs at full speed)
  bool limit_panels = false;  // the step names its panels: only those are shown
  PanelFlags shown{};         //   which, by PanelId
  Rect card;                  // where the card was drawn last frame (the layout report)
  std::vector<std::pair<std::string, Rect>> outlines;  // highlights drawn this frame: what, where
};

// Presenter mode (F5, View → Present): full screen, the step's panels and the card only, larger
// text; B blanks the screen.
struct PresenterState {
  bool on = false;
  bool blank = false;
  float scale = 1.5f;        // the text scale while presenting (Ctrl +/− adjust it)
  float saved_scale = 1.0f;  // the scale to return to
};

struct Snapshot;

// Figures for slides (figure_menu.cpp): what a panel's right-click menu asked for, served between
// frames; a GIF recording under way; the last message shown about them.
struct FigureState {
  enum class Kind { Png, Svg, Csv, Copy, Record };
  struct Request {
    Kind kind = Kind::Png;
    PanelId panel = PanelId::Training;
    Rect rect;           // the panel's window on screen (pixels)
    int times = 1;       // PNG: 1x, 2x or 3x the screen's pixels
    bool whole = false;  // Record: the whole window instead of the panel
  };
  std::optional<Request> pending;
  std::string dir = "figures";  // where files go (made when missing), relative to the working dir
  int record_seconds = 5;       // 1..60
  int record_fps = 10;          // 1..25
  struct Recording {
    bool on = false;
    Request what;
    std::string path;
    double started = 0;  // glfwGetTime()
    int frames_taken = 0;
    std::int64_t bytes = 0;  // the GIF so far (the recorder's status, copied each frame)
    bool stop = false;       // "Stop recording" was chosen
  } recording;
  std::string message;  // shown for a few seconds at the bottom of the window
  double message_until = 0;
};

struct AppState {
  Settings settings;
  Mode mode = Mode::Train;
  bool analysis_spectra = false;  // what was last asked of the worker (SetAnalysis)
  int analysis_jacobian = -1;
  std::string settings_file;
  std::string settings_problem;  // why the settings file could not be used ("" when it could)
  std::string source;  // where the experiment came from: "built-in: default", a path...
  ExperimentConfig lesson;      // the experiment as loaded: its title and description describe it
  std::optional<Mode> entered;  // the mode whose entry was last handled (Step through pauses)
  // The snapshot each panel drew last frame. While training runs, panels take turns to move to
  // the newest, a few per frame, so that no one frame redraws every panel.
  std::array<std::shared_ptr<const Snapshot>, kPanelCount> panel_snapshots;
  std::array<int, kPanelCount> panel_cost{};  // what each panel's redraw costs (app.hpp)
  std::optional<PanelId> focus;          // maximised over the whole window (F, Esc)
  std::optional<PanelId> hovered_panel;  // under the mouse last frame (F focuses it)

  // Inspection, shared by the panels.
  int layer = 0;   // inspected layer
  int unit = 0;    // selected unit (highlighted)
  int sample = 0;  // inspected sequence of the batch
  int model = 0;   // compare mode: which model the per-model panels show

  // Why a key did nothing, shown in the Controls panel while it still applies: ← refused in the
  // middle of a forward pass (at this iteration and forward step).
  struct Notice {
    std::string text;
    int64_t iteration = -1;
    int forward_t = -1;
  } notice;

  float speed = 30.0f;  // iterations per second asked of the worker
  bool max_speed = false;
  float temperature = 1.0f;  // char-LM sampling
  uint64_t seed = 1;

  GatesPanelState gates;
  StatesPanelState states;
  GradientsPanelState gradients;
  TrainingPanelState training;
  SamplePanelState sample_panel;
  ConfigPanelState config;
  StepState step;  // step through: the inspected step, the graph's and the inspector's state
  LabState lab;    // spectrum, Jacobian products, gradient cliff, dependency-length sweep

  // --layout-report: the values panels report while drawing (report_value), name = value, for the
  // panel being drawn; collected into the report after each panel.
  bool report_values = false;
  std::vector<std::pair<std::string, std::string>> reported;

  TourState tour;
  InspectState inspect;
  PresenterState presenter;
  std::optional<PanelId> select_tab;  // a tabbed panel to bring to the front next frame
  FigureState figures;

  // An iteration pinned to see before and after (the Training panel's pin): the Gates panel draws
  // it beside the iteration on screen. The snapshot is immutable; holding it keeps it.
  std::shared_ptr<const Snapshot> pinned;

  bool want_quit = false;  // Quit or Ctrl+Q was asked for: guard.cpp asks first if it must
  bool quit_now = false;   // the main loop ends

  // Sessions, undo and autosave (app/gui/sessions.cpp).
  struct UndoEntry {
    std::string what;   // "reset", "switching lessons", ... (the menu item says "Undo reset")
    std::string bytes;  // the run as it was: a session file's bytes (core/session_file.hpp)
  };
  struct Sessions {
    std::deque<UndoEntry> undo, redo;  // newest last; at least kUndoLevels within kUndoBytes
    std::string path;                  // the Save/Open session field
    std::string message;               // the last save or open, said under the field
    bool asking_save = false, asking_open = false, asking_resume = false;
    std::string resume_summary;        // what the last autosave holds ("Title, iteration 588")
    double last_autosave = 0;          // glfwGetTime() of the last autosave
    int64_t saved_iteration = -1;      // the live iteration at the last explicit save or open
  } sessions;

  // A question the app asks before it throws work away (app/gui/guard.cpp), shown as a modal.
  enum class Ask { None, Quit, Load, CompareMode, Overwrite };
  struct Guard {
    Ask ask = Ask::None;
    ExperimentConfig load;    // Ask::Load: what would replace the running experiment
    std::string load_source;  //   and where it came from
    Mode from = Mode::Train;  // Ask::CompareMode: the mode to go back to
    std::string path;         // Ask::Overwrite: the file that exists; Save elsewhere: its path
    std::string message;      // why the last save failed, shown in the question
  } guard;
};

}  // namespace unrolled
