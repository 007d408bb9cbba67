// The training worker: a thread that owns the trainers (one, or two or three in compare mode,
// trained in lockstep on the same data stream), applies the UI's commands between iterations,
// runs training at the chosen speed and publishes immutable Snapshots.
//
//   TrainingWorker w;
//   w.start(config);                      // paused until play
//   w.send(cmd::Play{});                  // commands.hpp lists them
//   ... every frame: auto snap = w.latest();   // shared_ptr<const Snapshot>, never null
//   w.stop();                             // also done by the destructor
//
// The UI thread never touches a Trainer: step commands (one time step forward or back, one
// iteration) run on the worker too, in order, and each publishes a snapshot.
//
// However long an iteration is, the worker answers within one time step (core/interrupt.hpp):
// while playing, a new command (pause included) or stop() interrupts the iteration between time
// steps; the commands are applied, a snapshot of the unfinished iteration is published, and
// playing resumes the iteration where it stopped. A step command runs to its end unless stop()
// interrupts it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "app/session/commands.hpp"
#include "app/session/snapshot.hpp"
#include "app/session/time_travel.hpp"
#include "core/checkpoints.hpp"
#include "core/interrupt.hpp"
#include "core/session_file.hpp"

namespace unrolled {

class TrainingWorker {
 public:
  TrainingWorker();
  ~TrainingWorker();
  TrainingWorker(const TrainingWorker&) = delete;
  TrainingWorker& operator=(const TrainingWorker&) = delete;

  // Builds the trainers and starts the thread, paused. false with a message if the config
  // cannot be used.
  bool start(const ExperimentConfig& config, std::string* error);
  void stop();

  void send(Command c);
  // The newest snapshot (never null once started).
  std::shared_ptr<const Snapshot> latest() const;
  // Blocks until every command sent so far has been applied and published.
  void wait_idle();
  // wait_idle, then until the exact view a cmd::ViewIteration asked for is published (its replay
  // runs in the background between commands; tests and benchmarks).
  void wait_view();
  // Every model's state and checkpoints, as the worker has them once the commands sent so far
  // are applied (waits for it; core/session_file.hpp saves it). The experiment is the one the
  // trainers run, live settings included; the caller adds the view.
  Session capture_session();
  // Checkpoints of model i (tests, benchmarks); only while no command is pending.
  const CheckpointStore& checkpoints(size_t i) const { return stores_[i]; }
  // Holds (or releases) training at its next time step while it plays (core/interrupt.hpp:
  // hold): the app holds it through each frame when training uses every core. Commands and
  // stop() are not held.
  void hold_training(bool on) { on ? on_command_.hold() : on_command_.release(); }
  // Time steps the engine has started on this worker's behalf (tests: none starts after stop()).
  int64_t time_steps_started() const {
    return on_command_.steps_started() + on_stop_.steps_started();
  }

 private:
  struct Applier;  // one call operator per command (training_worker.cpp)
  struct Pacing;   // the play loop's clocks (training_worker.cpp)

