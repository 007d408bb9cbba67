// The GL-free session library without a window: a real TrainingWorker driven by typed commands
// (start, send, wait_idle, latest), and the step planner (what each step key sends and where the
// inspected cell goes) in every phase, with and without truncated BPTT.
//
// Legend: T steps, H hidden, L layers.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "app/session/commands.hpp"
#include "app/session/snapshot.hpp"
#include "app/session/step_plan.hpp"
#include "app/session/training_worker.hpp"
#include "core/trainer.hpp"
#include "tests/small_lesson.hpp"

namespace unrolled {
namespace {

using testing_support::small_lesson;

// Bit for bit: same shape and the same bytes (NaN where the other has the same NaN).
::testing::AssertionResult same_bits(const Mat& a, const Mat& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols())
    return ::testing::AssertionFailure() << "shapes (" << a.rows() << ", " << a.cols() << ") and ("
                                         << b.rows() << ", " << b.cols() << ")";
  if (a.size() && std::memcmp(a.data(), b.data(), sizeof(double) * a.size()) != 0)
    return ::testing::AssertionFailure() << "largest difference " << (a - b).cwiseAbs().maxCoeff();
  return ::testing::AssertionSuccess();
}

void expect_same_params(const Params& a, const Params& b) {
  const auto ta = a.tensors(), tb = b.tensors();
  ASSERT_EQ(ta.size(), tb.size());
  for (size_t i = 0; i < ta.size(); ++i) {
    ASSERT_EQ(ta[i].size(), tb[i].size()) << ta[i].name;
    EXPECT_EQ(std::memcmp(ta[i].data, tb[i].data, sizeof(double) * ta[i].size()), 0) << ta[i].name;
  }
}

// Every value the backward pass shows, bit for bit.
void expect_same_gradients(const ModelView& a, const ModelView& b) {
  EXPECT_EQ(a.phase, b.phase);
  EXPECT_EQ(a.backward_t, b.backward_t);
  EXPECT_EQ(a.profile_sweep, b.profile_sweep);
  ASSERT_EQ(a.dh.size(), b.dh.size());
  for (size_t l = 0; l < a.dh.size(); ++l) EXPECT_TRUE(same_bits(a.dh[l], b.dh[l])) << "dh " << l;
  ASSERT_EQ(a.dc.size(), b.dc.size());
  for (size_t l = 0; l < a.dc.size(); ++l) EXPECT_TRUE(same_bits(a.dc[l], b.dc[l])) << "dc " << l;
  EXPECT_TRUE(same_bits(a.dh_norm, b.dh_norm)) << "dh_norm";
  EXPECT_TRUE(same_bits(a.dc_norm, b.dc_norm)) << "dc_norm";
  EXPECT_TRUE(same_bits(a.profile, b.profile)) << "profile";
}

std::vector<std::string> names(const std::vector<Command>& commands) {
  std::vector<std::string> out;
  for (const Command& c : commands) out.emplace_back(command_name(c));
  return out;
}
using Names = std::vector<std::string>;

// A worker started on a config, and its newest snapshot after every command sent so far.
class Session {
 public:
  explicit Session(const ExperimentConfig& c) {
    std::string error;
    started_ = worker.start(c, &error);
    EXPECT_TRUE(started_) << error;
  }
  bool started() const { return started_; }
  const Snapshot& snap() {
    worker.wait_idle();
    snap_ = worker.latest();
    return *snap_;
  }
  const ModelView& view() { return snap().models.at(0); }
  void send_all(const std::vector<Command>& commands) {
    for (const Command& c : commands) worker.send(c);
  }

  TrainingWorker worker;

