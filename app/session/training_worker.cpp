#include "app/session/training_worker.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <variant>

#include "core/interrupt.hpp"
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
  stores_.clear();
  for (const auto& t : trainers_)
    stores_.emplace_back(CheckpointStore::checkpoint_bytes_for(*t),
                         kDefaultCheckpointBudget / trainers_.size());
  viewing_ = -1;
  viewed_.clear();
  scratch_.clear();
  opened_.clear();
  config_ = config;
  warning_ = slow_iteration_warning(config);
  generated_.assign(trainers_.size(), "");
  generated_at_ = -1;
  return true;
}

bool TrainingWorker::start(const ExperimentConfig& config, std::string* error) {
  stop();
  if (!configure(config, error)) return false;
  quit_ = false;
  on_command_.clear();
  on_stop_.clear();
  publish();
  thread_ = std::thread([this] { run(); });
  return true;
}

void TrainingWorker::stop() {
  {
    std::lock_guard lock(mutex_);
    quit_ = true;
    on_command_.raise();
    on_stop_.raise();
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void TrainingWorker::send(Command c) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(c));
    ++sent_;
    on_command_.raise();
  }
  wake_.notify_all();
}

std::shared_ptr<const Snapshot> TrainingWorker::latest() const {
  std::lock_guard lock(mutex_);
  return latest_;
}

void TrainingWorker::wait_view() {
  wait_idle();
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [&] { return quit_ || pending_view_ < 0; });
}

void TrainingWorker::wait_idle() {
  // Waits for the commands sent so far, not for the worker to stop: at full speed it never does.
  std::unique_lock lock(mutex_);
  const uint64_t target = sent_;
  idle_.wait(lock, [&] { return quit_ || applied_ >= target; });
}

void TrainingWorker::end_goal() {
  if (goal_) goal_done_ = goal_->id;
  goal_.reset();
}

bool TrainingWorker::goal_reached() {
  if (!goal_) return false;
  std::vector<const Trainer*> all;
  for (const auto& t : trainers_) all.push_back(t.get());
  if (!run_condition_met(goal_->action, all, goal_start_)) return false;
  end_goal();
  return true;
}

TrainingWorker::Trained TrainingWorker::train_one(Interrupt* stop) {
  // Compare mode's models are independent: one task each (and each spreads its batch shards),
  // every model's numbers the same whatever runs where. The results are read in model order.
  // After an interruption only the models whose iteration is unfinished go on, so all stay in
  // lockstep.
  const int n = static_cast<int>(trainers_.size());
  const auto unfinished = [](const std::unique_ptr<Trainer>& t) {
    return t->phase() != Phase::Ready && t->phase() != Phase::Diverged;
  };
  const bool resuming = std::any_of(trainers_.begin(), trainers_.end(), unfinished);
  if (!resuming)
    for (int i = 0; i < n; ++i) record_checkpoint(i);
  std::vector<char> ok(n, 1);
  parallel_for(n, [&](int i) {
    if (!resuming || unfinished(trainers_[i])) ok[i] = trainers_[i]->run_iteration(stop);
  });
  if (!std::all_of(ok.begin(), ok.end(), [](char v) { return v != 0; })) return Trained::Diverged;
  if (std::any_of(trainers_.begin(), trainers_.end(), unfinished)) return Trained::Interrupted;
  return Trained::Done;
}

// Applies one command on the worker thread. Step commands pause first: a step by hand takes over
// from play.
struct TrainingWorker::Applier {
  TrainingWorker& w;

