// Unrolled benchmark: time travel, what a class waits for when it drags back to a past iteration.
//
// Legend: B batch, T steps, H hidden, n the iteration viewed, c its checkpoint, R the store's
//         recent window (core/checkpoints.hpp).
//
// [SECTION] What is measured
//   BM_Recompute/<lesson>/<case>
//     recompute_view (app/session/time_travel.hpp) for one model after 1000 iterations recorded
//     as the worker records them (a checkpoint before every iteration, into the 64 MB store):
//     restore the checkpoint, replay n - c iterations (all but the last lean: no decay profile,
//     no history row; Trainer::run_lean_iteration), fill the ModelView and the spectra. The
//     Jacobian products (the Jacobian panel's analysis) are left out: they cost the same live
//     (the worker computes them for every snapshot while that panel shows), 590 ms for the LSTM
//     H 64, T 100 on the reference machine. Cases:
//       recent   n = 999, one before the live run's 1000: its checkpoint (998) is one of the R
//                most recent, so one iteration is replayed
//       worst    n just below the widest-spaced checkpoint after n = 0 (the longest replay the
//                store can ask for at 1000 iterations; the counter `replayed` says how many)
//     Lessons: default (samples/default.json: LSTM H 32, recall T 21, B 32) and adding_T100_H64
//     (the issue-17 benchmark LSTM, samples/adding.json at H 64, T 100, B 32, float32).
//     The setup (1000 training iterations) is not timed.
//   Counter `R`: the store's recent window; `checkpoints`: how many it holds.
//   BM_ScrubRelease/<lesson>
//     What the slider's release costs in the app: a real TrainingWorker after 1000 iterations,
//     cmd::ViewIteration of the worst n above. Counters: `quick_ms`, from the send until the
//     worker has published the nearest checkpoint's iteration (one replay, the first redraw);
//     `exact_ms`, until the exact n is published (replayed in the background, between commands,
//     on from the quick view's iteration);
//     `command_ms`, how long a command sent during that replay waits (cmd::BackToLive). Spectra
//     asked for, as with the Spectrum panel open. `quick_cpu_ms`, `exact_cpu_ms`: the process's
//     CPU time over the same spans (the worker's; the benchmark's thread waits), what the wall
//     times come to on an idle machine (the worker runs at idle priority, so on a loaded one its
//     wall times stretch).
//
// [SECTION] How to run (Release build)
//   ./build/bench/unrolled_bench --benchmark_filter='BM_ScrubRelease|BM_Recompute'
//   (BM_Recompute's CPU column and BM_ScrubRelease's *_cpu_ms are what an idle machine's wall
//   times come to; report the load average, `cat /proc/loadavg`, beside the wall times)
#include <benchmark/benchmark.h>

#include <time.h>

#include <chrono>
#include <memory>
#include <string>

#include "app/session/commands.hpp"
#include "app/session/time_travel.hpp"
#include "app/session/training_worker.hpp"
#include "core/experiment.hpp"
#include "core/trainer.hpp"