 private:
  bool started_ = false;
  std::shared_ptr<const Snapshot> snap_;
};

// -----------------------------------------------------------------------------------------------
// Typed commands on a real worker
// -----------------------------------------------------------------------------------------------

TEST(SessionCommands, ApplyInTheOrderSent) {
  const ExperimentConfig c = small_lesson(CellType::Lstm, TaskKind::Adding, 1);
  Session s(c);
  ASSERT_TRUE(s.started());
  // Run, reset, run: in this order the worker ends one iteration after the seed. Any other order
  // leaves it at 0 (reset last) or 3 iterations (reset first).
  s.send_all({cmd::RunIterations{2}, cmd::Reset{}, cmd::RunIterations{1}, cmd::SetSpeed{5},
              cmd::SetSpeed{7}, cmd::SetSample{1}, cmd::SetSample{3}});
  const ModelView& m = s.view();
  EXPECT_EQ(m.iteration, 1);
  EXPECT_EQ(s.snap().speed, 7);
  EXPECT_EQ(m.sample, 3);
  EXPECT_FALSE(s.snap().playing);
  // The one iteration after the reset is the seed's first iteration.
  Trainer direct;
  std::string error;
  ASSERT_TRUE(direct.configure(c, 0, &error)) << error;
  ASSERT_TRUE(direct.run_iteration());
  EXPECT_EQ(m.last_loss, direct.last_loss());
  expect_same_params(m.params, direct.network().params());
}

TEST(SessionCommands, InvalidSettingsAreRefusedWithAMessage) {
  Session s(small_lesson(CellType::Rnn, TaskKind::Adding, 1));
  ASSERT_TRUE(s.started());
  const OptimizerSettings before = s.snap().config.training.optimizer;
  OptimizerSettings bad = before;
  bad.learning_rate = std::nan("");
  s.worker.send(cmd::SetOptimizer{bad});
  EXPECT_NE(s.snap().error.find("optimiser"), std::string::npos) << s.snap().error;
  EXPECT_EQ(s.snap().config.training.optimizer.learning_rate, before.learning_rate);
  s.worker.send(cmd::SetTruncation{3, 4});  // a valid command clears the error
  EXPECT_EQ(s.snap().error, "");
  EXPECT_EQ(s.snap().config.training.k1, 3);
  EXPECT_EQ(s.snap().config.training.k2, 4);
}

// FinishBackward is the StepBackward commands it replaces: the same gradients, profile and
// update, bit for bit, in both precisions, with full and truncated BPTT.
TEST(SessionCommands, FinishBackwardEqualsSingleStepBackwardCommands) {
  for (Precision precision : {Precision::Float64, Precision::Float32})
    for (int k1 : {0, 3}) {
      SCOPED_TRACE(std::string(to_string(precision)) + ", k1 = " + std::to_string(k1));
      ExperimentConfig c = small_lesson(CellType::Lstm, TaskKind::Adding, 2);
      c.training.precision = precision;
      c.training.k1 = k1;
      Session one(c), steps(c);
      ASSERT_TRUE(one.started() && steps.started());
      // Weights that have moved once, then part of the backward pass in both.
      const std::vector<Command> start = {cmd::StepIteration{}, cmd::FinishForward{},
                                          cmd::StepBackward{}, cmd::StepBackward{}};
      one.send_all(start);
      steps.send_all(start);
      ASSERT_EQ(one.view().phase, Phase::Backward);
      const int T = one.view().steps;

      one.worker.send(cmd::FinishBackward{});
      int sent = 0;
      while (steps.view().phase == Phase::Backward && sent < 10 * T) {
        steps.worker.send(cmd::StepBackward{});
        ++sent;
      }
      ASSERT_EQ(one.view().phase, Phase::Update);
      ASSERT_EQ(steps.view().phase, Phase::Update);
      if (k1 == 0) {  // the rest of BPTT (two of T steps done), then the sweep of T steps
        EXPECT_EQ(sent, (T - 2) + T);
      }
      expect_same_gradients(one.view(), steps.view());

      one.worker.send(cmd::ApplyUpdate{});
      steps.worker.send(cmd::ApplyUpdate{});
      EXPECT_EQ(one.view().iteration, 2);
      EXPECT_EQ(one.view().last_loss, steps.view().last_loss);
      expect_same_params(one.view().params, steps.view().params);
    }
}

TEST(SessionCommands, FinishBackwardFinishesTheForwardPassFirstAndIsANoOpWhenReady) {
  const ExperimentConfig c = small_lesson(CellType::Gru, TaskKind::Sine, 1);
  Session s(c);
  ASSERT_TRUE(s.started());
  s.worker.send(cmd::FinishBackward{});  // Ready: nothing to finish
  EXPECT_EQ(s.view().phase, Phase::Ready);
  EXPECT_EQ(s.view().steps, 0);
  s.send_all({cmd::StepForward{}, cmd::StepForward{}, cmd::FinishBackward{}});
  EXPECT_EQ(s.view().phase, Phase::Update);
  EXPECT_EQ(s.view().forward_t, c.task.length);
  EXPECT_TRUE(std::isfinite(s.view().dh[0](0, 0))) << "the gradient reached t = 1";
}

TEST(SessionCommands, SetAnalysisTurnsSpectraAndJacobiansOnAndOff) {
  Session s(small_lesson(CellType::Rnn, TaskKind::Adding, 2));
  ASSERT_TRUE(s.started());
  s.worker.send(cmd::RunIterations{1});
  EXPECT_TRUE(s.view().spectra.empty()) << "analysis is off until a panel asks";
  EXPECT_EQ(s.view().jacobian_layer, -1);

  s.worker.send(cmd::SetAnalysis{true, 1});
  const ModelView& on = s.view();
  ASSERT_EQ(on.spectra.size(), 2u) << "one entry per layer";
  EXPECT_EQ(on.jacobian_layer, 1);
  EXPECT_GT(on.jacobian_norms.size(), 0);
  EXPECT_TRUE(on.jacobian_norms.allFinite());

  s.worker.send(cmd::SetAnalysis{false, 0});  // spectra off, Jacobians of layer 1
  EXPECT_TRUE(s.view().spectra.empty());
  EXPECT_EQ(s.view().jacobian_layer, 0);

  s.worker.send(cmd::SetAnalysis{false, -1});
  EXPECT_TRUE(s.view().spectra.empty());
  EXPECT_EQ(s.view().jacobian_layer, -1);
  EXPECT_EQ(s.view().jacobian_norms.size(), 0);
}

TEST(SessionCommands, ConfigureRebuildsAndResets) {
  Session s(small_lesson(CellType::Lstm, TaskKind::Adding, 1));
  ASSERT_TRUE(s.started());
  s.send_all({cmd::RunIterations{3}, cmd::StepForward{}});
  ASSERT_EQ(s.view().iteration, 3);

  ExperimentConfig gru = small_lesson(CellType::Gru, TaskKind::Sine, 2);
  gru.model.hidden_size = 5;
  s.worker.send(cmd::Configure{gru});
  const ModelView& m = s.view();
  EXPECT_EQ(s.snap().error, "");
  EXPECT_EQ(m.iteration, 0);
  EXPECT_EQ(m.phase, Phase::Ready);
  EXPECT_EQ(m.spec.cell, CellType::Gru);
  EXPECT_EQ(m.spec.num_layers, 2);
  EXPECT_EQ(m.spec.hidden_size, 5);
  EXPECT_EQ(s.snap().config.model.cell, CellType::Gru);

  // A config that cannot start: the old experiment keeps running and the snapshot says why.
  ExperimentConfig bad = gru;
  bad.training.optimizer.learning_rate = std::nan("");
  s.worker.send(cmd::Configure{bad});
  EXPECT_NE(s.snap().error, "");
  EXPECT_EQ(s.view().spec.hidden_size, 5);
  EXPECT_EQ(s.snap().config.training.optimizer.learning_rate, gru.training.optimizer.learning_rate);
}

// The precision combo of the Experiment panel is live: the next iteration runs in the new
// precision, without a reset, exactly as a Trainer switched between the same iterations.
TEST(SessionCommands, PrecisionSwitchesLiveAtTheNextIteration) {
  ExperimentConfig c = small_lesson(CellType::Lstm, TaskKind::Adding, 1);
  c.training.precision = Precision::Float32;
  Trainer direct, stays;
  std::string error;
  ASSERT_TRUE(direct.configure(c, 0, &error)) << error;
  ASSERT_TRUE(stays.configure(c, 0, &error)) << error;
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(direct.run_iteration());
    ASSERT_TRUE(stays.run_iteration());
  }
  direct.set_precision(Precision::Float64);
  ASSERT_TRUE(direct.run_iteration());
  ASSERT_TRUE(stays.run_iteration());
  ASSERT_NE(direct.last_loss(), stays.last_loss()) << "float64 and float32 differ in the last bits";

