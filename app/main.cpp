// unrolled: the desktop app and its headless subcommands.
//   unrolled                       the GUI on the embedded default lesson
//   unrolled open FILE.json        the GUI on that experiment
//   unrolled train --config F ...  headless training
//   unrolled grad --model M --batch B   loss and every gradient as JSON
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "app/cli/cli.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
#ifdef UNROLLED_HAS_GUI
  return unrolled::run_command_line(args, &unrolled::gui_main);
#else
  return unrolled::run_command_line(args, nullptr);
#endif
}
