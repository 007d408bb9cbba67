// Tick positions and labels for axes and colour bars, shared by the line plot, the heatmap and the
// colour bar. Pure functions of the range: no ImGui state, so they are unit-tested directly.
//   Linear axes: "nice" steps of 1, 2 or 5 times a power of ten.
//   Log axes:    a major tick at each decade (every 2nd, 3rd, 4th, 5th, 10th, ... when many)
//   labelled
//                1e-3, 0.01, 0.1, 1, 10, 100, 1e3; minor ticks at 2..9 times each decade.
#pragma once

#include <cstddef>
#include <vector>

namespace unrolled::widgets {

struct Tick {
  double value;  // in data units (not log10) on both kinds of axis
  bool major;    // majors carry a label and a stronger grid line
};

// The step, 1, 2 or 5 times a power of ten, that cuts [lo, hi] into at most max_ticks intervals
// (at least 1 interval). range <= 0 or non-finite gives 1.
double nice_step(double lo, double hi, int max_ticks);

// Multiples of nice_step(lo, hi, max_ticks) within [lo, hi] (ends included, up to a rounding
// tolerance), all major; values within 1e-9 steps of 0 are exactly 0. Clears out first.
void nice_ticks(double lo, double hi, int max_ticks, std::vector<Tick>& out);

// Ticks for a log10 axis over [lo, hi] with 0 < lo < hi: at most max_major labelled decades, plus
// minor ticks. Less than a decade wide: the 1..9 multiples become the majors, and when that still
// gives fewer than two, nice linear ticks. Clears out first; invalid ranges leave it empty.
void log_ticks(double lo, double hi, int max_major, std::vector<Tick>& out);

// Label for a linear tick, with as many decimals as step needs ("0.25" for step 0.05); magnitudes
// >= 1e6 or < 1e-4 in format_number's scientific notation ("2e-5", "1.5e7") with the digits the
// step needs. Negative values carry U+2212. Returns buf.
const char* format_tick(char* buf, std::size_t size, double value, double step);

// Label for a log tick: 0.01, 0.1, 1, 10, 100 and 1000 written out, other powers of ten as 1e-3 or
// 1e4, anything else as format_number() writes it. Returns buf.
const char* format_log_tick(char* buf, std::size_t size, double value);

}  // namespace unrolled::widgets
