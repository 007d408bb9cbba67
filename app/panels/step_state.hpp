// Step through: the state of the unrolled graph and the cell inspector, and what the step keys
// (and the graph panel's buttons, which mirror them) do.
//
// Time steps are 0-based here, as in the engine; the UI shows t + 1 (the lectures count
// t = 1..T with h_0 the initial state).
//
// The keys, in Step-through mode (the graph panel's "(?)" says the same):
//   →      forward in time. Forward pass (or ready, or gradients ready): computes the next forward
//          step; if you had stepped back over computed steps, it first walks over those. Backward
//          pass: moves the inspected cell right over steps whose gradient is already computed.
//   ←      back in time. Forward pass (or ready, or gradients ready): moves the inspected cell
//          back (the values are all in the snapshot; nothing is recomputed). Backward pass:
//          computes the next backward step (the gradient flows right to left), after walking
//          over any computed steps you had moved right past.
//   B      the backward pass: finishes the forward pass and takes the first BPTT step (at t = T).
//          With the gradients ready, it applies the update first and runs the next forward pass.
//   Home   inspect t = 1.
//   End    finish the current pass (forward: the rest of it; backward: the rest of BPTT);
//          when ready, run the next forward pass whole.
//   Space  animate: one step (forward, then backward) every animate_ms until the gradients are
//          ready; Space again stops.
#pragma once

#include <cstdint>

#include "core/inspect.hpp"

namespace unrolled {

struct ModelView;
class TrainingWorker;

struct GraphPanelState {
  float pitch_fs = 0;        // distance between cells, in font heights; 0: fit T to the width
  bool batch_norms = false;  // arrows show the batch's ‖∂L/∂h_t‖ (dh_norm), not the sequence's
  bool animate = false;      // step every animate_ms while on (Space)
  int animate_ms = 600;
  double next_due = 0;        // ImGui::GetTime() when the next animated step is due
  uint64_t sent_version = 0;  // snapshot version when the last animated step was sent
  int scrolled_to = -1;       // the inspected step the view last scrolled to
};

struct InspectorPanelState {
  bool show_diagram = true;
  int tab_phase = -1;  // 0 forward, 1 backward: the half last brought to the front for the phase
};

struct StepState {
  int t = 0;           // inspected time step (0-based)
  bool follow = true;  // t follows the step being computed (the "front")
  GraphPanelState graph;
  InspectorPanelState inspector;
};

enum class StepAction {
  Back,          // ←
  Forward,       // →
  BackwardPass,  // B
  Home,
  End,
  Advance,       // one animated step: forward until the pass ends, then backward
  ToggleAnimate  // Space
};

// Does what the key does (see the legend above): moves s.t and/or sends step commands. k1: the
// truncation (0: full BPTT), which decides whether the last BPTT step also finishes the
// decay-profile sweep. Defined in panel_graph.cpp.
void step_action(StepAction a, const ModelView& m, int k1, StepState& s, TrainingWorker& worker);
// Where the inspected step goes while following: the step just computed.
int follow_target(const ModelView& m, int current);

// The inspected sequence's values for one layer, as core::inspect_cell reads them, pointing into
// m (which must outlive the result). Defined in panel_inspector.cpp.
SequenceRef sequence_ref(const ModelView& m, int layer);
// inspect_cell on the snapshot's values, with the weights they were computed with. t must be a
// computed forward step (t < m.forward_t).
CellInspection inspect_view(const ModelView& m, int layer, int t, int unit);

}  // namespace unrolled
