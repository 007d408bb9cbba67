#include "app/cli/figure.hpp"

#include <cctype>
#include <cstdio>

#include "app/cli/args.hpp"
#include "app/cli/cli.hpp"
#include "core/experiment.hpp"
#include "core/session_file.hpp"

namespace unrolled {
namespace {


bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// The format the output file's extension names (lower or upper case).
bool format_of(std::string path, FigureFormat& f) {
  for (char& c : path) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ends_with(path, ".png")) return f = FigureFormat::Png, true;
  if (ends_with(path, ".svg")) return f = FigureFormat::Svg, true;
  if (ends_with(path, ".csv")) return f = FigureFormat::Csv, true;
  if (ends_with(path, ".gif")) return f = FigureFormat::Gif, true;
  return false;
}

ArgParser::Setter size_setter(FigureOptions& o) {
  return [&o](const std::string& v, std::string* e) {
    int w = 0, h = 0;
    char tail = 0;
    if (std::sscanf(v.c_str(), "%dx%d%c", &w, &h, &tail) == 2 && w >= 160 && h >= 120 &&
        w <= 8192 && h <= 8192)
      return o.width = w, o.height = h, true;
    *e =
        "--size '" + v + "': needs WIDTHxHEIGHT in pixels, from 160x120 to 8192x8192, e.g. 800x500";
    return false;
  };
}

ArgParser::Setter file_setter(std::string& out, const std::string& flag) {
  return [&out, flag](const std::string& v, std::string* e) {
    if (!v.empty() && v.rfind("--", 0) != 0) return out = v, true;
    *e = flag + " needs a file name";
    return false;
  };
}

// The checks between flags, after each flag's own.
int check(const ArgParser& ap, FigureOptions& o, bool theme_given, const std::string& theme) {
  const int sources = !o.preset.empty() + !o.config.empty() + !o.session.empty();
  if (sources != 1)
    return ap.fail("give exactly one of --preset NAME, --config FILE.json, --session FILE");
  if (o.panel.empty()) return ap.fail("--panel NAME is required (a panel's short name)");
  if (o.out.empty()) return ap.fail("--out FILE.png|svg|csv|gif is required");
  if (!format_of(o.out, o.format))
    return ap.fail("--out '" + o.out +
                   "': the extension names the format: .png, .svg, .csv or .gif");
  if (theme_given) {
    if (theme != "light" && theme != "dark")
      return ap.fail("--theme '" + theme + "': allowed: light, dark");
    o.dark = theme == "dark";
  }
  const bool gif = o.format == FigureFormat::Gif;
  if (!gif && (o.frames > 0 || o.iterations_per_frame > 0))
    return ap.fail("--frames and --iterations-per-frame make an animation: use --out FILE.gif");
  if (gif && (o.frames > 0) != (o.iterations_per_frame > 0))
    return ap.fail("--frames F and --iterations-per-frame K go together (or neither: " +
                   std::to_string(kDefaultGifFrames) + " frames " +
                   std::to_string(kDefaultGifIterationsPerFrame) + " iterations apart)");
  if (gif && o.frames == 0) {
    o.frames = kDefaultGifFrames;
    o.iterations_per_frame = kDefaultGifIterationsPerFrame;
  }
  const double w = o.width * o.scale, h = o.height * o.scale;
  if (w > 8192 || h > 8192)
    return ap.fail("--size " + std::to_string(o.width) + "x" + std::to_string(o.height) +
                   " at --scale " + std::to_string(o.scale) +
                   " is more than 8192 pixels a side; make the size or the scale smaller");
  return 0;
}

}  // namespace

int parse_figure_args(const std::vector<std::string>& args, FigureOptions& o) {
  ArgParser ap("figure", args);
  int warmup = 0;
  std::string theme;
  bool theme_given = false;
  ap.custom("--preset", "NAME", file_setter(o.preset, "--preset"));
  ap.custom("--config", "FILE.json", file_setter(o.config, "--config"));
  ap.custom("--session", "FILE", file_setter(o.session, "--session"));
  ap.custom("--panel", "NAME", file_setter(o.panel, "--panel"));
  ap.custom("--out", "FILE.png|svg|csv|gif", file_setter(o.out, "--out"));
  ap.integer("--warmup", warmup, 0, 1000000);
  ap.integer("--iterations-per-frame", o.iterations_per_frame, 1, 100000);
  ap.integer("--frames", o.frames, 1, 600);
  ap.real("--fps", o.fps, 1, 50, "frames a second");
  ap.real("--scale", o.scale, 1, 4, "a scale for pixels and text");
  ap.custom("--size", "WxH", size_setter(o));
  ap.custom("--theme", "light|dark", [&](const std::string& v, std::string*) {
    theme = v;
    theme_given = true;
    return true;
  });
  ap.flag("--caption", o.caption);
  if (!ap.parse()) return 2;
  o.warmup = warmup;
  return check(ap, o, theme_given, theme);
}

bool load_figure_lesson(const FigureOptions& o, ExperimentConfig& config, std::string* error,
                        Session* session) {
  if (!o.session.empty()) {
    Session s;
    if (!load_session(o.session, s, error)) return false;
    config = s.config;
    if (session) *session = std::move(s);
    return true;
  }
  return read_lesson(o.config, o.preset, config, error);
}

}  // namespace unrolled
