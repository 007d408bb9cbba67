#include "app/cli/cli.hpp"
#include "core/experiment.hpp"

namespace unrolled {

// Reads --config or --preset into config; on failure returns the message.
bool read_lesson(const std::string& config_path, const std::string& preset,
                 ExperimentConfig& config, std::string* error) {
  std::string names;
  for (const auto& [name, text] : embedded_presets()) names += " " + name;
  if (config_path.empty() == preset.empty()) {
    *error = "give either --config FILE.json or --preset NAME (built in:" + names + ")";
    return false;
  }
  if (!config_path.empty()) return load_experiment(config_path, config, error);
  for (const auto& [name, text] : embedded_presets())
    if (name == preset) return parse_experiment_text(text, name + ".json", config, error);
  *error = "--preset '" + preset + "' is not built in; built in:" + names;
  return false;
}

}  // namespace unrolled