  Session s(c);
  ASSERT_TRUE(s.started());
  s.send_all({cmd::RunIterations{2}, cmd::SetPrecision{Precision::Float64}, cmd::RunIterations{1}});
  const ModelView& m = s.view();
  EXPECT_EQ(s.snap().config.training.precision, Precision::Float64);
  EXPECT_EQ(m.iteration, 3) << "no reset";
  EXPECT_EQ(m.last_loss, direct.last_loss());
}

TEST(SessionCommands, TraceParamsAreTheWeightsBeforeTheUpdate) {
  Trainer tr;
  std::string error;
  ASSERT_TRUE(tr.configure(small_lesson(CellType::Lstm, TaskKind::Adding, 1), 0, &error)) << error;
  tr.step_forward();
  while (tr.phase() != Phase::Update) tr.step_backward();
  const Params before = tr.network().params();
  EXPECT_EQ(&tr.trace_params(), &tr.network().params());
  tr.apply_update();
  EXPECT_FALSE(tr.trace_params().layers[0].W_h.isApprox(tr.network().params().layers[0].W_h));
  EXPECT_TRUE(tr.trace_params().layers[0].W_h == before.layers[0].W_h);
  tr.step_forward();  // a new forward pass uses the new weights
  EXPECT_EQ(&tr.trace_params(), &tr.network().params());
}

