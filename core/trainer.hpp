// Unrolled core: the trainer, a state machine that runs training one time step, one phase or
// one whole iteration at a time, and keeps a bounded history.
//
// Legend: B batch, T steps, H hidden, L layers.
//
//   Ready --step_forward--> Forward (t = 0..T-1) --step_backward--> Backward (BPTT, one step at a
//   time, then the decay-profile sweep) --> Update --apply_update--> Ready (iteration + 1)
//
// run_iteration() computes what step_forward until the forward pass is done, step_backward until
// the backward pass is done, then apply_update compute, so stepping gives bit-identical numbers;
// it runs the passes whole (batch shards in parallel, core/parallel) and, unless the backward
// pass was begun by stepping, folds the decay-profile sweep into BPTT (no separate sweep);
// run_lean_iteration (time travel's replay) skips that sweep and the history record.
// Learning rate, optimiser, clipping and truncation can change between iterations.
// Divergence: when a loss, a gradient or a parameter turns NaN or Inf, the trainer stops in
// Phase::Diverged, keeps the last finite parameters and says where and the likely cause.
//
// Precision (training.precision), mixed precision with double master weights: the parameters,
// the optimiser state, clipping, the history and everything the accessors below return are
// double. In float32 each iteration casts the double parameters into a float NetworkT<float>
// (and the batch into a float batch), runs the forward pass and BPTT in float, one time step at a
// time as in float64, casts the float gradients back into grads() once BPTT is done, then clips
// and updates in double. trace() and grad_trace() stay double: from a float iteration they are
// converted when asked and cached until the engine takes another step (not once per iteration),
// so these const accessors are not safe to call from two threads at once. The precision can
// change between iterations (set_precision); it applies from the next forward pass.
#pragma once

#include <memory>
#include <string>

#include "core/clip.hpp"
#include "core/experiment.hpp"
#include "core/history.hpp"
#include "core/network.hpp"
#include "core/optim.hpp"
#include "core/rng.hpp"
#include "core/tasks.hpp"
#include "core/trainer_state.hpp"

namespace unrolled {

enum class Phase { Ready, Forward, Backward, Update, Diverged };
std::string_view to_string(Phase p);

struct Divergence {
  int64_t iteration = -1;  // the iteration that produced the non-finite value
  std::string where;       // "forward pass, loss at t = 17", "gradient of layers.0.W_h", ...
  std::string cause;       // the likely cause, in a sentence or two
};

class Trainer {
 public:
  Trainer();
  ~Trainer();
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  // Builds the network, task and optimiser for model `model_index` of the experiment (0 the
  // main model, 1.. the compared ones) and resets. On failure returns false with one message and
  // leaves the trainer as it was.
  bool configure(const ExperimentConfig& config, int model_index, std::string* error);
  // Weights and the data stream back to the seed; history cleared.
  void reset();
  // Reset with another seed.
  void reseed(uint64_t seed);

  // One time step of the forward pass (drawing a new batch first when Ready). False when the
  // phase does not allow it (Backward, Update, Diverged).
  bool step_forward();
  // One time step of the backward pass (finishing the forward pass first when in Forward).
  // False when Ready, Update or Diverged.
  bool step_backward();
  // Clip the gradient, step the optimiser, record the iteration. Finishes the backward pass
  // first when needed. False when Ready or Diverged.
  bool apply_update();
  // The rest of the current iteration, or a whole new one when Ready. False once diverged.
  // Once `stop` is raised no further time step starts: it returns true with the iteration
  // unfinished (phase() Forward or Backward), and the next call (or stepping) resumes it.
  bool run_iteration(Interrupt* stop = nullptr);
  // Time travel's replay up to the iteration it shows: run_iteration computing only what the
  // future depends on. The weights, the optimiser state, the data stream, the clip record and
  // the last loss and accuracy come out bit for bit as run_iteration leaves them (capture() is
  // the same); the decay-profile sweep (a third of BPTT's products) is skipped and the iteration
  // is not recorded in the history. An iteration keeps the kind it began with: one begun lean
  // and interrupted stays lean whichever call resumes it.
  bool run_lean_iteration(Interrupt* stop = nullptr);

  // Settings that apply from the next update. Invalid settings (a threshold of 0, a NaN
  // learning rate) are refused: false with one message, and the old settings stay.
  bool set_optimizer(const OptimizerSettings& s, std::string* error = nullptr);
  bool set_clip(const ClipSettings& s, std::string* error = nullptr);
  void set_truncation(int k1, int k2);  // from the next backward pass
  void set_precision(Precision p);      // from the next iteration's forward pass
  // Rescales every recurrent block of every layer's W_h to spectral radius rho (> 0), live.
  // Only between iterations (Ready); false otherwise. The optimiser's state is kept.
  bool rescale_recurrent(double rho);

  // Everything that determines the future (core/trainer_state.hpp); the history only when asked
  // (a checkpoint leaves it out). At any phase: mid-iteration, the state the iteration began with.
  TrainerState capture(bool with_history) const;
  // The same into s, reusing its buffers (a checkpoint store records one every iteration).
  void capture_into(TrainerState& s, bool with_history) const;
  // Continues from s, which must come from this experiment's model (configure first): checked
  // before anything changes (the model index, every tensor's shape, finite values, the settings,
  // the history's layout), false with one message naming the first problem. Without a history
  // in s the history is cleared. The trainer is left Ready (or Diverged) at s.iteration.
  bool restore(const TrainerState& s, std::string* error);
  // restore's checks alone: nothing changes.
  bool check(const TrainerState& s, std::string* error) const;
  int model_index() const { return model_index_; }
  bool configured() const { return task_ != nullptr; }

