// Threads change nothing: the batch shards (fixed by the batch size), the pool (core/parallel),
// compare mode's models and the sweep's runs give the same bits with 1, 2 or 16 threads. Also:
// stepping a sharded iteration equals running it whole, the folded decay profile equals its own
// sweep, and sharded gradients match central differences.
//
// Legend: B batch, T steps, H hidden, L layers.
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <atomic>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "app/session/training_worker.hpp"
#include "core/interrupt.hpp"
#include "core/network.hpp"
#include "core/parallel.hpp"
#include "core/sweep.hpp"
#include "core/trainer.hpp"
#include "grad_cases.hpp"
#include "test_support.hpp"

namespace unrolled {
namespace {

using testing_support::random_batch;
using testing_support::randomize;
using testing_support::spec_for;

// Sets the process-wide thread count for one scope and restores the previous one.
class Threads {
 public:
  explicit Threads(int n) : old_(thread_count()) { set_thread_count(n); }
  ~Threads() { set_thread_count(old_); }

 private:
  int old_;
};

constexpr int kThreadCounts[] = {1, 2, 16};

// Same shape and the same bits (==, not near); NaN never matches, and none is expected.
template <class M>
bool same_bits(const M& a, const M& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() && (a.array() == b.array()).all();
}
bool same_bits(const std::vector<Mat>& a, const std::vector<Mat>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!same_bits(a[i], b[i])) return false;
  return true;
}
bool same_bits(const Params& a, const Params& b) {
  const auto ta = a.tensors(), tb = b.tensors();
  if (ta.size() != tb.size()) return false;
  for (size_t k = 0; k < ta.size(); ++k)
    if (ta[k].rows != tb[k].rows || ta[k].cols != tb[k].cols ||
        !(ta[k].array() == tb[k].array()).all())
      return false;
  return true;
}

void expect_same_trace(const Trace& a, const Trace& b) {
  ASSERT_EQ(a.steps.size(), b.steps.size());
  for (size_t l = 0; l < a.steps.size(); ++l) {
    ASSERT_EQ(a.steps[l].size(), b.steps[l].size());
    for (size_t t = 0; t < a.steps[l].size(); ++t) {
      const StepTrace &x = a.steps[l][t], &y = b.steps[l][t];
      EXPECT_TRUE(same_bits(x.pre, y.pre) && same_bits(x.gates, y.gates) && same_bits(x.c, y.c) &&
                  same_bits(x.tanh_c, y.tanh_c) && same_bits(x.hn, y.hn) && same_bits(x.h, y.h))
          << "layer " << l << " step " << t;
    }
  }
  EXPECT_TRUE(same_bits(a.y, b.y)) << "y";
  EXPECT_TRUE(same_bits(a.prob, b.prob)) << "prob";
  EXPECT_TRUE(same_bits(a.step_loss, b.step_loss)) << "step_loss";
  EXPECT_EQ(a.loss, b.loss);
}

void expect_same_grad_trace(const GradTrace& a, const GradTrace& b) {
  ASSERT_EQ(a.dh.size(), b.dh.size());
  for (size_t l = 0; l < a.dh.size(); ++l) {
    EXPECT_TRUE(same_bits(a.dh[l], b.dh[l])) << "dh, layer " << l;
    EXPECT_TRUE(same_bits(a.dc[l], b.dc[l])) << "dc, layer " << l;
    EXPECT_TRUE(same_bits(a.dpre[l], b.dpre[l])) << "dpre, layer " << l;
  }
  EXPECT_TRUE(same_bits(a.dh0, b.dh0)) << "dh0";
  EXPECT_TRUE(same_bits(a.dc0, b.dc0)) << "dc0";
  EXPECT_TRUE(same_bits(a.dh_norm, b.dh_norm)) << "dh_norm";
  EXPECT_TRUE(same_bits(a.dc_norm, b.dc_norm)) << "dc_norm";
  EXPECT_TRUE(same_bits(a.profile, b.profile)) << "profile";
}

TEST(Shards, AreFixedByTheBatchSizeAndCoverIt) {
  EXPECT_EQ(shard_count(1), 1);
  EXPECT_EQ(shard_count(31), 1);
  EXPECT_EQ(shard_count(32), 2);  // the lessons' batches: 2 shards of 16
  EXPECT_EQ(shard_count(63), 3);
  EXPECT_EQ(shard_count(64), 4);
  EXPECT_EQ(shard_count(100), 6);
  EXPECT_EQ(shard_count(4096), kMaxShards);
  for (int B : {16, 17, 32, 37, 50, 100, 1000}) {
    const int n = shard_count(B);
    EXPECT_EQ(shard_begin(B, 0), 0);
    EXPECT_EQ(shard_begin(B, n), B);
    for (int s = 0; s < n; ++s) EXPECT_GT(shard_begin(B, s + 1), shard_begin(B, s)) << B;
  }
  // The thread count does not enter.
  Threads one(1);
  EXPECT_EQ(shard_count(100), 6);
  Threads many(16);
  EXPECT_EQ(shard_count(100), 6);
}

TEST(Pool, ThreadCountIsClampedAndRunsEveryIndexOnce) {
  Threads keep(thread_count());
  set_thread_count(0);
  EXPECT_EQ(thread_count(), 1);
  set_thread_count(100000);
  EXPECT_EQ(thread_count(), kMaxThreads);
  EXPECT_GE(default_thread_count(false), 1);
  EXPECT_GE(default_thread_count(true), 1);
  EXPECT_LE(default_thread_count(true), default_thread_count(false));
  for (int n : kThreadCounts) {
    set_thread_count(n);
    std::vector<int> hits(1000, 0);
    parallel_for(1000, [&](int i) { ++hits[i]; });
    EXPECT_EQ(std::count(hits.begin(), hits.end(), 1), 1000) << n << " threads";
  }
}

// The app's training runs below the UI: with background priority asked for, every pool thread
// that runs work is at nice 10 or more, and the thread that asked (the UI thread) keeps its own.
TEST(Pool, BackgroundPriorityLowersEveryThreadButTheCaller) {
  Threads n(4);
  const auto self = std::this_thread::get_id();
  const auto nice_of_this_thread = [] {
    return getpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)));
  };
  const int mine = nice_of_this_thread();
  set_background_priority(true);
  std::mutex m;
  std::vector<std::pair<std::thread::id, int>> seen;  // (thread, its nice value in the body)
  parallel_for(64, [&](int) {
    const int v = nice_of_this_thread();
    std::this_thread::sleep_for(std::chrono::microseconds(200));  // room for other threads
    std::lock_guard lock(m);
    seen.emplace_back(std::this_thread::get_id(), v);
  });
  set_background_priority(false);
  EXPECT_EQ(seen.size(), 64u);
  for (const auto& [id, v] : seen) {
    if (id == self)
      EXPECT_EQ(v, mine);
    else
      EXPECT_GE(v, 10);
  }
  EXPECT_EQ(nice_of_this_thread(), mine);
}

