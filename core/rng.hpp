// A small seeded generator with our own distributions, so the same seed gives the same numbers
// with any standard library (std::normal_distribution is implementation-defined).
#pragma once

#include <cmath>
#include <cstdint>

namespace unrolled {

// Everything that determines an Rng's future draws (sessions and checkpoints save it).
struct RngState {
  uint64_t s[4]{};
  double spare = 0;
  bool has_spare = false;
  bool operator==(const RngState&) const = default;
};

class Rng {
 public:
  explicit Rng(uint64_t seed = 0) { reseed(seed); }
  void reseed(uint64_t seed) {
    // splitmix64 expands the seed into xoshiro256** state.
    uint64_t z = seed;
    for (auto& s : state_) {
      z += 0x9E3779B97F4A7C15ull;
      uint64_t x = z;
      x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
      x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
      s = x ^ (x >> 31);
    }
    has_spare_ = false;
  }
  uint64_t next_u64() {
    const uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }
  // Uniform in [0, 1).
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Uniform integer in [0, n).
  int index(int n) { return static_cast<int>(uniform() * n); }
  // Standard normal (Marsaglia polar method).
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u, v, s;
    do {
      u = uniform(-1.0, 1.0);
      v = uniform(-1.0, 1.0);
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double m = std::sqrt(-2.0 * std::log(s) / s);
    spare_ = v * m;
    has_spare_ = true;
    return u * m;
  }
  RngState state() const {
    RngState r;
    for (int k = 0; k < 4; ++k) r.s[k] = state_[k];
    r.spare = spare_;
    r.has_spare = has_spare_;
    return r;
  }
  // The all-zero state is xoshiro's one fixed point (it would draw zeros forever): refused.
  bool set_state(const RngState& r) {
    if ((r.s[0] | r.s[1] | r.s[2] | r.s[3]) == 0) return false;
    for (int k = 0; k < 4; ++k) state_[k] = r.s[k];
    spare_ = r.spare;
    has_spare_ = r.has_spare;
    return true;
  }
  // A child generator for an independent stream (weights vs. data), derived from this seed.
  Rng split(uint64_t stream) { return Rng(next_u64() ^ (stream * 0xD1B54A32D192ED03ull)); }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t state_[4]{};
  double spare_ = 0;
  bool has_spare_ = false;
};

}  // namespace unrolled
