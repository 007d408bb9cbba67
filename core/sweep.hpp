// Unrolled core: the dependency-length sweep. For a task, train every model of an experiment at
// a series of lags (the task's `length`) and record the final held-out loss against the task's
// baseline: where the vanilla RNN breaks and the LSTM holds. Each (lag, model) is trained from
// several seeds (the experiment's seed, seed + 1, ...): one seed alone gives a curve that can rise
// and fall with the luck of the initialisation, so the sweep reports the mean over the seeds and
// the spread from the best to the worst (summarize). Runs on its own thread, the (lag, model,
// seed) runs in parallel on the pool (core/parallel), each deterministic from its seed; progress
// is visible and the sweep can be cancelled at any iteration.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/experiment.hpp"

namespace unrolled {

struct SweepSpec {
  ExperimentConfig base;  // the task kind, the models and the training settings
  std::vector<int> lags{5, 10, 20, 40, 80};
  int64_t iterations = 500;  // per model, lag and seed
  int eval_batches = 8;
  int seeds = 1;  // runs per (lag, model): seeds base.training.seed, + 1, ..., + seeds − 1
};

struct SweepResult {
  int model = 0;
  std::string model_name;
  int lag = 0;
  double loss = 0;      // held-out loss after training (Trainer::evaluate)
  double baseline = 0;  // the task's chance level at this lag
  double accuracy = 0;  // NaN where the task has none
  int64_t iterations = 0;
  bool diverged = false;
  uint64_t seed = 0;  // the run's training seed
};

// One (model, lag) over its seeds: the mean, best and worst held-out loss of the runs that did not
// diverge (NaN when every run diverged).
struct SweepSummary {
  int model = 0;
  std::string model_name;
  int lag = 0;
  double mean = 0, min = 0, max = 0;
  double baseline = 0;
  int runs = 0;      // finished runs, diverged ones included
  int diverged = 0;  // of those, how many diverged
};
// Results grouped by (lag, model) in the order they first appear (the sweep's run order).
std::vector<SweepSummary> summarize(const std::vector<SweepResult>& results);

class Sweep {
 public:
  Sweep() = default;
  ~Sweep();
  Sweep(const Sweep&) = delete;
  Sweep& operator=(const Sweep&) = delete;

  // Checks every (model, lag) configuration first; false with one message if any is invalid.
  // Cancels and replaces a running sweep.
  bool start(const SweepSpec& spec, std::string* error);
  void cancel();  // returns once the thread has stopped
  bool running() const { return running_; }
  bool cancelled() const { return cancel_; }
  double progress() const;  // iterations done / iterations planned, 0..1
  // The runs finished so far, in run order (lag-major, then model, then seed), whatever order
  // they finish in.
  std::vector<SweepResult> results() const;
  const SweepSpec& spec() const { return spec_; }

  // "model,lag,seed,loss,baseline,accuracy,iterations,diverged" and one row per result.
  static std::string to_csv(const std::vector<SweepResult>& results);

 private:
  void run();
  bool run_one(int lag, int model, uint64_t seed, SweepResult& r);

  SweepSpec spec_;
  std::thread thread_;
  std::atomic<bool> running_{false}, cancel_{false};
  std::atomic<int64_t> done_{0};
  int64_t total_ = 1;
  mutable std::mutex mutex_;
  std::vector<SweepResult> slots_;  // one per run, lag-major, then model, then seed
  std::vector<char> finished_;      // per run: slots_[i] holds its result
};

}  // namespace unrolled
