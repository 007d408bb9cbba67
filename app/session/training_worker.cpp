#include "app/session/training_worker.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <variant>

#include "core/parallel.hpp"
#include "core/sampling.hpp"

namespace unrolled {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kPublishEvery = std::chrono::milliseconds(33);  // ~30 snapshots a second at most
constexpr int kGeneratedChars = 240;

}  // namespace

TrainingWorker::TrainingWorker() = default;
TrainingWorker::~TrainingWorker() {
  stop();
}

bool TrainingWorker::configure(const ExperimentConfig& config, std::string* error) {
  std::vector<std::unique_ptr<Trainer>> trainers;
  const int n = static_cast<int>(config.all_models().size());
  for (int i = 0; i < n; ++i) {
    auto t = std::make_unique<Trainer>();
    if (!t->configure(config, i, error)) return false;
    trainers.push_back(std::move(t));
  }
  trainers_ = std::move(trainers);
  config_ = config;
  generated_.assign(trainers_.size(), "");
  generated_at_ = -1;
  return true;
}

bool TrainingWorker::start(const ExperimentConfig& config, std::string* error) {
  stop();
  if (!configure(config, error)) return false;
  quit_ = false;
  publish();
  thread_ = std::thread([this] { run(); });
  return true;
}

void TrainingWorker::stop() {
  {
    std::lock_guard lock(mutex_);
    quit_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void TrainingWorker::send(Command c) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(c));
    ++sent_;
  }
  wake_.notify_all();
}

std::shared_ptr<const Snapshot> TrainingWorker::latest() const {
  std::lock_guard lock(mutex_);
  return latest_;
}

void TrainingWorker::wait_idle() {
  // Waits for the commands sent so far, not for the worker to stop: at full speed it never does.
  std::unique_lock lock(mutex_);
  const uint64_t target = sent_;
  idle_.wait(lock, [&] { return quit_ || applied_ >= target; });
}

bool TrainingWorker::train_one() {
  // Compare mode's models are independent: one task each (and each spreads its batch shards),
  // every model's numbers the same whatever runs where. The results are read in model order.
  const int n = static_cast<int>(trainers_.size());
  std::vector<char> ok(n, 0);
  parallel_for(n, [&](int i) { ok[i] = trainers_[i]->run_iteration(); });
  return std::all_of(ok.begin(), ok.end(), [](char v) { return v != 0; });
}

// Applies one command on the worker thread. Step commands pause first: a step by hand takes over
// from play.
struct TrainingWorker::Applier {
  TrainingWorker& w;

  template <class F>
  void each(F f) {
    for (auto& t : w.trainers_) f(*t);
  }
  template <class F>
  void step(F f) {
    w.playing_ = false;
    each(f);
  }

  void operator()(const cmd::Play&) { w.playing_ = true; }
  void operator()(const cmd::Pause&) { w.playing_ = false; }

  void operator()(const cmd::StepIteration&) {
    step([](Trainer& t) { t.run_iteration(); });
  }
  void operator()(const cmd::StepForward&) {
    step([](Trainer& t) {
      if (t.phase() == Phase::Update) t.apply_update();
      t.step_forward();
    });
  }
  void operator()(const cmd::StepBackward&) {
    step([](Trainer& t) { t.step_backward(); });
  }
  void operator()(const cmd::FinishForward&) {
    step([](Trainer& t) {
      if (t.phase() == Phase::Ready) t.step_forward();
      while (t.phase() == Phase::Forward) t.step_forward();
    });
  }
  void operator()(const cmd::FinishBackward&) {
    // Exactly the StepBackward commands it replaces: one time step at a time until Update.
    step([](Trainer& t) {
      while (t.phase() == Phase::Forward || t.phase() == Phase::Backward) t.step_backward();
    });
  }
  void operator()(const cmd::ApplyUpdate&) {
    step([](Trainer& t) { t.apply_update(); });
  }

