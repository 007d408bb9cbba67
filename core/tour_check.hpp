// Unrolled core: `unrolled tour --check`. Runs a tour's actions headless, one trainer per model
// in lockstep as the app's worker runs them (same seed, same data, same order), and measures each
// step's expectations after its actions. Playing freely (`play`) depends on how long the lecturer
// talks, so the check does not reproduce it: claims rest on `run`, the steps and `reset`.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/experiment.hpp"
#include "core/sweep.hpp"
#include "core/tour.hpp"
#include "core/trainer.hpp"

namespace unrolled {

struct TourCheckLine {
  int step = 0;  // 0-based
  std::string expectation;  // describe(expect)
  double measured = 0;
  bool pass = false;
};

struct TourCheck {
  std::vector<TourCheckLine> lines;
  bool ok = false;    // every expectation held
  std::string error;  // the lesson could not be run (then ok is false and lines may be short)
};

// The trainers of a lesson and the actions that change them, shared by the check and its tests.
class TourRunner {
 public:
  bool configure(const ExperimentConfig& config, std::string* error);
  // Performs one action on every model (show-and-select actions change nothing here). A sweep
  // runs the lesson's models at each lag from its seeds, and returns when it is done.
  void perform(const TourAction& a);
  // Starts a step: the measures over a step's iterations begin again.
  void begin_step();
  double measure(const TourExpect& e) const;
  const Trainer& trainer(int model) const { return *trainers_[model]; }
  int models() const { return static_cast<int>(trainers_.size()); }

 private:
  bool train_one();  // one iteration of every model, as the worker does; false once one diverged
  void step_each(void (*f)(Trainer&));
  ExperimentConfig config_;
  std::vector<std::unique_ptr<Trainer>> trainers_;
  std::vector<SweepResult> sweep_;  // the last sweep's runs
  std::vector<TourRunStats> stats_;  // (models) since the step began
};

// Runs every step of config.tour; with `log`, each action and measurement as it happens.
TourCheck check_tour(const ExperimentConfig& config, std::vector<std::string>* log = nullptr);

}  // namespace unrolled
