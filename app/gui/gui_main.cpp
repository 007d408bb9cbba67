// unrolled::gui_main: the GUI's command line.
//   unrolled [open FILE.json | --preset NAME] [--screenshot FILE.png] [--frames N] [--size WxH]
//            [--scale S] [--theme dark|light] [--warmup N] [--paused] [--speed IT_PER_S]
//            [--only PANEL] [--mode MODE] [--bench-frames N] [--layout-report FILE.json]
//            [--steps-forward N] [--steps-backward N]   time steps taken before the first frame,
//                                                       after the warmup (to screenshot step mode)
//            [--tour-step N]   the tour's steps 1..N done (at full speed) before the first frame
//            [--present]       start in presenter mode
//   unrolled open MODEL [--cell ...] [--activation ...] [--readout ...] [--readout-activation ...]
//            [--config CONFIG.json] [--vocab VOCAB.json]   the Inspect view on a trained model
//   unrolled --gallery [--screenshot FILE.png] [--frames N] [--size WxH] [--scale S]
//            [--theme dark|light]
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "app/cli/args.hpp"
#include "app/cli/cli.hpp"
#include "app/gui/app.hpp"
#include "app/gui/gallery.hpp"
#include "app/gui/window.hpp"
#include "app/panels/panel_table.hpp"
#include "core/experiment.hpp"
#include "core/model_io.hpp"
#include "core/tour.hpp"

