// Time travel: what the panels showed live at a past iteration, recomputed from the nearest
// checkpoint (core/checkpoints.hpp) on the same batches, bit for bit.
//
// Legend: n the iteration viewed, counted as the snapshots count it (completed updates, the
//         ModelView's `iteration`), c the checkpoint replayed from (c <= n - 1, or 0 when n = 0).
//
// "Live at n" is the snapshot the worker published once the trainer had completed n updates and
// stood Ready: the inspected sequence's trace and gradients of iteration n - 1's batch (computed
// with trace_params, the weights before update n), the weights after it (spectrum), the clip
// record, the decay profile, the Jacobian products and the losses. recompute_view restores c into
// a scratch trainer, runs iterations c .. n - 1 as training did (all but the last lean: the same
// weights, optimiser state and data stream, without the decay profile and history row nobody
// sees), and fills the same ModelView. Two things are not the past's: `history` is the live history
// (the Training panel marks n on it), and a char-LM's `generated` text is sampled afresh from the
// weights at n (live it was refreshed every 50 iterations).
//
// The worker keeps the scratch trainer at n after the replay: the step commands then step inside
// iteration n (the time-step axis), showing at every step what a live step-through of it showed.
#pragma once

#include <cstdint>
#include <string>

#include "app/session/snapshot.hpp"
#include "core/checkpoints.hpp"
#include "core/trainer.hpp"

namespace unrolled {

// What the panels ask of a view: the inspected sequence and the analysis.
struct ViewRequest {
  int sample = 0;
  bool spectra = false;
  int jacobian_layer = -1;
};

// Fills view with model `model_index`'s picture at iteration n, recomputed from `store` (that
// model's checkpoints) with `config` (the experiment the run was configured with); `scratch` is
// reused between calls (configured here when needed). history is copied into view. False with
// one message when n is beyond `live` (nothing to recompute) or older than the oldest checkpoint.
bool recompute_view(const ExperimentConfig& config, int model_index, const CheckpointStore& store,
                    int64_t n, int64_t live, const ViewRequest& request, const History& history,
                    Trainer& scratch, ModelView& view, std::string* error);

// recompute_view in parts, for a replay the worker runs in the background between commands
// (a far-back iteration of a large model takes seconds): begin_replay restores the checkpoint
// for iteration n into scratch (false with one message as recompute_view); the caller then runs
// replay_iteration until scratch.iteration() reaches n (any interrupt between time steps leaves
// the same numbers); finish_view fills the view as recompute_view does.
bool begin_replay(const ExperimentConfig& config, int model_index, const CheckpointStore& store,
                  int64_t n, int64_t live, Trainer& scratch, std::string* error);
// One iteration of the replay towards n: lean (Trainer::run_lean_iteration: no decay profile, no
// history row) while it is not the last, whole for n itself, whose pictures the panels show. As
// run_iteration: false once diverged; interrupted by `stop`, true with the iteration unfinished
// (the next call resumes it).
bool replay_iteration(Trainer& scratch, int64_t n, Interrupt* stop = nullptr);
void finish_view(const Trainer& scratch, const ViewRequest& request, const History& history,
                 ModelView& view);

// The analysis a snapshot carries beside fill_model_view (the worker's publish calls it too):
// spectra of each layer's recurrent blocks, and the Jacobian product norms of one layer for the
// inspected sequence (only once the forward pass is done).
void fill_analysis(ModelView& view, const Trainer& trainer, const ViewRequest& request);

}  // namespace unrolled
