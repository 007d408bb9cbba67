// Unrolled benchmark: one full training step, its matrix products (the engine's own and Eigen's,
// the roofline), and the core's arithmetic peak.
//
// Legend: B batch, T steps, I input, H hidden, O output (1), G gate blocks (vanilla 1, LSTM 4,
//         GRU 3). One layer, readout at every step, MSE loss.
//
// [SECTION] What is measured
//   BM_Step/<cell>/I<I>_H<H>_T<T>_B<B>/profile:<0|1>/threads:<n>/<f32|f64>
//     forward (T steps) + full BPTT + plain SGD (p -= lr * g over every tensor), on a fixed batch
//     of N(0, 1) inputs and targets, weights from the uniform init with a fixed seed, in the
//     engine's float (f32: NetworkT<float>) or double (f64: Network) instantiation. Trace,
//     GradTrace, grads and the BackwardPass live outside the timed loop and are reused, as the
//     trainer does.
//     (The float32 trainer also casts the double master weights to float and the float gradients
//     back each iteration: a few thousand values, not included here.)
//     profile:1 also computes the decay profile, folded into BPTT as the trainer's whole
//     iterations do (BackwardOptions::fold_profile); profile:0 does not, so the difference is the
//     profile's cost. threads:n sets the process-wide thread count (core/parallel): B 32 is cut
//     into 2 shards of 16 sequences whatever n is, so every n computes the same bits; times are
//     wall-clock (UseRealTime). n runs over 1, 2 and the machine's core count.
//     Counters: the benchmark's own time per step (ms), and `flops` = achieved FLOP/s under the
//     model below.
//   BM_Roofline/<cell>/I<I>_H<H>_T<T>_B<B>/<kind>_M<m>_K<k>_N<n>/<f32|f64>
//     a bare Eigen product with the shape of one of the case's GEMMs, done as often as the step
//     does it (T times), reporting its FLOP/s: what Eigen reaches on this machine for that shape,
//     in float and in double.
//       recurrent      pre (GH, B) += W_h (GH, H) · h (H, B)           forward, every step
//       recurrent_t    dh (H, B)    = W_hᵀ (H, GH) · dpre (GH, B)      backward, every step
//       wgrad          dW_h (GH, H) += dpre (GH, B) · hᵀ (B, H)         backward, every step
//       wgrad_batched  dW_h (GH, H) += dpre (GH, T·B) · hᵀ (T·B, H)     the same sum as one GEMM
//   BM_Kernel/<cell>/.../<kind>_M<m>_K<k>_N<n>/<f32|f64>
//     the same products through the engine's register-blocked loops (core/gemm.hpp), which the
//     step uses; W_hᵀ is made once outside the loop, as BPTT makes it once per backward pass.
//   BM_PeakFma/<f32|f64>
//     12 independent chains of packet multiply-adds and no memory traffic: the most FLOP/s one
//     core can do at all, the ceiling for every figure above.
//
// [SECTION] FLOP model (only the GEMM work counts as useful)
//   forward per time step  2·G·H·(I+H)·B   (LSTM 8·B·H·(I+H), GRU 6·B·H·(I+H), vanilla 2·B·H·(I+H))
//   backward               2 × forward     (dx/dh products + weight gradients)
//   one step               3 × forward × T ; the decay-profile sweep is not counted.
//
// [SECTION] Threads
//   Eigen's own products stay single-threaded: Eigen::setNbThreads(1) in main(). (Without
//   -fopenmp Eigen's GEMM is single-threaded anyway; the call pins it should the build ever enable
//   OpenMP.) Only BM_Step uses more threads, through the engine's batch shards (threads:n); every
//   other benchmark runs with one. The SIMD sets Eigen compiled for are printed in the context
//   header as eigen_simd.
//
// [SECTION] How to run (Release build)
//   cmake -S . -B build -DUNROLLED_GUI=OFF -DUNROLLED_TESTS=OFF -DCMAKE_BUILD_TYPE=Release
//   cmake --build build -j2 --target unrolled_bench
//   ./build/bench/unrolled_bench --benchmark_min_time=0.5        # libbenchmark 1.7 (Debian 12)
//   ./build/bench/unrolled_bench --benchmark_min_time=0.5s       # libbenchmark >= 1.8
//   taskset -c 1 ./build/bench/unrolled_bench --benchmark_filter='BM_Step/lstm/I1_H64'
//       --benchmark_repetitions=5      (one core: the machine's other core builds)
//   The build uses -march=native by default (UNROLLED_NATIVE); -DUNROLLED_NATIVE=OFF measures the
//   portable SSE2 build.
#include <benchmark/benchmark.h>

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "core/gemm.hpp"
#include "core/init.hpp"
#include "core/network.hpp"
#include "core/parallel.hpp"
#include "core/rng.hpp"