  void operator()(const cmd::Reset&) {
    each([](Trainer& t) { t.reset(); });
  }
  void operator()(const cmd::Reseed& c) {
    w.config_.training.seed = c.seed;
    each([&](Trainer& t) { t.reseed(c.seed); });
  }
  void operator()(const cmd::Configure& c) {
    // On failure the old experiment keeps running; error_ says why the new one could not start.
    w.configure(c.config, &w.error_);
  }
  void operator()(const cmd::RunIterations& c) {
    for (int64_t i = 0; i < c.count && w.train_one(); ++i) {
    }
  }
  void operator()(const cmd::RescaleRecurrent& c) {
    each([&](Trainer& t) { t.rescale_recurrent(c.spectral_radius); });
  }

  void operator()(const cmd::SetSpeed& c) { w.speed_ = std::max(0.0, c.iterations_per_second); }
  void operator()(const cmd::SetOptimizer& c) {
    if (const std::string why = validate(c.optimizer); !why.empty()) {
      w.error_ = "optimiser: " + why;
      return;
    }
    w.config_.training.optimizer = c.optimizer;
    each([&](Trainer& t) { t.set_optimizer(c.optimizer); });
  }
  void operator()(const cmd::SetClip& c) {
    if (const std::string why = validate(c.clip); !why.empty()) {
      w.error_ = "clipping: " + why;
      return;
    }
    w.config_.training.clip = c.clip;
    each([&](Trainer& t) { t.set_clip(c.clip); });
  }
  void operator()(const cmd::SetTruncation& c) {
    w.config_.training.k1 = c.k1;
    w.config_.training.k2 = c.k2;
    each([&](Trainer& t) { t.set_truncation(c.k1, c.k2); });
  }
  void operator()(const cmd::SetPrecision& c) {
    w.config_.training.precision = c.precision;
    each([&](Trainer& t) { t.set_precision(c.precision); });
  }

  void operator()(const cmd::SetSample& c) { w.sample_ = c.sample; }
  void operator()(const cmd::SetTemperature& c) {
    w.temperature_ = std::clamp(c.temperature, 0.05, 5.0);
    w.generated_at_ = -1;  // new text at the new temperature in the next snapshot
  }
  void operator()(const cmd::SetAnalysis& c) {
    w.want_spectra_ = c.spectra;
    w.jacobian_layer_ = c.jacobian_layer;
  }
};

void TrainingWorker::apply(const Command& c) {
  error_.clear();
  std::visit(Applier{*this}, c);
}

// The play loop's clocks: when the next iteration is due, the last publish, and the window over
// which the achieved speed is measured.
struct TrainingWorker::Pacing {
  Clock::time_point last_publish = Clock::now();
  Clock::time_point next_due = Clock::now();
  Clock::time_point rate_window = Clock::now();
  int64_t done_since = 0;  // iterations since rate_window
};

bool TrainingWorker::take_commands(std::deque<Command>& commands, uint64_t& taken,
                                   const Pacing& pace) {
  std::unique_lock lock(mutex_);
  const bool can_train = playing_ && !trainers_.empty();
  const auto woken = [&] { return quit_ || !queue_.empty(); };
  if (!quit_ && queue_.empty()) {
    if (!can_train)
      wake_.wait(lock, woken);
    else if (speed_ > 0)
      wake_.wait_until(lock, pace.next_due, woken);
  }
  if (quit_) return false;
  commands.swap(queue_);
  taken = sent_;
  return true;
}

bool TrainingWorker::train_due(Pacing& pace) {
  const auto now = Clock::now();
  if (speed_ <= 0) {
    // Full speed: a burst until the next publish.
    const auto until = now + kPublishEvery;
    while (Clock::now() < until) {
      if (!train_one()) {
        playing_ = false;
        break;
      }
      ++pace.done_since;
    }
    return true;
  }
  if (now < pace.next_due) return false;
  // A set speed: one iteration per 1/speed seconds, catching up (within limits) when late.
  const auto period =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / speed_));
  int burst = 0;
  while (Clock::now() >= pace.next_due && burst < 10000) {
    if (!train_one()) {
      playing_ = false;
      break;
    }
    pace.next_due += period;
    ++pace.done_since;
    ++burst;
    if (Clock::now() - now > kPublishEvery) break;
  }
  if (Clock::now() - pace.next_due > std::chrono::milliseconds(250)) pace.next_due = Clock::now();
  return true;
}

