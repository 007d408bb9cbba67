#include "app/panels/panel_table.hpp"

#include "app/panels/panels.hpp"

namespace unrolled {
namespace {

constexpr unsigned kTrain = mode_bit(Mode::Train), kStep = mode_bit(Mode::Step),
                   kCompare = mode_bit(Mode::Compare), kCliff = mode_bit(Mode::Cliff),
                   kSweep = mode_bit(Mode::Sweep), kInspect = mode_bit(Mode::Inspect);

// The panels whose draw functions need less than the whole (snapshot, app, worker).
void draw_gradients(const Snapshot& s, AppState& a, TrainingWorker&) { draw_gradients_panel(s, a); }
void draw_training(const Snapshot& s, AppState& a, TrainingWorker& w) { draw_training_panel(s, a, w); }
void draw_inspector(const Snapshot& s, AppState& a, TrainingWorker&) { draw_inspector_panel(s, a); }
void draw_jacobian(const Snapshot& s, AppState& a, TrainingWorker&) { draw_jacobian_panel(s, a); }
void draw_cliff(const Snapshot&, AppState& a, TrainingWorker&) { draw_cliff_panel(a); }
void draw_sweep(const Snapshot& s, AppState& a, TrainingWorker&) { draw_sweep_panel(s, a); }
void draw_input(const Snapshot& s, AppState& a, TrainingWorker&) { draw_input_panel(s, a); }
void draw_influence(const Snapshot& s, AppState& a, TrainingWorker&) {
  draw_influence_panel(s, a);
}

// Minimum sizes in line heights: a plot of 8 x 9 lines of data with its title, legend, ticks and
// axis labels needs min_plot_box() (13 x 15.5 lines); a line or two more for the controls above
// it and the window's padding.
const PanelInfo kPanels[kPanelCount] = {
    {PanelId::Controls, "controls", "Controls",
     "Play, pause, one iteration, one time step, reset, speed and seed", draw_controls_panel,
     kTrain | kStep | kCompare | kSweep, 15, 9, Analysis::None, true},
    {PanelId::Experiment, "experiment", "Experiment",
     "Every field of the experiment, editable; which changes apply now and which on reset",
     draw_config_panel, kTrain | kCompare | kSweep, 17, 10, Analysis::None, true},
    {PanelId::Gates, "gates", "Gates", "One heatmap per gate: unit against time step",
     draw_gates_panel, kTrain | kStep | kCompare | kInspect, 18, 16, Analysis::None, true},
    {PanelId::Training, "training", "Training",
     "The loss against chance, the gradient norm before and after clipping",
     draw_training, kTrain | kCompare, 17, 16, Analysis::None, true},
    {PanelId::States, "states", "Cell and hidden state",
     "c_t and h_t of the selected unit and its neighbours over time", draw_states_panel,
     kTrain | kInspect,
     17, 16, Analysis::None, true},
    {PanelId::Gradients, "gradients", "Gradient through time",
     "‖∂L/∂h_t‖ against t, the decay profile, and its history", draw_gradients,
     kTrain | kStep | kCompare, 17, 16, Analysis::None, true},
    {PanelId::Sample, "sample", "Sample",
     "The task's input, target and prediction; text the model writes", draw_sample_panel, kTrain,
     17, 16, Analysis::None, true},
    {PanelId::Graph, "graph", "Unrolled network",
     "The network unrolled in time; the gradient flowing back through it", draw_graph_panel,
     kStep | kInspect, 20, 13, Analysis::None, true},
    {PanelId::Inspector, "inspector", "Cell inspector",
     "One cell's equations with the selected unit's numbers", draw_inspector, kStep | kInspect,
     18, 14,
     Analysis::None, true},
    {PanelId::Spectrum, "spectrum", "Spectrum of W_hh",
     "Eigenvalues and singular values of each model's recurrent matrix",
     draw_spectrum_panel, kCompare | kInspect, 17, 16, Analysis::Spectra, true},
    {PanelId::Jacobian, "jacobian", "Jacobian products",
     "‖∏ ∂h_t/∂h_{t−1}‖ over a distance, beside its bound", draw_jacobian, kCompare, 17, 16,
     Analysis::Jacobian, true},
    {PanelId::Cliff, "cliff", "Gradient cliff",
     "Pascanu's one-unit recurrence: its loss surface, and descent with and without clipping",
     draw_cliff, kCliff, 30, 18, Analysis::None, false},
    {PanelId::Sweep, "sweep", "Dependency length",
     "Final loss against the lag, for each model", draw_sweep, kSweep, 17, 17, Analysis::None,
     false},
    {PanelId::Input, "input", "Input",
     "What the model reads: type text or numbers; each token coloured by the selected unit's h_t",
     draw_input, kInspect, 24, 14, Analysis::None, false},
    {PanelId::Influence, "influence", "Gradient of the output",
     "‖∂y/∂h_t‖ of the chosen output against t: which steps its value depends on",
     draw_influence, kInspect, 17, 16, Analysis::None, true},
};

const ModeInfo kModes[kModeCount] = {
    {Mode::Train, "train", "Train"},
    {Mode::Step, "step", "Step through"},
    {Mode::Compare, "compare", "Compare"},
    {Mode::Cliff, "cliff", "Gradient cliff"},
    {Mode::Sweep, "sweep", "Dependency length"},
    {Mode::Inspect, "inspect", "Inspect"},
};

using P = PanelId;
const ModeLayout kLayouts[kModeCount] = {
    // Train: the loss and the gates first; the story of the gradient next.
    {{P::Controls, P::Experiment},
     0.36f,
     {{P::Gates, P::Training, P::States}, {P::Gradients, P::Sample}},
     0.52f,
     {P::Training, P::Gates, P::Controls, P::Gradients, P::States, P::Sample, P::Experiment}},
    // Step through: the unrolled graph and the inspector are the lesson.
    {{P::Controls, P::Inspector},
     0.30f,
     {{P::Graph}, {P::Gates, P::Gradients}},
     0.46f,
     {P::Graph, P::Inspector, P::Controls, P::Gradients, P::Gates}},
    // Compare: the decisive loss plot, then the decay profiles, then why (the spectrum).
    {{P::Controls, P::Experiment},
     0.36f,
     {{P::Training, P::Gradients, P::Gates}, {P::Spectrum, P::Jacobian}},
     0.6f,
     {P::Training, P::Gradients, P::Controls, P::Spectrum, P::Jacobian, P::Gates,
      P::Experiment}},
    {{}, 0, {{P::Cliff}}, 1.0f, {P::Cliff}},
    {{P::Controls, P::Experiment},
     0.36f,
     {{P::Sweep}},
     1.0f,
     {P::Sweep, P::Controls, P::Experiment}},
    // Inspect: what was typed (coloured by a unit) and what the output depends on, side by side
    // and wide; then the states and the gates; the cell's arithmetic, the graph, the spectrum.
    {{},
     0,
     {{P::Input, P::Influence}, {P::States, P::Gates, P::Inspector, P::Graph, P::Spectrum}},
     0.56f,
     {P::Input, P::Influence, P::States, P::Gates, P::Inspector, P::Graph, P::Spectrum}},
};

}  // namespace

std::span<const ModeInfo> mode_table() { return kModes; }
const ModeInfo& mode_info(Mode m) { return kModes[static_cast<int>(m)]; }
std::optional<Mode> find_mode(std::string_view name) {
  for (const ModeInfo& m : kModes)
    if (name == m.name) return m.mode;
  return std::nullopt;
}

std::span<const PanelInfo> panel_table() { return kPanels; }
const PanelInfo& panel_info(PanelId id) { return kPanels[index_of(id)]; }

const PanelInfo* find_panel(std::string_view name) {
  for (const PanelInfo& p : kPanels)
    if (name == p.name) return &p;
  return nullptr;
}

std::string panel_names() {
  std::string out;
  for (const PanelInfo& p : kPanels) out += (out.empty() ? "" : ", ") + std::string(p.name);
  return out;
}

const ModeLayout& mode_layout(Mode m) { return kLayouts[static_cast<int>(m)]; }

}  // namespace unrolled
