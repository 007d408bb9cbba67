#include "app/gui/layout_report.hpp"

#include "core/json_io.hpp"

namespace unrolled {
namespace {

Json rect_json(const Rect& r) { return Json::array({r.x, r.y, r.w, r.h}); }

Json window_json(const DrawnPanel& w) {
  Json plots = Json::array();
  for (const DrawnPlot& p : w.plots)
    plots.push_back({{"title", p.title},
                     {"data_rect", rect_json(p.data)},
                     {"legend_rect", p.legend ? rect_json(*p.legend) : Json(nullptr)},
                     {"legend_points_covered", p.legend_points_covered}});
  Json values = Json::object();
  for (const auto& [name, value] : w.values) values[name] = value;
  const PanelInfo& info = panel_info(w.id);
  return {{"title", info.title},     {"name", info.name},   {"rect", rect_json(w.rect)},
          {"visible", w.visible},    {"plots", plots},      {"clipped_text", w.clipped_text},
          {"values", values}};
}

}  // namespace

bool write_layout_report(const std::string& path, const LayoutReport& r, std::string* error) {
  Json windows = Json::array();
  for (const DrawnPanel& w : r.windows) windows.push_back(window_json(w));
  const Json j = {{"size", {r.width, r.height}}, {"scale", r.scale},
                  {"font_px", r.font_px},        {"menu_overlap", r.menu_overlap},
                  {"stray_debug_window", r.stray_debug_window},
                  {"menu", {{"title", r.menu_title}, {"status", r.menu_status}}},
                  {"banner", r.banner},          {"windows", windows},
                  {"card", r.card}};
  return write_file_atomic(path, j.dump(1) + "\n", error);
}

}  // namespace unrolled
