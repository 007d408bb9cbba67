// The gradient cliff explorer. (First version: the loss at a point.)
#include <imgui.h>

#include "app/panels.hpp"
#include "core/cliff.hpp"

namespace unrolled {

void draw_cliff_panel(AppState& /*app*/) {
  const CliffPoint p = cliff_eval(CliffModel{}, 5.0, -2.5);
  ImGui::Text("L(5, -2.5) = %.4f", p.loss);
}

}  // namespace unrolled
