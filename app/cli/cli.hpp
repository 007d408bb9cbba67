// The command line: dispatch to the GUI or a headless subcommand. Every error prints one message
// naming what is wrong and what is allowed, and returns a non-zero exit code.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace unrolled {

using GuiEntry = int (*)(const std::vector<std::string>& args);

// args excludes the program name. gui runs the app (nullptr in a build without a GUI).
// Returns the process exit code.
int run_command_line(const std::vector<std::string>& args, GuiEntry gui);

// Headless subcommands (cli_*.cpp). Each returns an exit code.
int cli_grad(const std::vector<std::string>& args);
int cli_train(const std::vector<std::string>& args);
int cli_tour(const std::vector<std::string>& args);
int cli_predict(const std::vector<std::string>& args);  // predict.cpp
int cli_import(const std::vector<std::string>& args);   // import.cpp
int cli_export(const std::vector<std::string>& args);   // export.cpp

struct ExperimentConfig;
// The lesson named by --config FILE.json or --preset NAME (exactly one of them); on failure
// false with one message naming what is wrong and the built-in lessons.
bool read_lesson(const std::string& config_path, const std::string& preset,
                 ExperimentConfig& config, std::string* error);

// train --profile's default: every K-th iteration's row, the smallest K that keeps the CSV of
// `iterations` rows of `steps` values under 64 MiB.
int64_t default_profile_every(int steps, int64_t iterations);

// The app (app/gui/gui_main.cpp, in the GUI library); args as given to main.
int gui_main(const std::vector<std::string>& args);
// `unrolled figure` (app/gui/figure_main.cpp, in the GUI library: it draws the panels); args
// after the word `figure`. gui_main hands it `figure ...`.
int figure_main(const std::vector<std::string>& args);

}  // namespace unrolled