struct Case {
  CellType cell;
  GruVariant variant;
  int k1, k2;
};

std::string case_name(const Case& c) {
  std::string s(to_string(c.cell));
  if (c.cell == CellType::Gru) s += "_" + std::string(to_string(c.variant));
  if (c.k1) s += "_tbptt" + std::to_string(c.k1) + "_" + std::to_string(c.k2);
  return s;
}

// B 100: six shards of 16 or 17 sequences, uneven on purpose (and more than two, so that a
// changed order of sums would show); two layers.
ExperimentConfig sharded(const Case& c, TaskKind kind, Precision precision) {
  ExperimentConfig e;
  e.model.cell = c.cell;
  e.model.gru_variant = c.variant;
  e.model.name = case_name(c);
  e.model.hidden_size = 5;
  e.model.layers = 2;
  e.task = default_task_spec(kind);
  e.task.length = 9;
  e.training.batch_size = 100;
  e.training.precision = precision;
  e.training.k1 = c.k1;
  e.training.k2 = c.k2;
  e.training.optimizer.kind = OptimizerKind::Adam;
  e.training.optimizer.learning_rate = 0.01;
  e.training.clip = {ClipMode::Norm, 1.0};
  e.training.seed = 11;
  return e;
}

void configure(Trainer& tr, const ExperimentConfig& c) {
  std::string error;
  ASSERT_TRUE(tr.configure(c, 0, &error)) << error;
}