  // Mean loss (and accuracy, NaN where it does not apply) over `batches` batches drawn from a
  // held-out stream of the same seed, without changing anything.
  double evaluate(int batches, double* accuracy = nullptr) const;

  Phase phase() const { return phase_; }
  int64_t iteration() const { return iteration_; }  // completed updates
  // Steps computed in this forward pass.
  int forward_t() const { return f32() ? trace_f_.steps_done : trace_.steps_done; }
  // -1 when not in Backward.
  int backward_next_t() const { return f32() ? backward_f_.next_t() : backward_.next_t(); }
  bool in_profile_sweep() const {
    return f32() ? backward_f_.in_profile_sweep() : backward_.in_profile_sweep();
  }
  // The precision the current (or last) iteration's forward pass and BPTT ran in.
  Precision engine_precision() const { return precision_; }

  const ExperimentConfig& config() const { return config_; }
  const ModelConfig& model() const { return model_; }
  const Network& network() const { return net_; }
  const Task& task() const { return *task_; }
  const Batch& batch() const { return batch_; }
  const Trace& trace() const;           // double; converted from a float iteration when asked
  const GradTrace& grad_trace() const;  // the same
  // The float engine's own traces, current while engine_precision() is float32: a view that
  // keeps a few columns casts only those instead of trace()'s whole conversion.
  const TraceT<float>& float_trace() const { return trace_f_; }
  const GradTraceT<float>& float_grad_trace() const { return gt_f_; }
  // grad_trace().profile without the conversion: (L, T), double in both precisions.
  const Mat& grad_profile() const { return f32() ? gt_f_.profile : gt_.profile; }
  // After clipping once Update is done. A float iteration writes it when BPTT is done.
  const Params& grads() const { return grads_; }
  // The parameters the current Trace and GradTrace were computed with: once this iteration's
  // update is applied (Ready after an update) those are the weights before it, else the network's.
  const Params& trace_params() const {
    return phase_ == Phase::Ready && iteration_ > 0 ? saved_params_ : net_.params();
  }
  const ClipRecord& last_clip() const { return clip_record_; }
  const History& history() const { return history_; }
  const Optimizer& optimizer() const { return *optimizer_; }
  const Divergence& divergence() const { return divergence_; }
  double last_loss() const { return last_loss_; }
  double last_accuracy() const { return last_accuracy_; }

 private:
  bool f32() const { return precision_ == Precision::Float32; }
  bool run_whole(Interrupt* stop, bool lean);  // run_iteration and run_lean_iteration
  void begin_iteration();
  void end_forward(bool fold_profile = false);  // fold: the profile sweep inside BPTT
  void record_iteration();  // the finished update's row (and decay profile) in the history
  // updated: the optimiser has changed the parameters at least once (a later iteration, or this
  // iteration's update itself overflowed); before that only the initial weights can be blamed.
  void diverge(std::string where, bool updated);
  std::string likely_cause(bool updated) const;

  ExperimentConfig config_;
  ModelConfig model_;
  int model_index_ = 0;
  RngState iteration_rng_;  // data_rng_ before the current iteration's batch was drawn
  std::unique_ptr<Task> task_;
  Network net_;
  std::unique_ptr<Optimizer> optimizer_;
  Rng data_rng_;
  Batch batch_;
  Trace trace_;
  GradTrace gt_;
  Params grads_;
  Params saved_params_;  // the parameters before the update, restored if it diverges
  BackwardPass backward_;
  // The float32 engine: the parameters cast from net_ at each iteration's start, the batch cast
  // from batch_, and its own traces, gradients and backward pass.
  Precision precision_ = Precision::Float64;  // of the current (or last) iteration
  NetworkT<float> net_f_;
  BatchT<float> batch_f_;
  TraceT<float> trace_f_;
  GradTraceT<float> gt_f_;
  ParamsT<float> grads_f_;
  BackwardPassT<float> backward_f_;
  std::vector<Mat> y_view_;  // T x (O, B) the float readout in double, for the task's accuracy
  // Double views of trace_f_ and gt_f_, valid while their version equals engine_version_.
  uint64_t engine_version_ = 0;  // +1 whenever the float engine's traces may have changed
  mutable Trace trace_view_;
  mutable GradTrace gt_view_;
  mutable uint64_t trace_view_version_ = UINT64_MAX, gt_view_version_ = UINT64_MAX;
  ClipRecord clip_record_;
  History history_;
  Phase phase_ = Phase::Ready;
  bool lean_ = false;  // the current iteration was begun by run_lean_iteration
  int64_t iteration_ = 0;
  double last_loss_ = 0, last_accuracy_ = 0;
  Divergence divergence_;
};

// Streams derived from one seed: the weights, the training data and the held-out data.
constexpr uint64_t kWeightStream = 1, kDataStream = 2, kEvalStream = 3;
Rng stream_rng(uint64_t seed, uint64_t stream);

// A network initialised for a model config on a task from the seed's weight stream.
Network build_network(const ModelConfig& m, const TaskInfo& task, uint64_t seed);

}  // namespace unrolled