  template <class F>
  void each(F f) {
    for (auto& t : w.trainers_) f(*t);
  }
  // A step by hand acts on the run on screen. Live, it pauses training first. Viewing a past
  // iteration (two axes: any iteration x any time step), it steps the scratch trainers that
  // recomputed the view, which hold that iteration's state: the live run, its checkpoints and
  // whether it plays are untouched. f(trainer, model index, live).
  template <class F>
  void step(F f) {
    if (w.viewing_ >= 0) {
      // A replay still under way finishes first (only stop() cuts it short).
      if (w.view_target_ >= 0 && !w.advance_view(&w.on_stop_, Clock::duration::max())) return;
      for (size_t i = 0; i < w.scratch_.size(); ++i) f(*w.scratch_[i], i, false);
      w.viewing_ = w.scratch_.empty() ? w.viewing_ : w.scratch_.front()->iteration();
      w.fill_views();
      return;
    }
    w.playing_ = false;
    w.end_goal();
    for (size_t i = 0; i < w.trainers_.size(); ++i) {
      w.record_checkpoint(i);
      f(*w.trainers_[i], i, true);
    }
  }
  void clear_checkpoints() {
    for (auto& s : w.stores_) s.clear();
    w.viewing_ = -1;
  }

  void operator()(const cmd::Play&) {
    w.playing_ = true;
    if (!w.view_keep_training_) w.viewing_ = -1;
  }
  void operator()(const cmd::Pause&) {
    w.playing_ = false;
    w.end_goal();
  }
  void operator()(const cmd::RunUntil& c) {
    w.end_goal();
    if (w.trainers_.empty()) return;
    w.goal_ = c;
    w.goal_start_ = w.trainers_.front()->iteration();
    w.playing_ = !w.goal_reached();
  }

  void operator()(const cmd::StepIteration&) {
    step([&](Trainer& t, size_t, bool) { t.run_iteration(&w.on_stop_); });
  }
  void operator()(const cmd::StepForward&) {
    step([&](Trainer& t, size_t i, bool live) {
      if (t.phase() == Phase::Update) {
        t.apply_update();
        if (live) w.record_checkpoint(i);
      }
      t.step_forward();
    });
  }
  void operator()(const cmd::StepBackward&) {
    step([](Trainer& t, size_t, bool) { t.step_backward(); });
  }
  void operator()(const cmd::FinishForward&) {
    step([&](Trainer& t, size_t, bool) {
      if (t.phase() == Phase::Ready) t.step_forward();
      while (t.phase() == Phase::Forward && !w.on_stop_.stop_here()) t.step_forward();
    });
  }
  void operator()(const cmd::FinishBackward&) {
    // Exactly the StepBackward commands it replaces: one time step at a time until Update.
    step([&](Trainer& t, size_t, bool) { finish_backward(t); });
  }
  void operator()(const cmd::ApplyUpdate&) {
    step([&](Trainer& t, size_t, bool) {
      if (finish_backward(t)) t.apply_update();
    });
  }
  // False when stop() cut it short.
  bool finish_backward(Trainer& t) {
    while (t.phase() == Phase::Forward || t.phase() == Phase::Backward)
      if (w.on_stop_.stop_here() || !t.step_backward()) return false;
    return true;
  }

  void operator()(const cmd::Reset&) {
    w.end_goal();
    clear_checkpoints();
    each([](Trainer& t) { t.reset(); });
  }
  void operator()(const cmd::Reseed& c) {
    w.config_.training.seed = c.seed;
    clear_checkpoints();
    each([&](Trainer& t) { t.reseed(c.seed); });
  }
  void operator()(const cmd::Configure& c) {
    w.end_goal();
    // On failure the old experiment keeps running; error_ says why the new one could not start.
    w.configure(c.config, &w.error_);
  }
  void operator()(const cmd::RunIterations& c) {
    for (int64_t i = 0; i < c.count && w.train_one(&w.on_stop_) == Trained::Done; ++i) {
    }
  }
  void operator()(const cmd::RescaleRecurrent& c) {
    each([&](Trainer& t) { t.rescale_recurrent(c.spectral_radius); });
    w.note_setting_change(false, false);  // only between iterations: the next record pins it
  }

