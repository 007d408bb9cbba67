// `unrolled tour`: list the built-in tours, print one, or check every claim it makes by running it.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "app/cli/args.hpp"
#include "app/cli/cli.hpp"
#include "core/experiment.hpp"
#include "core/tour_check.hpp"

namespace unrolled {
namespace {

struct BuiltInTour {
  std::string name;
  ExperimentConfig config;
};

// The built-in lessons that carry a tour: the course in its order, then any others by name.
std::vector<BuiltInTour> built_in_tours() {
  std::vector<BuiltInTour> out;
  for (const auto& [name, text] : embedded_presets()) {
    BuiltInTour t{name, {}};
    if (parse_experiment_text(text, name, t.config, nullptr) && !t.config.tour.empty())
      out.push_back(std::move(t));
  }
  const auto order = [](const BuiltInTour& t) {
    return t.config.course_order > 0 ? t.config.course_order : 1000;
  };
  std::stable_sort(out.begin(), out.end(),
                   [&](const BuiltInTour& a, const BuiltInTour& b) { return order(a) < order(b); });
  return out;
}

int list_tours() {
  for (const BuiltInTour& t : built_in_tours())
    std::printf("%-18s %2zu  %s\n", t.name.c_str(), t.config.tour.size(), t.config.title.c_str());
  return 0;
}

void print_outline(const ExperimentConfig& c) {
  std::printf("%s\n", c.title.c_str());
  for (size_t i = 0; i < c.tour.size(); ++i) {
    const TourStep& s = c.tour[i];
    std::printf("\n%zu / %zu  %s\n  %s\n", i + 1, c.tour.size(), s.title.c_str(), s.text.c_str());
    for (const TourAction& a : s.actions) std::printf("  does: %s\n", describe(a).c_str());
    for (const TourExpect& e : s.expect) std::printf("  expects: %s\n", describe(e).c_str());
  }
}

int check(const ExperimentConfig& c) {
  std::printf("%s (seed %llu)\n", c.title.c_str(),
              static_cast<unsigned long long>(c.training.seed));
  const TourCheck result = check_tour(c);
  if (!result.error.empty()) {
    std::fprintf(stderr, "unrolled tour: %s\n", result.error.c_str());
    return 2;
  }
  int shown = -1, passed = 0;
  for (const TourCheckLine& line : result.lines) {
    if (line.step != shown) {
      shown = line.step;
      std::printf("%d / %zu  %s\n", line.step + 1, c.tour.size(), c.tour[line.step].title.c_str());
    }
    std::printf("  %-4s %s: measured %.4g\n", line.pass ? "pass" : "FAIL", line.expectation.c_str(),
                line.measured);
    passed += line.pass ? 1 : 0;
  }
  std::printf("%d of %zu expectations hold\n", passed, result.lines.size());
  return result.ok ? 0 : 1;
}

}  // namespace

int cli_tour(const std::vector<std::string>& args) {
  std::string config_path, preset;
  bool list = false, run_check = false;
  ArgParser ap("tour", args);
  ap.string("--config", config_path, "FILE.json");
  ap.string("--preset", preset, "NAME");
  ap.flag("--list", list);
  ap.flag("--check", run_check);
  if (!ap.parse()) return 2;
  if (list) {
    if (!config_path.empty() || !preset.empty() || run_check)
      return ap.fail("--list takes no other option");
    return list_tours();
  }
  ExperimentConfig config;
  std::string error;
  if (!read_lesson(config_path, preset, config, &error)) return ap.fail(error);
  if (config.tour.empty()) {
    std::string names;
    for (const BuiltInTour& t : built_in_tours()) names += " " + t.name;
    return ap.fail("'" + config.title + "' has no tour; built-in tours:" + names);
  }
  if (!run_check) {
    print_outline(config);
    return 0;
  }
  return check(config);
}

}  // namespace unrolled
