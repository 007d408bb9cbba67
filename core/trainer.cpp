// Legend: B batch, T steps, H hidden, L layers.
#include "core/trainer.hpp"

#include <cmath>
#include <sstream>

#include "core/analysis.hpp"

namespace unrolled {

std::string_view to_string(Phase p) {
  switch (p) {
    case Phase::Ready:
      return "ready";
    case Phase::Forward:
      return "forward";
    case Phase::Backward:
      return "backward";
    case Phase::Update:
      return "update";
    case Phase::Diverged:
      return "diverged";
  }
  return "?";
}

Rng stream_rng(uint64_t seed, uint64_t stream) {
  Rng root(seed);
  return root.split(stream);
}

Network build_network(const ModelConfig& m, const TaskInfo& task, uint64_t seed) {
  const NetworkSpec spec = network_spec(m, task);
  Network net(spec);
  Rng rng = stream_rng(seed, kWeightStream);
  initialize(net.params(), spec, m.init, rng);
  net.params().W_y *= m.readout_scale;
  net.params().b_y *= m.readout_scale;
  return net;
}

Trainer::Trainer() = default;
Trainer::~Trainer() = default;

bool Trainer::configure(const ExperimentConfig& config, int model_index, std::string* error) {
  const auto models = config.all_models();
  if (model_index < 0 || model_index >= static_cast<int>(models.size())) {
    if (error) *error = "model index " + std::to_string(model_index) + " is out of range";
    return false;
  }
  if (std::string e = validate(config); !e.empty()) {
    if (error) *error = e;
    return false;
  }
  std::string e;
  auto task = make_task(config.task, &e);
  if (!task) {
    if (error) *error = "task: " + e;
    return false;
  }
  config_ = config;
  model_ = models[model_index];
  model_index_ = model_index;
  task_ = std::move(task);
  reset();
  return true;
}

void Trainer::reseed(uint64_t seed) {
  config_.training.seed = seed;
  reset();
}

void Trainer::reset() {
  net_ = build_network(model_, task_->info(), config_.training.seed);
  optimizer_ = std::make_unique<Optimizer>(net_.params(), config_.training.optimizer);
  data_rng_ = stream_rng(config_.training.seed, kDataStream);
  history_.clear();
  clip_record_ = ClipRecord{};
  grads_ = Params::zeros_like(net_.params());
  trace_ = Trace{};
  gt_ = GradTrace{};
  backward_ = BackwardPass{};
  precision_ = config_.training.precision;
  net_f_ = NetworkT<float>(net_.spec());
  batch_f_ = BatchT<float>{};
  trace_f_ = TraceT<float>{};
  gt_f_ = GradTraceT<float>{};
  grads_f_ = ParamsT<float>{};
  backward_f_ = BackwardPassT<float>{};
  ++engine_version_;
  phase_ = Phase::Ready;
  lean_ = false;
  iteration_ = 0;
  last_loss_ = std::nan("");
  last_accuracy_ = std::nan("");
  divergence_ = Divergence{};
}

bool Trainer::set_optimizer(const OptimizerSettings& s, std::string* error) {
  if (std::string e = validate(s); !e.empty()) {
    if (error) *error = "optimiser: " + e;
    return false;
  }
  config_.training.optimizer = s;
  optimizer_->set_settings(s);
  return true;
}

bool Trainer::set_clip(const ClipSettings& s, std::string* error) {
  if (std::string e = validate(s); !e.empty()) {
    if (error) *error = "clipping: " + e;
    return false;
  }
  config_.training.clip = s;
  return true;
}
void Trainer::set_truncation(int k1, int k2) {
  config_.training.k1 = k1;
  config_.training.k2 = k2;
}
void Trainer::set_precision(Precision p) {
  config_.training.precision = p;
}

const Trace& Trainer::trace() const {
  if (!f32()) return trace_;
  if (trace_view_version_ != engine_version_) {
    cast_trace(trace_view_, trace_f_);
    trace_view_version_ = engine_version_;
  }
  return trace_view_;
}

const GradTrace& Trainer::grad_trace() const {
  if (!f32()) return gt_;
  if (gt_view_version_ != engine_version_) {
    cast_grad_trace(gt_view_, gt_f_);
    gt_view_version_ = engine_version_;
  }
  return gt_view_;
}

bool Trainer::rescale_recurrent(double rho) {
  if (phase_ != Phase::Ready || !(rho > 0) || !std::isfinite(rho)) return false;
  for (auto& layer : net_.params().layers)
    rescale_recurrent_blocks(layer.W_h, net_.spec().hidden_size, rho);
  return true;
}

void Trainer::begin_iteration() {
  iteration_rng_ = data_rng_.state();
  lean_ = false;
  batch_ = task_->batch(data_rng_, config_.training.batch_size);
  const Precision was = precision_;
  precision_ = config_.training.precision;
  ++engine_version_;
  if (f32()) {
    if (was != precision_) {  // drop the other engine's buffers
      trace_ = Trace{};
      gt_ = GradTrace{};
    }
    cast_params(net_f_.params(), net_.params());  // (a few thousand values)
    cast_batch(batch_f_, batch_);
    net_f_.forward_begin(trace_f_, batch_f_);
  } else {
    if (was != precision_) {
      trace_f_ = TraceT<float>{};
      gt_f_ = GradTraceT<float>{};
      trace_view_ = Trace{};
      gt_view_ = GradTrace{};
    }
    net_.forward_begin(trace_, batch_);
  }
  phase_ = Phase::Forward;
}

void Trainer::end_forward(bool fold_profile) {
  // The loss and the per-step losses are double in both precisions.
  const double loss = f32() ? trace_f_.loss : trace_.loss;
  const Vec& step_loss = f32() ? trace_f_.step_loss : trace_.step_loss;
  if (!std::isfinite(loss)) {
    int t = 0;
    while (t < step_loss.size() && std::isfinite(step_loss(t))) ++t;
    return diverge("forward pass: the loss is " +
                       std::string(std::isnan(loss) ? "NaN" : "infinite") +
                       " (first at t = " + std::to_string(t) + ")",
                   iteration_ > 0);
  }
  const BackwardOptions options{config_.training.k1, config_.training.k2, !lean_, fold_profile};
  if (f32())
    backward_f_.begin(net_f_, trace_f_, batch_f_, options, grads_f_, gt_f_);
  else
    backward_.begin(net_, trace_, batch_, options, grads_, gt_);
  phase_ = Phase::Backward;
}

bool Trainer::step_forward() {
  if (phase_ == Phase::Ready) begin_iteration();
  if (phase_ != Phase::Forward) return false;
  ++engine_version_;
  if (f32()) {
    net_f_.forward_step(trace_f_, batch_f_);
    if (trace_f_.steps_done == batch_f_.steps()) end_forward();
  } else {
    net_.forward_step(trace_, batch_);
    if (trace_.steps_done == batch_.steps()) end_forward();
  }
  return true;
}

bool Trainer::step_backward() {
  while (phase_ == Phase::Forward) step_forward();
  if (phase_ != Phase::Backward) return false;
  ++engine_version_;
  if (f32()) {
    backward_f_.step();
    if (backward_f_.done()) {
      cast_params(grads_, grads_f_);  // float gradients into the double master's shapes
      phase_ = Phase::Update;
    }
  } else {
    backward_.step();
    if (backward_.done()) phase_ = Phase::Update;
  }
  return true;
}

bool Trainer::apply_update() {
  while (phase_ == Phase::Forward || phase_ == Phase::Backward) step_backward();
  if (phase_ != Phase::Update) return false;
  if (!grads_.all_finite()) {
    for (const auto& t : grads_.tensors())
      if (!t.array().isFinite().all())
        return diverge("backward pass: the gradient of " + t.name + " is not finite",
                       iteration_ > 0),
               false;
  }
  clip_record_ = clip(grads_, config_.training.clip);
  saved_params_ = net_.params();
  optimizer_->step(net_.params(), grads_);
  if (!net_.params().all_finite()) {
    net_.params() = saved_params_;
    return diverge("update: the parameters became non-finite", true), false;
  }
  last_loss_ = f32() ? trace_f_.loss : trace_.loss;
  const TaskInfo& info = task_->info();
  if (info.has_accuracy && f32()) cast_mats(y_view_, trace_f_.y);
  last_accuracy_ =
      info.has_accuracy ? task_->accuracy(batch_, f32() ? y_view_ : trace_.y) : std::nan("");
  if (!lean_) record_iteration();
  ++iteration_;
  phase_ = Phase::Ready;
  return true;
}

void Trainer::record_iteration() {
  const TaskInfo& info = task_->info();
  IterationRecord r;
  r.iteration = iteration_;
  r.loss = last_loss_;
  r.baseline = info.baseline;
  r.accuracy = last_accuracy_;
  r.grad_norm_before = clip_record_.global_norm_before;
  r.grad_norm_after = clip_record_.global_norm_after;
  r.learning_rate = config_.training.optimizer.learning_rate;
  r.clipped = clip_record_.clipped;
  const Mat& profile = f32() ? gt_f_.profile : gt_.profile;  // (L, T) double in both
  const Eigen::Index top = profile.rows() - 1;
  r.profile.assign(profile.cols(), 0.0);
  for (Eigen::Index d = 0; d < profile.cols(); ++d) r.profile[d] = profile(top, d);
  history_.append(r);
}

bool Trainer::run_iteration(Interrupt* stop) {
  return run_whole(stop, false);
}

bool Trainer::run_lean_iteration(Interrupt* stop) {
  return run_whole(stop, true);
}

bool Trainer::run_whole(Interrupt* stop, bool lean) {
  // The rest of the iteration in whole passes (each spreads its batch shards over the pool) and,
  // when the backward pass has not begun, the decay profile folded into it: the same numbers as
  // stepping (tests/test_parallel.cpp), without stepping's one wait per time step. Lean: no
  // profile at all (BPTT's weight gradients do not depend on it).
  if (phase_ == Phase::Diverged) return false;
  if (phase_ == Phase::Ready) {
    begin_iteration();
    lean_ = lean;
  }
  if (phase_ == Phase::Forward) {
    ++engine_version_;
    if (f32())
      net_f_.forward_finish(trace_f_, batch_f_, stop);
    else
      net_.forward_finish(trace_, batch_, stop);
    if (forward_t() < (f32() ? batch_f_.steps() : batch_.steps())) return true;  // interrupted
    end_forward(true);
  }
  if (phase_ == Phase::Backward) {
    ++engine_version_;
    if (f32()) {
      backward_f_.finish(stop);
      if (!backward_f_.done()) return true;  // interrupted
      cast_params(grads_, grads_f_);  // float gradients into the double master's shapes
    } else {
      backward_.finish(stop);
      if (!backward_.done()) return true;  // interrupted
    }
    phase_ = Phase::Update;
  }
  return apply_update();
}

TrainerState Trainer::capture(bool with_history) const {
  TrainerState s;
  capture_into(s, with_history);
  return s;
}

void Trainer::capture_into(TrainerState& s, bool with_history) const {
  s.model_index = model_index_;
  s.iteration = iteration_;
  s.diverged = phase_ == Phase::Diverged;
  s.divergence_iteration = divergence_.iteration;
  s.divergence_where = divergence_.where;
  s.divergence_cause = divergence_.cause;
  s.training = config_.training;
  s.params = net_.params();  // unchanged until this iteration's update
  s.optimizer_state1 = optimizer_->state1();
  s.optimizer_state2 = optimizer_->state2();
  s.optimizer_steps = optimizer_->steps();
  const bool mid_iteration = phase_ == Phase::Forward || phase_ == Phase::Backward ||
                             phase_ == Phase::Update;
  s.data_rng = mid_iteration ? iteration_rng_ : data_rng_.state();
  s.last_loss = last_loss_;
  s.last_accuracy = last_accuracy_;
  s.last_clip = clip_record_;
  if (with_history)
    s.history = history_.state();
  else
    s.history.reset();
}

namespace {

// "" when every tensor of `got` has the shape of the same tensor of `want` and finite values;
// otherwise one message naming `what`, the tensor and the problem.
std::string check_tensors(const std::string& what, const Params& got, const Params& want) {
  const auto g = got.tensors(), w = want.tensors();
  if (g.size() != w.size())
    return what + ": " + std::to_string(g.size()) + " tensors, the experiment's model has " +
           std::to_string(w.size());
  for (size_t k = 0; k < g.size(); ++k) {
    if (g[k].rows != w[k].rows || g[k].cols != w[k].cols)
      return what + "." + w[k].name + " is (" + std::to_string(g[k].rows) + ", " +
             std::to_string(g[k].cols) + "), the experiment's model needs (" +
             std::to_string(w[k].rows) + ", " + std::to_string(w[k].cols) + ")";
    const auto a = g[k].array();
    for (Eigen::Index i = 0; i < a.size(); ++i)
      if (!std::isfinite(a[i]))
        return what + "." + w[k].name + "[" + std::to_string(i) + "] is " +
               (std::isnan(a[i]) ? "NaN" : "infinite") + ": must be finite";
  }
  return {};
}

}  // namespace

bool Trainer::check(const TrainerState& s, std::string* error) const {
  const auto fail = [&](const std::string& m) {
    if (error) *error = m;
    return false;
  };
  if (!task_) return fail("the trainer is not configured");
  if (s.model_index != model_index_)
    return fail("model_index " + std::to_string(s.model_index) + ": expected " +
                std::to_string(model_index_));
  if (s.iteration < 0) return fail("iteration " + std::to_string(s.iteration) + ": must be >= 0");
  if (s.optimizer_steps < 0)
    return fail("optimizer_steps " + std::to_string(s.optimizer_steps) + ": must be >= 0");
  const TrainingConfig& tr = s.training;
  if (tr.seed != config_.training.seed || tr.batch_size != config_.training.batch_size)
    return fail("training: seed " + std::to_string(tr.seed) + " and batch_size " +
                std::to_string(tr.batch_size) + " must be the experiment's (" +
                std::to_string(config_.training.seed) + ", " +
                std::to_string(config_.training.batch_size) + ")");
  // The settings a run may change live (the rest of the experiment is the configured one).
  if (std::string e = validate(tr.optimizer); !e.empty()) return fail("training: " + e);
  if (std::string e = validate(tr.clip); !e.empty()) return fail("training.clip: " + e);
  if (tr.k1 < 0 || tr.k1 > kMaxTaskLength || tr.k2 < 0 || tr.k2 > kMaxTaskLength ||
      (tr.k2 > 0 && tr.k2 < tr.k1))
    return fail("training.truncation: k1 " + std::to_string(tr.k1) + ", k2 " +
                std::to_string(tr.k2) + ": each in [0, " + std::to_string(kMaxTaskLength) +
                "] and k2 0 or >= k1");
  const Params& like = net_.params();
  for (const auto& [what, p] : {std::pair<std::string, const Params*>{"params", &s.params},
                                {"optimizer_state1", &s.optimizer_state1},
                                {"optimizer_state2", &s.optimizer_state2}})
    if (std::string e = check_tensors(what, *p, like); !e.empty()) return fail(e);
  if ((s.data_rng.s[0] | s.data_rng.s[1] | s.data_rng.s[2] | s.data_rng.s[3]) == 0)
    return fail("data_rng: the all-zero state is not a generator state");
  if (s.history) {
    History probe(history_.capacity(), history_.profile_rows(), history_.max_profile_length());
    std::string e;
    if (!probe.restore(*s.history, &e)) return fail(e);
  }
  return true;
}

bool Trainer::restore(const TrainerState& s, std::string* error) {
  if (!check(s, error)) return false;
  // Checked: now change. reset() rebuilds every buffer for the settings, then the state lands.
  config_.training = s.training;
  reset();
  net_.params() = s.params;
  saved_params_ = s.params;  // no trace yet: trace_params() must still be shaped like the model
  optimizer_->set_settings(s.training.optimizer);
  optimizer_->restore_state(s.optimizer_state1, s.optimizer_state2, s.optimizer_steps);
  data_rng_.set_state(s.data_rng);
  if (s.history) history_.restore(*s.history, nullptr);
  clip_record_ = s.last_clip;
  last_loss_ = s.last_loss;
  last_accuracy_ = s.last_accuracy;
  iteration_ = s.iteration;
  if (s.diverged) {
    divergence_ = {s.divergence_iteration, s.divergence_where, s.divergence_cause};
    phase_ = Phase::Diverged;
  }
  return true;
}

double Trainer::evaluate(int batches, double* accuracy) const {
  Rng rng = stream_rng(config_.training.seed, kEvalStream);
  double loss = 0, acc = 0;
  // In the configured precision, like training.
  const bool single = config_.training.precision == Precision::Float32;
  Trace tr;
  TraceT<float> tr_f;
  NetworkT<float> net_f;
  BatchT<float> b_f;
  std::vector<Mat> y;  // T x (O, B)
  if (single) {
    net_f = NetworkT<float>(net_.spec());
    cast_params(net_f.params(), net_.params());
  }
  for (int i = 0; i < batches; ++i) {
    const Batch b = task_->batch(rng, config_.training.batch_size);
    if (single) {
      cast_batch(b_f, b);
      net_f.forward(tr_f, b_f);
      loss += tr_f.loss;
      if (task_->info().has_accuracy) {
        cast_mats(y, tr_f.y);
        acc += task_->accuracy(b, y);
      }
    } else {
      net_.forward(tr, b);
      loss += tr.loss;
      if (task_->info().has_accuracy) acc += task_->accuracy(b, tr.y);
    }
  }
  if (accuracy) *accuracy = task_->info().has_accuracy ? acc / batches : std::nan("");
  return loss / batches;
}

void Trainer::diverge(std::string where, bool updated) {
  divergence_.iteration = iteration_;
  divergence_.where = std::move(where);
  divergence_.cause = likely_cause(updated);
  phase_ = Phase::Diverged;
}

std::string Trainer::likely_cause(bool updated) const {
  std::ostringstream s;
  const auto& tr = config_.training;
  double worst_norm = 0;
  const auto recent = history_.recent(Field::GradNormBefore);
  for (int i = 0; i < recent.count; ++i)
    if (std::isfinite(recent[i])) worst_norm = std::max(worst_norm, recent[i]);
  std::vector<std::string> causes;
  // Before the first update neither the learning rate nor clipping has acted yet (clipping an
  // infinite gradient cannot help), so only the initial weights can be to blame.
  if (updated && tr.clip.mode == ClipMode::None) {
    std::ostringstream c;
    c << "no gradient clipping";
    if (worst_norm > 0) c << " (the gradient norm reached " << worst_norm << ")";
    c << ": clip by norm, e.g. threshold 1";
    causes.push_back(c.str());
  }
  const double lr = tr.optimizer.learning_rate;
  if (updated && lr > 10 * default_learning_rate(tr.optimizer.kind)) {
    std::ostringstream c;
    c << "the learning rate " << lr << " is high for " << to_string(tr.optimizer.kind) << " (try "
      << default_learning_rate(tr.optimizer.kind) << ")";
    causes.push_back(c.str());
  }
  for (int l = 0; l < net_.spec().num_layers; ++l) {
    const auto spectra = recurrent_spectra(net_.params(), net_.spec(), l);
    double rho = 0;
    for (const auto& sp : spectra) rho = std::max(rho, sp.spectral_radius);
    if (rho > 1) {
      std::ostringstream c;
      c.precision(3);
      c << "layer " << l << "'s W_hh has spectral radius " << rho
        << " > 1, so signals and gradients can grow step after step";
      causes.push_back(c.str());
    }
  }
  if (causes.empty() && !updated)
    return "The first pass overflowed before any update: the initial weights (spectral_radius, "
           "readout_scale) or the inputs are too large.";
  if (causes.empty()) return "a value overflowed; lower the learning rate or clip the gradient";
  if (!updated)
    s << "No update has happened yet, so only the initial weights or the data can be the cause. ";
  s << "Likely: ";
  for (size_t i = 0; i < causes.size(); ++i) s << (i ? "; " : "") << causes[i];
  s << ".";
  return s.str();
}

}  // namespace unrolled