  void operator()(const cmd::SetSpeed& c) { w.speed_ = std::max(0.0, c.iterations_per_second); }
  void operator()(const cmd::SetOptimizer& c) {
    if (const std::string why = validate(c.optimizer); !why.empty()) {
      w.error_ = "optimiser: " + why;
      return;
    }
    w.config_.training.optimizer = c.optimizer;
    each([&](Trainer& t) { t.set_optimizer(c.optimizer); });
    w.note_setting_change(true, false);
  }
  void operator()(const cmd::SetClip& c) {
    if (const std::string why = validate(c.clip); !why.empty()) {
      w.error_ = "clipping: " + why;
      return;
    }
    w.config_.training.clip = c.clip;
    each([&](Trainer& t) { t.set_clip(c.clip); });
    w.note_setting_change(true, false);
  }
  void operator()(const cmd::SetTruncation& c) {
    w.config_.training.k1 = c.k1;
    w.config_.training.k2 = c.k2;
    each([&](Trainer& t) { t.set_truncation(c.k1, c.k2); });
    w.note_setting_change(false, true);
  }
  void operator()(const cmd::SetPrecision& c) {
    w.config_.training.precision = c.precision;
    each([&](Trainer& t) { t.set_precision(c.precision); });
    w.note_setting_change(false, false);  // from the next iteration on
  }

  void operator()(const cmd::SetSample& c) {
    w.sample_ = c.sample;
    w.view_dirty_ = true;
  }
  void operator()(const cmd::SetTemperature& c) {
    w.temperature_ = std::clamp(c.temperature, 0.05, 5.0);
    w.generated_at_ = -1;  // new text at the new temperature in the next snapshot
  }
  void operator()(const cmd::SetAnalysis& c) {
    w.want_spectra_ = c.spectra;
    w.jacobian_layer_ = c.jacobian_layer;
    w.view_dirty_ = true;
  }

  void operator()(const cmd::ViewIteration& c) {
    w.view_keep_training_ = c.keep_training;
    if (!c.keep_training) {
      w.playing_ = false;
      w.end_goal();
    }
    w.view_iteration(c.iteration);
  }
  void operator()(const cmd::BackToLive&) { w.viewing_ = -1; }
  void operator()(const cmd::CaptureSession& c) {
    if (c.out) c.out->set_value(w.make_session());
  }
  void operator()(const cmd::LoadSession& c) {
    if (!c.session) return;
    w.end_goal();
    w.playing_ = false;
    w.load_session(*c.session, &w.error_);
  }
};

void TrainingWorker::record_checkpoint(size_t i) {
  if (i < stores_.size() && trainers_[i]->phase() == Phase::Ready) stores_[i].record(*trainers_[i]);
}

void TrainingWorker::note_setting_change(bool update_settings, bool truncation) {
  for (size_t i = 0; i < trainers_.size() && i < stores_.size(); ++i) {
    const Trainer& t = *trainers_[i];
    CheckpointStore& store = stores_[i];
    const Phase p = t.phase();
    const bool under_way = p == Phase::Forward || p == Phase::Backward || p == Phase::Update;
    if (under_way && store.newest() == t.iteration()) {
      TrainingConfig used = store.at_or_before(store.newest())->state.training;
      if (update_settings) {
        used.optimizer = t.config().training.optimizer;
        used.clip = t.config().training.clip;
      }
      if (truncation && p == Phase::Forward) {
        used.k1 = t.config().training.k1;
        used.k2 = t.config().training.k2;
      }
      store.amend_newest(used);
    }
    store.pin_next();
  }
}

Session TrainingWorker::make_session() const {
  Session s;
  s.config = config_;
  for (size_t i = 0; i < trainers_.size(); ++i) {
    s.models.push_back(trainers_[i]->capture(true));
    std::vector<Checkpoint> list;
    if (i < stores_.size())
      for (const Checkpoint* c : stores_[i].all()) list.push_back(*c);
    s.checkpoints.push_back(std::move(list));
  }
  return s;
}

