// Unrolled core: vectorised element-wise maths for the cells' fused loops, double and float.
//
// Eigen 3.4 vectorises exp for double but not tanh (its packet tanh is float-only, or behind
// EIGEN_FAST_MATH), so `a.array().tanh()` falls back to glibc's scalar tanh. Here:
//   sigmoid(a) = 1 / (1 + exp(-a))       Eigen's packet exp, the same expression (and so the same
//                                         bits) as `(1.0 + (-a).exp()).inverse()` for non-NaN a
//   tanh(a)    = sign(a) (1 - e) / (1 + e), e = exp(-2|a|)   for |a| >= 0.25
//              = Taylor series through a^21                  for |a| <  0.25
// Error (tests/test_cells_math.cpp): a few units in the last place of the result over the whole
// range, exact ±1 / 0 / 1 at large |a|, NaN in gives NaN out.
//
// Float (the float32 engine): sigmoid is the same expression on float packets; tanh is Eigen's
// packet tanh for float (a clamped rational approximation, within a few ulp of float's tanh;
// tests/test_cells_math.cpp), with the same NaN guard.
//
// The loops walk a column in packets (8 doubles or 16 floats with AVX-512, 4/8 with AVX2, 2/4
// with SSE2); a short tail goes through a zero-padded packet, so every element gets the same
// arithmetic wherever it sits (no scalar fallback with different rounding).
#pragma once

#include <Eigen/Core>
#include <algorithm>