  void run();
  // Waits for a command, or for the next iteration due while playing; false once stopping.
  // taken: the count of commands sent up to those moved into `commands`.
  bool take_commands(std::deque<Command>& commands, uint64_t& taken, const Pacing& pace);
  void apply(const Command& c);
  bool train_due(Pacing& pace);  // while playing: the iterations due now; true if any ran
  void measure_speed(Pacing& pace);
  bool configure(const ExperimentConfig& config, std::string* error);
  enum class Trained { Done, Interrupted, Diverged };
  // One iteration of every model, or the rest of one an interruption left.
  Trained train_one(Interrupt* stop);
  void publish();
  // A pooled snapshot and whether a published shared_ptr to it is still alive anywhere.
  struct Slot {
    Snapshot snapshot;
    std::atomic<bool> lent{false};  // set by the worker; cleared by the last holder's release
  };
  // A slot nobody holds (or a new one), marked lent; publish() fills it and hands it out.
  std::shared_ptr<Slot> free_slot();
  // A tour's run (cmd::RunUntil): true once its condition holds, which ends it and pauses.
  bool goal_reached();
  void end_goal();
  void keep_last_finite(size_t model);
  // Checkpoints: model i's state before its next iteration (when Ready), every iteration.
  void record_checkpoint(size_t i);
  // A live setting changed: the next checkpoints are pinned, and one whose iteration is under
  // way takes the settings that act within it (the optimiser and clipping at its update; the
  // truncation while its forward pass runs).
  void note_setting_change(bool update_settings, bool truncation);
  Session make_session() const;
  bool load_session(const Session& s, std::string* error);
  // Recomputes every model's view of iteration viewing_; false (viewing_ back to -1, error_ set)
  // when it cannot.
  bool refresh_view();
  // The views again from the scratch trainers as they stand (after a step inside the viewed
  // iteration, or another sample or analysis asked for): nothing is replayed.
  void fill_views();
  // cmd::ViewIteration: n at once when it is one replay from the main model's checkpoint before
  // it; else that checkpoint's iteration at once (quick) and n replayed in the background
  // (view_target_), so the worker stays free for commands however far back n is.
  void view_iteration(int64_t n);
  // The background replay towards view_target_ until done (true: the views show it), `stop` is
  // raised or `budget` is spent; the next call resumes it, with the same numbers.
  bool advance_view(Interrupt* stop, std::chrono::steady_clock::duration budget);
  // A session just opened (opened_): each model's last iteration recomputed, once and again when
  // the sample or the analysis asked for changes; dropped once that model's run moves.
  void refresh_opened();

  std::vector<std::unique_ptr<Trainer>> trainers_;
  std::vector<CheckpointStore> stores_;  // per model, within kDefaultCheckpointBudget together
  ExperimentConfig config_;
  // Time travel: the iteration the views show (-1: live), whether training went on, and the
  // recomputed views with the scratch trainers that recomputed them.
  int64_t viewing_ = -1;
  int64_t view_target_ = -1;  // the iteration replayed in the background; -1 none
  bool view_keep_training_ = false;
  bool view_dirty_ = false;
  std::vector<ModelView> viewed_;
  std::vector<std::unique_ptr<Trainer>> scratch_;
  // Per model: the pictures of a just opened session's last iteration (its trainer, restored,
  // holds no trace), until the run moves; the analysis they were computed with.
  std::vector<std::optional<ModelView>> opened_;
  bool opened_spectra_ = false;
  int opened_jacobian_ = -1;
  bool playing_ = false;
  double speed_ = 30;  // iterations per second; 0: as fast as possible
  int sample_ = 0;
  double temperature_ = 1.0;
  std::string error_;
  std::string warning_;  // slow_iteration_warning of config_
  double measured_speed_ = 0;
  std::vector<std::string> generated_;
  int64_t generated_at_ = -1;
  bool want_spectra_ = false;
  int jacobian_layer_ = -1;
  std::optional<cmd::RunUntil> goal_;  // the tour's run in progress
  int64_t goal_start_ = 0;             // the iteration it started at
  uint64_t goal_done_ = 0;             // the id of the last run that ended
  // Per model: the last finite view published before it diverged (its pictures stay on screen).
  std::vector<std::optional<ModelView>> last_finite_;

  std::thread thread_;
  mutable std::mutex mutex_;
  std::condition_variable wake_, idle_;
  std::deque<Command> queue_;
  bool quit_ = false;
  Interrupt on_command_;  // raised by send() and stop(): stops training while playing
  Interrupt on_stop_;     // raised by stop() alone: stops step commands
  uint64_t sent_ = 0;     // commands sent so far
  uint64_t applied_ = 0;  // commands applied and published so far
  int64_t pending_view_ = -1;  // view_target_ as of the last publish (wait_view)
  std::shared_ptr<const Snapshot> latest_;
  std::vector<std::shared_ptr<Slot>> pool_;  // reused once the UI has let go of them
  uint64_t version_ = 0;
};

}  // namespace unrolled