Session TrainingWorker::capture_session() {
  if (!thread_.joinable()) return make_session();  // no worker thread: nothing runs concurrently
  auto promise = std::make_shared<std::promise<Session>>();
  std::future<Session> done = promise->get_future();
  send(cmd::CaptureSession{promise});
  return done.get();
}

bool TrainingWorker::load_session(const Session& s, std::string* error) {
  // Built aside, so a session that fails leaves the old run as it was.
  std::vector<std::unique_ptr<Trainer>> old_trainers = std::move(trainers_);
  std::vector<CheckpointStore> old_stores = std::move(stores_);
  const ExperimentConfig old_config = config_;
  const std::string old_warning = warning_;
  const auto give_back = [&](const std::string& why) {
    trainers_ = std::move(old_trainers);
    stores_ = std::move(old_stores);
    config_ = old_config;
    warning_ = old_warning;
    generated_.assign(trainers_.size(), "");
    if (error) *error = why;
    return false;
  };
  std::string why;
  if (!configure(s.config, &why)) return give_back(why);
  for (size_t k = 0; k < s.models.size(); ++k) {
    const int m = s.models[k].model_index;
    if (m < 0 || m >= static_cast<int>(trainers_.size()) || !trainers_[m]->restore(s.models[k], &why))
      return give_back("session model " + std::to_string(m) + ": " + why);
    if (k < s.checkpoints.size())
      for (const Checkpoint& c : s.checkpoints[k])
        if (!stores_[m].insert(c)) return give_back("session checkpoints out of order");
  }
  last_finite_.clear();
  // The trainers hold no trace of the iteration they stopped after: publish replays it from the
  // checkpoint before it, so that every panel shows the opened run's last iteration whole.
  opened_.assign(trainers_.size(), std::nullopt);
  for (size_t i = 0; i < trainers_.size(); ++i)
    if (trainers_[i]->phase() == Phase::Ready && trainers_[i]->iteration() > 0) {
      opened_[i].emplace();
      opened_[i]->iteration = trainers_[i]->iteration();
    }
  return true;
}

bool TrainingWorker::refresh_view() {
  view_dirty_ = false;
  if (viewing_ < 0) return true;
  const size_t n = trainers_.size();
  viewed_.resize(n);
  while (scratch_.size() < n) scratch_.push_back(std::make_unique<Trainer>());
  const ViewRequest request{sample_, want_spectra_, jacobian_layer_};
  const History none(2, 2, 1);  // publish puts the live history in (no 10 MB copy)
  for (size_t i = 0; i < n; ++i) {
    std::string why;
    if (!recompute_view(config_, static_cast<int>(i), stores_[i], viewing_,
                        trainers_[i]->iteration(), request, none, *scratch_[i], viewed_[i],
                        &why)) {
      error_ = "view: " + why;
      viewing_ = -1;
      return false;
    }
  }
  return true;
}

void TrainingWorker::view_iteration(int64_t n) {
  view_target_ = -1;
  // The nearest checkpoint's iteration (the main model's, as the slider's quick views): one replay.
  int64_t quick = n;
  const int64_t live = trainers_.empty() ? 0 : trainers_[0]->iteration();
  if (n > 1 && n <= live && !stores_.empty())
    if (const Checkpoint* c = stores_[0].at_or_before(n - 1)) quick = c->state.iteration + 1;
  viewing_ = quick;
  if (!refresh_view() || quick >= n) return;
  for (size_t i = 0; i < trainers_.size(); ++i) {
    // The quick view's replay goes on towards n when it came from n's own checkpoint c (the
    // scratch trainer, just replayed from c, stands Ready in (c, n]); else from c afresh.
    const Trainer& t = *scratch_[i];
    const Checkpoint* c = stores_[i].at_or_before(n - 1);
    if (c && t.phase() == Phase::Ready && t.iteration() > c->state.iteration && t.iteration() <= n)
      continue;
    std::string why;
    if (!begin_replay(config_, static_cast<int>(i), stores_[i], n, trainers_[i]->iteration(),
                      *scratch_[i], &why)) {
      error_ = "view: " + why;
      viewing_ = -1;
      return;
    }
  }
  view_target_ = n;
}