void expect_same_trainer(const Trainer& a, const Trainer& b) {
  EXPECT_EQ(a.iteration(), b.iteration());
  EXPECT_EQ(a.last_loss(), b.last_loss());
  EXPECT_TRUE(same_bits(a.grads(), b.grads())) << "gradients";
  EXPECT_TRUE(same_bits(a.network().params(), b.network().params())) << "weights";
  expect_same_trace(a.trace(), b.trace());
  expect_same_grad_trace(a.grad_trace(), b.grad_trace());
}

// One iteration one time step at a time (the profile as its own sweep).
void step_iteration(Trainer& tr) {
  while (tr.phase() == Phase::Ready || tr.phase() == Phase::Forward) ASSERT_TRUE(tr.step_forward());
  while (tr.phase() == Phase::Backward) ASSERT_TRUE(tr.step_backward());
  ASSERT_TRUE(tr.apply_update());
}

class Sharded : public ::testing::TestWithParam<Case> {};

TEST_P(Sharded, AnyThreadCountGivesTheSameBits) {
  for (auto [kind, precision] : {std::pair{TaskKind::Sine, Precision::Float64},
                                 std::pair{TaskKind::Recall, Precision::Float64},
                                 std::pair{TaskKind::Sine, Precision::Float32},
                                 std::pair{TaskKind::Recall, Precision::Float32}}) {
    SCOPED_TRACE(std::string(to_string(kind)) + " " + std::string(to_string(precision)));
    const ExperimentConfig c = sharded(GetParam(), kind, precision);
    Trainer one;
    {
      Threads n(1);
      configure(one, c);
      for (int it = 0; it < 3; ++it) ASSERT_TRUE(one.run_iteration());
      if (precision == Precision::Float64) {
        EXPECT_EQ(one.trace().shards.size(), 6u);
      }
    }
    for (int threads : {2, 16}) {
      SCOPED_TRACE(std::to_string(threads) + " threads");
      Threads n(threads);
      Trainer many;
      configure(many, c);
      for (int it = 0; it < 3; ++it) ASSERT_TRUE(many.run_iteration());
      expect_same_trainer(one, many);
    }
  }
}

TEST_P(Sharded, SteppingEqualsWholeIterations) {
  Threads n(2);
  for (Precision precision : {Precision::Float64, Precision::Float32}) {
    SCOPED_TRACE(std::string(to_string(precision)));
    const ExperimentConfig c = sharded(GetParam(), TaskKind::Recall, precision);
    Trainer whole, stepped;
    configure(whole, c);
    configure(stepped, c);
    for (int it = 0; it < 3; ++it) {
      ASSERT_TRUE(whole.run_iteration());
      step_iteration(stepped);
      expect_same_trainer(whole, stepped);
    }
    // Half stepped, then finished whole: a few forward steps, a few backward steps, the rest.
    ASSERT_TRUE(whole.run_iteration());
    for (int k = 0; k < 3; ++k) ASSERT_TRUE(stepped.step_forward());
    ASSERT_TRUE(stepped.run_iteration());
    expect_same_trainer(whole, stepped);
    ASSERT_TRUE(whole.run_iteration());
    while (stepped.phase() != Phase::Backward) ASSERT_TRUE(stepped.step_forward());
    for (int k = 0; k < 4; ++k) ASSERT_TRUE(stepped.step_backward());
    ASSERT_TRUE(stepped.run_iteration());
    expect_same_trainer(whole, stepped);
  }
}

