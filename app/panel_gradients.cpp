// Gradient through time: ‖dL/dh_t‖ against t, the decay profile, the profile over iterations.
#include <imgui.h>

#include "app/panels.hpp"

namespace unrolled {

void draw_gradients_panel(const Snapshot& snap, AppState& app) {
  if (snap.models.empty()) return;
  const ModelView& m = inspected_model(snap, app);
  if (m.profile.size() == 0) return;
  const int l = std::clamp(app.layer, 0, m.spec.num_layers - 1);
  const Eigen::RowVectorXd p = m.profile.row(l);
  if (widgets::BeginPlot("decay profile##profile", ImVec2(-1, -1), app.gradients.profile)) {
    widgets::SetupAxes("distance T - t", "‖dL_T/dh_t‖", widgets::PlotFlags_LogY | widgets::PlotFlags_XFromZero);
    widgets::PlotLine(m.name.c_str(), nullptr, p.data(), static_cast<int>(p.size()));
    widgets::EndPlot();
  }
}

}  // namespace unrolled
