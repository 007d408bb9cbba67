#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "app/cli/cli.hpp"
#include "core/parallel.hpp"

namespace unrolled {
namespace {

void print_usage(std::FILE* out) {
  std::fputs(
      "usage:\n"
      "  unrolled [--preset NAME]               open the app on the default (or a built-in) "
      "lesson\n"
      "  unrolled open FILE.json                open the app on an experiment file\n"
      "  unrolled open MODEL [--vocab V.json] [--input TEXT]\n"
      "                 inspect a trained model on typed input: a model\n"
      "                 file or .safetensors, .pt, .pth, .h5, .keras, .weights.h5 (with import's\n"
      "                 --cell --activation --readout --readout-activation --config)\n"
      "      app options: --mode train|step|compare|cliff|sweep|inspect  --size WxH  --scale S\n"
      "                   --theme dark|light  --speed IT_PER_S  --paused  --warmup N\n"
      "                   --screenshot FILE.png [--frames N]  --only PANEL  --bench-frames N\n"
      "                   --layout-report FILE.json [--frames N]\n"
      "                   --steps-forward N  --steps-backward N (time steps before the first "
      "frame;\n"
      "                   they imply --paused, as --mode step does)\n"
      "                   --tour-step N (the tour's steps 1..N done first)  --present (F5)\n"
      "                   --resume-last (where the last session left off: its autosave)\n"
      "                   --probe [--input TEXT] (the lesson's model in the Inspect view)\n"
      "  unrolled --gallery                     every widget with synthetic data\n"
      "  unrolled train (--config FILE.json | --preset NAME) [--model K] [--iterations N]\n"
      "                 [--seed S] [--metrics M.csv] [--profile P.csv] [--save MODEL.json]\n"
      "                 [--save-session S.session]   the whole run, to resume bit for bit\n"
      "  unrolled train --resume S.session [--iterations N] [--metrics M.csv] ...\n"
      "  unrolled grad --model M.json --batch B.json [--k1 K [--k2 M]]\n"
      "  unrolled predict --model M.json --batch B.json   outputs and states as JSON\n"
      "  unrolled import FILE --out M.json [--cell rnn|lstm|gru] [--activation tanh|relu]\n"
      "                 [--readout every|last] [--readout-activation none|sigmoid|softmax]\n"
      "                 [--config CONFIG.json]  a Keras (.h5, .keras, .weights.h5) or PyTorch\n"
      "                 (.pt, .pth) model, or a .safetensors file, as a model file\n"
      "  unrolled export M.json --to FILE.safetensors [--names pytorch|keras] [--float64]\n"
      "  unrolled figure (--preset NAME | --config FILE.json | --session FILE) --panel NAME\n"
      "                 [--warmup N] [--iterations-per-frame K --frames F] [--fps R]\n"
      "                 --out FILE.png|svg|csv|gif [--scale S] [--size WxH] [--theme light|dark]\n"
      "                 [--caption]   one panel as a figure (needs the GUI build and a display)\n"
      "  unrolled tour --list                   the built-in tours: name, steps, title\n"
      "  unrolled tour (--preset NAME | --config FILE.json) [--check]\n"
      "                 print a lesson's tour; --check runs it and tests every expectation\n"
      "  unrolled --help\n"
      "every command and the app: --threads N   threads for training, 1..256 (default: every "
      "core;\n"
      "                                         with the app, every core but one for the UI)\n"
      "built-in lessons: adding cliff compare copy default exploding exploding_clipped gru hello\n"
      "                  sentiment sine sonnets sweep tbptt vanishing\n",
      out);
}

// Takes every `--threads N` (or `--threads=N`) out of args into *threads (the last wins), so the
// subcommands and the app never see it. False with one message when N is not a whole number in
// 1..kMaxThreads.
bool take_threads(std::vector<std::string>& args, int* threads) {
  std::vector<std::string> kept;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string value;
    if (args[i] == "--threads") {
      if (i + 1 == args.size()) {
        std::fprintf(stderr, "unrolled: --threads needs a value: a whole number from 1 to %d\n",
                     kMaxThreads);
        return false;
      }
      value = args[++i];
    } else if (args[i].rfind("--threads=", 0) == 0) {
      value = args[i].substr(10);
    } else {
      kept.push_back(args[i]);
      continue;
    }
    size_t used = 0;
    long n = 0;
    try {
      n = std::stol(value, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != value.size() || n < 1 || n > kMaxThreads) {
      std::fprintf(stderr,
                   "unrolled: --threads '%s' is not allowed: give a whole number from 1 to %d\n",
                   value.c_str(), kMaxThreads);
      return false;
    }
    *threads = static_cast<int>(n);
  }
  args = std::move(kept);
  return true;
}

bool is_headless(const std::vector<std::string>& args) {
  if (args.empty()) return false;
  const std::string& c = args[0];
  return c == "grad" || c == "train" || c == "tour" || c == "predict" || c == "import" ||
         c == "export" || c == "figure" || c == "--help" ||
         c == "-h" || c == "help";
}

}  // namespace

int run_command_line(const std::vector<std::string>& all_args, GuiEntry gui) {
  std::vector<std::string> args = all_args;
  int threads = 0;  // 0: the default
  if (!take_threads(args, &threads)) return 2;
  // One process-wide setting, made before any work starts. The app keeps a core for its UI
  // thread and runs training at a lower priority, so frames are served first.
  const bool app = gui && !is_headless(args);
  set_thread_count(threads > 0 ? threads : default_thread_count(app));
  set_background_priority(app);
  if (!args.empty()) {
    const std::string& cmd = args[0];
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (cmd == "grad") return cli_grad(rest);
    if (cmd == "train") return cli_train(rest);
    if (cmd == "tour") return cli_tour(rest);
    if (cmd == "predict") return cli_predict(rest);
    if (cmd == "import") return cli_import(rest);
    if (cmd == "export") return cli_export(rest);
    if (cmd == "figure" && !gui) {
      std::fputs(
          "unrolled figure: this build has no GUI (configured with -DUNROLLED_GUI=OFF); "
          "figures are drawn by the panels\n",
          stderr);
      return 2;
    }
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
      print_usage(stdout);
      return 0;
    }
  }
  if (gui) return gui(args);
  if (args.empty() || args[0] == "open" || args[0].rfind("--", 0) == 0) {
    std::fputs(
        "unrolled: this build has no GUI (configured with -DUNROLLED_GUI=OFF); "
        "the headless subcommands are:\n",
        stderr);
    print_usage(stderr);
    return 2;
  }
  std::fprintf(stderr, "unrolled: unknown command '%s'\n", args[0].c_str());
  print_usage(stderr);
  return 2;
}

}  // namespace unrolled
