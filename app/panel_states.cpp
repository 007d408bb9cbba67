// Cell and hidden state: c_t and h_t per unit over time for the inspected sequence.
#include <imgui.h>

#include "app/panels.hpp"

namespace unrolled {

void draw_states_panel(const Snapshot& snap, AppState& app, TrainingWorker& /*worker*/) {
  if (snap.models.empty()) return;
  const ModelView& m = inspected_model(snap, app);
  if (m.h.empty() || m.steps == 0) return;
  const int l = std::clamp(app.layer, 0, m.spec.num_layers - 1), H = m.spec.hidden_size;
  widgets::HeatmapOptions opt;
  opt.x_label = "t";
  opt.y_label = "unit";
  opt.colormap = widgets::Colormap::Diverging;
  opt.highlight_row = app.unit;
  const bool lstm = !m.c.empty();
  const float h = ImGui::GetContentRegionAvail().y / (lstm ? 2.0f : 1.0f) - 4;
  if (lstm) {
    opt.title = "c_t";
    opt.value_label = "c";
    if (widgets::Heatmap("c", m.c[l].data(), H, m.steps, true, opt, app.states.cell_map, ImVec2(-1, h)))
      app.unit = app.states.cell_map.clicked_row;
  }
  opt.title = "h_t";
  opt.value_label = "h";
  if (widgets::Heatmap("h", m.h[l].data(), H, m.steps, true, opt, app.states.hidden_map, ImVec2(-1, h)))
    app.unit = app.states.hidden_map.clicked_row;
}

}  // namespace unrolled
