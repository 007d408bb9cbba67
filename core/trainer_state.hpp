// Unrolled core: everything that determines a Trainer's future, as a plain struct. A session file
// saves one per model (core/session_file.hpp); a checkpoint is one without the history
// (core/checkpoints.hpp).
//
// Legend: P the parameter tensors (core/types.hpp), F history fields, C history capacity.
//
//   TrainerState s = trainer.capture(true);   // at any phase
//   other.configure(same_experiment, same_model_index, &e);
//   other.restore(s, &e);                      // other now continues exactly as trainer would
//
// Captured in the middle of an iteration (Forward, Backward, Update), the state is the one the
// iteration began with (its weights, optimiser state and the data stream before its batch was
// drawn): restoring it and training on recomputes that iteration bit for bit, so the future is
// the same. A diverged trainer keeps Phase::Diverged and its Divergence.
#pragma once

#include <cstdint>
#include <optional>

#include "core/clip.hpp"
#include "core/experiment.hpp"
#include "core/history.hpp"
#include "core/rng.hpp"
#include "core/types.hpp"

namespace unrolled {

struct TrainerState {
  int model_index = 0;    // which model of the experiment (0 the main one)
  int64_t iteration = 0;  // completed updates
  bool diverged = false;  // Phase::Diverged (else Ready)
  int64_t divergence_iteration = -1;
  std::string divergence_where, divergence_cause;
  // The settings as the trainer runs them (live changes included): optimiser, clipping,
  // truncation, precision, batch size, seed.
  TrainingConfig training;
  Params params;               // P: the network's weights
  Params optimizer_state1;     // P: v | n | s | m (core/optim.hpp)
  Params optimizer_state2;     // P: adam's v
  int64_t optimizer_steps = 0;
  RngState data_rng;           // the training data stream
  double last_loss = 0, last_accuracy = 0;  // NaN before the first update
  ClipRecord last_clip;    // what clipping did in the last update
  std::optional<HistoryState> history;  // absent in checkpoints

  // Bytes of the parameter-shaped buffers (3 P doubles), what a checkpoint costs.
  size_t tensor_bytes() const {
    return sizeof(double) * static_cast<size_t>(params.num_values() +
                                                optimizer_state1.num_values() +
                                                optimizer_state2.num_values());
  }
};

}  // namespace unrolled
