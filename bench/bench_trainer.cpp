// Unrolled benchmark: what a user waits for, whole, with 1 thread and with more.
//
// Legend: B batch, T steps, H hidden.
//
// [SECTION] What is measured
//   BM_Trainer/adding_T100_H64/threads:<n>
//     Trainer::run_iteration on the adding lesson (samples/adding.json with H 64, T 100: an LSTM,
//     B 32, float32, Adam, norm clipping): the data, the forward pass, BPTT with the folded decay
//     profile, clipping, the update and the history. The batch's 2 shards of 16 run on the pool.
//     Counter `it/s`: iterations per second.
//   BM_Compare/adding_T100_H64_x3/threads:<n>
//     compare mode with three models on the same lesson (LSTM, GRU, vanilla RNN, each H 64): one
//     iteration of each, the models in parallel as the app's TrainingWorker::train_one runs them.
//     Counter `it/s`: iterations of all three per second.
//   BM_Sweep/compare_lags10-20-40_it100/threads:<n>
//     the dependency-length sweep (core/sweep) on the compare lesson (samples/compare.json:
//     vanilla RNN against LSTM, H 32, recall), lags 10, 20 and 40, 100 iterations per run and 8
//     held-out batches: 6 runs, in parallel on the pool. The time is the sweep's wall time.
//   n runs over 1, 2 and the machine's core count; results are the same bits for every n.
//
// [SECTION] How to run (Release build)
//   ./build/bench/unrolled_bench --benchmark_filter='BM_(Trainer|Compare|Sweep)'
//       --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/experiment.hpp"
#include "core/parallel.hpp"
#include "core/sweep.hpp"
#include "core/trainer.hpp"

namespace {

using unrolled::ExperimentConfig;

// A built-in lesson by name (samples/<name>.json, embedded).
ExperimentConfig lesson(const std::string& name) {
  ExperimentConfig c;
  for (const auto& [preset, text] : unrolled::embedded_presets())
    if (preset == name) unrolled::parse_experiment_text(text, name + ".json", c, nullptr);
  return c;
}

// The adding lesson at T 100, H 64 (README: the trainer's figures).
ExperimentConfig adding_t100_h64() {
  ExperimentConfig c = lesson("adding");
  c.model.hidden_size = 64;
  c.task.length = 100;
  return c;
}

// Trainers for every model of c (the main one, then the compared ones).
bool configure_all(const ExperimentConfig& c, std::vector<std::unique_ptr<unrolled::Trainer>>& out,
                   benchmark::State& state) {
  out.clear();
  for (int k = 0; k <= static_cast<int>(c.compare.size()); ++k) {
    out.push_back(std::make_unique<unrolled::Trainer>());
    std::string error;
    if (!out.back()->configure(c, k, &error)) {
      state.SkipWithError(error.c_str());
      return false;
    }
  }
  return true;
}

// [SECTION] BM_Trainer, BM_Compare

void BM_Trainers(benchmark::State& state, ExperimentConfig c, int threads) {
  unrolled::set_thread_count(threads);
  std::vector<std::unique_ptr<unrolled::Trainer>> trainers;
  if (!configure_all(c, trainers, state)) return;
  const int n = static_cast<int>(trainers.size());
  for (auto _ : state) {
    // As TrainingWorker::train_one: one task per model, each spreading its batch shards.
    unrolled::parallel_for(n, [&](int i) { trainers[i]->run_iteration(); });
  }
  state.counters["it/s"] = benchmark::Counter(1, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["loss"] = trainers[0]->last_loss();
  unrolled::set_thread_count(1);
}

// [SECTION] BM_Sweep

void BM_Sweep(benchmark::State& state, int threads) {
  unrolled::set_thread_count(threads);
  unrolled::SweepSpec spec;
  spec.base = lesson("compare");
  spec.lags = {10, 20, 40};
  spec.iterations = 100;
  spec.eval_batches = 8;
  for (auto _ : state) {
    unrolled::Sweep sweep;
    std::string error;
    if (!sweep.start(spec, &error)) {
      state.SkipWithError(error.c_str());
      break;
    }
    while (sweep.running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    benchmark::DoNotOptimize(sweep.results());
  }
  unrolled::set_thread_count(1);
}

// Registered before main() runs (bench_step.cpp's main calls benchmark::Initialize).
const bool kRegistered = [] {
  std::vector<int> counts{1, 2};
  if (unrolled::hardware_threads() > 2) counts.push_back(unrolled::hardware_threads());
  ExperimentConfig compare = adding_t100_h64();
  for (auto [cell, name] : {std::pair{unrolled::CellType::Gru, "GRU"},
                            std::pair{unrolled::CellType::Rnn, "vanilla RNN"}}) {
    unrolled::ModelConfig m = compare.model;
    m.cell = cell;
    m.name = name;
    compare.compare.push_back(m);
  }
  for (int n : counts) {
    const std::string t = "/threads:" + std::to_string(n);
    benchmark::RegisterBenchmark(("BM_Trainer/adding_T100_H64" + t).c_str(), BM_Trainers,
                                 adding_t100_h64(), n)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("BM_Compare/adding_T100_H64_x3" + t).c_str(), BM_Trainers,
                                 compare, n)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("BM_Sweep/compare_lags10-20-40_it100" + t).c_str(), BM_Sweep, n)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->Iterations(1);
  }
  return true;
}();

}  // namespace
