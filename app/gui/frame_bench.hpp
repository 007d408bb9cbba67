// --bench-frames: what each measured frame cost, the summary printed at the end, and the lesson
// it trains (an LSTM with H = 64 on a task of T = 100 steps, batch 32).
#pragma once

#include <vector>

#include "app/gui/window.hpp"
#include "core/experiment.hpp"

namespace unrolled {

// CPU time the calling thread / the whole process has used, in milliseconds.
double thread_cpu_ms();
double process_cpu_ms();

struct FrameBench {
  std::vector<double> all_ms, presented_ms, ui_cpu_ms, other_cpu_ms, render_ms, submit_ms, swap_ms,
      triangles, redrawn;
  void add(const Window::FrameCost& c, double frame_ms, double ui_cpu, double other_cpu);
  void print() const;
};

ExperimentConfig bench_lesson();

}  // namespace unrolled