namespace {

using namespace unrolled;

ExperimentConfig named_lesson(const std::string& name) {
  ExperimentConfig c;
  for (const auto& [preset, text] : embedded_presets())
    if (preset == name) parse_experiment_text(text, name + ".json", c, nullptr);
  return c;
}

ExperimentConfig bench_lesson(int which) {
  if (which == 0) return default_experiment();
  ExperimentConfig c = named_lesson("adding");
  c.model.hidden_size = 64;
  c.task.length = 100;
  c.training.batch_size = 32;
  return c;
}

// The iteration just below the widest gap between a store's checkpoints (the longest replay).
int64_t worst_view(const CheckpointStore& store) {
  int64_t best_gap = 0, prev = -1, n = 0;
  for (const Checkpoint* c : store.all()) {
    const int64_t j = c->state.iteration;
    if (prev >= 0 && j - prev > best_gap) {
      best_gap = j - prev;
      n = j;  // viewing n replays from prev: n - prev iterations
    }
    prev = j;
  }
  return n;
}

// A trained run with its checkpoints, built once per lesson.
struct Run {
  ExperimentConfig config;
  std::unique_ptr<Trainer> trainer = std::make_unique<Trainer>();
  std::unique_ptr<CheckpointStore> store;
};

Run& run_for(int which) {
  static std::unique_ptr<Run> runs[2];
  if (!runs[which]) {
    auto r = std::make_unique<Run>();
    r->config = bench_lesson(which);
    std::string e;
    r->trainer->configure(r->config, 0, &e);
    r->store = std::make_unique<CheckpointStore>(CheckpointStore::checkpoint_bytes_for(*r->trainer),
                                                 kDefaultCheckpointBudget);
    for (int i = 0; i < 1000; ++i) {
      r->store->record(*r->trainer);
      r->trainer->run_iteration();
    }
    runs[which] = std::move(r);
  }
  return *runs[which];
}

void BM_Recompute(benchmark::State& state) {
  const int which = static_cast<int>(state.range(0));
  const bool worst = state.range(1) != 0;
  Run& r = run_for(which);
  int64_t n = r.trainer->iteration() - 1;
  if (worst) n = worst_view(*r.store);  // just below the checkpoint after the widest gap
  const int64_t c = r.store->at_or_before(n - 1)->state.iteration;
  Trainer scratch;
  ModelView view;
  const ViewRequest request{0, true, -1};
  for (auto _ : state) {
    std::string e;
    if (!recompute_view(r.config, 0, *r.store, n, r.trainer->iteration(), request,
                        r.trainer->history(), scratch, view, &e))
      state.SkipWithError(e.c_str());
    benchmark::DoNotOptimize(view.loss);
  }
  state.counters["replayed"] = static_cast<double>(n - c);
  state.counters["R"] = r.store->recent();
  state.counters["checkpoints"] = static_cast<double>(r.store->count());
}

BENCHMARK(BM_Recompute)
    ->ArgsProduct({{0, 1}, {0, 1}})
    ->ArgNames({"lesson", "worst"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The process's CPU time in ms: while the benchmark's thread waits, the worker's.
double process_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) * 1e-6;
}

void BM_ScrubRelease(benchmark::State& state) {
  using Clock = std::chrono::steady_clock;
  const auto ms = [](Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
  TrainingWorker w;
  std::string e;
  if (!w.start(bench_lesson(static_cast<int>(state.range(0))), &e)) {
    state.SkipWithError(e.c_str());
    return;
  }
  w.send(cmd::SetAnalysis{.spectra = true, .jacobian_layer = -1});
  w.send(cmd::RunIterations{1000});
  w.wait_idle();
  const int64_t n = worst_view(w.checkpoints(0));
  double quick = 0, exact = 0, command = 0, quick_cpu = 0, exact_cpu = 0;
  for (auto _ : state) {
    const double c0 = process_cpu_ms();
    auto t0 = Clock::now();
    w.send(cmd::ViewIteration{n, false});
    w.wait_idle();
    const auto t1 = Clock::now();
    const double c1 = process_cpu_ms();
    w.wait_view();
    const auto t2 = Clock::now();
    const double c2 = process_cpu_ms();
    quick += ms(t1 - t0);
    exact += ms(t2 - t0);
    quick_cpu += c1 - c0;
    exact_cpu += c2 - c0;
    if (w.latest()->viewing != n) state.SkipWithError("the exact view did not arrive");
    // A command during the replay.
    w.send(cmd::BackToLive{});
    w.send(cmd::ViewIteration{n, false});
    w.wait_idle();
    t0 = Clock::now();
    w.send(cmd::BackToLive{});
    w.wait_idle();
    command += ms(Clock::now() - t0);
  }
  const double k = static_cast<double>(state.iterations());
  state.counters["quick_ms"] = quick / k;
  state.counters["exact_ms"] = exact / k;
  state.counters["quick_cpu_ms"] = quick_cpu / k;
  state.counters["exact_cpu_ms"] = exact_cpu / k;
  state.counters["command_ms"] = command / k;
  state.counters["n"] = static_cast<double>(n);
  state.counters["replayed"] =
      static_cast<double>(n - w.checkpoints(0).at_or_before(n - 1)->state.iteration);
}

BENCHMARK(BM_ScrubRelease)
    ->Arg(0)
    ->Arg(1)
    ->ArgName("lesson")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

}  // namespace
