#include <cstdio>
#include <string>
#include <vector>

#include "app/cli/cli.hpp"

namespace unrolled {
namespace {

void print_usage(std::FILE* out) {
  std::fputs(
      "usage:\n"
      "  unrolled [--preset NAME]               open the app on the default (or a built-in) "
      "lesson\n"
      "  unrolled open FILE.json                open the app on an experiment file\n"
      "      app options: --mode train|step|compare|cliff|sweep  --size WxH  --scale S\n"
      "                   --theme dark|light  --speed IT_PER_S  --paused  --warmup N\n"
      "                   --screenshot FILE.png [--frames N]  --only PANEL  --bench-frames N\n"
      "                   --layout-report FILE.json [--frames N]\n"
      "                   --steps-forward N  --steps-backward N (time steps before the first "
      "frame)\n"
      "  unrolled --gallery                     every widget with synthetic data\n"
      "  unrolled train (--config FILE.json | --preset NAME) [--model K] [--iterations N]\n"
      "                 [--seed S] [--metrics M.csv] [--profile P.csv] [--save MODEL.json]\n"
      "  unrolled grad --model M.json --batch B.json [--k1 K [--k2 M]]\n"
      "  unrolled --help\n"
      "built-in lessons: adding compare copy default exploding exploding_clipped hello sentiment\n"
      "                  sine sonnets tbptt\n",
      out);
}

}  // namespace

int run_command_line(const std::vector<std::string>& args, GuiEntry gui) {
  if (!args.empty()) {
    const std::string& cmd = args[0];
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (cmd == "grad") return cli_grad(rest);
    if (cmd == "train") return cli_train(rest);
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
