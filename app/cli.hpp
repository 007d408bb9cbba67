// The command line: dispatch to the GUI or a headless subcommand. Every error prints one message
// naming what is wrong and what is allowed, and returns a non-zero exit code.
#pragma once

#include <string>
#include <vector>

namespace unrolled {

// args excludes the program name. Returns the process exit code.
int run_command_line(const std::vector<std::string>& args);

// Headless subcommands (cli_*.cpp). Each returns an exit code.
int cli_grad(const std::vector<std::string>& args);
int cli_train(const std::vector<std::string>& args);

// Provided by the GUI library when it is built (UNROLLED_HAS_GUI); args as given to main.
int gui_main(const std::vector<std::string>& args);

}  // namespace unrolled
