#include "app/gui/frame_bench.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace unrolled {
namespace {

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5));
  return v[k];
}

double clock_ms(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

}  // namespace

double thread_cpu_ms() { return clock_ms(CLOCK_THREAD_CPUTIME_ID); }
double process_cpu_ms() { return clock_ms(CLOCK_PROCESS_CPUTIME_ID); }

void FrameBench::add(const Window::FrameCost& c, double frame_ms, double ui_cpu,
                     double other_cpu) {
  all_ms.push_back(frame_ms);
  if (c.presented) presented_ms.push_back(frame_ms);
  ui_cpu_ms.push_back(ui_cpu);
  other_cpu_ms.push_back(other_cpu);
  render_ms.push_back(c.render_ms);
  submit_ms.push_back(c.submit_ms);
  swap_ms.push_back(c.swap_ms);
  triangles.push_back(c.triangles);
  redrawn.push_back(static_cast<double>(c.redrawn_pixels));
}

void FrameBench::print() const {
  const auto line = [](const char* what, const std::vector<double>& v) {
    std::printf("%-44s p50 %6.2f ms   p99 %6.2f ms   max %6.2f ms\n", what, percentile(v, 0.5),
                percentile(v, 0.99), percentile(v, 1.0));
  };
  std::printf("%zu frames measured, %zu presented (the others had nothing new to show)\n",
              all_ms.size(), presented_ms.size());
  line("CPU frame time, every frame:", all_ms);
  line("CPU frame time, presented frames:", presented_ms);
  line("  ImGui::Render", render_ms);
  line("  redraw changed rectangles + copy to window", submit_ms);
  line("  swap (the rasteriser finishes)", swap_ms);
  line("UI thread CPU time:", ui_cpu_ms);
  line("other threads' CPU (rasteriser, training):", other_cpu_ms);
  std::printf("triangles per frame p50 %.0f; pixels redrawn per frame p50 %.0f, p99 %.0f\n",
              percentile(triangles, 0.5), percentile(redrawn, 0.5), percentile(redrawn, 0.99));
}

ExperimentConfig bench_lesson() {
  ExperimentConfig c;
  c.title = "Frame-time benchmark: LSTM H = 64, T = 100, B = 32";
  c.model.name = "LSTM";
  c.model.cell = CellType::Lstm;
  c.model.hidden_size = 64;
  c.task = default_task_spec(TaskKind::Adding);
  c.task.length = 100;
  c.training.batch_size = 32;
  c.training.optimizer.learning_rate = 0.001;
  c.training.clip = {ClipMode::Norm, 1.0};
  return c;
}

}  // namespace unrolled
