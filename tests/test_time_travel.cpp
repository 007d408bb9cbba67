// Time travel on a real TrainingWorker: the views recomputed for a past iteration are bit for bit
// what the live snapshots showed at that iteration (each cell type, compare mode, the float32 and
// float64 engines, live setting changes between and within iterations); a session captured from
// one worker and loaded into another continues exactly as one long run (compare mode: every
// model's history and weights), and its checkpoints recompute the same past.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "app/session/commands.hpp"
#include "app/session/time_travel.hpp"
#include "app/session/training_worker.hpp"
#include "core/session_file.hpp"
#include "tests/small_lesson.hpp"
#include "tests/test_support.hpp"

namespace unrolled {
namespace {

using testing_support::small_lesson;

::testing::AssertionResult same_bits(const Mat& a, const Mat& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols())
    return ::testing::AssertionFailure() << "shapes (" << a.rows() << ", " << a.cols() << ") and ("
                                         << b.rows() << ", " << b.cols() << ")";
  if (a.size() && std::memcmp(a.data(), b.data(), sizeof(double) * a.size()) != 0)
    return ::testing::AssertionFailure() << "largest difference " << (a - b).cwiseAbs().maxCoeff();
  return ::testing::AssertionSuccess();
}
::testing::AssertionResult same_bits(const Vec& a, const Vec& b) {
  return same_bits(Mat(a), Mat(b));
}
::testing::AssertionResult same_bits(double a, double b) {
  if (std::memcmp(&a, &b, sizeof a) == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << a << " vs " << b;
}
void expect_same(const std::vector<Mat>& a, const std::vector<Mat>& b, const char* what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (size_t l = 0; l < a.size(); ++l) EXPECT_TRUE(same_bits(a[l], b[l])) << what << " " << l;
}
void expect_same(const Params& a, const Params& b, const char* what) {
  const auto ta = a.tensors(), tb = b.tensors();
  ASSERT_EQ(ta.size(), tb.size()) << what;
  for (size_t i = 0; i < ta.size(); ++i) {
    ASSERT_EQ(ta[i].size(), tb[i].size()) << what << " " << ta[i].name;
    EXPECT_EQ(std::memcmp(ta[i].data, tb[i].data, sizeof(double) * ta[i].size()), 0)
        << what << " " << ta[i].name;
  }
}

// Everything a panel draws from a model's view, bit for bit (the history aside: it is live).
void expect_same_view(const ModelView& live, const ModelView& past) {
  EXPECT_EQ(live.iteration, past.iteration);
  EXPECT_EQ(live.phase, past.phase);
  EXPECT_EQ(live.forward_t, past.forward_t);
  EXPECT_EQ(live.sample, past.sample);
  EXPECT_EQ(live.steps, past.steps);
  expect_same(live.pre, past.pre, "pre");
  expect_same(live.gates, past.gates, "gates");
  expect_same(live.c, past.c, "c");
  expect_same(live.h, past.h, "h");
  expect_same(live.hn, past.hn, "hn");
  expect_same(live.dh, past.dh, "dh");
  expect_same(live.dc, past.dc, "dc");
  EXPECT_TRUE(same_bits(live.inputs, past.inputs)) << "inputs";
  EXPECT_TRUE(same_bits(live.targets, past.targets)) << "targets";
  EXPECT_TRUE(same_bits(live.outputs, past.outputs)) << "outputs";
  EXPECT_TRUE(same_bits(live.h0, past.h0)) << "h0";
  EXPECT_TRUE(same_bits(live.dh_norm, past.dh_norm)) << "dh_norm";
  EXPECT_TRUE(same_bits(live.dc_norm, past.dc_norm)) << "dc_norm";
  EXPECT_TRUE(same_bits(live.profile, past.profile)) << "profile";
  EXPECT_TRUE(same_bits(live.step_loss, past.step_loss)) << "step_loss";
  EXPECT_TRUE(same_bits(live.loss, past.loss)) << "loss";
  EXPECT_TRUE(same_bits(live.last_loss, past.last_loss)) << "last_loss";
  EXPECT_TRUE(same_bits(live.last_accuracy, past.last_accuracy)) << "last_accuracy";
  EXPECT_TRUE(same_bits(live.clip.global_norm_before, past.clip.global_norm_before)) << "clip";
  EXPECT_EQ(live.clip.clipped, past.clip.clipped);
  expect_same(live.params, past.params, "params");
  expect_same(live.trace_params, past.trace_params, "trace_params");
  ASSERT_EQ(live.spectra.size(), past.spectra.size());
  for (size_t l = 0; l < live.spectra.size(); ++l) {
    ASSERT_EQ(live.spectra[l].size(), past.spectra[l].size());
    for (size_t g = 0; g < live.spectra[l].size(); ++g) {
      EXPECT_TRUE(same_bits(live.spectra[l][g].spectral_radius, past.spectra[l][g].spectral_radius));
      EXPECT_TRUE(same_bits(live.spectra[l][g].singular_values, past.spectra[l][g].singular_values));
    }
  }
  EXPECT_EQ(live.jacobian_layer, past.jacobian_layer);
  EXPECT_TRUE(same_bits(live.jacobian_norms, past.jacobian_norms)) << "jacobian_norms";
}

std::shared_ptr<const Snapshot> apply(TrainingWorker& w, Command c) {
  w.send(std::move(c));
  w.wait_idle();
  return w.latest();
}

struct Case {
  CellType cell;
  Precision precision;
  bool compare;
};

// The adding lesson for case k (its cell and precision); in compare mode with a second model of
// cell `other` beside it.
ExperimentConfig case_lesson(const Case& k, int layers, CellType other) {
  ExperimentConfig c = small_lesson(k.cell, TaskKind::Adding, layers);
  c.training.precision = k.precision;
  if (k.compare) {
    ModelConfig m = c.model;
    m.cell = other;
    m.name = "other";
    c.compare = {m};
  }
  return c;
}

class TimeTravel : public ::testing::TestWithParam<Case> {};

TEST_P(TimeTravel, RecomputedPastIsWhatTheLiveSnapshotShowed) {
  const Case k = GetParam();
  const ExperimentConfig c =
      case_lesson(k, 2, k.cell == CellType::Gru ? CellType::Rnn : CellType::Gru);
  TrainingWorker w;
  std::string e;
  ASSERT_TRUE(w.start(c, &e)) << e;
  apply(w, cmd::SetAnalysis{.spectra = true, .jacobian_layer = 1});
  apply(w, cmd::SetSample{2});
  std::map<int64_t, std::shared_ptr<const Snapshot>> live;
  for (int i = 1; i <= 60; ++i) {
    if (i == 25) {  // a live change between iterations
      OptimizerSettings o = c.training.optimizer;
      o.learning_rate *= 3;
      apply(w, cmd::SetOptimizer{o});
    }
    if (i == 41) {  // ... and within one: clipping changed in the middle of iteration 40's pass
      apply(w, cmd::StepForward{});
      apply(w, cmd::SetClip{{ClipMode::Value, 0.05}});
      apply(w, cmd::SetTruncation{3, 4});
      apply(w, cmd::ApplyUpdate{});
    } else {
      apply(w, cmd::RunIterations{1});
    }
    if (i == 1 || i == 7 || i == 24 || i == 25 || i == 26 || i == 41 || i == 42 || i == 60)
      live[i] = w.latest();
  }
  ASSERT_EQ(live[60]->models[0].iteration, 60);
  for (const auto& [n, snap] : live) {
    const auto past = apply(w, cmd::ViewIteration{n});
    ASSERT_EQ(past->viewing, n) << past->error;
    EXPECT_EQ(past->live_iteration, 60);
    ASSERT_EQ(past->models.size(), snap->models.size());
    for (size_t m = 0; m < snap->models.size(); ++m) {
      SCOPED_TRACE("iteration " + std::to_string(n) + ", model " + std::to_string(m));
      expect_same_view(snap->models[m], past->models[m]);
      EXPECT_EQ(past->models[m].history.appended(), 60) << "the history is the live one";
    }
  }
  const auto back = apply(w, cmd::BackToLive{});
  EXPECT_EQ(back->viewing, -1);
  expect_same_view(live[60]->models[0], back->models[0]);
  const auto beyond = apply(w, cmd::ViewIteration{61});
  EXPECT_EQ(beyond->viewing, -1);
  EXPECT_NE(beyond->error.find("the run has completed 60"), std::string::npos) << beyond->error;
}

INSTANTIATE_TEST_SUITE_P(Cells, TimeTravel,
                         ::testing::Values(Case{CellType::Rnn, Precision::Float32, false},
                                           Case{CellType::Lstm, Precision::Float32, false},
                                           Case{CellType::Gru, Precision::Float32, false},
                                           Case{CellType::Lstm, Precision::Float64, false},
                                           Case{CellType::Lstm, Precision::Float32, true},
                                           Case{CellType::Gru, Precision::Float64, true}));

// Two axes: a lecturer steps through iteration k one time step at a time (forward, BPTT, the
// update, the next batch's first step); later, viewing iteration k, the same presses step inside
// it and show at every press what the live step-through showed, bit for bit, while the live run
// (its iteration, weights and checkpoints) stays as it was.
std::vector<Command> step_through(int steps) {
  std::vector<Command> presses;
  for (int t = 0; t < steps; ++t) presses.push_back(cmd::StepForward{});
  for (int t = 0; t < steps - 1; ++t) presses.push_back(cmd::StepBackward{});
  presses.push_back(cmd::FinishBackward{});
  presses.push_back(cmd::SetSample{1});  // another sequence, mid-iteration: nothing recomputed
  presses.push_back(cmd::ApplyUpdate{});
  presses.push_back(cmd::StepForward{});
  return presses;
}

class StepInsideThePast : public ::testing::TestWithParam<Case> {};

TEST_P(StepInsideThePast, EveryStepShowsWhatTheLiveStepThroughShowed) {
  const Case k = GetParam();
  const ExperimentConfig c = case_lesson(k, 2, CellType::Rnn);
  constexpr int64_t kViewed = 12;
  TrainingWorker w;
  std::string e;
  ASSERT_TRUE(w.start(c, &e)) << e;
  apply(w, cmd::SetAnalysis{.spectra = true, .jacobian_layer = 0});
  apply(w, cmd::SetSample{2});
  apply(w, cmd::RunIterations{kViewed});
  const std::vector<Command> presses = step_through(c.task.length);
  std::vector<std::shared_ptr<const Snapshot>> live;
  for (const Command& press : presses) live.push_back(apply(w, press));
  ASSERT_EQ(live.back()->models[0].iteration, kViewed + 1);
  ASSERT_EQ(live.back()->models[0].phase, Phase::Forward);
  apply(w, cmd::SetSample{2});
  const auto now = apply(w, cmd::RunIterations{20});
  const int64_t live_it = now->live_iteration;
  ASSERT_EQ(live_it, kViewed + 21);
  const size_t checkpoints = w.checkpoints(0).count();

  auto past = apply(w, cmd::ViewIteration{kViewed});
  ASSERT_EQ(past->viewing, kViewed) << past->error;
  for (size_t i = 0; i < presses.size(); ++i) {
    past = apply(w, presses[i]);
    SCOPED_TRACE("press " + std::to_string(i) + " (" + std::string(command_name(presses[i])) + ")");
    ASSERT_TRUE(past->error.empty()) << past->error;
    EXPECT_EQ(past->viewing, live[i]->models[0].iteration);
    EXPECT_EQ(past->live_iteration, live_it) << "the live run does not move";
    EXPECT_FALSE(past->playing);
    ASSERT_EQ(past->models.size(), live[i]->models.size());
    for (size_t m = 0; m < past->models.size(); ++m) {
      SCOPED_TRACE("model " + std::to_string(m));
      EXPECT_EQ(past->models[m].backward_t, live[i]->models[m].backward_t);
      EXPECT_EQ(past->models[m].profile_sweep, live[i]->models[m].profile_sweep);
      expect_same_view(live[i]->models[m], past->models[m]);
      EXPECT_EQ(past->models[m].history.appended(), live_it) << "the history is the live one";
    }
  }
  EXPECT_EQ(w.checkpoints(0).count(), checkpoints) << "stepping the past records nothing";
  apply(w, cmd::SetSample{2});
  const auto back = apply(w, cmd::BackToLive{});
  EXPECT_EQ(back->viewing, -1);
  for (size_t m = 0; m < now->models.size(); ++m) expect_same_view(now->models[m], back->models[m]);
}

INSTANTIATE_TEST_SUITE_P(Cells, StepInsideThePast,
                         ::testing::Values(Case{CellType::Rnn, Precision::Float64, false},
                                           Case{CellType::Lstm, Precision::Float32, false},
                                           Case{CellType::Gru, Precision::Float64, false},
                                           Case{CellType::Gru, Precision::Float32, true}));

// Open session: the restored trainers hold no trace of the iteration they stopped after, yet the
// panels show it whole at once, as the run that saved it showed it (every model, the analysis
// included), for another sequence asked for too, and training goes on from it unchanged.
TEST(TimeTravelSession, AnOpenedSessionShowsItsLastIterationWhole) {
  ExperimentConfig c = small_lesson(CellType::Lstm, TaskKind::Adding, 2);
  ModelConfig gru = c.model;
  gru.cell = CellType::Gru;
  gru.name = "GRU";
  c.compare = {gru};
  std::string e;
  TrainingWorker saved, opened;
  ASSERT_TRUE(saved.start(c, &e)) << e;
  ASSERT_TRUE(opened.start(default_experiment(), &e)) << e;
  for (TrainingWorker* w : {&saved, &opened}) {
    apply(*w, cmd::SetAnalysis{.spectra = true, .jacobian_layer = 1});
    apply(*w, cmd::SetSample{3});
  }
  const auto want = apply(saved, cmd::RunIterations{30});
  ASSERT_EQ(want->models[0].forward_t, c.task.length);
  auto loaded = std::make_shared<Session>();
  ASSERT_TRUE(session_from_bytes(session_to_bytes(saved.capture_session()), "s.unrolled", *loaded,
                                 &e))
      << e;
  auto got = apply(opened, cmd::LoadSession{loaded});
  ASSERT_TRUE(got->error.empty()) << got->error;
  ASSERT_EQ(got->models.size(), 2u);
  for (size_t m = 0; m < 2; ++m) {
    SCOPED_TRACE("model " + std::to_string(m));
    EXPECT_EQ(got->models[m].forward_t, c.task.length) << "the pictures are there";
    expect_same_view(want->models[m], got->models[m]);
    EXPECT_EQ(got->models[m].history.appended(), 30);
  }
  const auto want1 = apply(saved, cmd::SetSample{0});
  got = apply(opened, cmd::SetSample{0});
  for (size_t m = 0; m < 2; ++m) expect_same_view(want1->models[m], got->models[m]);
  const auto want2 = apply(saved, cmd::RunIterations{2});
  got = apply(opened, cmd::RunIterations{2});
  for (size_t m = 0; m < 2; ++m) expect_same_view(want2->models[m], got->models[m]);
}

// Scrub speed: a pick far from any checkpoint shows at once the iteration just after the nearest
// checkpoint before it (one replay), then, replayed in the background, the exact one; each is
// what the live run showed at that iteration, bit for bit. A command sent meanwhile is taken at
// once (the replay yields to it: back to live ends it), a step waits for the exact view and
// steps inside it.
TEST(TimeTravelBackground, AFarPickShowsTheNearestCheckpointAtOnceThenTheExactOne) {
  ExperimentConfig c = small_lesson(CellType::Lstm, TaskKind::Adding, 1);
  c.model.hidden_size = 48;  // checkpoints of 236 kB: R = 129, L = 130 (core/checkpoints.hpp)
  TrainingWorker w;
  std::string e;
  ASSERT_TRUE(w.start(c, &e)) << e;
  apply(w, cmd::SetAnalysis{.spectra = true, .jacobian_layer = 0});
  const int R = w.checkpoints(0).recent(), L = w.checkpoints(0).lattice();
  ASSERT_LE(R + L, 400) << "a lesson whose store has gaps after a few hundred iterations";
  apply(w, cmd::RunIterations{R + 2 * L + 5});  // the lattice 4 apart behind the recent window
  // The pick just below the widest gap between checkpoints.
  int64_t n = 0, from = 0, prev = -1;
  for (const Checkpoint* k : w.checkpoints(0).all()) {
    const int64_t j = k->state.iteration;
    if (prev >= 0 && j - prev > n - from) n = j, from = prev;
    prev = j;
  }
  ASSERT_GE(n - from, 4) << "a pick several replays from its checkpoint";
  const int64_t quick = from + 1;
  // The live run at quick and at n, from a worker of its own.
  TrainingWorker ref;
  ASSERT_TRUE(ref.start(c, &e)) << e;
  apply(ref, cmd::SetAnalysis{.spectra = true, .jacobian_layer = 0});
  const auto at_quick = apply(ref, cmd::RunIterations{quick});
  const auto at_n = apply(ref, cmd::RunIterations{n - quick});
  ASSERT_EQ(at_n->models[0].iteration, n);

  auto past = apply(w, cmd::ViewIteration{n});
  EXPECT_EQ(past->viewing, quick) << past->error;
  EXPECT_EQ(past->view_pending, n);
  expect_same_view(at_quick->models[0], past->models[0]);
  w.wait_view();
  past = w.latest();
  EXPECT_EQ(past->viewing, n);
  EXPECT_EQ(past->view_pending, -1);
  expect_same_view(at_n->models[0], past->models[0]);

  apply(w, cmd::BackToLive{});
  past = apply(w, cmd::ViewIteration{n});
  EXPECT_EQ(past->view_pending, n);
  past = apply(w, cmd::BackToLive{});  // taken at once: the replay ends
  EXPECT_EQ(past->viewing, -1);
  EXPECT_EQ(past->view_pending, -1);
  w.wait_view();
  EXPECT_EQ(w.latest()->viewing, -1);

  apply(w, cmd::ViewIteration{n});
  past = apply(w, cmd::StepForward{});  // in the exact iteration, not the quick one
  const auto stepped = apply(ref, cmd::StepForward{});
  EXPECT_EQ(past->viewing, n);
  EXPECT_EQ(past->view_pending, -1);
  expect_same_view(stepped->models[0], past->models[0]);
}

// The same far pick in compare mode, both precisions: the replay towards n goes on from the quick
// view's replay (lean up to n - 1, n itself whole) for every model, and each model's exact view
// is what the live run showed at n, bit for bit.
class TimeTravelBackgroundCompare : public ::testing::TestWithParam<Case> {};

TEST_P(TimeTravelBackgroundCompare, EveryModelsExactViewIsTheLiveOne) {
  const Case k = GetParam();
  ExperimentConfig c = small_lesson(k.cell, TaskKind::Adding, 1);
  c.model.hidden_size = 40;
  c.training.precision = k.precision;
  ModelConfig other = c.model;
  other.cell = k.cell == CellType::Gru ? CellType::Rnn : CellType::Gru;
  other.name = "other";
  c.compare = {other};
  TrainingWorker w, ref;
  std::string e;
  ASSERT_TRUE(w.start(c, &e)) << e;
  ASSERT_TRUE(ref.start(c, &e)) << e;
  for (TrainingWorker* x : {&w, &ref})
    apply(*x, cmd::SetAnalysis{.spectra = true, .jacobian_layer = 0});
  const int R = w.checkpoints(0).recent(), L = w.checkpoints(0).lattice();
  ASSERT_LE(R + L, 400) << "a lesson whose store has gaps after a few hundred iterations";
  apply(w, cmd::RunIterations{R + 2 * L + 5});
  int64_t n = 0, from = 0, prev = -1;
  for (const Checkpoint* p : w.checkpoints(0).all()) {
    const int64_t j = p->state.iteration;
    if (prev >= 0 && j - prev > n - from) n = j, from = prev;
    prev = j;
  }
  ASSERT_GE(n - from, 3) << "a pick several replays from its checkpoint";
  const auto at_quick = apply(ref, cmd::RunIterations{from + 1});
  const auto at_n = apply(ref, cmd::RunIterations{n - from - 1});
  ASSERT_EQ(at_n->models[1].iteration, n);
  auto past = apply(w, cmd::ViewIteration{n});
  EXPECT_EQ(past->viewing, from + 1) << past->error;
  for (size_t m = 0; m < 2; ++m) expect_same_view(at_quick->models[m], past->models[m]);
  w.wait_view();
  past = w.latest();
  ASSERT_EQ(past->viewing, n) << past->error;
  for (size_t m = 0; m < 2; ++m) {
    SCOPED_TRACE("model " + std::to_string(m));
    expect_same_view(at_n->models[m], past->models[m]);
  }
}

INSTANTIATE_TEST_SUITE_P(Cells, TimeTravelBackgroundCompare,
                         ::testing::Values(Case{CellType::Lstm, Precision::Float32, true},
                                           Case{CellType::Gru, Precision::Float64, true}));

// Compare mode, at the level where compare training exists (the worker; `unrolled train` trains
// one model): 200 iterations, a session captured, written and read back, loaded into a new
// worker and resumed for 100, against 300 in one run: every model's per-iteration metrics (the
// history's recent rows: loss, accuracy, gradient norms, clipping, learning rate) and weights
// bit for bit; and the loaded checkpoints recompute iteration 150 as the long run's do.
TEST(TimeTravelSession, CompareModeResumesBitForBit) {
  ExperimentConfig c = small_lesson(CellType::Lstm, TaskKind::Adding, 1);
  ModelConfig gru = c.model, rnn = c.model;
  gru.cell = CellType::Gru;
  gru.name = "GRU";
  rnn.cell = CellType::Rnn;
  rnn.name = "RNN";
  c.compare = {gru, rnn};
  std::string e;
  TrainingWorker first, resumed, whole;
  ASSERT_TRUE(first.start(c, &e)) << e;
  ASSERT_TRUE(whole.start(c, &e)) << e;
  apply(first, cmd::RunIterations{200});
  apply(whole, cmd::RunIterations{300});
  Session s = first.capture_session();
  s.view = {{"mode", "compare"}};
  ASSERT_EQ(s.models.size(), 3u);
  ASSERT_FALSE(s.checkpoints[0].empty());
  auto loaded = std::make_shared<Session>();
  ASSERT_TRUE(session_from_bytes(session_to_bytes(s), "s.unrolled", *loaded, &e)) << e;
  EXPECT_EQ((*loaded).view, s.view);
  ASSERT_TRUE(resumed.start(default_experiment(), &e)) << e;
  auto snap = apply(resumed, cmd::LoadSession{loaded});
  ASSERT_TRUE(snap->error.empty()) << snap->error;
  ASSERT_EQ(snap->models.size(), 3u);
  EXPECT_EQ(snap->models[2].iteration, 200);
  snap = apply(resumed, cmd::RunIterations{100});
  const auto want = whole.latest();
  for (size_t m = 0; m < 3; ++m) {
    SCOPED_TRACE("model " + std::to_string(m));
    const History &a = want->models[m].history, &b = snap->models[m].history;
    ASSERT_EQ(a.appended(), 300);
    ASSERT_EQ(b.appended(), 300);
    for (int f = 0; f < kNumFields; ++f) {
      const Series sa = a.recent(static_cast<Field>(f)), sb = b.recent(static_cast<Field>(f));
      ASSERT_EQ(sa.count, sb.count);
      for (int i = 0; i < sa.count; ++i)
        ASSERT_TRUE(same_bits(sa[i], sb[i])) << to_string(static_cast<Field>(f)) << " row " << i;
    }
    expect_same(want->models[m].params, snap->models[m].params, "params");
  }
  const auto p1 = apply(resumed, cmd::ViewIteration{150});
  const auto p2 = apply(whole, cmd::ViewIteration{150});
  ASSERT_EQ(p1->viewing, 150) << p1->error;
  ASSERT_EQ(p2->viewing, 150) << p2->error;
  for (size_t m = 0; m < 3; ++m) expect_same_view(p2->models[m], p1->models[m]);
  // A session for another experiment is refused and the run stays.
  auto wrong = std::make_shared<Session>(*loaded);
  wrong->config.model.hidden_size = 9;
  const auto after = apply(resumed, cmd::LoadSession{wrong});
  EXPECT_NE(after->error.find("session model 0"), std::string::npos) << after->error;
  EXPECT_EQ(after->models[0].iteration, 300);
}

// A compare session written by `unrolled train --save-session` opens in the app's worker whole:
// every model at its last iteration with its pictures, and its checkpoints recompute the past as
// the app's own run of the same lesson shows it.
TEST(TimeTravelSession, AHeadlessCompareSessionOpensAndScrubsLikeTheAppsOwn) {
  ExperimentConfig c = small_lesson(CellType::Lstm, TaskKind::Adding, 1);
  ModelConfig gru = c.model;
  gru.cell = CellType::Gru;
  gru.name = "GRU";
  c.compare = {gru};
  testing_support::TempDir dir("tt_headless");
  const std::string config = dir / "x.json", file = dir / "s.unrolled";
  std::ofstream(config) << experiment_to_json(c).dump(1);
  const testing_support::ExeResult r = testing_support::run_exe(
      "train --config " + config + " --iterations 60 --save-session " + file, true);
  ASSERT_EQ(r.code, 0) << r.out;
  auto loaded = std::make_shared<Session>();
  std::string e;
  ASSERT_TRUE(load_session(file, *loaded, &e)) << e;
  c.training.iterations = 60;  // as --iterations set it
  TrainingWorker app, opened;
  ASSERT_TRUE(app.start(c, &e)) << e;
  ASSERT_TRUE(opened.start(default_experiment(), &e)) << e;
  const auto want = apply(app, cmd::RunIterations{60});
  const auto got = apply(opened, cmd::LoadSession{loaded});
  ASSERT_TRUE(got->error.empty()) << got->error;
  ASSERT_EQ(got->models.size(), 2u);
  for (size_t m = 0; m < 2; ++m) expect_same_view(want->models[m], got->models[m]);
  for (TrainingWorker* w : {&app, &opened}) {
    w->send(cmd::ViewIteration{17});
    w->wait_view();
  }
  const auto p1 = app.latest(), p2 = opened.latest();
  ASSERT_EQ(p2->viewing, 17) << p2->error;
  for (size_t m = 0; m < 2; ++m) expect_same_view(p1->models[m], p2->models[m]);
}

}  // namespace
}  // namespace unrolled
