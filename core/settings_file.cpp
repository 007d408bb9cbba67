#include "core/settings_file.hpp"

#include "core/json_fields.hpp"
#include "core/tour.hpp"

namespace unrolled {

namespace {

bool known_panel(const std::string& name) {
  for (const char* p : kTourPanels)
    if (name == p) return true;
  return false;
}

std::string panel_names() {
  std::string all;
  for (const char* p : kTourPanels) all += (all.empty() ? "" : ", ") + std::string(p);
  return all;
}

}  // namespace

bool parse_settings_text(const std::string& text, const std::string& what, SettingsFile& out,
                         std::string* error) {
  Json j;
  if (!parse_json_text(text, what, j, error, 16.0 * kMaxSettingsBytes)) return false;
  SettingsFile s;
  Fields f(j, what, error);
  f.integer("window_width", 320, 8192, s.window_width);
  f.integer("window_height", 240, 8192, s.window_height);
  f.number("ui_scale", 0.5, 4.0, false, s.ui_scale);
  f.flag("light_theme", s.light_theme);
  if (f.take("panels")) {
    // "config" is the Experiment panel's name in files written before the panel table.
    Fields panels(f["panels"], f.where("panels"), error);
    for (const auto& [key, value] : f["panels"].items()) {
      if (!panels.ok()) break;
      const std::string name = key == "config" ? "experiment" : key;
      if (!known_panel(name))
        panels.fail(panels.where(key.c_str()),
                    "not a panel's name; allowed: " + panel_names());
      else
        panels.flag(key.c_str(), s.panels[name]);
    }
    if (!panels.ok()) return false;
  }
  f.finish();
  if (!f.ok()) return false;
  out = std::move(s);
  return true;
}

std::string settings_json_text(const SettingsFile& s) {
  Json panels = Json::object();
  for (const auto& [name, shown] : s.panels) panels[name] = shown;
  const Json j = {{"window_width", s.window_width}, {"window_height", s.window_height},
                  {"ui_scale", s.ui_scale},         {"light_theme", s.light_theme},
                  {"panels", panels}};
  return j.dump(2) + "\n";
}

}  // namespace unrolled
