// Sample: the task's input sequence, target and prediction.
#include <imgui.h>

#include "app/panels.hpp"

namespace unrolled {

void draw_sample_panel(const Snapshot& snap, AppState& app, TrainingWorker& /*worker*/) {
  if (snap.models.empty()) return;
  const ModelView& m = inspected_model(snap, app);
  widgets::HeatmapOptions opt;
  opt.title = "input x_t";
  opt.x_label = "t";
  opt.y_label = "input";
  widgets::Heatmap("inputs", m.inputs.data(), static_cast<int>(m.inputs.rows()), static_cast<int>(m.inputs.cols()), true,
                   opt, app.sample_panel.inputs, ImVec2(-1, ImGui::GetContentRegionAvail().y * 0.5f));
  if (!m.generated.empty()) ImGui::TextWrapped("%s", m.generated.c_str());
}

}  // namespace unrolled