// Interrupted between time steps (core/interrupt.hpp: the worker's stop, pause and commands)
// and resumed, whole or by stepping, an iteration gives the same bits as one run straight
// through: sharded (the shards stop at different steps) and not, in both precisions.
TEST_P(Sharded, InterruptedIterationsResumeToTheSameBits) {
  Threads n(2);
  for (int B : {100, 4})
    for (Precision precision : {Precision::Float64, Precision::Float32}) {
      SCOPED_TRACE(std::string(to_string(precision)) + ", B " + std::to_string(B));
      ExperimentConfig c = sharded(GetParam(), TaskKind::Recall, precision);
      c.training.batch_size = B;
      Trainer whole, cut;
      configure(whole, c);
      configure(cut, c);
      Interrupt stop;
      for (int it = 0; it < 3; ++it) {
        ASSERT_TRUE(whole.run_iteration());
        int interruptions = 0;
        for (int k = 0; cut.iteration() == it; ++k) {
          stop.raise_after(2 + (k + it) % 5);
          ASSERT_TRUE(cut.run_iteration(&stop));
          if (cut.iteration() > it) break;
          ++interruptions;
          if (k % 3 == 1) {  // step mode after an interruption, as the app's step keys would
            if (cut.phase() == Phase::Forward) {
              ASSERT_TRUE(cut.step_forward());
            }
            if (cut.phase() == Phase::Backward) {
              ASSERT_TRUE(cut.step_backward());
            }
          }
        }
        EXPECT_GT(interruptions, 2);
        ASSERT_EQ(cut.iteration(), it + 1);
        expect_same_trainer(whole, cut);
      }
      // Raised before the iteration: no time step starts.
      stop.raise();
      const int64_t before = stop.steps_started();
      ASSERT_TRUE(cut.run_iteration(&stop));
      EXPECT_EQ(cut.phase(), Phase::Forward);
      EXPECT_EQ(cut.forward_t(), 0);
      EXPECT_EQ(stop.steps_started(), before);
    }
}