namespace {

using unrolled::Mat;
template <class S>
using MatT = unrolled::MatT<S>;

template <class S>
const char* precision_name() {
  return std::is_same_v<S, float> ? "f32" : "f64";
}

constexpr uint64_t kWeightSeed = 1234;
constexpr uint64_t kDataSeed = 5678;
constexpr double kLearningRate = 1e-3;

struct Case {
  unrolled::CellType cell;
  int I, H, T, B;

  int G() const { return unrolled::gate_blocks(cell); }
  std::string name() const {
    return std::string(unrolled::to_string(cell)) + "/I" + std::to_string(I) + "_H" +
           std::to_string(H) + "_T" + std::to_string(T) + "_B" + std::to_string(B);
  }
  // FLOPs of the forward pass over all T steps, under the model in the header.
  double forward_flops() const { return 2.0 * G() * H * (I + H) * B * T; }
  double step_flops() const { return 3.0 * forward_flops(); }
};

std::vector<Case> cases() {
  std::vector<Case> out;
  for (int H : {64, 256})
    for (auto cell : {unrolled::CellType::Lstm, unrolled::CellType::Gru, unrolled::CellType::Rnn})
      out.push_back({cell, 1, H, 100, 32});
  return out;
}

// A flop count reported as achieved FLOP/s (printed as e.g. "3.2G/s").
benchmark::Counter flop_rate(double flops_per_iteration) {
  return benchmark::Counter(flops_per_iteration, benchmark::Counter::kIsIterationInvariantRate,
                            benchmark::Counter::kIs1000);
}

// [SECTION] BM_Step

template <class S>
void BM_Step(benchmark::State& state, Case c, bool profile, int threads) {
  unrolled::set_thread_count(threads);
  unrolled::NetworkSpec spec;
  spec.cell = c.cell;
  spec.input_size = c.I;
  spec.hidden_size = c.H;
  spec.output_size = 1;
  spec.num_layers = 1;
  spec.readout = unrolled::Readout::Every;
  spec.loss = unrolled::LossKind::Mse;

  unrolled::Params params = unrolled::make_params(spec);
  unrolled::Rng weight_rng(kWeightSeed);
  unrolled::initialize(params, spec, unrolled::InitSettings{}, weight_rng);  // uniform init
  unrolled::NetworkT<S> net(spec);
  unrolled::cast_params(net.params(), params);

  unrolled::Batch batch_d;
  unrolled::Rng data_rng(kDataSeed);
  batch_d.inputs.resize(c.T);
  batch_d.targets.resize(c.T);
  for (int t = 0; t < c.T; ++t) {
    batch_d.inputs[t] = Mat::NullaryExpr(c.I, c.B, [&] { return data_rng.normal(); });  // (I, B)
    batch_d.targets[t] = Mat::NullaryExpr(1, c.B, [&] { return data_rng.normal(); });   // (O, B)
  }
  unrolled::BatchT<S> batch;
  if constexpr (std::is_same_v<S, double>)
    batch = batch_d;
  else
    unrolled::cast_batch(batch, batch_d);
  if (const std::string err = net.validate(batch); !err.empty()) {
    state.SkipWithError(err.c_str());
    return;
  }

  // Reused across iterations, like the trainer's buffers.
  unrolled::TraceT<S> trace;
  unrolled::GradTraceT<S> grad_trace;
  unrolled::ParamsT<S> grads = unrolled::ParamsT<S>::zeros_like(net.params());
  unrolled::BackwardOptions options;  // full BPTT
  options.profile = profile;
  options.fold_profile = true;  // as Trainer::run_iteration

  unrolled::BackwardPassT<S> pass;  // kept, as the trainer keeps its pass (and its buffers)
  for (auto _ : state) {
    net.forward(trace, batch);
    pass.begin(net, trace, batch, options, grads, grad_trace);
    pass.finish();
    const auto p = net.params().tensors();
    const auto g = grads.tensors();
    for (size_t k = 0; k < p.size(); ++k)
      p[k].array() -= static_cast<S>(kLearningRate) * g[k].array();
    benchmark::ClobberMemory();
  }
  state.counters["flops"] = flop_rate(c.step_flops());
  state.counters["loss"] = trace.loss;  // last step's loss: finite and not exploding
  unrolled::set_thread_count(1);        // the other benchmarks are single-threaded
}

// [SECTION] BM_Roofline

enum class Gemm { Recurrent, RecurrentT, WeightGrad, WeightGradBatched };

const char* gemm_name(Gemm k) {
  switch (k) {
    case Gemm::Recurrent:
      return "recurrent";
    case Gemm::RecurrentT:
      return "recurrent_t";
    case Gemm::WeightGrad:
      return "wgrad";
    case Gemm::WeightGradBatched:
      return "wgrad_batched";
  }
  return "";
}

// "_M<m>_K<k>_N<n>" of the product (m, k) · (k, n) as the step performs it.
std::string gemm_shape(Gemm k, const Case& c) {
  const int GH = c.G() * c.H;
  int m = 0, kk = 0, n = 0;
  switch (k) {
    case Gemm::Recurrent:
      m = GH, kk = c.H, n = c.B;
      break;
    case Gemm::RecurrentT:
      m = c.H, kk = GH, n = c.B;
      break;
    case Gemm::WeightGrad:
      m = GH, kk = c.B, n = c.H;
      break;
    case Gemm::WeightGradBatched:
      m = GH, kk = c.T * c.B, n = c.H;
      break;
  }
  return "_M" + std::to_string(m) + "_K" + std::to_string(kk) + "_N" + std::to_string(n);
}

// kernel false: Eigen's product (the roofline); true: the engine's own (core/gemm.hpp), W_hᵀ
// made once outside the loop as BPTT does.
template <class S>
void BM_Gemm(benchmark::State& state, Case c, Gemm kind, bool kernel) {
  using M = MatT<S>;
  const int GH = c.G() * c.H;
  const M W = M::Random(GH, c.H);               // (GH, H)   W_h
  const M h = M::Random(c.H, c.B);              // (H, B)    h_{t-1}
  const M dpre = M::Random(GH, c.B);            // (GH, B)   dL/dpre
  const M dpre_all = M::Random(GH, c.T * c.B);  // (GH, T·B) every step's dpre side by side
  const M h_all = M::Random(c.H, c.T * c.B);    // (H, T·B)  every step's h_{t-1}
  M pre = M::Zero(GH, c.B);                     // (GH, B)
  M dh = M::Zero(c.H, c.B);                     // (H, B)
  M dW = M::Zero(GH, c.H);                      // (GH, H)
  const M Wt = W.transpose();                   // (H, GH)

  for (auto _ : state) {
    switch (kind) {
      case Gemm::Recurrent:
        for (int t = 0; t < c.T; ++t) {
          if (kernel)
            unrolled::gemm_nn<S>(pre, W, h, true);
          else
            pre.noalias() += W * h;
          benchmark::DoNotOptimize(pre.data());
        }
        break;
      case Gemm::RecurrentT:
        for (int t = 0; t < c.T; ++t) {
          if (kernel)
            unrolled::gemm_nn<S>(dh, Wt, dpre, false);
          else
            dh.noalias() = W.transpose() * dpre;
          benchmark::DoNotOptimize(dh.data());
        }
        break;
      case Gemm::WeightGrad:
        for (int t = 0; t < c.T; ++t) {
          if (kernel)
            unrolled::gemm_nt<S>(dW, dpre, h, true);
          else
            dW.noalias() += dpre * h.transpose();
          benchmark::DoNotOptimize(dW.data());
        }
        break;
      case Gemm::WeightGradBatched:
        if (kernel)
          unrolled::gemm_nt<S>(dW, dpre_all, h_all, true);
        else
          dW.noalias() += dpre_all * h_all.transpose();
        benchmark::DoNotOptimize(dW.data());
        break;
    }
    benchmark::ClobberMemory();
  }
  // Every kind is 2·GH·H·B FLOPs per time step, T steps per iteration.
  state.counters["flops"] = flop_rate(2.0 * GH * c.H * c.B * c.T);
}

// [SECTION] BM_PeakFma

// The core's arithmetic ceiling: 12 independent chains of packet multiply-adds (enough to cover
// the FMA latency on two pipes), no memory traffic. Reported as FLOP/s (2 per lane per FMA).
template <class S>
void BM_PeakFma(benchmark::State& state) {
  using namespace Eigen::internal;
  using P = typename packet_traits<S>::type;
  constexpr int kChains = 12, kRounds = 1000;
  constexpr int kLanes = unpacket_traits<P>::size;
  P acc[kChains];
  for (int k = 0; k < kChains; ++k) acc[k] = pset1<P>(S(k) * S(1e-3));
  const P a = pset1<P>(S(0.999)), b = pset1<P>(S(1e-6));
  for (auto _ : state) {
    for (int r = 0; r < kRounds; ++r)
      for (int k = 0; k < kChains; ++k) acc[k] = pmadd(acc[k], a, b);
    for (int k = 0; k < kChains; ++k) benchmark::DoNotOptimize(acc[k]);
  }
  state.counters["flops"] = flop_rate(2.0 * kLanes * kChains * kRounds);
}

}  // namespace

