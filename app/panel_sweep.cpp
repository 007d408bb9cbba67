// Loss against dependency length. (First version: the plan.)
#include <imgui.h>

#include "app/panels.hpp"

namespace unrolled {

void draw_sweep_panel(const Snapshot& snap, AppState& /*app*/) {
  ImGui::Text("%zu model(s) on %s", snap.models.size(), snap.task.name.c_str());
}

}  // namespace unrolled
