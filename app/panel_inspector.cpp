// The cell inspector: one cell's equations with the engine's numbers. (First version: a list.)
#include <imgui.h>

#include "app/panels.hpp"
#include "core/inspect.hpp"

namespace unrolled {

void draw_inspector_panel(const Snapshot& snap, AppState& app) {
  if (snap.models.empty()) return;
  const ModelView& m = inspected_model(snap, app);
  if (m.steps == 0 || m.h.empty()) return;
  const int l = std::clamp(app.layer, 0, m.spec.num_layers - 1);
  const int t = std::clamp(m.forward_t - 1, 0, m.steps - 1);
  const Mat& x = l == 0 ? m.inputs : m.h[l - 1];
  const Mat none;
  SequenceRef s{&x, &m.pre[l], &m.gates[l], m.c.empty() ? &none : &m.c[l], &m.h[l], m.hn.empty() ? &none : &m.hn[l],
                &m.dh[l], m.dc.empty() ? &none : &m.dc[l], m.h0.col(l), m.c0.col(l)};
  const CellInspection ins = inspect_cell(m.spec, m.params, l, s, t, std::clamp(app.unit, 0, m.spec.hidden_size - 1));
  for (const EquationLine& e : ins.forward) ImGui::Text("%s = %s = %s", e.lhs.c_str(), e.formula.c_str(), e.substituted.c_str());
  for (const EquationLine& e : ins.backward) ImGui::Text("%s = %s = %s", e.lhs.c_str(), e.formula.c_str(), e.substituted.c_str());
}

}  // namespace unrolled
