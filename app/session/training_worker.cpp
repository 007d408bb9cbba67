#include "app/session/training_worker.hpp"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cmath>

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
  bool ok = true;
  for (auto& t : trainers_) ok = t->run_iteration() && ok;
  return ok;
}

void TrainingWorker::apply(Command& c) {
  using K = Command::Kind;
  auto each = [&](auto f) {
    for (auto& t : trainers_) f(*t);
  };
  error_.clear();
  switch (c.kind) {
    case K::Play:
      playing_ = true;
      break;
    case K::Pause:
      playing_ = false;
      break;
    case K::StepIteration:
      playing_ = false;
      each([](Trainer& t) { t.run_iteration(); });
      break;
    case K::StepForward:
      playing_ = false;
      each([](Trainer& t) {
        if (t.phase() == Phase::Update) t.apply_update();
        t.step_forward();
      });
      break;
    case K::StepBackward:
      playing_ = false;
      each([](Trainer& t) { t.step_backward(); });
      break;
    case K::FinishForward:
      playing_ = false;
      each([](Trainer& t) {
        if (t.phase() == Phase::Ready) t.step_forward();
        while (t.phase() == Phase::Forward) t.step_forward();
      });
      break;
    case K::ApplyUpdate:
      playing_ = false;
      each([](Trainer& t) { t.apply_update(); });
      break;
    case K::Reset:
      each([](Trainer& t) { t.reset(); });
      break;
    case K::Reseed:
      config_.training.seed = c.seed;
      each([&](Trainer& t) { t.reseed(c.seed); });
      break;
    case K::SetSpeed:
      speed_ = std::max(0.0, c.value);
      break;
    case K::SetOptimizer:
      if (validate(c.optimizer).empty()) {
        config_.training.optimizer = c.optimizer;
        each([&](Trainer& t) { t.set_optimizer(c.optimizer); });
      } else {
        error_ = "optimiser: " + validate(c.optimizer);
      }
      break;
    case K::SetClip:
      if (validate(c.clip).empty()) {
        config_.training.clip = c.clip;
        each([&](Trainer& t) { t.set_clip(c.clip); });
      } else {
        error_ = "clipping: " + validate(c.clip);
      }
      break;
    case K::SetTruncation:
      config_.training.k1 = c.k1;
      config_.training.k2 = c.k2;
      each([&](Trainer& t) { t.set_truncation(c.k1, c.k2); });
      break;
    case K::SetPrecision:
      config_.training.precision = c.precision;
      each([&](Trainer& t) { t.set_precision(c.precision); });
      break;
    case K::Configure:
      if (c.config && !configure(*c.config, &error_)) {
        // the old experiment keeps running; error_ says why the new one could not start
      }
      break;
    case K::SetSample:
      sample_ = static_cast<int>(c.count);
      break;
    case K::SetTemperature:
      temperature_ = std::clamp(c.value, 0.05, 5.0);
      generated_at_ = -1;
      break;
    case K::SetAnalysis:
      want_spectra_ = c.value != 0;
      jacobian_layer_ = static_cast<int>(c.count);
      break;
    case K::RescaleRecurrent:
      each([&](Trainer& t) { t.rescale_recurrent(c.value); });
      break;
    case K::RunIterations:
      for (int64_t i = 0; i < c.count && train_one(); ++i) {
      }
      break;
  }
}

void TrainingWorker::run() {
  // Training yields to drawing: on a small machine the frame (and a software rasteriser's
  // threads) must not wait behind a worker running at full speed. Linux applies a thread's nice
  // value to that thread alone.
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);

  auto last_publish = Clock::now();
  auto next_due = Clock::now();
  int64_t done_since = 0;
  auto rate_window = Clock::now();
  while (true) {
    std::deque<Command> commands;
    uint64_t taken = 0;  // commands sent up to those taken now
    {
      std::unique_lock lock(mutex_);
      const bool can_train = playing_ && !trainers_.empty();
      if (!quit_ && queue_.empty()) {
        if (!can_train)
          wake_.wait(lock, [&] { return quit_ || !queue_.empty(); });
        else if (speed_ > 0)
          wake_.wait_until(lock, next_due, [&] { return quit_ || !queue_.empty(); });
      }
      if (quit_) break;
      commands.swap(queue_);
      taken = sent_;
    }
    for (auto& c : commands) apply(c);
    bool changed = !commands.empty();

    if (playing_) {
      // Run what is due: at a set speed, one iteration per 1/speed seconds; at full speed, a
      // burst until the next publish.
      const auto now = Clock::now();
      if (speed_ <= 0) {
        const auto until = now + kPublishEvery;
        while (Clock::now() < until) {
          if (!train_one()) {
            playing_ = false;
            break;
          }
          ++done_since;
        }
        changed = true;
      } else if (now >= next_due) {
        const auto period = std::chrono::duration<double>(1.0 / speed_);
        int burst = 0;
        while (Clock::now() >= next_due && burst < 10000) {
          if (!train_one()) {
            playing_ = false;
            break;
          }
          next_due += std::chrono::duration_cast<Clock::duration>(period);
          ++done_since;
          ++burst;
          if (Clock::now() - now > kPublishEvery) break;
        }
        if (Clock::now() - next_due > std::chrono::milliseconds(250)) next_due = Clock::now();
        changed = true;
      }
      const double secs = std::chrono::duration<double>(Clock::now() - rate_window).count();
      if (secs > 0.5) {
        measured_speed_ = done_since / secs;
        done_since = 0;
        rate_window = Clock::now();
      }
    } else {
      measured_speed_ = 0;
      next_due = Clock::now();
    }

    if (changed && (!commands.empty() || Clock::now() - last_publish >= kPublishEvery)) {
      publish();
      last_publish = Clock::now();
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
