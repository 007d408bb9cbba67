// The app's panels, one file each (panel_<name>.cpp). Each draws the contents of its window from
// the newest Snapshot; the app places the windows. Panels send commands to the worker and change
// only the AppState they are given.
#pragma once

#include "app/app_state.hpp"
#include "app/snapshot.hpp"
#include "app/training_worker.hpp"

namespace unrolled {

// Play/pause, one iteration, one time step forward/back, reset, speed, seed, phase.
void draw_controls_panel(const Snapshot& snap, AppState& app, TrainingWorker& worker);
// Every field of the experiment, editable; says which changes apply now and which on reset.
void draw_config_panel(const Snapshot& snap, AppState& app, TrainingWorker& worker);
// One heatmap per gate (unit x time step) for the inspected sequence; picks the sequence.
void draw_gates_panel(const Snapshot& snap, AppState& app, TrainingWorker& worker);
// c_t and h_t per unit over time, lanes or heatmap, the selected unit highlighted.
void draw_states_panel(const Snapshot& snap, AppState& app, TrainingWorker& worker);
// ‖dL/dh_t‖ against t (log), the decay profile, and the profile over iterations.
void draw_gradients_panel(const Snapshot& snap, AppState& app);
// Loss against the baseline, gradient norm before/after clipping, learning rate.
void draw_training_panel(const Snapshot& snap, AppState& app);
// The task's input, target and prediction; generated text for the char-LM.
void draw_sample_panel(const Snapshot& snap, AppState& app, TrainingWorker& worker);

// Shared helpers for panels.
const ModelView& inspected_model(const Snapshot& snap, const AppState& app);
// A short help marker "(?)" with a tooltip.
void help_marker(const char* text);

}  // namespace unrolled
