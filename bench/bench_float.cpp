// Unrolled benchmark: what the LSTM training step would cost in single precision.
//
// Legend: B batch, T steps, I input, H hidden, O output (1). One layer, readout at every step,
//         MSE loss, full BPTT, no decay profile, plain SGD. Column per sequence.
//
// [SECTION] What is measured
//   BM_StepFloat/lstm/I1_H64_T100_B32        the prototype below in float (Eigen MatrixXf)
//   BM_StepProtoDouble/lstm/I1_H64_T100_B32  the same prototype in double: a cross-check that the
//                                            prototype does the engine's work (compare with
//                                            BM_Step/lstm/I1_H64_T100_B32/profile:0)
//   A self-contained re-statement of the engine's LSTM step (core/lstm_cell.cpp, BackwardPass)
//   templated on the scalar: the same fused structure (pre = b + W_x x, then += W_h h; one pass
//   for gates, c, tanh c, h; one backward pass for dc, dpre, dc_{t-1}), and the same memory the
//   engine keeps: every step's pre, gates, c, tanh c, h, and every step's dh, dpre, dc plus their
//   norms (GradTrace). It does NOT change core/: the engine stays double. Counter `flops` uses the
//   FLOP model of bench_step.cpp (3 × 8·B·H·(I+H)·T).
//   Counter dWh_err_vs_double (float only): largest difference of one step's dL/dW_h from the
//   double prototype's on the same weights and data, relative to the largest |dL/dW_h|.
//   tanh: double uses the engine's unrolled::simd::tanh; float uses Eigen's packet tanh for float
//   (a rational approximation, a few ulp in float).
#include <benchmark/benchmark.h>

#include <Eigen/Core>
#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "core/cell_math.hpp"

namespace {

template <typename S>
using MatT = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;
template <typename S>
using VecT = Eigen::Matrix<S, Eigen::Dynamic, 1>;

template <typename S>
struct Math {
  using Packet = typename Eigen::internal::packet_traits<S>::type;
  static constexpr Eigen::Index kLanes = Eigen::internal::packet_traits<S>::size;
  static Packet load(const S* p, Eigen::Index n) {
    if (n == kLanes) return Eigen::internal::ploadu<Packet>(p);
    alignas(64) S buf[kLanes] = {};
    std::copy_n(p, n, buf);
    return Eigen::internal::pload<Packet>(buf);
  }
  static void store(S* p, const Packet& v, Eigen::Index n) {
    if (n == kLanes) return Eigen::internal::pstoreu(p, v);
    alignas(64) S buf[kLanes];
    Eigen::internal::pstore(buf, v);
    std::copy_n(buf, n, p);
  }
  static Packet sigmoid(const Packet& a) {
    using namespace Eigen::internal;
    const Packet one = pset1<Packet>(S(1));
    return pdiv(one, padd(one, pexp(pnegate(a))));
  }
  static Packet tanh(const Packet& a) {
    if constexpr (std::is_same_v<S, double>)
      return unrolled::simd::tanh(a);
    else
      return Eigen::internal::ptanh(a);
  }
};

template <typename S>
struct StepState {  // what the engine's StepTrace keeps
  MatT<S> pre, gates, c, tanh_c, h;
};

template <typename S>
struct LstmProto {
  int I, H, T, B;
  MatT<S> W_x, W_h, W_y;  // (4H, I), (4H, H), (1, H)
  VecT<S> b, b_y;         // (4H), (1)
  MatT<S> gW_x, gW_h, gW_y;
  VecT<S> gb, gb_y;
  std::vector<MatT<S>> x, target;     // T x (I, B), T x (1, B)
  std::vector<StepState<S>> steps;    // T
  std::vector<MatT<S>> y;             // T x (1, B)
  MatT<S> h0, c0;                     // (H, B) zeros
  std::vector<MatT<S>> dh, dpre, dc;  // T x GradTrace
  MatT<S> dh_norm, dc_norm;           // (1, T)
  MatT<S> dh_next, dc_next, dy;
  S loss = 0;