void TrainingWorker::measure_speed(Pacing& pace) {
  const double secs = std::chrono::duration<double>(Clock::now() - pace.rate_window).count();
  if (secs <= 0.5) return;
  measured_speed_ = pace.done_since / secs;
  pace.done_since = 0;
  pace.rate_window = Clock::now();
}

void TrainingWorker::run() {
  // Training yields to drawing: on a small machine the frame (and a software rasteriser's
  // threads) must not wait behind a worker running at full speed. Linux applies a thread's nice
  // value and scheduling policy to that thread alone.
  lower_this_thread_priority();

  Pacing pace;
  while (true) {
    std::deque<Command> commands;
    uint64_t taken = 0;
    if (!take_commands(commands, taken, pace)) break;
    for (const Command& c : commands) apply(c);
    bool changed = !commands.empty();

    if (playing_) {
      changed = train_due(pace) || changed;
      measure_speed(pace);
    } else {
      measured_speed_ = 0;
      pace.next_due = Clock::now();
    }

    if (changed && (!commands.empty() || Clock::now() - pace.last_publish >= kPublishEvery)) {
      publish();
      pace.last_publish = Clock::now();
    }
    {
      std::lock_guard lock(mutex_);
      applied_ = taken;  // applied and, when they changed anything, published
    }
    idle_.notify_all();
  }
  idle_.notify_all();
}

std::shared_ptr<Snapshot> TrainingWorker::free_snapshot() {
  for (auto& s : pool_)
    if (s.use_count() == 1) return s;  // only the pool holds it: the UI has let go
  pool_.push_back(std::make_shared<Snapshot>());
  return pool_.back();
}

void TrainingWorker::publish() {
  std::shared_ptr<Snapshot> s;
  {
    std::lock_guard lock(mutex_);
    // Under the lock: the UI takes snapshots only through latest(), so one that nobody but the
    // pool holds cannot be picked up while it is being filled.
    s = free_snapshot();
  }
  s->version = ++version_;
  s->config = config_;
  s->playing = playing_;
  s->speed = speed_;
  s->measured_speed = measured_speed_;
  s->error = error_;
  s->models.resize(trainers_.size());
  s->vocabulary.clear();
  if (!trainers_.empty()) {
    s->task = trainers_[0]->task().info();
    if (const auto* lm = dynamic_cast<const CharLmTask*>(&trainers_[0]->task()))
      s->vocabulary = lm->vocabulary();
  }
  for (size_t i = 0; i < trainers_.size(); ++i) {
    const Trainer& t = *trainers_[i];
    fill_model_view(s->models[i], t, sample_);
    // Char-LM: new text once per ~second of training (cheap: a few hundred cell steps).
    if (const auto* lm = dynamic_cast<const CharLmTask*>(&t.task())) {
      if (generated_at_ < 0 || t.iteration() - generated_at_ >= 50 ||
          t.iteration() < generated_at_) {
        Rng rng(t.iteration() * 7919 + i);
        generated_[i] = sample_text(t.network(), *lm, rng, kGeneratedChars, temperature_);
        if (i + 1 == trainers_.size()) generated_at_ = t.iteration();
      }
      s->models[i].generated = generated_[i];
    }
    ModelView& v = s->models[i];
    const NetworkSpec& spec = t.network().spec();
    v.spectra.clear();
    if (want_spectra_)
      for (int l = 0; l < spec.num_layers; ++l)
        v.spectra.push_back(recurrent_spectra(t.network().params(), spec, l));
    v.jacobian_layer = -1;
    v.jacobian_norms.resize(0);
    const int T = t.trace().num_steps();
    if (jacobian_layer_ >= 0 && T > 0 && t.phase() != Phase::Forward &&
        t.batch().batch_size() > 0) {
      const int l = std::min(jacobian_layer_, spec.num_layers - 1);
      v.jacobian_layer = l;
      v.jacobian_norms =
          jacobian_product_norms(t.network(), t.trace(), t.batch(), l, T - 1, v.sample, T - 1);
    }
  }
  std::lock_guard lock(mutex_);
  latest_ = s;
}

}  // namespace unrolled
