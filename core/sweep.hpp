// Unrolled core: the dependency-length sweep. For a task, train every model of an experiment at
// a series of lags (the task's `length`) and record the final held-out loss against the task's
// baseline: where the vanilla RNN breaks and the LSTM holds. Runs on its own thread, the
// (lag, model) runs in parallel on the pool (core/parallel), each deterministic from the seed;
// progress is visible and the sweep can be cancelled at any iteration.
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
  int64_t iterations = 500;  // per model and lag
  int eval_batches = 8;
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
};

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
  // The runs finished so far, in run order (lag-major, then model), whatever order they finish in.
  std::vector<SweepResult> results() const;
  const SweepSpec& spec() const { return spec_; }

  // "model,lag,loss,baseline,accuracy,iterations,diverged" and one row per result.
  static std::string to_csv(const std::vector<SweepResult>& results);

 private:
  void run();
  bool run_one(int lag, int model, SweepResult& r);

  SweepSpec spec_;
  std::thread thread_;
  std::atomic<bool> running_{false}, cancel_{false};
  std::atomic<int64_t> done_{0};
  int64_t total_ = 1;
  mutable std::mutex mutex_;
  std::vector<SweepResult> slots_;  // one per run, lag-major then model
  std::vector<char> finished_;      // per run: slots_[i] holds its result
};

}  // namespace unrolled