bool TrainingWorker::advance_view(Interrupt* stop, Clock::duration budget) {
  const auto until = budget == Clock::duration::max() ? Clock::time_point::max()
                                                      : Clock::now() + budget;
  for (size_t i = 0; i < scratch_.size() && i < trainers_.size(); ++i) {
    Trainer& t = *scratch_[i];
    while (t.iteration() < view_target_ && t.phase() != Phase::Diverged) {
      if ((stop && stop->raised()) || Clock::now() >= until) return false;
      if (!replay_iteration(t, view_target_, stop)) break;  // diverged: show where it stopped
    }
    if (t.phase() != Phase::Ready && t.phase() != Phase::Diverged) return false;  // interrupted
  }
  viewing_ = view_target_;
  view_target_ = -1;
  fill_views();
  return true;
}

void TrainingWorker::fill_views() {
  view_dirty_ = false;
  if (viewing_ < 0) return;
  const ViewRequest request{sample_, want_spectra_, jacobian_layer_};
  viewed_.resize(scratch_.size());
  for (size_t i = 0; i < scratch_.size(); ++i) {
    fill_model_view(viewed_[i], *scratch_[i], sample_, /*with_history=*/false);
    viewed_[i].pictures_from = -1;
    viewed_[i].history = History(2, 2, 1);  // publish puts the live history in
    fill_analysis(viewed_[i], *scratch_[i], request);
  }
}

void TrainingWorker::refresh_opened() {
  const ViewRequest request{sample_, want_spectra_, jacobian_layer_};
  opened_.resize(trainers_.size());
  for (size_t i = 0; i < trainers_.size(); ++i) {
    std::optional<ModelView>& v = opened_[i];
    const Trainer& t = *trainers_[i];
    // The run has moved on (or was never opened): the live trainer draws its own pictures.
    if (!v || t.phase() != Phase::Ready || t.iteration() != v->iteration || t.forward_t() > 0) {
      v.reset();
      continue;
    }
    if (viewing_ >= 0) continue;  // the scratch trainers hold the viewed iteration
    if (v->steps > 0 && v->sample == request.sample && opened_spectra_ == request.spectra &&
        opened_jacobian_ == request.jacobian_layer)
      continue;
    while (scratch_.size() <= i) scratch_.push_back(std::make_unique<Trainer>());
    std::string why;
    if (!recompute_view(config_, static_cast<int>(i), stores_[i], t.iteration(), t.iteration(),
                        request, History(2, 2, 1), *scratch_[i], *v, &why)) {
      v.reset();  // no checkpoint before the last iteration: the pictures stay empty
      continue;
    }
    v->history = History(2, 2, 1);
  }
  opened_spectra_ = request.spectra;
  opened_jacobian_ = request.jacobian_layer;
}

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
  if (!quit_ && queue_.empty() && view_target_ < 0) {  // a replay under way goes on at once
    if (!can_train)
      wake_.wait(lock, woken);
    else if (speed_ > 0)
      wake_.wait_until(lock, pace.next_due, woken);
  }
  if (quit_) return false;
  commands.swap(queue_);
  taken = sent_;
  on_command_.clear();  // under the lock: a command sent from now on raises it again
  return true;
}

