// libFuzzer: the settings reader (parse_settings_text, what the app runs on settings.json at
// start). A refusal must say why; an accepted file must be within the documented ranges and
// survive its own writer unchanged.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/settings_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace unrolled;
  if (size > kMaxSettingsBytes) return 0;  // refused before reading
  const std::string text(reinterpret_cast<const char*>(data), size);
  SettingsFile s;
  std::string error;
  if (!parse_settings_text(text, "settings.json", s, &error)) {
    if (error.empty()) __builtin_trap();
    return 0;
  }
  if (s.window_width < 320 || s.window_width > 8192 || s.window_height < 240 ||
      s.window_height > 8192 || !(s.ui_scale >= 0.5 && s.ui_scale <= 4.0))
    __builtin_trap();
  SettingsFile back;
  if (!parse_settings_text(settings_json_text(s), "again", back, &error) ||
      back.window_width != s.window_width || back.ui_scale != s.ui_scale ||
      back.panels != s.panels)
    __builtin_trap();
  return 0;
}
