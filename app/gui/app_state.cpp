#include "app/gui/app_state.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "core/json_io.hpp"
#include "core/settings_file.hpp"

namespace unrolled {

std::string settings_path() {
  if (const char* p = std::getenv("UNROLLED_SETTINGS"); p && *p) return p;
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x)
    return std::string(x) + "/unrolled/settings.json";
  if (const char* h = std::getenv("HOME"); h && *h)
    return std::string(h) + "/.config/unrolled/settings.json";
  return "unrolled-settings.json";
}

Settings load_settings(const std::string& path, std::string* problem) {
  Settings s;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return s;  // the first run: nothing to say
  std::string text, error;
  SettingsFile file;
  if (read_text_file(path, kMaxSettingsBytes, text, &error))
    parse_settings_text(text, path, file, &error);
  if (!error.empty()) {
    // Said once, here, and never fatal: a broken settings file must not keep the app from
    // opening. The caller keeps it as PATH.bad when it saves the new one.
    std::fprintf(stderr, "unrolled: settings file %s; starting on the default settings\n",
                 error.c_str());
    if (problem) *problem = error;
    return s;
  }
  s.window_width = file.window_width;
  s.window_height = file.window_height;
  s.ui_scale = static_cast<float>(file.ui_scale);
  s.light_theme = file.light_theme;
  for (const auto& [name, shown] : file.panels)
    if (const PanelInfo* p = find_panel(name); p && p->switchable)
      s.hidden[index_of(p->id)] = !shown;
  return s;
}

bool save_settings(const std::string& path, const Settings& s, bool set_aside_bad,
                   std::string* error) {
  SettingsFile file;
  file.window_width = std::clamp(s.window_width, 320, 8192);
  file.window_height = std::clamp(s.window_height, 240, 8192);
  file.ui_scale = std::clamp(static_cast<double>(s.ui_scale), 0.5, 4.0);
  file.light_theme = s.light_theme;
  for (const PanelInfo& p : panel_table())
    if (p.switchable) file.panels[p.name] = !s.hidden[index_of(p.id)];
  std::error_code ec;
  const std::filesystem::path target = std::filesystem::weakly_canonical(path, ec);
  const std::string real = ec ? path : target.string();  // a symlink is written through
  std::filesystem::create_directories(std::filesystem::path(real).parent_path(), ec);
  if (set_aside_bad && std::filesystem::exists(real, ec)) {
    std::filesystem::rename(real, real + ".bad", ec);
    if (ec) {
      if (error) *error = real + ": the unreadable file could not be kept as " + real + ".bad (" +
                          ec.message() + "); not replaced";
      return false;
    }
  }
  return write_file_atomic(real, settings_json_text(file), error);
}

}  // namespace unrolled
