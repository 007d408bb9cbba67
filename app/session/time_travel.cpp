// Legend: n the iteration viewed, c the checkpoint replayed from, L layers, T steps.
#include "app/session/time_travel.hpp"

#include <algorithm>

#include "core/analysis.hpp"

namespace unrolled {
namespace {

// The same models, task, seed and batch size: a scratch trainer configured for one serves the
// other (the rest of training comes with each checkpoint).
bool same_run(const ExperimentConfig& a, const ExperimentConfig& b) {
  Json ja = experiment_to_json(a), jb = experiment_to_json(b);
  if (a.training.seed != b.training.seed || a.training.batch_size != b.training.batch_size)
    return false;
  ja.erase("training");
  jb.erase("training");
  return ja == jb;
}

}  // namespace

void fill_analysis(ModelView& v, const Trainer& t, const ViewRequest& request) {
  const NetworkSpec& spec = t.network().spec();
  v.spectra.clear();
  if (request.spectra)
    for (int l = 0; l < spec.num_layers; ++l)
      v.spectra.push_back(recurrent_spectra(t.network().params(), spec, l));
  v.jacobian_layer = -1;
  v.jacobian_norms.resize(0);
  // The steps without trace()'s double copy of a float iteration (the products below need it).
  const int T = t.engine_precision() == Precision::Float32 ? t.float_trace().num_steps()
                                                           : t.trace().num_steps();
  if (request.jacobian_layer >= 0 && T > 0 && t.phase() != Phase::Forward &&
      t.batch().batch_size() > 0) {
    const int l = std::min(request.jacobian_layer, spec.num_layers - 1);
    v.jacobian_layer = l;
    v.jacobian_norms =
        jacobian_product_norms(t.network(), t.trace(), t.batch(), l, T - 1, v.sample, T - 1);
  }
}

bool begin_replay(const ExperimentConfig& config, int model_index, const CheckpointStore& store,
                  int64_t n, int64_t live, Trainer& scratch, std::string* error) {
  const auto fail = [&](const std::string& m) {
    if (error) *error = m;
    return false;
  };
  if (n < 0 || n > live)
    return fail("iteration " + std::to_string(n) + ": the run has completed " +
                std::to_string(live) + "; choose one in [" + std::to_string(store.oldest()) +
                ", " + std::to_string(live) + "]");
  const Checkpoint* c = store.at_or_before(n == 0 ? 0 : n - 1);
  if (!c)
    return fail("iteration " + std::to_string(n) + " is older than the oldest checkpoint kept (" +
                std::to_string(store.oldest()) + ")");
  if (!scratch.configured() || scratch.model_index() != model_index ||
      !same_run(scratch.config(), config)) {
    if (!scratch.configure(config, model_index, error)) return false;
  }
  return scratch.restore(c->state, error);
}

bool replay_iteration(Trainer& scratch, int64_t n, Interrupt* stop) {
  return scratch.iteration() + 1 < n ? scratch.run_lean_iteration(stop)
                                     : scratch.run_iteration(stop);
}

void finish_view(const Trainer& scratch, const ViewRequest& request, const History& history,
                 ModelView& view) {
  fill_model_view(view, scratch, request.sample, /*with_history=*/false);
  view.pictures_from = -1;
  if (view.history.capacity() == history.capacity())
    view.history.copy_from(history);
  else
    view.history = history;
  fill_analysis(view, scratch, request);
}

bool recompute_view(const ExperimentConfig& config, int model_index, const CheckpointStore& store,
                    int64_t n, int64_t live, const ViewRequest& request, const History& history,
                    Trainer& scratch, ModelView& view, std::string* error) {
  if (!begin_replay(config, model_index, store, n, live, scratch, error)) return false;
  while (scratch.iteration() < n)
    if (!replay_iteration(scratch, n)) break;  // diverged on the way: show where it stopped
  finish_view(scratch, request, history, view);
  return true;
}

}  // namespace unrolled
