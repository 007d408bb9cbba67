// The immutable picture of training that the panels draw. The worker thread fills one after each
// burst of iterations (or each step) and publishes it; the UI thread never touches a Trainer.
//
// Legend: T steps, I input, O output, H hidden, G gate blocks, L layers. Matrices for the
// inspected sequence have one column per time step.
// Values not computed yet in this iteration (step mode: t beyond the forward pass, or not yet
// reached by the backward pass) are NaN, which the heatmaps draw as grey.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/analysis.hpp"
#include "core/clip.hpp"
#include "core/experiment.hpp"
#include "core/history.hpp"
#include "core/tasks.hpp"
#include "core/trainer.hpp"

namespace unrolled {

// One model, as the panels draw it.
struct ModelView {
  std::string name;
  NetworkSpec spec;
  int64_t iteration = 0;  // completed updates
  Phase phase = Phase::Ready;
  int forward_t = 0;           // forward steps computed in the current iteration (T when done)
  int backward_t = -1;         // next backward step (-1 when not in the backward pass)
  bool profile_sweep = false;  // the backward pass is in its decay-profile sweep
  int sample = 0;              // the inspected sequence of the batch
  int steps = 0;               // T

  // The inspected sequence.
  std::vector<Mat> pre;    // L x (G*H, T) pre-activations
  std::vector<Mat> gates;  // L x (G*H, T) gate activations ([i f g o], [r z n], or h)
  std::vector<Mat> c;      // L x (H, T) LSTM cell state; empty otherwise
  std::vector<Mat> h;      // L x (H, T)
  std::vector<Mat> hn;     // L x (H, T) GRU recurrent term of n; empty otherwise
  std::vector<Mat> dh;     // L x (H, T) dL/dh_t for this sequence
  std::vector<Mat> dc;     // L x (H, T) dL/dc_t (LSTM)
  Mat inputs;              // (I, T)
  Mat targets;             // (O, T) readout every; (O, 1) readout last
  Mat outputs;             // like targets: predictions (MSE) or softmax probabilities (CE)
  Mat h0, c0;              // (H, L) initial states of this sequence

  // The whole batch.
  Mat dh_norm;      // (L, T) ‖dL/dh_t‖ over the batch
  Mat dc_norm;      // (L, T)
  Mat profile;      // (L, T) decay profile ‖dL_T/dh_{T-1-d}‖, d = distance
  Vec step_loss;    // (T)
  double loss = 0;  // this iteration's loss (NaN before the forward pass ends)
  double last_loss = 0, last_accuracy = 0;  // the last completed iteration
  ClipRecord clip;
  // Diverged: the pictures above (the sequence's values, the norms, the profile, the step losses)
  // are the last finite ones the class saw, from this completed-iteration count; -1 otherwise.
  int64_t pictures_from = -1;
  Params params;        // current weights (spectrum)
  Params trace_params;  // the weights the inspected sequence's values were computed with
                        //   (the inspector's W x, W h, b): before the update once it is applied
  History history;
  Divergence divergence;
  std::string generated;  // char-LM: text sampled at the chosen temperature

  // Analysis, computed only while a panel asks for it (cmd::SetAnalysis).
  std::vector<std::vector<Spectrum>> spectra;  // [L][G] eigen- and singular values of each
                                               //   recurrent block of W_h
  int jacobian_layer = -1;  // the layer jacobian_norms belong to; -1: not computed
  Vec jacobian_norms;  // (D + 1) ‖∂h_{T−1}/∂h_{T−1−d}‖₂ for the inspected sequence, d = 0..D
};

struct Snapshot {
  uint64_t version = 0;     // increases with every publish
  ExperimentConfig config;  // as the trainers run it (live settings included)
  TaskInfo task;
  std::vector<std::string> vocabulary;  // char-LM: the characters; empty otherwise
  std::vector<ModelView> models;        // the main model first, then compared ones
  bool playing = false;
  double speed = 0;           // target iterations per second (0: as fast as possible)
  double measured_speed = 0;  // iterations per second achieved recently
  std::string error;          // the last command's error (e.g. a config that cannot apply)
  bool goal_active = false;   // a tour's run (cmd::RunUntil) is in progress
  uint64_t goal_done = 0;     // the id of the last tour run that ended
  std::string warning;        // the experiment's slow_iteration_warning, "" when none
  // Time travel (cmd::ViewIteration): the models' views show this iteration (completed updates),
  // recomputed; -1 when they follow the live run. The banner: "viewing iteration `viewing` of
  // `live_iteration`"; a slider spans [earliest_viewable, live_iteration].
  int64_t viewing = -1;
  // The iteration asked for, while it is replayed in the background (far from a checkpoint:
  // `viewing` is then the nearest checkpoint's iteration, shown meanwhile); -1 none.
  int64_t view_pending = -1;
  int64_t live_iteration = 0;     // the live run's completed updates (the main model's)
  int64_t earliest_viewable = 0;  // the oldest checkpoint's iteration (every model)
  // The iterations recomputed from a checkpoint just before them (one iteration replayed: the
  // quickest to show), ascending; the slider snaps to them while it is dragged.
  std::vector<int64_t> quick_views;
};

// Fills view from a trainer (all but generated text), reusing view's buffers; the trainer's
// history too unless with_history is false (the caller puts the live one in: time travel).
void fill_model_view(ModelView& view, const Trainer& trainer, int sample, bool with_history = true);
// Copies the pictures of `from` (the sequence's values, the gradient norms, the decay profile,
// the step losses) into `to`, which keeps its iteration, phase, history and divergence.
void copy_pictures(const ModelView& from, ModelView& to);

}  // namespace unrolled
