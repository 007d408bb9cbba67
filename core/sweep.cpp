#include "core/sweep.hpp"

#include <cmath>
#include <sstream>

#include "core/parallel.hpp"
#include "core/trainer.hpp"

namespace unrolled {

Sweep::~Sweep() {
  cancel();
}

bool Sweep::start(const SweepSpec& spec, std::string* error) {
  cancel();
  if (spec.lags.empty() || spec.iterations < 1 || spec.eval_batches < 1) {
    if (error) *error = "sweep: needs at least one lag, one iteration and one evaluation batch";
    return false;
  }
  for (int lag : spec.lags) {
    ExperimentConfig c = spec.base;
    c.task.length = lag;
    if (std::string e = validate(c); !e.empty()) {
      if (error) *error = "sweep at lag " + std::to_string(lag) + ": " + e;
      return false;
    }
  }
  spec_ = spec;
  {
    std::lock_guard lock(mutex_);
    slots_.clear();
    finished_.clear();
  }
  total_ = static_cast<int64_t>(spec.lags.size() * spec.base.all_models().size()) * spec.iterations;
  done_ = 0;
  cancel_ = false;
  running_ = true;
  thread_ = std::thread([this] { run(); });
  return true;
}

void Sweep::cancel() {
  cancel_ = true;
  if (thread_.joinable()) thread_.join();
  running_ = false;
}

double Sweep::progress() const {
  return std::min(1.0,
                  static_cast<double>(done_) / static_cast<double>(std::max<int64_t>(total_, 1)));
}

std::vector<SweepResult> Sweep::results() const {
  std::lock_guard lock(mutex_);
  std::vector<SweepResult> out;
  for (size_t i = 0; i < slots_.size(); ++i)
    if (finished_[i]) out.push_back(slots_[i]);
  return out;
}

// One (lag, model) run: train from the seed, then evaluate on held-out data. False if cancelled.
bool Sweep::run_one(int lag, int model, SweepResult& r) {
  ExperimentConfig c = spec_.base;
  c.task.length = lag;
  Trainer t;
  std::string error;
  if (!t.configure(c, model, &error)) return false;  // validated in start()
  r.model = model;
  r.model_name = t.model().name;
  r.lag = lag;
  r.baseline = t.task().info().baseline;
  for (int64_t i = 0; i < spec_.iterations && !cancel_; ++i) {
    if (!t.run_iteration()) {
      r.diverged = true;
      done_ += spec_.iterations - i;
      break;
    }
    ++done_;
  }
  if (cancel_) return false;
  r.iterations = t.iteration();
  r.loss = t.evaluate(spec_.eval_batches, &r.accuracy);
  return true;
}

void Sweep::run() {
  // The runs are independent (each its own trainer from the seed): one task each on the pool,
  // each spreading its batch shards further. Each result has a fixed slot (lag-major, then model),
  // so the results and their order do not depend on which run finishes first.
  const int n_models = static_cast<int>(spec_.base.all_models().size());
  const int n_runs = static_cast<int>(spec_.lags.size()) * n_models;
  {
    std::lock_guard lock(mutex_);
    slots_.assign(n_runs, SweepResult{});
    finished_.assign(n_runs, 0);
  }
  parallel_for(n_runs, [&](int i) {
    if (cancel_) return;
    SweepResult r;
    if (!run_one(spec_.lags[i / n_models], i % n_models, r)) return;
    std::lock_guard lock(mutex_);
    slots_[i] = r;
    finished_[i] = 1;
  });
  running_ = false;
}

std::string Sweep::to_csv(const std::vector<SweepResult>& results) {
  std::ostringstream s;
  s.precision(10);
  s << "model,lag,loss,baseline,accuracy,iterations,diverged\n";
  for (const SweepResult& r : results)
    s << r.model_name << ',' << r.lag << ',' << r.loss << ',' << r.baseline << ',' << r.accuracy
      << ',' << r.iterations << ',' << (r.diverged ? 1 : 0) << '\n';
  return s.str();
}

}  // namespace unrolled
