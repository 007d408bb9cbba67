// The app's state: plain structs with defaults, no function-local statics. Settings persist
// between runs (window size, UI scale, theme, which panels are shown) in a small JSON file.
#pragma once

#include <string>

#include "app/lab_state.hpp"
#include "core/experiment.hpp"
#include "widgets/heatmap.hpp"
#include "widgets/line_plot.hpp"

namespace unrolled {

struct PanelVisibility {
  bool controls = true;
  bool config = true;
  bool gates = true;
  bool states = true;
  bool gradients = true;
  bool training = true;
  bool sample = true;
};

// What persists between runs.
struct Settings {
  int window_width = 1600;
  int window_height = 900;
  float ui_scale = 1.0f;
  bool light_theme = false;
  PanelVisibility show;
};

// $UNROLLED_SETTINGS, else $XDG_CONFIG_HOME/unrolled/settings.json, else
// ~/.config/unrolled/settings.json.
std::string settings_path();
// Missing or unreadable files give the defaults; bad values are clamped. Never fails.
Settings load_settings(const std::string& path);
bool save_settings(const std::string& path, const Settings& s);

// Per-panel state: widget states that persist across frames, and the panel's own choices.
struct GatesPanelState {
  widgets::HeatmapState maps[4];  // one per gate block
  bool show_pre = false;          // pre-activations instead of activations
};
struct StatesPanelState {
  widgets::HeatmapState cell_map, hidden_map;
  widgets::PlotState cell_lanes, hidden_lanes;
  bool as_heatmap = true;  // heatmap, or one line per unit ("lanes")
};
struct GradientsPanelState {
  widgets::PlotState per_step, profile;
  widgets::HeatmapState profile_history;
  bool overview = false;  // the whole run (downsampled) instead of the recent iterations
};
struct TrainingPanelState {
  widgets::PlotState loss, norm, learning_rate;
  bool overview = false;
  bool log_loss = true;
};
struct SamplePanelState {
  widgets::HeatmapState inputs, outputs;
  widgets::PlotState series;
};
struct ConfigPanelState {
  ExperimentConfig edit;     // the working copy the widgets edit
  bool edit_valid = true;
  std::string edit_error;    // why the edit cannot be applied
  std::string load_path;     // the "open" text field
  std::string message;       // last load/save message
};

// What the main area shows: a set of panels laid out for one activity.
enum class Mode {
  Train,    // live training: gates, states, gradient through time, loss, sample
  Step,     // the unrolled graph and the cell inspector, one time step at a time
  Compare,  // models side by side, the spectrum of W_hh, Jacobian products
  Cliff,    // the gradient cliff explorer
  Sweep,    // loss against dependency length
};

struct AppState {
  Settings settings;
  Mode mode = Mode::Train;
  bool analysis_spectra = false;  // what was last asked of the worker (SetAnalysis)
  int analysis_jacobian = -1;
  std::string settings_file;
  std::string source;  // where the experiment came from: "built-in: default", a path...

  // Inspection, shared by the panels.
  int layer = 0;  // inspected layer
  int unit = 0;   // selected unit (highlighted)
  int sample = 0; // inspected sequence of the batch
  int model = 0;  // compare mode: which model the per-model panels show

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
  LabState lab;  // spectrum, Jacobian products, gradient cliff, dependency-length sweep

  bool want_quit = false;
};

}  // namespace unrolled
