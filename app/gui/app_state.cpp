#include "app/gui/app_state.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "core/json_io.hpp"

namespace unrolled {

std::string settings_path() {
  if (const char* p = std::getenv("UNROLLED_SETTINGS"); p && *p) return p;
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x)
    return std::string(x) + "/unrolled/settings.json";
  if (const char* h = std::getenv("HOME"); h && *h)
    return std::string(h) + "/.config/unrolled/settings.json";
  return "unrolled-settings.json";
}

Settings load_settings(const std::string& path) {
  Settings s;
  Json j;
  std::string error;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return s;  // the first run: nothing to say
  if (read_json_file(path, 64 * 1024, j, &error) && !j.is_object())
    error = path + ": expected a JSON object, found " + json_type_name(j);
  if (!error.empty()) {
    // Said once, here, and never fatal: a broken settings file must not keep the app from
    // opening (the user fixes or deletes it, or the next save replaces it).
    std::fprintf(stderr, "unrolled: settings file %s; starting on the default settings\n",
                 error.c_str());
    return s;
  }
  auto num = [&](const char* key, auto& out, double lo, double hi) {
    if (j.contains(key) && j[key].is_number())
      out = static_cast<std::remove_reference_t<decltype(out)>>(
          std::clamp(j[key].get<double>(), lo, hi));
  };
  num("window_width", s.window_width, 320, 8192);
  num("window_height", s.window_height, 240, 8192);
  num("ui_scale", s.ui_scale, 0.5, 4.0);
  if (j.contains("light_theme") && j["light_theme"].is_boolean()) s.light_theme = j["light_theme"];
  // "panels": {"gates": false, ...}: the panels hidden with the View menu. ("config" is the
  // Experiment panel's name in files written before the panel table.)
  if (j.contains("panels") && j["panels"].is_object())
    for (const auto& [key, value] : j["panels"].items()) {
      const PanelInfo* p = find_panel(key == "config" ? "experiment" : key);
      if (p && value.is_boolean()) s.hidden[index_of(p->id)] = !value.get<bool>();
    }
  return s;
}

bool save_settings(const std::string& path, const Settings& s) {
  Json panels = Json::object();
  for (const PanelInfo& p : panel_table())
    if (p.switchable) panels[p.name] = !s.hidden[index_of(p.id)];
  const Json j = {{"window_width", s.window_width}, {"window_height", s.window_height},
                  {"ui_scale", s.ui_scale},         {"light_theme", s.light_theme},
                  {"panels", panels}};
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  return write_file_atomic(path, j.dump(2) + "\n", nullptr);
}

}  // namespace unrolled
