// Training: the loss against the task's baseline.
#include <imgui.h>

#include "app/panels.hpp"

namespace unrolled {

void draw_training_panel(const Snapshot& snap, AppState& app) {
  if (snap.models.empty()) return;
  if (widgets::BeginPlot("loss##loss", ImVec2(-1, -1), app.training.loss)) {
    widgets::SetupAxes("iteration", "loss", widgets::PlotFlags_LogY);
    for (const ModelView& m : snap.models) {
      const Series x = m.history.recent(Field::Iteration), y = m.history.recent(Field::Loss);
      if (y.count > 0) widgets::PlotLine(m.name.c_str(), x.data, y.data, y.count, y.offset);
    }
    widgets::PlotHLine("chance", snap.task.baseline);
    widgets::EndPlot();
  }
}

}  // namespace unrolled