  LstmProto(int I_, int H_, int T_, int B_) : I(I_), H(H_), T(T_), B(B_) {
    std::mt19937_64 rng(1234);
    const double a = 1.0 / std::sqrt(static_cast<double>(H));
    std::uniform_real_distribution<double> u(-a, a);
    std::normal_distribution<double> n01;
    auto uni = [&](Eigen::Index r, Eigen::Index c) {
      return MatT<S>(MatT<S>::NullaryExpr(r, c, [&] { return static_cast<S>(u(rng)); }));
    };
    W_x = uni(4 * H, I);
    W_h = uni(4 * H, H);
    W_y = uni(1, H);
    b = uni(4 * H, 1);
    b_y = uni(1, 1);
    for (int t = 0; t < T; ++t) {
      x.push_back(MatT<S>::NullaryExpr(I, B, [&] { return static_cast<S>(n01(rng)); }));
      target.push_back(MatT<S>::NullaryExpr(1, B, [&] { return static_cast<S>(n01(rng)); }));
    }
    steps.resize(T);
    y.resize(T);
    dh.resize(T);
    dpre.resize(T);
    dc.resize(T);
    h0.setZero(H, B);
    c0.setZero(H, B);
  }

  void forward() {
    using namespace Eigen::internal;
    using M = Math<S>;
    using Packet = typename M::Packet;
    loss = 0;
    for (int t = 0; t < T; ++t) {
      StepState<S>& s = steps[t];
      const MatT<S>& hp = t == 0 ? h0 : steps[t - 1].h;
      const MatT<S>& cp = t == 0 ? c0 : steps[t - 1].c;
      s.pre.resize(4 * H, B);
      for (int j = 0; j < B; ++j) {  // pre = b + W_x x (I small: column updates)
        auto col = s.pre.col(j);
        col = b + x[t](0, j) * W_x.col(0);
        for (int k = 1; k < I; ++k) col += x[t](k, j) * W_x.col(k);
      }
      s.pre.noalias() += W_h * hp;
      s.gates.resize(4 * H, B);
      s.c.resize(H, B);
      s.tanh_c.resize(H, B);
      s.h.resize(H, B);
      for (int j = 0; j < B; ++j) {
        const S* pre = s.pre.col(j).data();
        S* g4 = s.gates.col(j).data();
        const S* cpj = cp.col(j).data();
        for (Eigen::Index r = 0; r < H; r += M::kLanes) {
          const Eigen::Index n = std::min<Eigen::Index>(M::kLanes, H - r);
          const Packet i = M::sigmoid(M::load(pre + r, n));
          const Packet f = M::sigmoid(M::load(pre + H + r, n));
          const Packet g = M::tanh(M::load(pre + 2 * H + r, n));
          const Packet o = M::sigmoid(M::load(pre + 3 * H + r, n));
          const Packet ct = padd(pmul(f, M::load(cpj + r, n)), pmul(i, g));
          const Packet tct = M::tanh(ct);
          M::store(g4 + r, i, n);
          M::store(g4 + H + r, f, n);
          M::store(g4 + 2 * H + r, g, n);
          M::store(g4 + 3 * H + r, o, n);
          M::store(s.c.col(j).data() + r, ct, n);
          M::store(s.tanh_c.col(j).data() + r, tct, n);
          M::store(s.h.col(j).data() + r, pmul(o, tct), n);
        }
      }
      y[t].noalias() = W_y * s.h;
      y[t].colwise() += b_y;
      loss += (y[t] - target[t]).squaredNorm() / static_cast<S>(T * B);
    }
  }

