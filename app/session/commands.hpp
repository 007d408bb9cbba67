// The commands the UI sends to the training worker: one small struct per command, each field
// named for what it means to that command alone. The worker applies them in the order sent,
// between iterations (or between time steps in step mode), and publishes a snapshot after each
// batch of them.
//
//   worker.send(cmd::SetSpeed{30});
//   worker.send(cmd::SetAnalysis{.spectra = true, .jacobian_layer = -1});
//
// Step commands pause training first: a step by hand takes over from play.
#pragma once

#include <cstdint>
#include <string_view>
#include <variant>

#include "core/experiment.hpp"

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

}  // namespace cmd

using Command =
    std::variant<cmd::Play, cmd::Pause, cmd::StepIteration, cmd::StepForward, cmd::StepBackward,
                 cmd::FinishForward, cmd::FinishBackward, cmd::ApplyUpdate, cmd::Reset, cmd::Reseed,
                 cmd::Configure, cmd::RunIterations, cmd::RunUntil, cmd::RescaleRecurrent, cmd::SetSpeed,
                 cmd::SetOptimizer, cmd::SetClip, cmd::SetTruncation, cmd::SetPrecision,
                 cmd::SetSample, cmd::SetTemperature, cmd::SetAnalysis>;

// The command's struct name ("StepBackward"), for tests and logs.
std::string_view command_name(const Command& c);

}  // namespace unrolled
