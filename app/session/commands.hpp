// The commands the UI sends to the training worker: one small struct per command, each field
// named for what it means to that command alone. The worker applies them in the order sent,
// between iterations (or between time steps in step mode), and publishes a snapshot after each
// batch of them.
//
//   worker.send(cmd::SetSpeed{30});
//   worker.send(cmd::SetAnalysis{.spectra = true, .jacobian_layer = -1});
//
// Step commands pause training first: a step by hand takes over from play. While a past iteration
// is viewed (cmd::ViewIteration) they step inside it instead: any iteration x any time step, on
// the worker's replayed copy of that iteration; the live run, its checkpoints and play stay.
#pragma once

#include <cstdint>
#include <future>
#include <memory>
#include <string_view>
#include <variant>

#include "core/experiment.hpp"
#include "core/session_file.hpp"

namespace unrolled {
namespace cmd {

// Play and pause.
struct Play {};
struct Pause {};

// Step mode (each pauses first).
struct StepIteration {};   // finish the current iteration, or run a whole new one
struct StepForward {};     // one forward time step (applying a pending update first)
struct StepBackward {};    // one backward time step (finishing the forward pass first)
struct FinishForward {};   // the rest of the forward pass (a whole one when ready)
struct FinishBackward {};  // the rest of BPTT and the decay-profile sweep: gradients ready.
                           //   Bit-identical to StepBackward until the phase is Update.
struct ApplyUpdate {};     // finish the backward pass, clip, take the optimiser step

// The run itself.
struct Reset {};  // weights and data back to the seed
struct Reseed {
  uint64_t seed = 0;  // reset with this seed
};
struct Configure {
  ExperimentConfig config;  // a new experiment: rebuilds the trainers and resets
};
struct RunIterations {
  int64_t count = 0;  // whole iterations now, before the next publish (screenshots, tests)
};
// A tour's `run` action: plays at the set speed until the action's condition holds (or its limit
// is reached, or training diverges), then pauses. The snapshot's goal_done becomes id; a Pause or
// a step command ends the run early (goal_done becomes id too).
struct RunUntil {
  TourAction action;
  uint64_t id = 0;
};
struct RescaleRecurrent {
  double spectral_radius = 1;  // every recurrent block of W_h rescaled to it (between iterations)
};

// Live settings, from the next iteration (or update) on.
struct SetSpeed {
  double iterations_per_second = 30;  // 0: as fast as possible
};
struct SetOptimizer {
  OptimizerSettings optimizer;
};
struct SetClip {
  ClipSettings clip;
};
struct SetTruncation {
  int k1 = 0;  // truncated BPTT every k1 steps (0: full BPTT)
  int k2 = 0;  // through k2 steps (0: k2 = k1)
};
struct SetPrecision {
  Precision precision = Precision::Float32;  // from the next iteration's forward pass
};

// What the snapshots carry.
struct SetSample {
  int sample = 0;  // the inspected sequence of the batch (0-based)
};
struct SetTemperature {
  double temperature = 1;  // char-LM sampling temperature
};
struct SetAnalysis {
  bool spectra = false;     // eigen- and singular values of each recurrent block of W_h
  int jacobian_layer = -1;  // Jacobian product norms of this layer; -1: none
};

// Time travel (app/session/time_travel.hpp): every model's view shows iteration n (completed
// updates, 0..the live count) recomputed bit for bit from the nearest checkpoint; the snapshot's
// `viewing` says which. Training pauses unless keep_training (then the live run goes on behind
// the view; the view stays at n). An iteration older than the oldest checkpoint sets `error`.
// When n is more than one iteration past the checkpoint before it, the snapshot shows that
// checkpoint's next iteration at once and n once replayed in the background (`view_pending`
// meanwhile); a command sent meanwhile interrupts the replay, which then goes on.
struct ViewIteration {
  int64_t iteration = 0;
  bool keep_training = false;
};
struct BackToLive {};  // the views follow the live run again (playing stays as it is)

// Sessions (core/session_file.hpp). CaptureSession fills `out` with every model's state and
// checkpoints (TrainingWorker::capture_session waits for it); LoadSession replaces the run with a
// loaded one, paused (models the session lacks start afresh). On failure `error` says why and the
// old run stays.
struct CaptureSession {
  std::shared_ptr<std::promise<Session>> out;
};
struct LoadSession {
  std::shared_ptr<const Session> session;
};

}  // namespace cmd

using Command =
    std::variant<cmd::Play, cmd::Pause, cmd::StepIteration, cmd::StepForward, cmd::StepBackward,
                 cmd::FinishForward, cmd::FinishBackward, cmd::ApplyUpdate, cmd::Reset, cmd::Reseed,
                 cmd::Configure, cmd::RunIterations, cmd::RunUntil, cmd::RescaleRecurrent, cmd::SetSpeed,
                 cmd::SetOptimizer, cmd::SetClip, cmd::SetTruncation, cmd::SetPrecision,
                 cmd::SetSample, cmd::SetTemperature, cmd::SetAnalysis, cmd::ViewIteration,
                 cmd::BackToLive, cmd::CaptureSession, cmd::LoadSession>;

// The command's struct name ("StepBackward"), for tests and logs.
std::string_view command_name(const Command& c);

}  // namespace unrolled