  void backward() {
    using namespace Eigen::internal;
    using M = Math<S>;
    using Packet = typename M::Packet;
    gW_x.setZero(W_x.rows(), W_x.cols());
    gW_h.setZero(W_h.rows(), W_h.cols());
    gW_y.setZero(1, H);
    gb.setZero(4 * H);
    gb_y.setZero(1);
    dh_norm.resize(1, T);
    dc_norm.resize(1, T);
    dh_next.setZero(H, B);
    dc_next.setZero(H, B);
    const Packet one = pset1<Packet>(S(1));
    for (int t = T - 1; t >= 0; --t) {
      const StepState<S>& s = steps[t];
      const MatT<S>& hp = t == 0 ? h0 : steps[t - 1].h;
      const MatT<S>& cp = t == 0 ? c0 : steps[t - 1].c;
      dy = (S(2) / static_cast<S>(T * B)) * (y[t] - target[t]);
      MatT<S>& d_h = dh[t];
      d_h = dh_next;
      d_h.noalias() += W_y.transpose() * dy;
      gW_y.noalias() += dy * s.h.transpose();
      gb_y += dy.rowwise().sum();
      dh_norm(0, t) = d_h.norm();
      dpre[t].resize(4 * H, B);
      dc[t].resize(H, B);
      for (int j = 0; j < B; ++j) {
        const S* g4 = s.gates.col(j).data();
        const S* tcp = s.tanh_c.col(j).data();
        const S* cpj = cp.col(j).data();
        const S* dhj = d_h.col(j).data();
        S* dcn = dc_next.col(j).data();  // read as dc_t, written as dc_{t-1}
        S* dp = dpre[t].col(j).data();
        S* dct_out = dc[t].col(j).data();
        for (Eigen::Index r = 0; r < H; r += M::kLanes) {
          const Eigen::Index n = std::min<Eigen::Index>(M::kLanes, H - r);
          const Packet i = M::load(g4 + r, n), f = M::load(g4 + H + r, n);
          const Packet g = M::load(g4 + 2 * H + r, n), o = M::load(g4 + 3 * H + r, n);
          const Packet tc = M::load(tcp + r, n), dhp = M::load(dhj + r, n);
          const Packet dct = padd(M::load(dcn + r, n), pmul(pmul(dhp, o), psub(one, pmul(tc, tc))));
          M::store(dp + r, pmul(pmul(pmul(dct, g), i), psub(one, i)), n);
          M::store(dp + H + r, pmul(pmul(pmul(dct, M::load(cpj + r, n)), f), psub(one, f)), n);
          M::store(dp + 2 * H + r, pmul(pmul(dct, i), psub(one, pmul(g, g))), n);
          M::store(dp + 3 * H + r, pmul(pmul(pmul(dhp, tc), o), psub(one, o)), n);
          M::store(dct_out + r, dct, n);
          M::store(dcn + r, pmul(dct, f), n);
        }
      }
      dc_norm(0, t) = dc[t].norm();
      gW_x.noalias() += dpre[t] * x[t].transpose();
      gW_h.noalias() += dpre[t] * hp.transpose();
      gb += dpre[t].rowwise().sum();
      dh_next.noalias() = W_h.transpose() * dpre[t];
    }
  }

  void sgd(S lr) {
    W_x -= lr * gW_x;
    W_h -= lr * gW_h;
    W_y -= lr * gW_y;
    b -= lr * gb;
    b_y -= lr * gb_y;
  }
};

template <typename S>
void BM_StepProto(benchmark::State& state, int I, int H, int T, int B) {
  LstmProto<S> net(I, H, T, B);
  for (auto _ : state) {
    net.forward();
    net.backward();
    net.sgd(static_cast<S>(1e-3));
    benchmark::ClobberMemory();
  }
  const double flops = 3.0 * 2.0 * 4 * H * (I + H) * B * T;
  state.counters["flops"] = benchmark::Counter(flops, benchmark::Counter::kIsIterationInvariantRate,
                                               benchmark::Counter::kIs1000);
  state.counters["loss"] = static_cast<double>(net.loss);
  if constexpr (std::is_same_v<S, float>) {
    // The float step computes the same gradient: one fresh step in both precisions from the same
    // (float-representable) weights and data, largest |dW_h difference| / largest |dW_h|.
    LstmProto<float> f(I, H, T, B);
    LstmProto<double> d(I, H, T, B);
    d.W_x = f.W_x.template cast<double>();
    d.W_h = f.W_h.template cast<double>();
    d.W_y = f.W_y.template cast<double>();
    d.b = f.b.template cast<double>();
    d.b_y = f.b_y.template cast<double>();
    for (int t = 0; t < T; ++t) {
      d.x[t] = f.x[t].template cast<double>();
      d.target[t] = f.target[t].template cast<double>();
    }
    f.forward();
    f.backward();
    d.forward();
    d.backward();
    state.counters["dWh_err_vs_double"] =
        (f.gW_h.template cast<double>() - d.gW_h).cwiseAbs().maxCoeff() /
        d.gW_h.cwiseAbs().maxCoeff();
  }
}

const bool registered = [] {
  const int I = 1, H = 64, T = 100, B = 32;
  const std::string shape = "/lstm/I1_H64_T100_B32";
  benchmark::RegisterBenchmark(("BM_StepFloat" + shape).c_str(), BM_StepProto<float>, I, H, T, B)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark(("BM_StepProtoDouble" + shape).c_str(), BM_StepProto<double>, I, H,
                               T, B)
      ->Unit(benchmark::kMillisecond);
  return true;
}();

}  // namespace
