// unrolled::gui_main: the GUI's command line.
//   unrolled --gallery [--screenshot FILE.png] [--frames N] [--size WxH] [--scale S]
//            [--theme dark|light]
// Anything else goes to run_app(), the training app (to come).
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "app/cli.hpp"
#include "app/gallery.hpp"
#include "app/gui_window.hpp"

namespace unrolled {
namespace {

struct GuiOptions {
  bool gallery = false;
  std::string screenshot;  // PNG path; empty: no screenshot
  int frames = -1;         // -1: until closed, or 3 when taking a screenshot
  int width = 1600, height = 900;
  float scale = 1.0f;
  Theme theme = Theme::Dark;
  std::vector<std::string> positional;  // e.g. "open" FILE.json, for run_app
};

int bad_argument(const std::string& arg, const char* allowed) {
  std::fprintf(stderr, "unrolled: bad argument %s: %s\n", arg.c_str(), allowed);
  return 2;
}

bool parse_int(const std::string& s, int& out) {
  char* end = nullptr;
  const long v = std::strtol(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || v < 0 || v > 1000000) return false;
  out = static_cast<int>(v);
  return true;
}

// Returns 0 when parsed, else the exit code after printing one message.
int parse(const std::vector<std::string>& args, GuiOptions& o) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool has_value = i + 1 < args.size();
    const std::string value = has_value ? args[i + 1] : std::string();
    if (a == "--gallery") {
      o.gallery = true;
    } else if (a == "--screenshot") {
      if (!has_value || value.empty() || value.rfind("--", 0) == 0)
        return bad_argument(a, "needs a file name, e.g. --screenshot gallery.png");
      o.screenshot = value;
      ++i;
    } else if (a == "--frames") {
      if (!has_value || !parse_int(value, o.frames) || o.frames < 1)
        return bad_argument(a + (has_value ? " " + value : ""),
                            "needs a whole number of frames >= 1");
      ++i;
    } else if (a == "--size") {
      const auto x = value.find('x');
      int w = 0, h = 0;
      if (!has_value || x == std::string::npos || !parse_int(value.substr(0, x), w) ||
          !parse_int(value.substr(x + 1), h) || w < 320 || h < 240 || w > 8192 || h > 8192)
        return bad_argument(
            a + (has_value ? " " + value : ""),
            "needs WIDTHxHEIGHT in pixels, from 320x240 to 8192x8192, e.g. 1600x900");
      o.width = w;
      o.height = h;
      ++i;
    } else if (a == "--scale") {
      char* end = nullptr;
      const float s = has_value ? std::strtof(value.c_str(), &end) : 0.0f;
      if (!has_value || *end != '\0' || !(s >= 0.5f && s <= 4.0f))
        return bad_argument(a + (has_value ? " " + value : ""),
                            "needs a UI scale from 0.5 to 4, e.g. 1.5");
      o.scale = s;
      ++i;
    } else if (a == "--theme") {
      if (value == "dark") {
        o.theme = Theme::Dark;
      } else if (value == "light") {
        o.theme = Theme::Light;
      } else {
        return bad_argument(a + (has_value ? " " + value : ""), "needs dark or light");
      }
      ++i;
    } else if (a.rfind("--", 0) == 0) {
      return bad_argument(a,
                          "allowed are --gallery, --screenshot FILE.png, --frames N, "
                          "--size WxH, --scale S, --theme dark|light (and --help)");
    } else {
      o.positional.push_back(a);
    }
  }
  if (o.frames < 0) o.frames = o.screenshot.empty() ? 0 : 3;
  return 0;
}

// The training app. Replaced when the app's panels land; kept in one place for that.
int run_app(const GuiOptions& /*options*/) {
  std::fputs("unrolled: the training app is not built yet; try --gallery\n", stderr);
  return 2;
}

}  // namespace

int gui_main(const std::vector<std::string>& args) {
  GuiOptions o;
  if (const int code = parse(args, o)) return code;
  if (!o.gallery) return run_app(o);

  Window window;
  window.set_ui_scale(o.scale);
  window.set_theme(o.theme);
  if (!window.open(o.width, o.height, "Unrolled \xE2\x80\x94 widget gallery")) return 1;
  return run_gallery(window, o.frames, o.screenshot);
}

}  // namespace unrolled
