// `unrolled figure`: one panel as a file, headless, for reproducible figures.
//
//   unrolled figure (--preset NAME | --config FILE | --session FILE) --panel NAME [--warmup N]
//                   [--iterations-per-frame K --frames F] --out FILE.png|svg|csv|gif
//                   [--scale S] [--size WxH] [--fps R] [--theme light|dark] [--caption]
//
// The parser lives here, GL-free, so that its checks are tested without a display; the drawing is
// the GUI's (app/gui/figure_main.cpp), which also checks --panel against the panel table.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace unrolled {

struct ExperimentConfig;
struct Session;

enum class FigureFormat { Png, Svg, Csv, Gif };

struct FigureOptions {
  std::string preset, config, session;  // exactly one
  std::string panel;                    // a short name of the panel table
  std::string out;
  FigureFormat format = FigureFormat::Png;
  int64_t warmup = 0;             // iterations before the (first) frame
  int iterations_per_frame = 0;   // GIF: iterations between frames (0: not given)
  int frames = 0;                 // GIF: frames (0: not given)
  double fps = 10;                // GIF: frames a second
  double scale = 1;               // pixels and text, 1..4
  int width = 900, height = 700;  // --size
  bool dark = false;              // the app's dark theme (default: light, for slides and paper)
  bool caption = false;           // a caption under the panel: lesson, model, iteration
};

// GIF defaults when neither --frames nor --iterations-per-frame is given.
inline constexpr int kDefaultGifFrames = 20;
inline constexpr int kDefaultGifIterationsPerFrame = 5;

// Parses and checks every flag but --panel's name (the panel table is the GUI's). Returns 0, or
// the exit code after one message on stderr.
int parse_figure_args(const std::vector<std::string>& args, FigureOptions& o);

// The lesson the options name (--preset, --config, or --session: the session's experiment, whose
// trained state figure_main.cpp then loads into the worker); false with one message.
bool load_figure_lesson(const FigureOptions& o, ExperimentConfig& config, std::string* error,
                        Session* session = nullptr);

}  // namespace unrolled
