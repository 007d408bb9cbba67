// Unrolled core: the app's settings file, read as strictly as every other file.
//
//   {"window_width": 1600, "window_height": 900, "ui_scale": 1.25, "light_theme": false,
//    "panels": {"gates": true, "spectrum": false, ...}}
//
// Every key is optional; an unknown key, a value of the wrong type or out of range, or a panel
// name that is not a panel's short name refuses the whole file with one message (the app then
// starts on the defaults, says so once, and keeps the file beside the new one as
// settings.json.bad). The app owns what the values mean; this is only the reader and writer.
#pragma once

#include <map>
#include <string>

namespace unrolled {

constexpr size_t kMaxSettingsBytes = 64 * 1024;

struct SettingsFile {
  int window_width = 1600;   // [320, 8192]
  int window_height = 900;   // [240, 8192]
  double ui_scale = 1.0;     // [0.5, 4]
  bool light_theme = false;
  std::map<std::string, bool> panels;  // short name -> shown; only the names in kTourPanels
};

// Parses the text of a settings file; `what` names it in the message. False with *error set
// (and `out` unchanged) on the first problem.
bool parse_settings_text(const std::string& text, const std::string& what, SettingsFile& out,
                         std::string* error);
std::string settings_json_text(const SettingsFile& s);

}  // namespace unrolled
