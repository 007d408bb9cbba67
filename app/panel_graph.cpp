// The unrolled network: a row of cells across time. (First version: the step positions.)
#include <imgui.h>

#include "app/panels.hpp"

namespace unrolled {

void draw_graph_panel(const Snapshot& snap, AppState& app, TrainingWorker& /*worker*/) {
  if (snap.models.empty()) return;
  const ModelView& m = inspected_model(snap, app);
  ImGui::Text("%s, T = %d, phase: %s, forward t = %d, backward t = %d", m.name.c_str(), m.steps,
              std::string(to_string(m.phase)).c_str(), m.forward_t, m.backward_t);
}

}  // namespace unrolled
