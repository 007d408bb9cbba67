// The panels' windows: one ImGui window per layout cell, placed by the layout. A cell that several
// panels share shows a row of tabs and the panel chosen last. Double-clicking a title (or a tab)
// maximises that panel; so does F over it; Esc brings the layout back (keys.cpp). ImGui's tab bar
// remembers which tab is chosen.
#include <imgui.h>
#include <imgui_internal.h>

#include <algorithm>
#include <cstdio>

#include "app/gui/app.hpp"
#include "app/gui/gui.hpp"
#include "app/panels/panels.hpp"
#include "widgets/report.hpp"

namespace unrolled {
namespace {

constexpr ImGuiWindowFlags kCellFlags = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                        ImGuiWindowFlags_NoCollapse |
                                        ImGuiWindowFlags_NoSavedSettings |
                                        ImGuiWindowFlags_NoBackground;

void toggle_focus(AppState& app, PanelId id) {
  app.focus = app.focus == id ? std::nullopt : std::optional<PanelId>(id);
}

// Items that reach past the right edge of a window that does not scroll sideways are cut there
// without an ellipsis: one line naming the panel and by how much.
void check_overflow(const PanelInfo& p, DrawnPanel& out) {
  const ImGuiWindow* w = ImGui::GetCurrentWindow();
  if (w->ScrollbarX) return;
  const float over = w->DC.CursorMaxPos.x - w->InnerClipRect.Max.x;
  if (over <= 1.0f) return;
  char buf[160];
  std::snprintf(buf, sizeof buf, "%s: content reaches %.0f px past the window's right edge",
                p.title, over);
  out.clipped_text.push_back(buf);
}

// What the widgets recorded while the panel drew (on only with --layout-report).
void collect_widget_report(DrawnPanel& out) {
  if (!widgets::layout_report_enabled()) return;
  const widgets::LayoutReport& r = widgets::layout_report();
  for (const widgets::PlotRecord& p : r.plots) {
    DrawnPlot d{p.title, {p.data_rect.x, p.data_rect.y, p.data_rect.w, p.data_rect.h},
                std::nullopt, p.legend_points_covered};
    if (p.has_legend)
      d.legend = Rect{p.legend_rect.x, p.legend_rect.y, p.legend_rect.w, p.legend_rect.h};
    out.plots.push_back(std::move(d));
  }
  out.clipped_text.insert(out.clipped_text.end(), r.clipped_text.begin(), r.clipped_text.end());
}

// Draws panel `id` into the current window and notes what it cost and whether it overflowed.
DrawnPanel draw_panel(PanelId id, const Snapshot& snap, AppState& app, TrainingWorker& worker,
                      Rect rect) {
  const PanelInfo& p = panel_info(id);
  DrawnPanel out{id, rect, true, {}, {}, {}};
  app.reported.clear();
  widgets::layout_report().clear();
  p.draw(snap, app, worker);
  figure_menu(id, rect, app);
  out.values = std::move(app.reported);
  collect_widget_report(out);
  check_overflow(p, out);
  // What redrawing it costs a software rasteriser: its triangles, and its area at one triangle's
  // cost per kPixelsPerTriangle pixels.
  app.panel_cost[index_of(id)] = ImGui::GetWindowDrawList()->IdxBuffer.Size / 3 +
                                 static_cast<int>(rect.w * rect.h / kPixelsPerTriangle);
  if (ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows)) app.hovered_panel = id;
  return out;
}

std::string window_name(const PanelInfo& p, bool focused) {
  return notation(p.title) + (focused ? "  \xE2\x80\x94  Esc: back to the layout" : "") +
         "###" + p.name;
}

void begin_cell(const char* name, Rect r, ImGuiWindowFlags extra) {
  ImGui::SetNextWindowPos({r.x, r.y});
  ImGui::SetNextWindowSize({r.w, r.h});
  ImGui::Begin(name, nullptr, kCellFlags | extra);
}

DrawnPanel single_cell(const LayoutCell& cell, const Snapshot& snap, AppState& app,
                       TrainingWorker& worker) {
  const PanelId id = cell.panels[0];
  begin_cell(window_name(panel_info(id), app.focus == id).c_str(), cell.rect, 0);
  const ImRect title_bar = ImGui::GetCurrentWindow()->TitleBarRect();
  if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left) && ImGui::IsWindowHovered() &&
      title_bar.Contains(ImGui::GetIO().MousePos))
    toggle_focus(app, id);
  DrawnPanel out = draw_panel(id, snap, app, worker, cell.rect);
  ImGui::End();
  return out;
}

// ImGui's tab bar, one tab per panel on one line (tabs narrow with an ellipsis and a tooltip when
// they do not fit); returns the panel to show. A double-click on a tab focuses its panel.
PanelId tab_row(const LayoutCell& cell, AppState& app) {
  PanelId chosen = cell.panels[0];
  if (!ImGui::BeginTabBar("##tabs", ImGuiTabBarFlags_FittingPolicyResizeDown)) return chosen;
  for (PanelId id : cell.panels) {
    const PanelInfo& p = panel_info(id);
    const std::string label = notation(p.title) + "###" + p.name;
    // A tour step pointing at a panel behind a tab brings it to the front once.
    const bool bring = app.select_tab == id;
    if (bring) app.select_tab.reset();
    const bool open =
        ImGui::BeginTabItem(label.c_str(), nullptr, bring ? ImGuiTabItemFlags_SetSelected : 0);
    if (ImGui::IsItemHovered() && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left))
      toggle_focus(app, id);
    if (open) {
      chosen = id;
      ImGui::EndTabItem();
    }
  }
  ImGui::EndTabBar();
  return chosen;
}

void tabbed_cell(const LayoutCell& cell, const std::vector<const Snapshot*>& shown,
                 AppState& app, TrainingWorker& worker, std::vector<DrawnPanel>& out) {
  const std::string name = std::string("###cell_") + panel_info(cell.panels[0]).name;
  begin_cell(name.c_str(), cell.rect, ImGuiWindowFlags_NoTitleBar);
  const PanelId chosen = tab_row(cell, app);
  if (ImGui::BeginChild("##tab_content", {0, 0}, false))
    out.push_back(draw_panel(chosen, *shown[index_of(chosen)], app, worker, cell.rect));
  ImGui::EndChild();
  ImGui::End();
  for (PanelId p : cell.panels)
    if (p != chosen) out.push_back({p, cell.rect, false, {}, {}, {}});
}

}  // namespace

std::vector<PanelId> panels_of(const Layout& layout) {
  std::vector<PanelId> out;
  for (const LayoutCell& c : layout.cells) out.insert(out.end(), c.panels.begin(), c.panels.end());
  return out;
}

std::vector<DrawnPanel> draw_cells(const Layout& layout, const std::vector<const Snapshot*>& shown,
                                   AppState& app, TrainingWorker& worker) {
  std::vector<DrawnPanel> out;
  app.hovered_panel.reset();
  for (const LayoutCell& cell : layout.cells) {
    if (cell.panels.size() == 1)
      out.push_back(single_cell(cell, *shown[index_of(cell.panels[0])], app, worker));
    else
      tabbed_cell(cell, shown, app, worker, out);
  }
  draw_figure_status(app);
  return out;
}

}  // namespace unrolled