bool TrainingWorker::train_due(Pacing& pace) {
  // Each iteration: false to stop the burst (a new command or stop() interrupted it, or a model
  // diverged, which pauses).
  const auto train = [&] {
    const Trained r = train_one(&on_command_);
    if (r == Trained::Diverged) {
      playing_ = false;
      end_goal();
    }
    if (r != Trained::Done) return false;
    ++pace.done_since;
    if (goal_reached()) {  // a tour's run ends here: pause
      playing_ = false;
      return false;
    }
    return true;
  };
  const auto now = Clock::now();
  if (speed_ <= 0) {
    // Full speed: a burst until the next publish.
    const auto until = now + kPublishEvery;
    while (Clock::now() < until && train()) {
    }
    return true;
  }
  if (now < pace.next_due) return false;
  // A set speed: one iteration per 1/speed seconds, catching up (within limits) when late.
  const auto period =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / speed_));
  int burst = 0;
  while (Clock::now() >= pace.next_due && burst < 10000 && train()) {
    pace.next_due += period;
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
    if (viewing_ < 0) view_target_ = -1;  // back to live (a reset, a new run): no replay

    const bool was_playing = playing_;
    if (playing_) {
      changed = train_due(pace) || changed;
      measure_speed(pace);
    }
    if (!playing_) {  // paused, or stopped just now by a divergence
      measured_speed_ = 0;
      pace.next_due = Clock::now();
    }

    // Published at once when commands came or training stopped (a divergence): a stopped worker
    // waits for the next command, and the UI must not show a stale "playing" until then.
    const bool stopped = was_playing && !playing_;
    if (changed &&
        (!commands.empty() || stopped || Clock::now() - pace.last_publish >= kPublishEvery)) {
      publish();
      pace.last_publish = Clock::now();
    }
    {
      std::lock_guard lock(mutex_);
      applied_ = taken;  // applied and, when they changed anything, published
      pending_view_ = view_target_;
    }
    idle_.notify_all();
    // Time travel's replay in the background, once the quick view is out: until done or a
    // command comes (while training goes on behind the view, one publish period at a time).
    if (view_target_ >= 0 &&
        advance_view(&on_command_, playing_ ? kPublishEvery : Clock::duration::max())) {
      publish();
      pace.last_publish = Clock::now();
      {
        std::lock_guard lock(mutex_);
        pending_view_ = -1;
      }
      idle_.notify_all();
    }
  }
  idle_.notify_all();
}

std::shared_ptr<TrainingWorker::Slot> TrainingWorker::free_slot() {
  // The acquire load pairs with the release store in the deleter publish() gives each snapshot:
  // every read any thread made of a slot's snapshot happens before the worker refills it.
  // (shared_ptr::use_count() reads the count relaxed, which orders nothing.)
  for (auto& slot : pool_)
    if (!slot->lent.load(std::memory_order_acquire)) {
      slot->lent.store(true, std::memory_order_relaxed);  // only the worker sets it
      return slot;
    }
  pool_.push_back(std::make_shared<Slot>());
  pool_.back()->lent.store(true, std::memory_order_relaxed);
  return pool_.back();
}

// Before model i's next view: when it has just diverged, the view last published (finite) is
// kept, so its pictures stay on screen; once it trains again (reset, a new lesson), they go.
void TrainingWorker::keep_last_finite(size_t i) {
  const bool diverged = trainers_[i]->phase() == Phase::Diverged;
  if (!diverged) {
    last_finite_[i].reset();
  } else if (!last_finite_[i] && latest_ && i < latest_->models.size() &&
             latest_->models[i].phase != Phase::Diverged) {
    last_finite_[i] = latest_->models[i];
  }
}