// The exploding lesson's vanilla RNN beside an LSTM, both without clipping: the RNN diverges
// within a few dozen iterations.
ExperimentConfig diverging_compare() {
  ExperimentConfig c;
  for (const auto& [name, text] : embedded_presets())
    if (name == "exploding") {
      EXPECT_TRUE(parse_experiment_text(text, name, c, nullptr));
    }
  ModelConfig lstm = c.model;
  lstm.name = "LSTM";
  lstm.cell = CellType::Lstm;
  lstm.init.spectral_radius = 0;
  c.compare = {lstm};
  return c;
}

// Issue 12: a run that diverges while playing at full speed stops, and the snapshot that says so
// is published at once, not when the next command happens to arrive (it used to wait for one
// when the divergence came less than a publish interval after the last snapshot).
TEST(SessionCommands, DivergenceWhilePlayingIsPublishedAtOnce) {
  Session s(diverging_compare());
  ASSERT_TRUE(s.started());
  s.worker.send(cmd::SetSpeed{0});
  s.worker.send(cmd::Play{});
  s.worker.wait_idle();
  bool diverged = false;
  std::shared_ptr<const Snapshot> snap;
  // At most 2 min: a busy machine starves the background-priority worker.
  for (int i = 0; i < 12000 && !diverged; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    snap = s.worker.latest();
    for (const ModelView& m : snap->models) diverged = diverged || m.phase == Phase::Diverged;
  }
  ASSERT_TRUE(diverged) << "no snapshot showed the divergence (last iteration "
                        << snap->models[0].iteration << ")";
  EXPECT_FALSE(snap->playing) << "the snapshot that shows the divergence still says playing";
  EXPECT_EQ(snap->measured_speed, 0) << "a stopped run reports no speed";
}

// The exploding lesson played at 20 iterations a second (each one published): once it diverges,
// the gradient pictures the class last saw stay, finite, and say whose they are; reset clears them.
TEST(SessionCommands, ADivergedModelKeepsTheLastFinitePictures) {
  ExperimentConfig c;
  for (const auto& [name, text] : embedded_presets())
    if (name == "exploding") {
      ASSERT_TRUE(parse_experiment_text(text, name, c, nullptr));
    }
  c.tour.clear();
  Session s(c);
  ASSERT_TRUE(s.started());
  s.worker.send(cmd::SetSpeed{20});
  s.worker.send(cmd::Play{});
  std::shared_ptr<const Snapshot> snap;
  // At most 2 min: a busy machine starves the background-priority worker.
  for (int i = 0; i < 12000; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    snap = s.worker.latest();
    if (snap->models[0].phase == Phase::Diverged) break;
  }
  const ModelView& m = snap->models.at(0);
  ASSERT_EQ(m.phase, Phase::Diverged);
  ASSERT_GE(m.pictures_from, m.divergence.iteration - 3) << "the last pictures published";
  EXPECT_LE(m.pictures_from, m.divergence.iteration);
  ASSERT_GT(m.dh_norm.size(), 0);
  EXPECT_TRUE(m.dh_norm.allFinite()) << "the pictures kept are finite";
  EXPECT_TRUE(m.profile.allFinite());
  s.worker.send(cmd::Reset{});
  EXPECT_EQ(s.snap().models[0].pictures_from, -1) << "a reset clears them";
}

