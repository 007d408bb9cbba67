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
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "app/session/commands.hpp"
#include "app/session/snapshot.hpp"

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
  bool train_one();  // one iteration of every model; false once any diverged
  // A tour's run (cmd::RunUntil): true once its condition holds, which ends it and pauses.
  bool goal_reached();
  void end_goal();
  void publish();
  void keep_last_finite(size_t model);
  std::shared_ptr<Snapshot> free_snapshot();

  std::vector<std::unique_ptr<Trainer>> trainers_;
  ExperimentConfig config_;
  bool playing_ = false;
  double speed_ = 30;  // iterations per second; 0: as fast as possible
  int sample_ = 0;
  double temperature_ = 1.0;
  std::string error_;
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
  uint64_t sent_ = 0;     // commands sent so far
  uint64_t applied_ = 0;  // commands applied and published so far
  std::shared_ptr<const Snapshot> latest_;
  std::vector<std::shared_ptr<Snapshot>> pool_;  // reused once the UI has let go of them
  uint64_t version_ = 0;
};

}  // namespace unrolled
