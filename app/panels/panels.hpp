// The app's panels, one file each (panel_<name>.cpp). Each draws the contents of its window from
// the newest Snapshot; the app places the windows. Panels send commands to the worker and change
// only the AppState they are given.
#pragma once

#include "app/gui/app_state.hpp"
#include "app/session/snapshot.hpp"
#include "app/session/training_worker.hpp"

namespace unrolled {

// Play/pause, one iteration, one time step forward/back, reset, speed, seed, phase.
void draw_controls_panel(const Snapshot& snap, AppState& app, TrainingWorker& worker);
// ← outside Step through (the key and the Controls button): one BPTT step. In the middle of a
// forward pass it does nothing and says why in app.notice: it never finishes the pass unasked.
void step_back_in_time(const Snapshot& snap, AppState& app, TrainingWorker& worker);
// Every field of the experiment, editable; says which changes apply now and which on reset.
void draw_config_panel(const Snapshot& snap, AppState& app, TrainingWorker& worker);
// One heatmap per gate (unit x time step) for the inspected sequence; picks the sequence.
void draw_gates_panel(const Snapshot& snap, AppState& app, TrainingWorker& worker);
// c_t and h_t per unit over time, lanes or heatmap, the selected unit highlighted.
void draw_states_panel(const Snapshot& snap, AppState& app, TrainingWorker& worker);
// ‖dL/dh_t‖ against t (log), the decay profile, and the profile over iterations.
void draw_gradients_panel(const Snapshot& snap, AppState& app);
// Loss against the baseline, gradient norm before/after clipping, learning rate.
void draw_training_panel(const Snapshot& snap, AppState& app, TrainingWorker& worker);
// The task's input, target and prediction; generated text for the char-LM.
void draw_sample_panel(const Snapshot& snap, AppState& app, TrainingWorker& worker);

// Step through (issue 5): the network unrolled in time, and one cell's arithmetic.
void draw_graph_panel(const Snapshot& snap, AppState& app, TrainingWorker& worker);
void draw_inspector_panel(const Snapshot& snap, AppState& app);
// Compare (issue 6): eigenvalues and singular values of W_hh; products of Jacobians.
void draw_spectrum_panel(const Snapshot& snap, AppState& app, TrainingWorker& worker);
void draw_jacobian_panel(const Snapshot& snap, AppState& app);
// The gradient cliff explorer and the dependency-length sweep.
void draw_cliff_panel(AppState& app);
void draw_sweep_panel(const Snapshot& snap, AppState& app);
// Inspect (issue 15): the typed input, read on every edit, each token under the selected unit's
// h_t as a colour, the output chosen for the gradient; and that output's ‖∂y/∂h_t‖ against t.
void draw_input_panel(const Snapshot& snap, AppState& app);
void draw_influence_panel(const Snapshot& snap, AppState& app);

// [SECTION] Sizes. Every plot's and heatmap's data area is at least kMinDataLinesH text lines
// high and kMinDataLinesW line heights wide at the current font, whatever the window: a panel
// that cannot give its plots that much scrolls (or, in a grid, uses fewer columns) instead.
inline constexpr float kMinDataLinesH = 8, kMinDataLinesW = 9;
// The whole box a plot or heatmap needs for that data area: its title, legend, ticks, axis labels
// (and a heatmap's colour bar) included.
ImVec2 min_plot_box();
// Height for each of n plots stacked in the space left in the panel, less `below` pixels kept for
// what comes after them: an equal share, never below min_plot_box().y.
float stacked_plot_height(int n, float below = 0);
// Columns for n boxes at least min_w wide side by side in the width left (at least 1).
int grid_columns(int n, float min_w);

// [SECTION] Numbers. %.{sig}g-like, in scientific notation ("1.2e19", "3.4e-05") beyond ±1e6 and
// below 1e-4 in magnitude: a diverged loss is never a 40-digit integer. NaN and ±inf by name.
std::string fmt_num(double v, int significant = 3);
// A fraction as a percentage ("97.3%"), or "—" when there is no measurement yet (NaN).
std::string fmt_percent(double fraction, int significant = 3);

// [SECTION] What a panel shows, for the layout report: name = value pairs that tests compare with
// the numbers the engine computed (e.g. "iteration" = "50", "loss" = "1.39"). Costs nothing
// unless app.report_values is on.
void report_value(AppState& app, const char* name, const std::string& value);
// A plot drawn by the panel itself rather than by a widget (the spectrum's plane, the cliff's
// map), for the layout report: its title and data area, in screen pixels.
void report_plot(const char* title, ImVec2 data_min, ImVec2 data_max);

// [SECTION] A guided tour's highlight (app/gui/tour.cpp). What the current step points at in
// `panel`, or null. Panels outline that element with draw_outline (its colour pulses for the first
// seconds of the step, so the eye goes there); plots emphasise the named series.
const TourHighlight* tour_highlight(const AppState& app, PanelId panel);
ImU32 outline_color(const AppState& app);
// Outlines [min, max] in the current window and notes it (what: "rows 0-3", ...) for the report.
void draw_outline(AppState& app, const std::string& what, ImVec2 min, ImVec2 max);
// Before BeginPlot: the series the step names, if it points into this panel.
void emphasise_series(widgets::PlotState& st, const AppState& app, PanelId panel);
// After EndPlot: notes the emphasised series' legend entry for the report.
void note_emphasis(const widgets::PlotState& st, AppState& app);
// After a heatmap of rows x cols cells titled `title`: outlines the rows and columns the step names
// (each contiguous run as one box), when the highlight's `series` is empty or part of the title.
void outline_heatmap(AppState& app, PanelId panel, const std::string& title,
                     const widgets::HeatmapState& hs, int rows, int cols);

// Text that calls for attention, readable on either theme (contrast at least 4.5:1 against the
// window): red for an error (or a wrong answer), amber for a warning.
ImU32 attention_color(bool error);

// True when the running experiment differs from the lesson as it was loaded in anything but the
// seed and the precision (which change numbers, not what the lesson shows): its title and
// description then describe something else.
bool lesson_edited(const ExperimentConfig& running, const ExperimentConfig& lesson);

// Shared helpers for panels.
const ModelView& inspected_model(const Snapshot& snap, const AppState& app);
// A short help marker "(?)" with a tooltip.
void help_marker(const char* text);
// The lectures' notation as the class reads it: TeX-like subscripts in text (h_{t−1}, x_t, W_hh)
// become Unicode subscripts (hₜ₋₁, xₜ, Wₕₕ) and a one-character exponent (λ^d, W^T) a superscript,
// wherever the fonts have them; anything else is left as written. Tooltips, window titles and
// the equations and labels panels draw go through it.
std::string notation(std::string_view tex);
// text with its lines broken at spaces only, each at most width pixels at the current font where a
// word allows (ImGui's own wrapping also breaks after a full stop, so "0.69" could end a line at
// "0."). Existing line breaks stay.
std::string wrap_at_spaces(const std::string& text, float width);
// A tooltip holding text, wrapped at a readable width (call when the item is hovered).
void text_tooltip(const char* text);
// text shortened with "…" to fit width pixels at the current font (whole when it fits). Show the
// whole text in a tooltip where it was shortened.
std::string fit_text(const std::string& text, float width);
// An ImGui text field editing a std::string of at most cap − 1 bytes; true when edited.
bool input_text(const char* label, std::string& s, size_t cap = 1024);
// (panel_gates.cpp) Row `row` of a column-major matrix as a line over xs (m.cols() points). The
// row is copied into scratch first: the plot's stride applies to xs and ys alike.
void plot_matrix_row(const char* label, const double* xs, const Mat& m, Eigen::Index row,
                     std::vector<double>& scratch);
// (panel_gates.cpp) SameLine when an item about width wide still fits on the line, else a new line.
void fit_on_line(float width);
// (panel_gates.cpp) The inspection selectors on one line: model (compare mode), layer (L > 1),
// sequence of the batch (sends SetSample; null worker: no sequence selector).
void draw_inspect_selectors(const Snapshot& snap, AppState& app, TrainingWorker* worker,
                            bool with_layer = true);
// The time step column to outline in step mode (just computed forward, or just back-propagated);
// -1 when the iteration is not being stepped.
int current_step_column(const ModelView& m);
// "forward pass: t = 1…7 of 21 computed" and the like in step mode; empty otherwise.
std::string step_caption(const ModelView& m);

}  // namespace unrolled
