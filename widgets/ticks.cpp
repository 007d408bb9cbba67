#include "widgets/ticks.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "widgets/text.hpp"

namespace unrolled::widgets {

double nice_step(double lo, double hi, int max_ticks) {
  const double range = hi - lo;
  if (!std::isfinite(range) || range <= 0.0) return 1.0;
  const double rough = range / std::max(1, max_ticks);
  const double mag = std::pow(10.0, std::floor(std::log10(rough)));
  const double norm = rough / mag;  // in [1, 10)
  // The smallest of 1, 2, 5, 10 that is at least norm keeps the count at or under max_ticks.
  const double m = norm <= 1.0 ? 1.0 : norm <= 2.0 ? 2.0 : norm <= 5.0 ? 5.0 : 10.0;
  return m * mag;
}

void nice_ticks(double lo, double hi, int max_ticks, std::vector<Tick>& out) {
  out.clear();
  if (!std::isfinite(lo) || !std::isfinite(hi) || hi < lo) return;
  if (hi == lo) {
    out.push_back({lo, true});
    return;
  }
  const double step = nice_step(lo, hi, max_ticks);
  const double eps = step * 1e-9;
  // Integers k, so values are k * step exactly rather than accumulated sums.
  const double k0 = std::ceil((lo - eps) / step);
  const double k1 = std::floor((hi + eps) / step);
  for (double k = k0; k <= k1 && out.size() < 1000; k += 1.0) {
    double v = k * step;
    if (std::abs(v) < eps) v = 0.0;
    out.push_back({v, true});
  }
}

void log_ticks(double lo, double hi, int max_major, std::vector<Tick>& out) {
  out.clear();
  if (!(lo > 0.0) || !(hi > lo) || !std::isfinite(hi)) return;
  const double tol = 1e-9;
  const double l0 = std::log10(lo), l1 = std::log10(hi);
  const int d0 = static_cast<int>(std::floor(l0 + tol));
  const int d1 = static_cast<int>(std::floor(l1 + tol));
  const auto inside = [&](double v) {
    const double lv = std::log10(v);
    return lv >= l0 - tol && lv <= l1 + tol;
  };
  const int decades = d1 - d0 + 1;
  int stride = 1;
  // Strides 1, 2, 3, 4, 5, then 10, 20, ...: every third decade reads as engineering notation.
  while ((decades + stride - 1) / stride > std::max(1, max_major))
    stride = stride < 5 ? stride + 1 : stride == 5 ? 10 : stride * 2;

  int majors = 0;
  for (int d = d0; d <= d1; ++d) {
    const double decade = std::pow(10.0, d);
    const bool labelled = ((d % stride) + stride) % stride == 0;
    if (inside(decade)) {
      out.push_back({decade, labelled});
      majors += labelled;
    }
    if (stride == 1 && decades <= 8)
      for (int m = 2; m <= 9; ++m)
        if (inside(m * decade)) out.push_back({m * decade, false});
  }
  if (majors >= 2) return;
  // Two or more decades in view, but the stride's multiples (say of 10) miss all but one: count
  // the stride from the lowest decade in view instead, and label the highest too if still alone.
  int in_lo = d1 + 1, in_hi = d0 - 1;
  for (int d = d0; d <= d1; ++d)
    if (inside(std::pow(10.0, d))) in_lo = std::min(in_lo, d), in_hi = std::max(in_hi, d);
  if (in_hi > in_lo) {
    majors = 0;
    for (Tick& t : out) {
      const int d = static_cast<int>(std::lround(std::log10(t.value)));
      const bool decade = std::abs(std::log10(t.value) - d) < 1e-9;
      t.major = decade && ((d - in_lo) % stride == 0);
      majors += t.major;
    }
    if (majors < 2)
      for (Tick& t : out)
        if (std::abs(std::log10(t.value) - in_hi) < 1e-9) t.major = true;
    return;
  }

  // Less than a decade in view: label the 1..9 multiples (or a subset) instead.
  out.clear();
  for (int d = d0; d <= d1; ++d)
    for (int m = 1; m <= 9; ++m) {
      const double v = m * std::pow(10.0, d);
      if (inside(v)) out.push_back({v, true});
    }
  // On a log axis 8, 9 and 10 sit much closer than 1, 2 and 3: label greedily, 1, 2 and 5 first,
  // then the others, each only when at least a label's share of the axis from every label so far.
  const double need = (l1 - l0) / std::max(2, max_major);
  const auto lead_of = [&](const Tick& t) {
    return static_cast<int>(
        std::lround(t.value / std::pow(10.0, std::floor(std::log10(t.value) + tol))));
  };
  for (Tick& t : out) t.major = false;
  for (int pass = 0; pass < 2; ++pass)
    for (Tick& t : out) {
      const int m = lead_of(t);
      if ((m == 1 || m == 2 || m == 5) != (pass == 0) || t.major) continue;
      bool room = true;
      for (const Tick& u : out)
        if (u.major && std::abs(std::log10(u.value) - std::log10(t.value)) < need) room = false;
      t.major = room;
    }
  int labelled = 0;
  for (const Tick& t : out) labelled += t.major;
  if (labelled < 2) nice_ticks(lo, hi, std::max(2, max_major), out);
}

const char* format_tick(char* buf, std::size_t size, double value, double step) {
  const double mag = std::abs(value);
  if (value == 0.0) {
    std::snprintf(buf, size, "0");
  } else if (mag >= 1e6 || mag < 1e-4 || (step > 0 && step < 1e-4)) {
    // Enough digits to tell neighbouring ticks apart: from the value's leading digit down to the
    // step's.
    const int digits = step > 0 ? static_cast<int>(std::floor(std::log10(mag) + 1e-9) -
                                                   std::floor(std::log10(step) + 1e-9)) +
                                      1
                                : 3;
    format_number(buf, size, value, std::clamp(digits, 1, 6));
  } else {
    const int decimals =
        step > 0 ? std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9))) : 3;
    std::snprintf(buf, size, "%s%.*f", value < 0 ? "\xE2\x88\x92" : "", decimals, mag);
  }
  return buf;
}

const char* format_log_tick(char* buf, std::size_t size, double value) {
  const double lv = std::log10(value);
  const double d = std::round(lv);
  if (value > 0 && std::abs(lv - d) < 1e-9) {
    const int e = static_cast<int>(d);
    if (e >= -2 && e <= 3) {
      std::snprintf(buf, size, "%g", std::pow(10.0, e));
    } else {
      std::snprintf(buf, size, "1e%d", e);
    }
  } else {
    format_number(buf, size, value, 3);
  }
  return buf;
}

}  // namespace unrolled::widgets