int main(int argc, char** argv) {
  Eigen::setNbThreads(1);
  benchmark::AddCustomContext("eigen_threads", std::to_string(Eigen::nbThreads()));
  benchmark::AddCustomContext("eigen_simd", Eigen::SimdInstructionSetsInUse());

  unrolled::set_thread_count(1);
  benchmark::AddCustomContext("cores", std::to_string(unrolled::hardware_threads()));
  std::vector<int> thread_counts{1, 2};
  if (unrolled::hardware_threads() > 2) thread_counts.push_back(unrolled::hardware_threads());
  for (const Case& c : cases()) {
    for (bool profile : {true, false}) {
      for (int n : thread_counts) {
        const std::string name = "BM_Step/" + c.name() + "/profile:" + (profile ? "1" : "0") +
                                 "/threads:" + std::to_string(n) + "/";
        benchmark::RegisterBenchmark((name + precision_name<float>()).c_str(), BM_Step<float>, c,
                                     profile, n)
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
        benchmark::RegisterBenchmark((name + precision_name<double>()).c_str(), BM_Step<double>, c,
                                     profile, n)
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
      }
    }
  }
  for (const Case& c : cases()) {
    for (Gemm k : {Gemm::Recurrent, Gemm::RecurrentT, Gemm::WeightGrad, Gemm::WeightGradBatched}) {
      for (bool kernel : {false, true}) {
        const std::string name = std::string(kernel ? "BM_Kernel/" : "BM_Roofline/") + c.name() +
                                 "/" + gemm_name(k) + gemm_shape(k, c) + "/";
        benchmark::RegisterBenchmark((name + precision_name<float>()).c_str(), BM_Gemm<float>, c, k,
                                     kernel)
            ->Unit(benchmark::kMillisecond);
        benchmark::RegisterBenchmark((name + precision_name<double>()).c_str(), BM_Gemm<double>, c,
                                     k, kernel)
            ->Unit(benchmark::kMillisecond);
      }
    }
  }
  benchmark::RegisterBenchmark("BM_PeakFma/f32", BM_PeakFma<float>);
  benchmark::RegisterBenchmark("BM_PeakFma/f64", BM_PeakFma<double>);

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