namespace unrolled {
namespace {

struct GuiOptions {
  bool gallery = false;
  std::string screenshot;  // PNG path; empty: no screenshot
  int frames = -1;         // -1: until closed, or 3 when taking a screenshot or a report
  int width = 0, height = 0;  // 0: the remembered size (the gallery: 1600 x 900)
  double scale = 0;           // 0: the remembered scale (the gallery: 1)
  std::string theme;          // "dark", "light"; empty: the remembered theme
  AppOptions app;
  std::vector<std::string> positional;  // e.g. "open" FILE.json
};

// A value that must name one of `allowed` (which the message lists).
ArgParser::Setter one_of(std::string& out, const std::string& flag, const std::string& allowed,
                         bool (*ok)(const std::string&)) {
  return [&out, flag, allowed, ok](const std::string& v, std::string* e) {
    if (ok(v)) return out = v, true;
    *e = flag + " '" + v + "': allowed: " + allowed;
    return false;
  };
}

// A file to write: any non-empty name that is not another option.
ArgParser::Setter output_file(std::string& out, const std::string& flag) {
  return [&out, flag](const std::string& v, std::string* e) {
    if (!v.empty() && v.rfind("--", 0) != 0) return out = v, true;
    *e = flag + " needs a file name";
    return false;
  };
}

ArgParser::Setter window_size(GuiOptions& o) {
  return [&o](const std::string& v, std::string* e) {
    int w = 0, h = 0;
    char tail = 0;
    if (std::sscanf(v.c_str(), "%dx%d%c", &w, &h, &tail) == 2 && w >= 320 && h >= 240 &&
        w <= 8192 && h <= 8192)
      return o.width = w, o.height = h, true;
    *e = "--size '" + v + "': needs WIDTHxHEIGHT in pixels, from 320x240 to 8192x8192, e.g. 1600x900";
    return false;
  };
}

// 1: `open FILE` names a model to inspect (any file `unrolled import` reads, or a JSON file whose
// "format" is "unrolled-model"); 0: an experiment file; -1: a JSON file that cannot be read. A
// JSON file larger than an experiment may be is read as a model (load_model then checks it).
int model_or_experiment(const std::string& path, std::string* error) {
  const auto ends = [&](const char* tail) {
    const std::string t = tail;
    return path.size() >= t.size() && path.compare(path.size() - t.size(), t.size(), t) == 0;
  };
  if (!ends(".json")) return 1;
  std::error_code ec;
  const auto bytes = std::filesystem::file_size(path, ec);
  if (!ec && bytes > kMaxExperimentFileBytes) return 1;
  Json j;
  if (!read_json_file(path, kMaxExperimentFileBytes, j, error)) return -1;
  return j.is_object() && j.contains("format") && j["format"] == "unrolled-model" ? 1 : 0;
}

// Returns 0 when parsed, else the exit code after printing one message.
int parse(const std::vector<std::string>& args, GuiOptions& o) {
  ArgParser ap("", args);
  int warmup = 0;
  ap.flag("--gallery", o.gallery);
  ap.flag("--paused", o.app.paused);
  ap.custom("--screenshot", "FILE.png", output_file(o.screenshot, "--screenshot"));
  ap.custom("--layout-report", "FILE.json", output_file(o.app.layout_report, "--layout-report"));
  ap.integer("--frames", o.frames, 1, 1000000);
  ap.custom("--size", "WxH", window_size(o));
  ap.real("--scale", o.scale, 0.5, 4, "a text scale");
  ap.custom("--theme", "dark|light", one_of(o.theme, "--theme", "dark, light", [](const std::string& v) {
              return v == "dark" || v == "light";
            }));
  ap.integer("--steps-forward", o.app.steps_forward, 0, 100000);
  ap.integer("--tour-step", o.app.tour_step, 1, kMaxTourSteps);
  ap.flag("--present", o.app.present);
  ap.flag("--resume-last", o.app.resume_last);
  ap.integer("--steps-backward", o.app.steps_backward, 0, 100000);
  ap.integer("--warmup", warmup, 0, 1000000);
  ap.integer("--bench-frames", o.app.bench_frames, 1, 1000000);
  ap.real("--speed", o.app.speed, 0, 100000, "iterations per second (0: full speed)");
  ap.custom("--mode", "MODE",
            one_of(o.app.mode, "--mode", "train, step, compare, cliff, sweep, inspect",
                   [](const std::string& v) { return find_mode(v).has_value(); }));
  ap.custom("--preset", "NAME", output_file(o.app.preset, "--preset"));
  ap.custom("--only", "NAME", one_of(o.app.only, "--only", panel_names(), [](const std::string& v) {
              return find_panel(v) != nullptr;
            }));
  // `open MODEL`: the flags `unrolled import` takes, and the vocabulary.
  ap.custom("--cell", "rnn|lstm|gru", enum_flag("--cell", o.app.import.cell));
  ap.custom("--activation", "tanh|relu", enum_flag("--activation", o.app.import.activation));
  ap.custom("--readout", "every|last", enum_flag("--readout", o.app.import.readout));
  ap.custom("--readout-activation", "none|sigmoid|softmax",
            enum_flag("--readout-activation", o.app.import.readout_activation));
  ap.string("--config", o.app.import.keras_config, "CONFIG.json");
  ap.string("--vocab", o.app.vocab_path, "VOCAB.json");
  ap.string("--input", o.app.inspect_input, "TEXT");
  ap.flag("--probe", o.app.probe);
  ap.positionals(o.positional);
  if (!ap.parse()) return 2;
  o.app.warmup = warmup;
  if (o.frames < 0) o.frames = o.screenshot.empty() && o.app.layout_report.empty() ? 0 : 3;
  return 0;
}

int start_app(GuiOptions& o) {
  if (!o.positional.empty()) {
    if (o.positional[0] != "open" || o.positional.size() != 2) {
      std::fprintf(
          stderr,
          "unrolled: unknown command '%s'; try `unrolled open FILE` or `unrolled --help`\n",
          o.positional[0].c_str());
      return 2;
    }
    std::string error;
    const int kind = model_or_experiment(o.positional[1], &error);
    if (kind < 0) {
      std::fprintf(stderr, "unrolled open: %s\n", error.c_str());
      return 2;
    }
    (kind == 1 ? o.app.model_path : o.app.experiment_path) = o.positional[1];
  }
  const import::ImportOptions& io = o.app.import;
  const bool import_flags = io.cell || io.activation || io.readout || io.readout_activation ||
                            !io.keras_config.empty() || !o.app.vocab_path.empty();
  if (o.app.probe && !o.app.model_path.empty()) {
    std::fputs("unrolled: --probe inspects the lesson's model; `unrolled open MODEL` opens "
               "another: give one of them\n",
               stderr);
    return 2;
  }
  if (!o.app.inspect_input.empty() && o.app.model_path.empty() && !o.app.probe) {
    std::fputs("unrolled: --input goes with `unrolled open MODEL` or --probe\n", stderr);
    return 2;
  }
  if (import_flags && o.app.model_path.empty()) {
    std::fputs("unrolled: --cell, --activation, --readout, --readout-activation, --config and "
               "--vocab go with `unrolled open MODEL` (a model to inspect)\n",
               stderr);
    return 2;
  }
  if (o.app.mode == "inspect" && o.app.model_path.empty() && !o.app.probe) {
    std::fputs("unrolled: --mode inspect needs a model: `unrolled open MODEL` (a model file, "
               ".safetensors, .pt, .pth, .h5, .keras or .weights.h5)\n",
               stderr);
    return 2;
  }
  AppOptions& a = o.app;
  a.screenshot = o.screenshot;
  a.frames = o.frames;
  a.width = o.width, a.height = o.height;
  a.scale = static_cast<float>(o.scale);
  if (!o.theme.empty()) a.theme = o.theme == "light" ? 1 : 0;
  return run_app(a);
}

}  // namespace

int gui_main(const std::vector<std::string>& args) {
  if (!args.empty() && args[0] == "figure")
    return figure_main(std::vector<std::string>(args.begin() + 1, args.end()));
  GuiOptions o;
  if (const int code = parse(args, o)) return code;
  if (!o.gallery) return start_app(o);

  Window window;
  window.set_ui_scale(o.scale > 0 ? static_cast<float>(o.scale) : 1.0f);
  window.set_theme(o.theme == "light" ? Theme::Light : Theme::Dark);
  if (!window.open(o.width > 0 ? o.width : 1600, o.height > 0 ? o.height : 900,
                   "Unrolled \xE2\x80\x94 widget gallery"))
    return 1;
  return run_gallery(window, o.frames, o.screenshot);
}

}  // namespace unrolled
