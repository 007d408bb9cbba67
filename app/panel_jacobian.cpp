// Products of Jacobians against distance. (First version: the numbers.)
#include <imgui.h>

#include "app/panels.hpp"

namespace unrolled {

void draw_jacobian_panel(const Snapshot& snap, AppState& /*app*/) {
  for (const ModelView& m : snap.models)
    if (m.jacobian_norms.size() > 1)
      ImGui::Text("%s: ‖∏J‖ at distance %d = %.3g", m.name.c_str(), static_cast<int>(m.jacobian_norms.size() - 1),
                  m.jacobian_norms(m.jacobian_norms.size() - 1));
}

}  // namespace unrolled