// The app's frame holds training that uses every core (core/interrupt.hpp: hold): a time step
// waits while held and starts once released; a raise (a command, stop()) ends the wait at once
// and stops it. (Nothing here is timed: a held step that started anyway would set `started`
// before the release, which the check after the pause catches when the hold is broken; the
// hold's own time-out, 50 ms in the app, is set beyond any pause here.)
TEST(Interrupt, AHeldStepWaitsForTheReleaseAndARaiseStopsIt) {
  for (bool raise : {false, true}) {
    Interrupt stop;
    stop.hold(std::chrono::minutes(10));  // no time-out, however slow the machine
    std::atomic<bool> started{false};
    bool stopped = false;
    std::thread step([&] {
      stopped = stop.stop_here();
      started = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_FALSE(started.load()) << "a held step must wait";
    raise ? stop.raise() : stop.release();
    step.join();
    EXPECT_EQ(stopped, raise);
    EXPECT_EQ(stop.steps_started(), raise ? 0 : 1);
  }
}

INSTANTIATE_TEST_SUITE_P(Cells, Sharded,
                         ::testing::Values(Case{CellType::Rnn, GruVariant::ResetBefore, 0, 0},
                                           Case{CellType::Lstm, GruVariant::ResetBefore, 0, 0},
                                           Case{CellType::Gru, GruVariant::ResetBefore, 0, 0},
                                           Case{CellType::Gru, GruVariant::ResetAfter, 0, 0},
                                           Case{CellType::Rnn, GruVariant::ResetBefore, 3, 5},
                                           Case{CellType::Lstm, GruVariant::ResetBefore, 3, 5},
                                           Case{CellType::Gru, GruVariant::ResetBefore, 4, 4},
                                           Case{CellType::Gru, GruVariant::ResetAfter, 3, 5}),
                         [](const auto& info) { return case_name(info.param); });

// The folded profile (one descent, the trace read once) and the profile's own sweep give the
// same numbers, sharded or not, in both precisions.
template <class S>
void expect_fold_changes_nothing(const testing_support::GradCase& gc, int B) {
  const NetworkSpec spec = spec_for(gc, 2, 4, 3);
  Rng rng(5);
  Params p = make_params(spec);
  randomize(p, rng, 0.6);
  const Batch batch = random_batch(spec, 7, B, rng);
  NetworkT<S> net(spec);
  BatchT<S> b;
  if constexpr (std::is_same_v<S, double>) {
    net.params() = p;
    b = batch;
  } else {
    cast_params(net.params(), p);
    cast_batch(b, batch);
  }
  TraceT<S> trace;
  net.forward(trace, b);
  ParamsT<S> g_sep, g_fold;
  GradTraceT<S> gt_sep, gt_fold;
  net.backward(g_sep, gt_sep, trace, b, {0, 0, true, false});
  net.backward(g_fold, gt_fold, trace, b, {0, 0, true, true});
  Params gs, gf;
  cast_params(gs, g_sep);
  cast_params(gf, g_fold);
  EXPECT_TRUE(same_bits(gs, gf));
  GradTrace a, c;
  if constexpr (std::is_same_v<S, double>) {
    a = gt_sep;
    c = gt_fold;
  } else {
    cast_grad_trace(a, gt_sep);
    cast_grad_trace(c, gt_fold);
  }
  expect_same_grad_trace(a, c);
  EXPECT_GT(a.profile.norm(), 0);
}

TEST(FoldedProfile, EqualsItsOwnSweep) {
  for (const auto& gc : testing_support::cell_cases()) {
    for (int B : {3, 80}) {
      SCOPED_TRACE(testing_support::case_name(gc) + " B " + std::to_string(B));
      auto c = gc;
      c.layers = 2;
      expect_fold_changes_nothing<double>(c, B);
      expect_fold_changes_nothing<float>(c, B);
    }
  }
}

// The sharded gradient is the gradient: central differences in double on a batch of 64 (four
// shards), a few entries of every tensor.
TEST(Sharded, GradientMatchesCentralDifferences) {
  for (auto gc : testing_support::cell_cases()) {
    for (LossKind loss : {LossKind::Mse, LossKind::CrossEntropy}) {
      gc.layers = 2;
      gc.loss = loss;
      SCOPED_TRACE(testing_support::case_name(gc));
      const NetworkSpec spec = spec_for(gc, 2, 4, 3);
      Rng rng(3);
      Params p = make_params(spec);
      randomize(p, rng, 0.5);
      const Batch batch = random_batch(spec, 5, 64, rng);
      Network net(spec, p);
      Trace trace;
      net.forward(trace, batch);
      ASSERT_EQ(trace.shards.size(), 4u);
      Params grads;
      GradTrace gt;
      net.backward(grads, gt, trace, batch, {0, 0, false});
      auto grad_tensors = grads.tensors();
      auto tensors = net.params().tensors();
      for (size_t k = 0; k < tensors.size(); ++k) {
        for (Eigen::Index i = 0; i < tensors[k].size(); i += 7) {
          const double keep = tensors[k].data[i], eps = 1e-5;
          Trace tr;
          tensors[k].data[i] = keep + eps;
          net.forward(tr, batch);
          const double up = tr.loss;
          tensors[k].data[i] = keep - eps;
          net.forward(tr, batch);
          const double down = tr.loss;
          tensors[k].data[i] = keep;
          EXPECT_NEAR(grad_tensors[k].data[i], (up - down) / (2 * eps), 1e-8)
              << tensors[k].name << "[" << i << "]";
        }
      }
    }
  }
}

// Compare mode: the worker trains its three models in parallel; each ends as if trained alone.
TEST(CompareMode, ModelsTrainedInParallelEqualEachTrainedAlone) {
  ExperimentConfig c =
      sharded({CellType::Rnn, GruVariant::ResetBefore, 0, 0}, TaskKind::Recall, Precision::Float32);
  c.training.batch_size = 128;  // 8 shards: a changed order of sums would show
  for (CellType cell : {CellType::Lstm, CellType::Gru}) {
    ModelConfig m = c.model;
    m.cell = cell;
    m.name = std::string(to_string(cell));
    c.compare.push_back(m);
  }
  std::vector<Params> alone;
  {
    Threads n(1);
    for (int k = 0; k < 3; ++k) {
      Trainer t;
      std::string error;
      ASSERT_TRUE(t.configure(c, k, &error)) << error;
      for (int it = 0; it < 3; ++it) ASSERT_TRUE(t.run_iteration());
      alone.push_back(t.network().params());
    }
  }
  for (int threads : kThreadCounts) {
    SCOPED_TRACE(std::to_string(threads) + " threads");
    Threads n(threads);
    TrainingWorker worker;
    std::string error;
    ASSERT_TRUE(worker.start(c, &error)) << error;
    worker.send(cmd::RunIterations{3});
    worker.wait_idle();
    const auto snap = worker.latest();
    ASSERT_EQ(snap->models.size(), 3u);
    for (int k = 0; k < 3; ++k) {
      EXPECT_EQ(snap->models[k].iteration, 3);
      EXPECT_TRUE(same_bits(snap->models[k].params, alone[k])) << "model " << k;
    }
  }
}

// The sweep runs its (lag, model) runs in parallel: the same results, in the same order.
TEST(SweepRuns, AnyThreadCountGivesTheSameResultsInTheSameOrder) {
  SweepSpec spec;
  spec.base =
      sharded({CellType::Rnn, GruVariant::ResetBefore, 0, 0}, TaskKind::Recall, Precision::Float32);
  spec.base.training.batch_size = 96;  // 6 shards
  ModelConfig lstm = spec.base.model;
  lstm.cell = CellType::Lstm;
  lstm.name = "LSTM";
  spec.base.compare.push_back(lstm);
  spec.lags = {3, 5, 7};
  spec.iterations = 4;
  spec.eval_batches = 2;
  std::vector<SweepResult> first;
  for (int threads : kThreadCounts) {
    SCOPED_TRACE(std::to_string(threads) + " threads");
    Threads n(threads);
    Sweep sweep;
    std::string error;
    ASSERT_TRUE(sweep.start(spec, &error)) << error;
    while (sweep.running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const auto results = sweep.results();
    ASSERT_EQ(results.size(), 6u);
    for (size_t i = 0; i < results.size(); ++i) {
      EXPECT_EQ(results[i].lag, spec.lags[i / 2]);
      EXPECT_EQ(results[i].model, static_cast<int>(i % 2));
    }
    if (first.empty()) {
      first = results;
      continue;
    }
    for (size_t i = 0; i < results.size(); ++i) {
      EXPECT_EQ(results[i].loss, first[i].loss) << i;
      EXPECT_EQ(results[i].iterations, first[i].iterations) << i;
    }
  }
}

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// --threads N on the command line: accepted by every subcommand, refused outside 1..256 with one
// message, and the numbers (metrics, decay profile, saved weights) the same with 1 and 2 threads.
TEST(CommandLine, ThreadsIsValidatedAndChangesNoNumber) {
  using testing_support::run_exe;
  testing_support::TempDir dir("threads");
  for (const std::string bad : {"0", "257", "two", "1.5", ""}) {
    const auto r = run_exe("train --preset adding --iterations 1 --threads '" + bad + "'", true);
    EXPECT_EQ(r.code, 2) << bad;
    EXPECT_NE(r.out.find("--threads"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("1 to 256"), std::string::npos) << r.out;
  }
  const auto missing = run_exe("train --preset adding --iterations 1 --threads", true);
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.out.find("needs a value"), std::string::npos) << missing.out;
  std::vector<std::string> outputs;
  for (const std::string threads : {"1", "2"}) {
    const std::string tag = dir / ("t" + threads);
    // The adding lesson trains B 32 (2 shards of 16: the numbers must not change with the threads);
    // --threads may come before or after the command.
    const auto r =
        run_exe("--threads " + threads + " train --preset adding --iterations 3 --metrics " + tag +
                ".csv --profile " + tag + "_p.csv --save " + tag + ".json");
    ASSERT_EQ(r.code, 0) << r.out;
    outputs.push_back(slurp(tag + ".csv") + slurp(tag + "_p.csv") + slurp(tag + ".json"));
    EXPECT_GT(outputs.back().size(), 100u);
  }
  EXPECT_EQ(outputs[0], outputs[1]);
  EXPECT_EQ(run_exe("--help --threads=3").code, 0);
}

}  // namespace
}  // namespace unrolled
