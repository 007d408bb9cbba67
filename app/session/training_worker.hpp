// The training worker: a thread that owns the trainers (one, or two or three in compare mode,
// trained in lockstep on the same data stream), applies the UI's commands between iterations,
// runs training at the chosen speed and publishes immutable Snapshots.
//
//   TrainingWorker w;
//   w.start(config);                      // paused until play
//   w.send(Command::play());
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

#include "app/session/snapshot.hpp"

namespace unrolled {

struct Command {
  enum class Kind {
    Play,
    Pause,
    StepIteration,   // pause, then finish the current iteration (or run one)
    StepForward,     // pause, one forward time step
    StepBackward,    // pause, one backward time step
    FinishForward,   // pause, the rest of the forward pass
    ApplyUpdate,     // pause, finish the backward pass and apply the update
    Reset,           // weights and data back to the seed
    Reseed,          // reset with `seed`
    SetSpeed,        // `value` iterations per second (0: as fast as possible)
    SetOptimizer,    // live: optimiser settings
    SetClip,         // live: clipping
    SetTruncation,   // live: k1, k2
    SetPrecision,    // live: `precision`, from the next iteration's forward pass
    Configure,       // a new experiment (cell type, sizes, task...): rebuilds and resets
    SetSample,       // the inspected sequence of the batch
    SetTemperature,  // char-LM sampling temperature
    RunIterations,   // `count` iterations now, synchronously (screenshots, tests)
    SetAnalysis,     // spectra on/off (`value` != 0), Jacobian products of layer `count` (−1 off)
    RescaleRecurrent,  // between iterations: every recurrent block of W_h to spectral radius
                       // `value`
  };
  Kind kind = Kind::Play;
  double value = 0;
  int64_t count = 0;
  uint64_t seed = 0;
  OptimizerSettings optimizer;
  ClipSettings clip;
  int k1 = 0, k2 = 0;
  Precision precision = Precision::Float32;
  std::optional<ExperimentConfig> config;

  static Command of(Kind k) {
    Command c;
    c.kind = k;
    return c;
  }
  static Command play() { return of(Kind::Play); }
  static Command pause() { return of(Kind::Pause); }
};

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
  void run();
  void apply(Command& c);
  bool configure(const ExperimentConfig& config, std::string* error);
  bool train_one();  // one iteration of every model; false once any diverged
  void publish();
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