void TrainingWorker::publish() {
  const std::shared_ptr<Slot> slot = free_slot();
  Snapshot* s = &slot->snapshot;
  s->version = ++version_;
  s->config = config_;
  s->playing = playing_;
  s->goal_active = goal_.has_value();
  s->goal_done = goal_done_;
  s->speed = speed_;
  s->measured_speed = measured_speed_;
  s->error = error_;
  s->warning = warning_;
  s->models.resize(trainers_.size());
  s->vocabulary.clear();
  if (!trainers_.empty()) {
    s->task = trainers_[0]->task().info();
    if (const auto* lm = dynamic_cast<const CharLmTask*>(&trainers_[0]->task()))
      s->vocabulary = lm->vocabulary();
  }
  last_finite_.resize(trainers_.size());
  refresh_opened();
  for (size_t i = 0; i < trainers_.size(); ++i) {
    const Trainer& t = *trainers_[i];
    keep_last_finite(i);
    fill_model_view(s->models[i], t, sample_);
    s->models[i].pictures_from = -1;
    if (t.phase() == Phase::Diverged && last_finite_[i]) copy_pictures(*last_finite_[i], s->models[i]);
    // Char-LM: new text once per ~second of training (cheap: a few hundred cell steps).
    if (const auto* lm = dynamic_cast<const CharLmTask*>(&t.task())) {
      // Paused, the text is the model's as it stands (a tour's run has just ended, say).
      if (generated_at_ < 0 || t.iteration() - generated_at_ >= 50 ||
          t.iteration() < generated_at_ || (!playing_ && t.iteration() != generated_at_)) {
        Rng rng(t.iteration() * 7919 + i);
        generated_[i] = sample_text(t.network(), *lm, rng, kGeneratedChars, temperature_);
        if (i + 1 == trainers_.size()) generated_at_ = t.iteration();
      }
      s->models[i].generated = generated_[i];
    }
    // The live analysis, unless a recomputed view replaces it below (its spectra cost as much).
    const bool replaced = opened_[i] || (viewing_ >= 0 && i < viewed_.size());
    if (!replaced)
      fill_analysis(s->models[i], t, ViewRequest{sample_, want_spectra_, jacobian_layer_});
    if (opened_[i]) {  // a session just opened: its last iteration's pictures, replayed
      History live = std::move(s->models[i].history);
      std::string text = std::move(s->models[i].generated);
      s->models[i] = *opened_[i];
      s->models[i].history = std::move(live);
      s->models[i].generated = std::move(text);
    }
  }
  // Time travel: the recomputed views replace the live ones (each keeps its recomputed pictures,
  // the live history, and text sampled from the weights it shows).
  if (viewing_ >= 0 && view_dirty_ && view_target_ < 0) fill_views();
  s->viewing = viewing_;
  s->view_pending = view_target_;
  s->live_iteration = trainers_.empty() ? 0 : trainers_[0]->iteration();
  s->earliest_viewable = 0;
  for (const auto& store : stores_) s->earliest_viewable = std::max(s->earliest_viewable, store.oldest());
  s->quick_views.clear();
  if (!stores_.empty())
    for (const Checkpoint* c : stores_[0].all())
      if (c->state.iteration >= s->earliest_viewable) s->quick_views.push_back(c->state.iteration + 1);
  if (viewing_ >= 0)
    for (size_t i = 0; i < trainers_.size() && i < viewed_.size(); ++i) {
      const std::string text = std::move(s->models[i].generated);
      History live = std::move(s->models[i].history);  // filled from the live trainer above
      s->models[i] = viewed_[i];
      s->models[i].history = std::move(live);
      if (const auto* lm = dynamic_cast<const CharLmTask*>(&scratch_[i]->task())) {
        Rng rng(viewing_ * 7919 + i);
        s->models[i].generated =
            sample_text(scratch_[i]->network(), *lm, rng, kGeneratedChars, temperature_);
      } else {
        s->models[i].generated = text;
      }
    }
  // The last copy's release (in whichever thread drops it) hands the slot back; the deleter
  // keeps the slot alive, so a snapshot may outlive the worker.
  std::shared_ptr<const Snapshot> lent(
      s, [slot](const Snapshot*) { slot->lent.store(false, std::memory_order_release); });
  std::lock_guard lock(mutex_);
  latest_ = std::move(lent);
}

}  // namespace unrolled