namespace unrolled::simd {

template <class S>
using PacketT = typename Eigen::internal::packet_traits<S>::type;
template <class S>
constexpr Eigen::Index kLanesT = Eigen::internal::packet_traits<S>::size;
using Packet = PacketT<double>;
using PacketF = PacketT<float>;
constexpr Eigen::Index kLanes = kLanesT<double>;

// Load/store n <= kLanesT<S> consecutive scalars; lanes past n read as 0 and are not written.
template <class S>
inline PacketT<S> load(const S* p, Eigen::Index n) {
  using namespace Eigen::internal;
  constexpr Eigen::Index lanes = kLanesT<S>;
  if (n == lanes) return ploadu<PacketT<S>>(p);
  alignas(64) S buf[lanes] = {};
  std::copy_n(p, n, buf);
  return pload<PacketT<S>>(buf);
}
template <class S>
inline void store(S* p, const PacketT<S>& v, Eigen::Index n) {
  using namespace Eigen::internal;
  constexpr Eigen::Index lanes = kLanesT<S>;
  if (n == lanes) {
    pstoreu(p, v);
    return;
  }
  alignas(64) S buf[lanes];
  pstore(buf, v);
  std::copy_n(buf, n, p);
}

// σ(a) = 1 / (1 + e^{-a}), for double and float packets alike.
template <class P>
inline P sigmoid(const P& a) {
  using namespace Eigen::internal;
  const P one = pset1<P>(typename unpacket_traits<P>::type(1));
  const P y = pdiv(one, padd(one, pexp(pnegate(a))));
  return pselect(pcmp_eq(a, a), y, a);  // NaN stays NaN
}

inline Packet tanh(const Packet& a) {
  using namespace Eigen::internal;
  const Packet one = pset1<Packet>(1.0);
  const Packet ax = pabs(a);
  // Large |a|: e in (0, 1]; exp(-2|a|) underflows gracefully, so the quotient saturates at 1.
  const Packet e = pexp(pmul(pset1<Packet>(-2.0), ax));
  const Packet mag = pdiv(psub(one, e), padd(one, e));
  const Packet large = pselect(pcmp_lt(a, pzero(a)), pnegate(mag), mag);
  // Small |a|: tanh a = a Σ c_k a^{2k}, c_k = 2^{2k+2} (2^{2k+2} - 1) B_{2k+2} / (2k+2)!
  // (Bernoulli numbers); through a^21 the truncation is below 3e-18 relative at |a| = 0.25.
  const Packet a2 = pmul(a, a);
  Packet s = pset1<Packet>(9.691537956929451e-05);           //  18888466084/194896477400625
  s = pmadd(s, a2, pset1<Packet>(-2.3912911424355248e-04));  // -443861162/1856156927625
  s = pmadd(s, a2, pset1<Packet>(5.90027440945586e-04));     //  6404582/10854718875
  s = pmadd(s, a2, pset1<Packet>(-1.4558343870513183e-03));  // -929569/638512875
  s = pmadd(s, a2, pset1<Packet>(3.592128036572481e-03));    //  21844/6081075
  s = pmadd(s, a2, pset1<Packet>(-8.863235529902197e-03));   // -1382/155925
  s = pmadd(s, a2, pset1<Packet>(2.1869488536155203e-02));   //  62/2835
  s = pmadd(s, a2, pset1<Packet>(-5.396825396825397e-02));   // -17/315
  s = pmadd(s, a2, pset1<Packet>(1.3333333333333333e-01));   //  2/15
  s = pmadd(s, a2, pset1<Packet>(-3.3333333333333333e-01));  // -1/3
  const Packet small = pmadd(pmul(s, a2), a, a);  // a + a·(a² s): the leading term exactly
  const Packet y = pselect(pcmp_lt(ax, pset1<Packet>(0.25)), small, large);
  return pselect(pcmp_eq(a, a), y, a);  // NaN stays NaN
}

inline PacketF tanh(const PacketF& a) {
  using namespace Eigen::internal;
  return pselect(pcmp_eq(a, a), ptanh(a), a);  // NaN stays NaN
}

// y[k] = f(a[k]) for k < n, packet by packet (in and out may alias).
template <class S, typename F>
inline void map(const S* a, S* y, Eigen::Index n, F f) {
  constexpr Eigen::Index lanes = kLanesT<S>;
  for (Eigen::Index k = 0; k < n; k += lanes) {
    const Eigen::Index m = std::min(lanes, n - k);
    store(y + k, f(load(a + k, m)), m);
  }
}
template <class S>
inline void tanh(const S* a, S* y, Eigen::Index n) {
  map(a, y, n, [](const PacketT<S>& v) { return simd::tanh(v); });
}
template <class S>
inline void sigmoid(const S* a, S* y, Eigen::Index n) {
  map(a, y, n, [](const PacketT<S>& v) { return simd::sigmoid(v); });
}

// The gates' squashing functions (GateActivation), each with the product of an incoming
// gradient d and its derivative written in terms of the output y:
//   sigmoid               y = σ(a)                       d ⊙ y ⊙ (1 - y)
//   hard_sigmoid_keras2   y = clip(0.2a + 0.5, 0, 1)      d ⊙ 0.2 where 0 < y < 1, else 0
//   hard_sigmoid_keras3   y = relu6(a + 3) / 6            d ⊙ 1/6 where 0 < y < 1, else 0
// (at the kinks, where y is exactly 0 or 1, the derivative taken is 0). NaN stays NaN.
struct SigmoidGate {
  template <class P>
  P operator()(const P& a) const {
    return sigmoid(a);
  }
  template <class P>
  P back(const P& d, const P& y) const {  // ((d y)(1 - y)): the cells' order of operations
    using namespace Eigen::internal;
    return pmul(pmul(d, y), psub(pset1<P>(typename unpacket_traits<P>::type(1)), y));
  }
};
struct HardSigmoidKeras2Gate {
  template <class P>
  P operator()(const P& a) const {
    using namespace Eigen::internal;
    using S = typename unpacket_traits<P>::type;
    const P y = pmadd(pset1<P>(S(0.2)), a, pset1<P>(S(0.5)));
    const P c = pmin(pmax(y, pzero(y)), pset1<P>(S(1)));
    return pselect(pcmp_eq(a, a), c, a);
  }
  template <class P>
  P back(const P& d, const P& y) const {
    using namespace Eigen::internal;
    using S = typename unpacket_traits<P>::type;
    const P inside = pand(pcmp_lt(pzero(y), y), pcmp_lt(y, pset1<P>(S(1))));
    return pselect(inside, pmul(d, pset1<P>(S(0.2))), pzero(d));
  }
};
struct HardSigmoidKeras3Gate {
  template <class P>
  P operator()(const P& a) const {
    using namespace Eigen::internal;
    using S = typename unpacket_traits<P>::type;
    const P r6 = pmin(pmax(padd(a, pset1<P>(S(3))), pzero(a)), pset1<P>(S(6)));  // relu6(a + 3)
    return pselect(pcmp_eq(a, a), pdiv(r6, pset1<P>(S(6))), a);
  }
  template <class P>
  P back(const P& d, const P& y) const {
    using namespace Eigen::internal;
    using S = typename unpacket_traits<P>::type;
    const P inside = pand(pcmp_lt(pzero(y), y), pcmp_lt(y, pset1<P>(S(1))));
    return pselect(inside, pdiv(d, pset1<P>(S(6))), pzero(d));
  }
};

// f(gate) with the functor for g: the cells' loops are instantiated once per gate function, so
// the sigmoid path compiles to what it was before the choice existed.
template <class G, class F>
inline void with_gate(G g, F&& f) {
  switch (g) {
    case G::HardSigmoidKeras2:
      f(HardSigmoidKeras2Gate{});
      return;
    case G::HardSigmoidKeras3:
      f(HardSigmoidKeras3Gate{});
      return;
    case G::Sigmoid:
      break;
  }
  f(SigmoidGate{});
}

}  // namespace unrolled::simd
