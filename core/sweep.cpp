#include "core/sweep.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "core/parallel.hpp"
#include "core/trainer.hpp"

namespace unrolled {

Sweep::~Sweep() {
  cancel();
}

bool Sweep::start(const SweepSpec& spec, std::string* error) {
  cancel();
  if (spec.lags.empty() || spec.iterations < 1 || spec.eval_batches < 1 || spec.seeds < 1) {
    if (error)
      *error = "sweep: needs at least one lag, one iteration, one evaluation batch and one seed";
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
  total_ = static_cast<int64_t>(spec.lags.size() * spec.base.all_models().size()) * spec.seeds *
           spec.iterations;
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

// One (lag, model, seed) run: train from the seed, then evaluate on held-out data. False if
// cancelled.
bool Sweep::run_one(int lag, int model, uint64_t seed, SweepResult& r) {
  ExperimentConfig c = spec_.base;
  c.task.length = lag;
  c.training.seed = seed;
  r.seed = seed;
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
  // The runs are independent (each its own trainer from its seed): one task each on the pool,
  // each spreading its batch shards further. Each result has a fixed slot (lag-major, then model,
  // then seed), so the results and their order do not depend on which run finishes first.
  const int n_models = static_cast<int>(spec_.base.all_models().size());
  const int n_seeds = spec_.seeds;
  const int n_runs = static_cast<int>(spec_.lags.size()) * n_models * n_seeds;
  {
    std::lock_guard lock(mutex_);
    slots_.assign(n_runs, SweepResult{});
    finished_.assign(n_runs, 0);
  }
  parallel_for(n_runs, [&](int i) {
    if (cancel_) return;
    SweepResult r;
    const int seed = i % n_seeds, model = (i / n_seeds) % n_models, lag = i / (n_seeds * n_models);
    if (!run_one(spec_.lags[lag], model, spec_.base.training.seed + seed, r)) return;
    std::lock_guard lock(mutex_);
    slots_[i] = r;
    finished_[i] = 1;
  });
  running_ = false;
}

std::string Sweep::to_csv(const std::vector<SweepResult>& results) {
  std::ostringstream s;
  s.precision(10);
  s << "model,lag,seed,loss,baseline,accuracy,iterations,diverged\n";
  for (const SweepResult& r : results)
    s << r.model_name << ',' << r.lag << ',' << r.seed << ',' << r.loss << ',' << r.baseline << ',' << r.accuracy
      << ',' << r.iterations << ',' << (r.diverged ? 1 : 0) << '\n';
  return s.str();
}

std::vector<SweepSummary> summarize(const std::vector<SweepResult>& results) {
  std::vector<SweepSummary> out;
  std::vector<int> finite;  // per summary: runs that did not diverge
  for (const SweepResult& r : results) {
    auto it = std::find_if(out.begin(), out.end(), [&](const SweepSummary& s) {
      return s.model == r.model && s.lag == r.lag;
    });
    if (it == out.end()) {
      SweepSummary s;
      s.model = r.model;
      s.model_name = r.model_name;
      s.lag = r.lag;
      s.baseline = r.baseline;
      s.mean = 0;
      s.min = std::numeric_limits<double>::infinity();
      s.max = -std::numeric_limits<double>::infinity();
      out.push_back(s);
      finite.push_back(0);
      it = out.end() - 1;
    }
    ++it->runs;
    if (r.diverged || !std::isfinite(r.loss)) {
      ++it->diverged;
      continue;
    }
    ++finite[it - out.begin()];
    it->mean += r.loss;
    it->min = std::min(it->min, r.loss);
    it->max = std::max(it->max, r.loss);
  }
  for (size_t i = 0; i < out.size(); ++i) {
    if (finite[i] > 0) {
      out[i].mean /= finite[i];
    } else {
      out[i].mean = out[i].min = out[i].max = std::numeric_limits<double>::quiet_NaN();
    }
  }
  return out;
}

}  // namespace unrolled
