// Unrolled core: vectorised element-wise maths for the cells' fused loops (double precision).
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
// The loops walk a column in packets (8 doubles with AVX-512, 4 with AVX2, 2 with SSE2); a short
// tail goes through a zero-padded packet, so every element gets the same arithmetic wherever it
// sits (no scalar fallback with different rounding).
#pragma once

#include <Eigen/Core>
#include <algorithm>

namespace unrolled::simd {

using Packet = Eigen::internal::packet_traits<double>::type;
constexpr Eigen::Index kLanes = Eigen::internal::packet_traits<double>::size;

// Load/store n <= kLanes consecutive doubles; lanes past n read as 0 and are not written.
inline Packet load(const double* p, Eigen::Index n) {
  using namespace Eigen::internal;
  if (n == kLanes) return ploadu<Packet>(p);
  alignas(64) double buf[kLanes] = {};
  std::copy_n(p, n, buf);
  return pload<Packet>(buf);
}
inline void store(double* p, const Packet& v, Eigen::Index n) {
  using namespace Eigen::internal;
  if (n == kLanes) {
    pstoreu(p, v);
    return;
  }
  alignas(64) double buf[kLanes];
  pstore(buf, v);
  std::copy_n(buf, n, p);
}

inline Packet sigmoid(const Packet& a) {
  using namespace Eigen::internal;
  const Packet one = pset1<Packet>(1.0);
  const Packet y = pdiv(one, padd(one, pexp(pnegate(a))));
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

// y[k] = f(a[k]) for k < n, packet by packet (in and out may alias).
template <typename F>
inline void map(const double* a, double* y, Eigen::Index n, F f) {
  for (Eigen::Index k = 0; k < n; k += kLanes) {
    const Eigen::Index m = std::min(kLanes, n - k);
    store(y + k, f(load(a + k, m)), m);
  }
}
inline void tanh(const double* a, double* y, Eigen::Index n) {
  map(a, y, n, [](const Packet& v) { return simd::tanh(v); });
}
inline void sigmoid(const double* a, double* y, Eigen::Index n) {
  map(a, y, n, [](const Packet& v) { return simd::sigmoid(v); });
}

}  // namespace unrolled::simd
