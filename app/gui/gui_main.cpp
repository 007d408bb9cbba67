// unrolled::gui_main: the GUI's command line.
//   unrolled [open FILE.json | --preset NAME] [--screenshot FILE.png] [--frames N] [--size WxH]
//            [--scale S] [--theme dark|light] [--warmup N] [--paused] [--speed IT_PER_S]
//            [--only PANEL] [--mode MODE] [--bench-frames N] [--layout-report FILE.json]
//            [--steps-forward N] [--steps-backward N]   time steps taken before the first frame,
//            after
//                                                     the warmup (to screenshot step mode)
//   unrolled --gallery [--screenshot FILE.png] [--frames N] [--size WxH] [--scale S]
//            [--theme dark|light]
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "app/gui/app.hpp"
#include "app/cli/cli.hpp"
#include "app/gui/gallery.hpp"
#include "app/gui/window.hpp"
#include "app/panels/panel_table.hpp"

namespace unrolled {
namespace {

struct GuiOptions {
  bool gallery = false;
  std::string screenshot;  // PNG path; empty: no screenshot
  int frames = -1;         // -1: until closed, or 3 when taking a screenshot
  int width = 1600, height = 900;
  float scale = 1.0f;
  Theme theme = Theme::Dark;
  bool theme_given = false, size_given = false, scale_given = false;
  AppOptions app;
  std::vector<std::string> positional;  // e.g. "open" FILE.json
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
      o.size_given = true;
      ++i;
    } else if (a == "--scale") {
      char* end = nullptr;
      const float s = has_value ? std::strtof(value.c_str(), &end) : 0.0f;
      if (!has_value || *end != '\0' || !(s >= 0.5f && s <= 4.0f))
        return bad_argument(a + (has_value ? " " + value : ""),
                            "needs a UI scale from 0.5 to 4, e.g. 1.5");
      o.scale = s;
      o.scale_given = true;
      ++i;
    } else if (a == "--theme") {
      o.theme_given = true;
      if (value == "dark") {
        o.theme = Theme::Dark;
      } else if (value == "light") {
        o.theme = Theme::Light;
      } else {
        return bad_argument(a + (has_value ? " " + value : ""), "needs dark or light");
      }
      ++i;
    } else if (a == "--steps-forward" || a == "--steps-backward") {
      int n = 0;
      if (!has_value || !parse_int(value, n) || n > 100000)
        return bad_argument(a + (has_value ? " " + value : ""),
                            "needs a whole number of time steps (0 to 100000)");
      (a == "--steps-forward" ? o.app.steps_forward : o.app.steps_backward) = n;
      ++i;
    } else if (a == "--warmup" || a == "--bench-frames") {
      int n = 0;
      if (!has_value || !parse_int(value, n) || (a == "--bench-frames" && n < 1))
        return bad_argument(a + (has_value ? " " + value : ""),
                            "needs a whole number (0 to 1000000)");
      if (a == "--warmup")
        o.app.warmup = n;
      else
        o.app.bench_frames = n;
      ++i;
    } else if (a == "--speed") {
      char* end = nullptr;
      const double v = has_value ? std::strtod(value.c_str(), &end) : -1;
      if (!has_value || *end != '\0' || !(v >= 0 && v <= 100000))
        return bad_argument(a + (has_value ? " " + value : ""),
                            "needs iterations per second from 0 (full speed) to 100000");
      o.app.speed = v;
      ++i;
    } else if (a == "--paused") {
      o.app.paused = true;
    } else if (a == "--mode") {
      if (value != "train" && value != "step" && value != "compare" && value != "cliff" &&
          value != "sweep")
        return bad_argument(a + (has_value ? " " + value : ""),
                            "needs train, step, compare, cliff or sweep");
      o.app.mode = value;
      ++i;
    } else if (a == "--preset") {
      if (!has_value || value.empty())
        return bad_argument(a, "needs a lesson name, e.g. --preset default");
      o.app.preset = value;
      ++i;
    } else if (a == "--only") {
      if (!has_value || !find_panel(value))
        return bad_argument(a + (has_value ? " " + value : ""),
                            ("needs a panel name: " + panel_names()).c_str());
      o.app.only = value;
      ++i;
    } else if (a == "--layout-report") {
      if (!has_value || value.empty() || value.rfind("--", 0) == 0)
        return bad_argument(a, "needs a file name, e.g. --layout-report layout.json");
      o.app.layout_report = value;
      ++i;
    } else if (a.rfind("--", 0) == 0) {
      return bad_argument(
          a,
          "allowed are open FILE.json, --preset NAME, --gallery, --screenshot FILE.png, "
          "--frames N, --size WxH, --scale S, --theme dark|light, --warmup N, --paused, "
          "--speed IT_PER_S, --only PANEL, --mode MODE, --steps-forward N, --steps-backward N, "
          "--layout-report FILE.json, --bench-frames N (and --help)");
    } else {
      o.positional.push_back(a);
    }
  }
  if (o.frames < 0) o.frames = o.screenshot.empty() && o.app.layout_report.empty() ? 0 : 3;
  return 0;
}

int start_app(GuiOptions& o) {
  if (!o.positional.empty()) {
    if (o.positional[0] != "open" || o.positional.size() != 2) {
      std::fprintf(
          stderr,
          "unrolled: unknown command '%s'; try `unrolled open FILE.json` or `unrolled --help`\n",
          o.positional[0].c_str());
      return 2;
    }
    o.app.experiment_path = o.positional[1];
  }
  AppOptions& a = o.app;
  a.screenshot = o.screenshot;
  a.frames = o.frames;
  if (o.size_given) a.width = o.width, a.height = o.height;
  if (o.scale_given) a.scale = o.scale;
  if (o.theme_given) a.theme = o.theme == Theme::Light ? 1 : 0;
  return run_app(a);
}

}  // namespace

int gui_main(const std::vector<std::string>& args) {
  GuiOptions o;
  if (const int code = parse(args, o)) return code;
  if (!o.gallery) return start_app(o);

  Window window;
  window.set_ui_scale(o.scale);
  window.set_theme(o.theme);
  if (!window.open(o.width, o.height, "Unrolled \xE2\x80\x94 widget gallery")) return 1;
  return run_gallery(window, o.frames, o.screenshot);
}

}  // namespace unrolled
