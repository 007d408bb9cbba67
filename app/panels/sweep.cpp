// Dependency length: train every model of the experiment at a series of lags (the task's length)
// in the background, and plot the final held-out loss against the lag beside the task's chance
// level — where the vanilla RNN breaks and the gated cells hold. Cancellable; results as CSV.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "app/panels/panels.hpp"
#include "core/json_io.hpp"
#include "widgets/colormap.hpp"

namespace unrolled {
namespace {

// "5, 10 20;40" -> {5, 10, 20, 40}; false with a message on anything else.
bool parse_lags(const std::string& text, std::vector<int>& out, std::string& error) {
  out.clear();
  std::string s = text;
  for (char& c : s)
    if (c == ',' || c == ';') c = ' ';
  std::istringstream in(s);
  std::string word;
  while (in >> word) {
    char* end = nullptr;
    const long v = std::strtol(word.c_str(), &end, 10);
    if (*end != '\0' || v < 1 || v > kMaxTaskLength) {
      error =
          "lags: '" + word + "' is not a whole number from 1 to " + std::to_string(kMaxTaskLength);
      return false;
    }
    out.push_back(static_cast<int>(v));
  }
  if (out.empty()) {
    error = "lags: give at least one, e.g. 5, 10, 20, 40, 80";
    return false;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return true;
}

// The task's chance level at each lag, recomputed only when the task or the lags change.
void update_baseline(const Snapshot& snap, SweepPanelState& st) {
  const std::string key = experiment_to_json(snap.config)["task"].dump() + "|" + st.lags_text;
  if (key == st.baseline_key) return;
  st.baseline_key = key;
  st.baseline_lags.clear();
  st.baseline_loss.clear();
  std::vector<int> lags;
  std::string error;
  if (!parse_lags(st.lags_text, lags, error)) return;
  for (int lag : lags) {
    TaskSpec spec = snap.config.task;
    spec.length = lag;
    if (auto task = make_task(spec, nullptr)) {
      st.baseline_lags.push_back(lag);
      st.baseline_loss.push_back(task->info().baseline);
    }
  }
}

}  // namespace

void draw_sweep_panel(const Snapshot& snap, AppState& app) {
  SweepPanelState& st = app.lab.sweep;
  const float em = ImGui::GetFontSize();
  const std::vector<ModelConfig> models = snap.config.all_models();
  const bool running = st.sweep && st.sweep->running();

  // What will run.
  std::string names;
  for (const ModelConfig& m : models) names += (names.empty() ? "" : ", ") + m.name;
  ImGui::PushTextWrapPos(0.0f);
  ImGui::Text(
      "Task: %s. Each model (%s) is trained from its seed at every lag — the task's length, how "
      "far back "
      "the answer lies — then its loss is measured on held-out batches.",
      std::string(to_string(snap.config.task.kind)).c_str(), names.c_str());
  ImGui::PopTextWrapPos();

  ImGui::BeginDisabled(running);
  ImGui::SetNextItemWidth(14 * em);
  input_text("lags", st.lags_text, 256);
  ImGui::SameLine(0, 1.5f * em);
  ImGui::SetNextItemWidth(9 * em);
  ImGui::SliderInt("iterations per run", &st.iterations, 10, 5000, "%d",
                   ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp);
  ImGui::EndDisabled();
  ImGui::SameLine(0, 1.5f * em);
  if (!running) {
    if (ImGui::Button("Start sweep")) {
      SweepSpec spec;
      spec.base = snap.config;
      spec.iterations = st.iterations;
      st.error.clear();
      if (parse_lags(st.lags_text, spec.lags, st.error)) {
        if (!st.sweep) st.sweep = std::make_unique<Sweep>();
        st.sweep->start(spec, &st.error);
      }
    }
  } else if (ImGui::Button("Cancel")) {
    st.sweep->cancel();
  }
  ImGui::SameLine();
  ImGui::Checkbox("log loss", &st.log_loss);

  // Progress: the bar, and how many runs are done.
  const std::vector<SweepResult> results =
      st.sweep ? st.sweep->results() : std::vector<SweepResult>{};
  if (st.sweep) {
    const SweepSpec& spec = st.sweep->spec();
    const size_t planned = spec.lags.size() * spec.base.all_models().size();
    char overlay[96];
    std::snprintf(overlay, sizeof overlay, "%zu of %zu runs%s", results.size(), planned,
                  running                 ? ""
                  : st.sweep->cancelled() ? " (cancelled)"
                                          : " (done)");
    ImGui::ProgressBar(static_cast<float>(st.sweep->progress()), ImVec2(-1, 0), overlay);
  }
  if (!st.sweep) {
    std::vector<int> lags;
    std::string ignored;
    if (parse_lags(st.lags_text, lags, ignored))
      ImGui::TextDisabled(
          "Start: %zu models × %zu lags × %d iterations; the dashed line is the task's chance "
          "level.",
          models.size(), lags.size(), st.iterations);
  }
  if (!st.error.empty())
    ImGui::TextColored(ImVec4(1.0f, 0.45f, 0.35f, 1.0f), "%s", st.error.c_str());

  // The plot: one series per model, the chance level dashed.
  update_baseline(snap, st);
  const float save_h = ImGui::GetFrameHeightWithSpacing() * 2;
  if (widgets::BeginPlot("final loss against dependency length##sweep", ImVec2(-1, -save_h),
                         st.plot)) {
    widgets::SetupAxes("lag (task length)", "held-out loss after training",
                       st.log_loss ? widgets::PlotFlags_LogY : 0);
    if (!st.log_loss) {  // losses are never negative: 0 at the bottom reads as "no error"
      double top = 0;
      for (const SweepResult& r : results)
        if (!r.diverged && std::isfinite(r.loss)) top = std::max({top, r.loss, r.baseline});
      for (double b : st.baseline_loss) top = std::max(top, b);
      widgets::SetupAxisLimits(widgets::Axis::Y, 0, top > 0 ? top * 1.15 : 1);
    }
    {  // a margin on both sides, so the first and last markers are whole
      double lo = 1e300, hi = -1e300;
      for (const SweepResult& r : results)
        lo = std::min(lo, double(r.lag)), hi = std::max(hi, double(r.lag));
      for (double l : st.baseline_lags) lo = std::min(lo, l), hi = std::max(hi, l);
      if (lo <= hi)
        widgets::SetupAxisLimits(widgets::Axis::X, lo - 0.04 * (hi - lo + 1),
                                 hi + 0.04 * (hi - lo + 1));
    }
    const int n_models = st.sweep ? static_cast<int>(st.sweep->spec().base.all_models().size())
                                  : static_cast<int>(models.size());
    const std::vector<ModelConfig> run_models =
        st.sweep ? st.sweep->spec().base.all_models() : models;
    for (int m = 0; m < n_models; ++m) {
      st.xs.clear();
      st.ys.clear();
      for (const SweepResult& r : results)
        if (r.model == m) st.xs.push_back(r.lag), st.ys.push_back(r.diverged ? NAN : r.loss);
      widgets::SetNextSeriesStyle({.color = widgets::series_color(m), .markers = true});
      widgets::PlotLine(run_models[m].name.c_str(), st.xs.data(), st.ys.data(),
                        static_cast<int>(st.xs.size()));
    }
    // The chance level: from the results where there are some, else from the task at each lag.
    st.xs.clear();
    st.ys.clear();
    for (const SweepResult& r : results)
      if (r.model == 0) st.xs.push_back(r.lag), st.ys.push_back(r.baseline);
    if (st.xs.empty())
      st.xs.assign(st.baseline_lags.begin(), st.baseline_lags.end()), st.ys = st.baseline_loss;
    widgets::SetNextSeriesStyle({.color = ImGui::GetColorU32(ImGuiCol_Text, 0.8f),
                                 .dashed = true,
                                 .markers = true,
                                 .marker = widgets::Marker::Diamond});
    widgets::PlotLine("chance level", st.xs.data(), st.ys.data(), static_cast<int>(st.xs.size()));
    widgets::EndPlot();
  }
  int diverged = 0;
  for (const SweepResult& r : results) diverged += r.diverged;
  if (diverged > 0) {
    ImGui::SameLine();
    ImGui::TextDisabled("%d run(s) diverged (not plotted)", diverged);
  }

  // Export.
  ImGui::SetNextItemWidth(std::max(10 * em, ImGui::GetContentRegionAvail().x - 16 * em));
  input_text("##csv", st.csv_path, 1024);
  ImGui::SameLine();
  ImGui::BeginDisabled(results.empty());
  if (ImGui::Button("Save CSV")) {
    std::string error;
    st.message = write_file_atomic(st.csv_path, Sweep::to_csv(results), &error)
                     ? "saved " + std::to_string(results.size()) + " rows to " + st.csv_path
                     : error;
  }
  ImGui::EndDisabled();
  if (!st.message.empty()) ImGui::TextDisabled("%s", st.message.c_str());
}

}  // namespace unrolled