// A tour's run: plays until its condition holds, then pauses and says which run ended; a Pause
// ends a run early.
TEST(SessionCommands, RunUntilPlaysUntilItsConditionHoldsThenPauses) {
  Session s(small_lesson(CellType::Lstm, TaskKind::Adding, 1));
  ASSERT_TRUE(s.started());
  TourAction run;
  run.kind = TourAction::Kind::Run;
  run.until = TourAction::Until::Iteration;
  run.value = 25;
  run.limit = 1000;
  s.worker.send(cmd::SetSpeed{0});
  s.worker.send(cmd::RunUntil{run, 7});
  std::shared_ptr<const Snapshot> snap;
  // At most 2 min: a busy machine starves the background-priority worker.
  for (int i = 0; i < 12000; ++i) {
    snap = s.worker.latest();
    if (snap->goal_done == 7) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(snap->goal_done, 7u);
  EXPECT_FALSE(snap->goal_active);
  EXPECT_FALSE(snap->playing);
  EXPECT_EQ(snap->models[0].iteration, 25) << "it stops at its condition, not a burst later";
  // A run whose condition cannot hold soon, ended by Pause.
  run.value = 1e6;
  run.limit = 1'000'000;
  s.worker.send(cmd::SetSpeed{1});
  s.worker.send(cmd::RunUntil{run, 8});
  EXPECT_TRUE(s.snap().goal_active);
  EXPECT_TRUE(s.snap().playing);
  s.worker.send(cmd::Pause{});
  EXPECT_EQ(s.snap().goal_done, 8u);
  EXPECT_FALSE(s.snap().playing);
}

// The audit's slow lesson: sine at T = 2000 with truncation k1 = 1, k2 = 2000, one iteration
// about 90 s on a 2-core machine (2000 backward sweeps of up to 2000 steps each).
ExperimentConfig slow_lesson() {
  ExperimentConfig c = default_experiment();
  c.model.cell = CellType::Gru;
  c.model.hidden_size = 32;
  c.task = default_task_spec(TaskKind::Sine);
  c.task.length = 2000;
  c.training.batch_size = 16;
  c.training.k1 = 1;
  c.training.k2 = 2000;
  return c;
}
constexpr int64_t kSlowSteps = 2000 + 2000LL * 2001 / 2;  // time steps in one of its iterations

// Waits (without a deadline: ctest's timeout is the bound) until the worker is well inside its
// first iteration.
void wait_for_steps(const TrainingWorker& w, int64_t steps) {
  while (w.time_steps_started() < steps) std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

// A pause sent in the middle of a long iteration is applied between two time steps: the worker
// is idle again with the iteration unfinished (no wait for the ~90 s it takes), and play
// resumes it where it stopped.
TEST(SessionCommands, PauseInterruptsALongIterationBetweenTimeSteps) {
  Session s(slow_lesson());
  ASSERT_TRUE(s.started());
  s.send_all({cmd::SetSpeed{0}, cmd::Play{}});
  wait_for_steps(s.worker, 50);
  s.worker.send(cmd::Pause{});
  const Snapshot& paused = s.snap();  // waits for the pause to be applied
  const ModelView& m = paused.models.at(0);
  EXPECT_FALSE(paused.playing);
  EXPECT_NE(paused.warning.find("takes about 93 s"), std::string::npos) << paused.warning;
  EXPECT_EQ(m.iteration, 0);
  EXPECT_TRUE(m.phase == Phase::Forward || m.phase == Phase::Backward) << to_string(m.phase);
  const int64_t paused_at = s.worker.time_steps_started();
  EXPECT_LT(paused_at, kSlowSteps);
  EXPECT_EQ(s.worker.time_steps_started(), paused_at);  // paused: nothing runs
  s.send_all({cmd::Play{}});
  wait_for_steps(s.worker, paused_at + 20);  // resumed: time steps run again
  s.worker.send(cmd::Pause{});
  const ModelView& again = s.view();
  EXPECT_EQ(again.iteration, 0) << "the same iteration, further on";
  EXPECT_TRUE(again.phase == Phase::Forward || again.phase == Phase::Backward);
}

// Closing the app stops the worker within a time step, whatever the iteration costs: stop()
// returns with the first iteration far from done, and no time step starts after it.
TEST(SessionCommands, StopJoinsInTheMiddleOfALongIteration) {
  TrainingWorker w;
  std::string error;
  ASSERT_TRUE(w.start(slow_lesson(), &error)) << error;
  w.send(cmd::SetSpeed{0});
  w.send(cmd::Play{});
  wait_for_steps(w, 50);
  w.stop();
  const int64_t at_stop = w.time_steps_started();
  EXPECT_LT(at_stop, kSlowSteps);
  EXPECT_EQ(w.latest()->models.at(0).iteration, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(w.time_steps_started(), at_stop);
}

TEST(SessionCommands, EveryCommandHasItsOwnName) {
  const std::vector<Command> all = {cmd::Play{},           cmd::Pause{},
                                    cmd::StepIteration{},  cmd::StepForward{},
                                    cmd::StepBackward{},   cmd::FinishForward{},
                                    cmd::FinishBackward{}, cmd::ApplyUpdate{},
                                    cmd::Reset{},          cmd::Reseed{},
                                    cmd::Configure{},      cmd::RunIterations{},
                                    cmd::RunUntil{},       cmd::RescaleRecurrent{},
                                    cmd::SetSpeed{},       cmd::SetOptimizer{},
                                    cmd::SetClip{},        cmd::SetTruncation{},
                                    cmd::SetPrecision{},   cmd::SetSample{},
                                    cmd::SetTemperature{}, cmd::SetAnalysis{},
                                    cmd::ViewIteration{},  cmd::BackToLive{},
                                    cmd::CaptureSession{}, cmd::LoadSession{}};
  ASSERT_EQ(all.size(), std::variant_size_v<Command>);
  std::set<std::string> seen;
  for (const Command& c : all) {
    EXPECT_FALSE(command_name(c).empty());
    EXPECT_TRUE(seen.insert(std::string(command_name(c))).second) << command_name(c);
  }
  EXPECT_EQ(command_name(cmd::FinishBackward{}), "FinishBackward");
}

// -----------------------------------------------------------------------------------------------
// The step planner on a real worker
// -----------------------------------------------------------------------------------------------

// Presses keys as the GUI does: plan, send, move the cursor; then, as the panels do each frame,
// a following cursor goes to follow_target of the new snapshot.
class Planner : public ::testing::Test {
 protected:
  void start(int k1) {
    ExperimentConfig c = small_lesson(CellType::Lstm, TaskKind::Adding, 1);
    c.training.k1 = k1;
    session = std::make_unique<Session>(c);
    ASSERT_TRUE(session->started());
    this->k1 = k1;
    T = c.task.length;
  }
  void SetUp() override { start(0); }
  const ModelView& view() { return session->view(); }
  Plan plan_now(StepAction a) { return plan(a, view(), k1, cursor); }
  Plan press(StepAction a) {
    const Plan p = plan_now(a);
    session->send_all(p.send);
    cursor = moved(cursor, a, p);
    if (cursor.follow) cursor.t = follow_target(view(), cursor.t);
    return p;
  }

  std::unique_ptr<Session> session;
  StepCursor cursor;
  int k1 = 0, T = 0;
};

TEST_F(Planner, ReadyForwardStartsTheIterationAndLeftHasNothingToDo) {
  ASSERT_EQ(view().phase, Phase::Ready);
  EXPECT_EQ(names(plan_now(StepAction::Back).send), Names{});
  EXPECT_EQ(names(plan_now(StepAction::End).send), Names{"FinishForward"});
  EXPECT_EQ(names(plan_now(StepAction::BackwardPass).send),
            (Names{"FinishForward", "StepBackward"}));
  EXPECT_EQ(names(press(StepAction::Forward).send), Names{"StepForward"});
  EXPECT_EQ(view().phase, Phase::Forward);
  EXPECT_EQ(view().forward_t, 1);
  EXPECT_EQ(cursor.t, 0);
  EXPECT_TRUE(cursor.follow);
}

TEST_F(Planner, ForwardPassRightComputesLeftReviews) {
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(names(press(StepAction::Forward).send), Names{"StepForward"});
  EXPECT_EQ(view().forward_t, 3);
  EXPECT_EQ(cursor.t, 2);
  EXPECT_TRUE(cursor.follow);
  EXPECT_EQ(names(press(StepAction::Back).send), Names{}) << "back only moves the cursor";
  EXPECT_EQ(view().forward_t, 3);
  EXPECT_EQ(cursor.t, 1);
  EXPECT_FALSE(cursor.follow);
  EXPECT_EQ(names(press(StepAction::Forward).send), Names{}) << "walks back to the front first";
  EXPECT_EQ(cursor.t, 2);
  EXPECT_TRUE(cursor.follow);
  EXPECT_EQ(names(press(StepAction::Forward).send), Names{"StepForward"});
  EXPECT_EQ(view().forward_t, 4);
  EXPECT_EQ(cursor.t, 3);
  const Plan home = press(StepAction::Home);
  EXPECT_EQ(names(home.send), Names{});
  EXPECT_EQ(cursor.t, 0);
  EXPECT_FALSE(cursor.follow);
  EXPECT_EQ(names(press(StepAction::End).send), Names{"FinishForward"});
  EXPECT_EQ(view().phase, Phase::Backward);
  EXPECT_EQ(view().forward_t, T);
  EXPECT_EQ(cursor.t, T - 1) << "follows the first backward step to come, at t = T";
}

TEST_F(Planner, BackwardPassLeftStepsAndTheLastStepEndsWithTheGradientsReady) {
  press(StepAction::Forward);
  EXPECT_EQ(names(press(StepAction::BackwardPass).send), (Names{"FinishForward", "StepBackward"}));
  ASSERT_EQ(view().phase, Phase::Backward);
  EXPECT_EQ(view().backward_t, T - 2);
  EXPECT_EQ(cursor.t, T - 1);
  EXPECT_EQ(names(press(StepAction::Back).send), Names{"StepBackward"});
  EXPECT_EQ(view().backward_t, T - 3);
  EXPECT_EQ(cursor.t, T - 2);
  EXPECT_EQ(names(press(StepAction::Forward).send), Names{}) << "reviews to the right";
  EXPECT_EQ(cursor.t, T - 1);
  EXPECT_FALSE(cursor.follow);
  EXPECT_EQ(names(press(StepAction::Back).send), Names{}) << "walks back to the front";
  EXPECT_EQ(cursor.t, T - 2);
  EXPECT_TRUE(cursor.follow);
  EXPECT_EQ(names(plan_now(StepAction::BackwardPass).send), Names{}) << "already in it";
  while (view().backward_t > 0)
    EXPECT_EQ(names(press(StepAction::Back).send), Names{"StepBackward"});
  // At t = 1 without truncation the last BPTT step also runs the decay-profile sweep.
  EXPECT_EQ(names(press(StepAction::Back).send), Names{"FinishBackward"});
  EXPECT_EQ(view().phase, Phase::Update);
  EXPECT_EQ(cursor.t, 0);
  EXPECT_TRUE(view().profile.allFinite());
}

TEST_F(Planner, UpdatePhaseForwardAppliesTheUpdateAndBRunsTheNextIteration) {
  press(StepAction::BackwardPass);
  EXPECT_EQ(names(press(StepAction::End).send), Names{"FinishBackward"});
  ASSERT_EQ(view().phase, Phase::Update);
  EXPECT_EQ(cursor.t, 0);
  EXPECT_EQ(names(plan_now(StepAction::Advance).send), Names{});
  EXPECT_TRUE(plan_now(StepAction::Advance).stop_animation) << "the gradients are ready";
  EXPECT_EQ(names(plan_now(StepAction::Forward).send), Names{"StepForward"});
  EXPECT_EQ(names(plan_now(StepAction::Back).send), Names{}) << "at t = 1: nothing to the left";
  const Plan end = press(StepAction::End);  // the gradients are ready: End only inspects t = T
  EXPECT_EQ(names(end.send), Names{});
  EXPECT_EQ(cursor.t, T - 1);
  EXPECT_EQ(names(press(StepAction::Back).send), Names{}) << "reviews the computed gradients";
  EXPECT_EQ(cursor.t, T - 2);
  EXPECT_FALSE(cursor.follow);
  EXPECT_EQ(view().phase, Phase::Update);
  EXPECT_EQ(names(press(StepAction::BackwardPass).send),
            (Names{"ApplyUpdate", "FinishForward", "StepBackward"}));
  EXPECT_EQ(view().iteration, 1);
  EXPECT_EQ(view().phase, Phase::Backward);
  EXPECT_EQ(view().backward_t, T - 2);
  EXPECT_EQ(cursor.t, T - 1);
}

TEST_F(Planner, AnimationRunsForwardThenBackwardThenStops) {
  press(StepAction::ToggleAnimate);
  EXPECT_TRUE(cursor.animating);
  int presses = 0;
  while (cursor.animating && presses < 10 * T) {
    press(StepAction::Advance);
    ++presses;
  }
  EXPECT_FALSE(cursor.animating);
  EXPECT_EQ(view().phase, Phase::Update);
  EXPECT_EQ(presses, 2 * T + 1) << "T forward steps, T backward steps, then it stops";
  press(StepAction::ToggleAnimate);  // from Update: applies the update, animates the next one
  EXPECT_TRUE(cursor.animating);
  EXPECT_EQ(view().iteration, 1);
  EXPECT_EQ(view().forward_t, 1);
  press(StepAction::Home);  // a key by hand stops it
  EXPECT_FALSE(cursor.animating);
}

// Truncated BPTT: t = 1 is reached in the first chunk, not at the end, so the step there is one
// StepBackward; the decay-profile sweep comes after the last chunk, and ← finishes it.
TEST_F(Planner, TruncatedBpttStepsEveryChunkThenFinishesTheSweep) {
  start(3);
  press(StepAction::BackwardPass);
  ASSERT_EQ(view().phase, Phase::Backward);
  bool stepped_at_t1 = false;
  int presses = 0;
  while (view().phase == Phase::Backward && !view().profile_sweep && presses < 10 * T) {
    const bool at_t1 = view().backward_t == 0;
    const Plan p = press(StepAction::Back);
    EXPECT_EQ(names(p.send), Names{"StepBackward"}) << "backward_t " << view().backward_t;
    stepped_at_t1 = stepped_at_t1 || at_t1;
    ++presses;
  }
  EXPECT_TRUE(stepped_at_t1);
  ASSERT_TRUE(view().profile_sweep) << "BPTT done, the sweep to go";
  EXPECT_EQ(cursor.t, 0) << "the sweep is followed at t = 1";
  // In the sweep: End and the animation finish it too; → only reviews; B has nothing to start.
  EXPECT_EQ(names(plan_now(StepAction::End).send), Names{"FinishBackward"});
  EXPECT_EQ(names(plan_now(StepAction::Advance).send), Names{"FinishBackward"});
  EXPECT_FALSE(plan_now(StepAction::Advance).stop_animation);
  const Plan right = plan_now(StepAction::Forward);
  EXPECT_EQ(names(right.send), Names{});
  EXPECT_EQ(right.t, 1);
  EXPECT_FALSE(right.follow);
  EXPECT_EQ(names(plan_now(StepAction::BackwardPass).send), Names{});
  const Plan sweep = press(StepAction::Back);
  EXPECT_EQ(names(sweep.send), Names{"FinishBackward"});
  EXPECT_EQ(view().phase, Phase::Update);
}

TEST_F(Planner, TruncatedEndFinishesTheWholeBackwardPass) {
  start(3);
  press(StepAction::BackwardPass);
  press(StepAction::Back);
  EXPECT_EQ(names(press(StepAction::End).send), Names{"FinishBackward"});
  EXPECT_EQ(view().phase, Phase::Update);
}

TEST_F(Planner, DivergedOnlyReviewsComputedSteps) {
  // A learning rate far too large on a relu network with no clipping diverges within a few
  // iterations; the worker stops in Diverged.
  ExperimentConfig c = small_lesson(CellType::Rnn, TaskKind::Adding, 1);
  c.model.activation = Activation::Relu;
  c.training.optimizer.kind = OptimizerKind::Sgd;
  c.training.optimizer.learning_rate = 1e6;
  c.training.clip.mode = ClipMode::None;
  session = std::make_unique<Session>(c);
  ASSERT_TRUE(session->started());
  session->worker.send(cmd::RunIterations{50});
  ASSERT_EQ(view().phase, Phase::Diverged);
  cursor = {2, false, true};
  for (StepAction a : {StepAction::Forward, StepAction::Back, StepAction::BackwardPass,
                       StepAction::End, StepAction::Advance}) {
    const Plan p = plan_now(a);
    EXPECT_EQ(names(p.send), Names{}) << "nothing is computed after a divergence";
    EXPECT_TRUE(p.stop_animation);
  }
  EXPECT_EQ(plan_now(StepAction::Back).t, 1);
  EXPECT_EQ(plan_now(StepAction::Forward).t, 3);
  EXPECT_EQ(moved(cursor, StepAction::Back, plan_now(StepAction::Back)).animating, false);
}

TEST(FollowTarget, TheStepJustComputedInEachPhase) {
  ModelView m;
  m.steps = 7;
  m.phase = Phase::Forward;
  m.forward_t = 3;
  EXPECT_EQ(follow_target(m, 6), 2);
  m.phase = Phase::Backward;
  m.backward_t = 4;  // t = 5 and later are done: t = 5 (index 5) was the last one
  EXPECT_EQ(follow_target(m, 0), 5);
  m.profile_sweep = true;
  EXPECT_EQ(follow_target(m, 3), 0);
  m.phase = Phase::Update;
  EXPECT_EQ(follow_target(m, 3), 0);
  m.phase = Phase::Ready;
  EXPECT_EQ(follow_target(m, 4), 4) << "ready: stays where it is";
  EXPECT_EQ(follow_target(m, 9), 6) << "within the sequence";
  m.steps = 0;
  EXPECT_EQ(follow_target(m, 4), 0);
}

}  // namespace
}  // namespace unrolled
