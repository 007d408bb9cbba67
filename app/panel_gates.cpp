// Gates: one heatmap per gate (unit x time step) for the inspected sequence.
#include <imgui.h>

#include "app/panels.hpp"

namespace unrolled {

void draw_gates_panel(const Snapshot& snap, AppState& app) {
  if (snap.models.empty()) return;
  const ModelView& m = inspected_model(snap, app);
  const int L = m.spec.num_layers, H = m.spec.hidden_size;
  app.layer = std::clamp(app.layer, 0, L - 1);
  if (m.gates.empty() || m.steps == 0) {
    ImGui::TextDisabled("No forward pass yet: press Play or step forward.");
    return;
  }
  const auto names = gate_names(m.spec.cell);
  const int G = static_cast<int>(names.size());
  for (int g = 0; g < G; ++g) {
    const Mat block = m.gates[app.layer].middleRows(g * H, H);  // (H, T)
    widgets::HeatmapOptions opt;
    opt.x_label = "t";
    opt.y_label = "unit";
    opt.value_label = names[g].c_str();
    opt.title = names[g].c_str();
    const bool sigmoid = m.spec.cell != CellType::Rnn && !(names[g] == "g" || names[g] == "n");
    opt.colormap = sigmoid ? widgets::Colormap::Sequential : widgets::Colormap::Diverging;
    if (sigmoid) opt.vmin = 0, opt.vmax = 1;
    opt.highlight_row = app.unit;
    const float h = ImGui::GetContentRegionAvail().y / static_cast<float>(G - g) - 4;
    if (widgets::Heatmap(names[g].c_str(), block.data(), H, m.steps, true, opt, app.gates.maps[g], ImVec2(-1, h)))
      app.unit = app.gates.maps[g].clicked_row;
  }
}

}  // namespace unrolled
