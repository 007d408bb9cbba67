// Step through: the GUI's state of the unrolled graph and the cell inspector, and step_action(),
// which carries out what a step key does. What each key does (and the legend of the keys) is the
// step planner's: app/session/step_plan.hpp, GL-free so tests drive it without a window.
#pragma once

#include <cstdint>

#include "app/session/step_plan.hpp"
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

// The cursor plan() reads from the GUI's state.
inline StepCursor step_cursor(const StepState& s) {
  return {s.t, s.follow, s.graph.animate};
}
// Does what the key does: plan() decides, this moves s.t and the animation and sends the plan's
// commands. k1: the truncation (0: full BPTT). Defined in panels/graph.cpp.
void step_action(StepAction a, const ModelView& m, int k1, StepState& s, TrainingWorker& worker);

// The inspected sequence's values for one layer, as core::inspect_cell reads them, pointing into
// m (which must outlive the result). Defined in panels/inspector.cpp.
SequenceRef sequence_ref(const ModelView& m, int layer);
// inspect_cell on the snapshot's values, with the weights they were computed with. t must be a
// computed forward step (t < m.forward_t).
CellInspection inspect_view(const ModelView& m, int layer, int t, int unit);

}  // namespace unrolled
