// Dependency length: train every model of the experiment at a series of lags (the task's length)
// from several seeds in the background, and plot the final held-out loss against the lag beside
// the task's chance level — where the vanilla RNN breaks and the gated cells hold. Each model's
// line is the mean over the seeds, its shaded band runs from the best seed to the worst: one seed
// alone draws a curve that rises and falls with the luck of the run. Cancellable; results as CSV.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "app/panels/panels.hpp"
#include "core/json_io.hpp"
#include "widgets/canvas.hpp"
#include "widgets/colormap.hpp"

namespace unrolled {
namespace {

// Seeds per (lag, model) when Start is pressed (a tour's sweep action sets its own).

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

// The label of a field, right of it, shortened with "…" to what is left of the line.
void fitted_label(const char* label) {
  ImGui::SameLine(0, ImGui::GetStyle().ItemInnerSpacing.x);
  const std::string shown =
      fit_text(label, std::max(ImGui::GetContentRegionAvail().x, 2 * ImGui::GetFontSize()));
  ImGui::TextUnformatted(shown.c_str());
  if (shown != label && ImGui::IsItemHovered()) text_tooltip(label);
}

// What will run, the lags and iterations, Start (or Cancel) and the log-loss switch; each piece
// on the line while it fits.
void draw_sweep_controls(const Snapshot& snap, SweepPanelState& st,
                         const std::vector<ModelConfig>& models, bool running) {
  const float em = ImGui::GetFontSize();
  std::string names;
  for (const ModelConfig& m : models) names += (names.empty() ? "" : ", ") + m.name;
  ImGui::PushTextWrapPos(0.0f);
  ImGui::Text(
      "Task: %s. Each model (%s) is trained from %d seeds at every lag — the task's length, how "
      "far back the answer lies — then its loss is measured on held-out batches.",
      std::string(to_string(snap.config.task.kind)).c_str(), names.c_str(), st.seeds);
  ImGui::PopTextWrapPos();

  const float label_gap = ImGui::GetStyle().ItemInnerSpacing.x;
  ImGui::BeginDisabled(running);
  ImGui::SetNextItemWidth(std::min(
      14 * em, ImGui::GetContentRegionAvail().x - label_gap - ImGui::CalcTextSize("lags").x));
  input_text("##lags", st.lags_text, 256);
  fitted_label("lags");
  fit_on_line(9 * em + label_gap + ImGui::CalcTextSize("iterations per run").x);
  ImGui::SetNextItemWidth(std::min(9 * em, 0.5f * ImGui::GetContentRegionAvail().x));
  ImGui::SliderInt("##iterations", &st.iterations, 10, 5000, "%d",
                   ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp);
  fitted_label("iterations per run");
  fit_on_line(6 * em + label_gap + ImGui::CalcTextSize("seeds").x);
  ImGui::SetNextItemWidth(6 * em);
  ImGui::SliderInt("##seeds", &st.seeds, 1, 10, "%d", ImGuiSliderFlags_AlwaysClamp);
  fitted_label("seeds");
  ImGui::EndDisabled();
  const char* action = running ? "Cancel" : "Start sweep";
  fit_on_line(ImGui::CalcTextSize(action).x + 2 * ImGui::GetStyle().FramePadding.x);
  if (!running) {
    if (ImGui::Button("Start sweep")) {
      SweepSpec spec;
      spec.base = snap.config;
      spec.iterations = st.iterations;
      spec.seeds = st.seeds;
      st.error.clear();
      if (parse_lags(st.lags_text, spec.lags, st.error)) {
        if (!st.sweep) st.sweep = std::make_unique<Sweep>();
        st.sweep->start(spec, &st.error);
      }
    }
  } else if (ImGui::Button("Cancel")) {
    st.sweep->cancel();
  }
  fit_on_line(ImGui::GetFrameHeight() + label_gap + ImGui::CalcTextSize("log loss").x);
  ImGui::Checkbox("log loss", &st.log_loss);
}

// The progress bar and how many runs are done, or what Start will run; errors.
void draw_progress(SweepPanelState& st, const std::vector<SweepResult>& results,
                   const std::vector<ModelConfig>& models, bool running) {
  if (st.sweep) {
    const SweepSpec& spec = st.sweep->spec();
    const size_t planned =
        spec.lags.size() * spec.base.all_models().size() * static_cast<size_t>(spec.seeds);
    char overlay[96];
    std::snprintf(overlay, sizeof overlay, "%zu of %zu runs%s", results.size(), planned,
                  running                 ? ""
                  : st.sweep->cancelled() ? " (cancelled)"
                                          : " (done)");
    ImGui::ProgressBar(static_cast<float>(st.sweep->progress()), ImVec2(-1, 0), overlay);
  }
  ImGui::PushTextWrapPos(0);
  if (!st.sweep) {
    std::vector<int> lags;
    std::string ignored;
    if (parse_lags(st.lags_text, lags, ignored))
      ImGui::TextDisabled(
          "Start: %zu models × %zu lags × %d seeds × %d iterations; the dashed line is the "
          "task's chance level.",
          models.size(), lags.size(), st.seeds, st.iterations);
  }
  if (!st.error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, attention_color(true));
    ImGui::TextUnformatted(st.error.c_str());
    ImGui::PopStyleColor();
  }
  ImGui::PopTextWrapPos();
}

// The axes' limits: 0 at the bottom on a linear scale, a margin either side of the lags.
void setup_limits(const SweepPanelState& st, const std::vector<SweepResult>& results) {
  if (!st.log_loss) {  // losses are never negative: 0 at the bottom reads as "no error"
    double top = 0;
    for (const SweepResult& r : results)
      if (!r.diverged && std::isfinite(r.loss)) top = std::max({top, r.loss, r.baseline});
    for (double b : st.baseline_loss) top = std::max(top, b);
    widgets::SetupAxisLimits(widgets::Axis::Y, 0, top > 0 ? top * 1.15 : 1);
  }
  // A margin on both sides, so the first and last markers are whole.
  double lo = 1e300, hi = -1e300;
  for (const SweepResult& r : results)
    lo = std::min(lo, double(r.lag)), hi = std::max(hi, double(r.lag));
  for (double l : st.baseline_lags) lo = std::min(lo, l), hi = std::max(hi, l);
  if (lo <= hi)
    widgets::SetupAxisLimits(widgets::Axis::X, lo - 0.04 * (hi - lo + 1),
                             hi + 0.04 * (hi - lo + 1));
}

// Each model's min–max band over its seeds, drawn once the plot has placed its axes (the plot
// widget has no filled series): one translucent quadrilateral per pair of neighbouring lags.
void draw_bands(const SweepPanelState& st, const std::vector<SweepSummary>& summary, int models) {
  const widgets::PlotState& p = st.plot;
  if (p.x_max <= p.x_min || p.y_max <= p.y_min) return;
  const bool log_y = st.log_loss;
  if (log_y && (p.y_min <= 0 || p.y_max <= 0)) return;
  auto y_of = [&](double v) {
    const double lo = log_y ? std::log10(p.y_min) : p.y_min;
    const double hi = log_y ? std::log10(p.y_max) : p.y_max;
    const double y = log_y ? std::log10(std::max(v, 1e-300)) : v;
    return static_cast<float>(p.data_max.y - (y - lo) / (hi - lo) * (p.data_max.y - p.data_min.y));
  };
  auto x_of = [&](double v) {
    return static_cast<float>(p.data_min.x +
                              (v - p.x_min) / (p.x_max - p.x_min) * (p.data_max.x - p.data_min.x));
  };
  widgets::Canvas draw = ImGui::GetWindowDrawList();
  draw->PushClipRect(p.data_min, p.data_max, true);
  for (int m = 0; m < models; ++m) {
    const ImU32 fill = (widgets::series_color(m) & ~IM_COL32_A_MASK) | IM_COL32(0, 0, 0, 56);
    const SweepSummary* prev = nullptr;
    for (const SweepSummary& s : summary) {
      if (s.model != m) continue;
      if (!std::isfinite(s.min) || !std::isfinite(s.max)) {
        prev = nullptr;
        continue;
      }
      if (prev) {
        const ImVec2 quad[4] = {{x_of(prev->lag), y_of(prev->max)}, {x_of(s.lag), y_of(s.max)},
                                {x_of(s.lag), y_of(s.min)}, {x_of(prev->lag), y_of(prev->min)}};
        draw->AddConvexPolyFilled(quad, 4, fill);
      }
      prev = &s;
    }
  }
  draw->PopClipRect();
}

// One line per model, the mean over its seeds, with its min–max band; the chance level dashed.
// The legend stays the widget's strip above the data.
void draw_sweep_plot(SweepPanelState& st, const std::vector<SweepResult>& results,
                     const std::vector<ModelConfig>& models, float height) {
  if (!widgets::BeginPlot("final loss against dependency length##sweep", ImVec2(-1, height),
                          st.plot))
    return;
  widgets::SetupAxes("lag (task length)", "held-out loss after training",
                     st.log_loss ? widgets::PlotFlags_LogY : 0);
  setup_limits(st, results);
  const std::vector<ModelConfig> run_models =
      st.sweep ? st.sweep->spec().base.all_models() : models;
  const std::vector<SweepSummary> summary = summarize(results);
  for (int m = 0; m < static_cast<int>(run_models.size()); ++m) {
    st.xs.clear();
    st.ys.clear();
    for (const SweepSummary& s : summary)
      if (s.model == m) st.xs.push_back(s.lag), st.ys.push_back(s.mean);
    widgets::SetNextSeriesStyle({.color = widgets::series_color(m), .markers = true});
    widgets::PlotLine(run_models[m].name.c_str(), st.xs.data(), st.ys.data(),
                      static_cast<int>(st.xs.size()));
  }
  // The chance level: from the results where there are some, else from the task at each lag.
  st.xs.clear();
  st.ys.clear();
  for (const SweepSummary& s : summary)
    if (s.model == 0) st.xs.push_back(s.lag), st.ys.push_back(s.baseline);
  if (st.xs.empty())
    st.xs.assign(st.baseline_lags.begin(), st.baseline_lags.end()), st.ys = st.baseline_loss;
  widgets::SetNextSeriesStyle({.color = ImGui::GetColorU32(ImGuiCol_Text, 0.8f),
                               .dashed = true,
                               .markers = true,
                               .marker = widgets::Marker::Diamond});
  widgets::PlotLine("chance level", st.xs.data(), st.ys.data(), static_cast<int>(st.xs.size()));
  widgets::EndPlot();
  draw_bands(st, summary, static_cast<int>(run_models.size()));
}

// The CSV path and "Save CSV" on one line (the field takes what the button leaves).
void draw_export(SweepPanelState& st, const std::vector<SweepResult>& results) {
  const float button = ImGui::CalcTextSize("Save CSV").x + 2 * ImGui::GetStyle().FramePadding.x;
  // fit_on_line keeps one em between the field and the button.
  ImGui::SetNextItemWidth(std::max(ImGui::GetContentRegionAvail().x - button - ImGui::GetFontSize(),
                                   4 * ImGui::GetFontSize()));
  input_text("##csv", st.csv_path, 1024);
  fit_on_line(button);
  ImGui::BeginDisabled(results.empty());
  if (ImGui::Button("Save CSV")) {
    std::string error;
    st.message = write_file_atomic(st.csv_path, Sweep::to_csv(results), &error)
                     ? "saved " + std::to_string(results.size()) + " rows to " + st.csv_path
                     : error;
  }
  ImGui::EndDisabled();
  if (!st.message.empty()) {
    ImGui::PushTextWrapPos(0);
    ImGui::TextDisabled("%s", st.message.c_str());
    ImGui::PopTextWrapPos();
  }
}

}  // namespace

void draw_sweep_panel(const Snapshot& snap, AppState& app) {
  SweepPanelState& st = app.lab.sweep;
  const std::vector<ModelConfig> models = snap.config.all_models();
  const bool running = st.sweep && st.sweep->running();
  const std::vector<SweepResult> results =
      st.sweep ? st.sweep->results() : std::vector<SweepResult>{};
  report_value(app, "runs done", std::to_string(results.size()));
  update_baseline(snap, st);
  int diverged = 0;
  for (const SweepResult& r : results) diverged += r.diverged;
  // The plot first, on screen whatever the panel's size; the settings and progress under it.
  const float avail = ImGui::GetContentRegionAvail().y;
  emphasise_series(st.plot, app, PanelId::Sweep);
  draw_sweep_plot(st, results, models, std::max(avail * 0.6f, min_plot_box().y));
  note_emphasis(st.plot, app);
  const int seeds = st.sweep ? st.sweep->spec().seeds : st.seeds;
  ImGui::PushTextWrapPos(0);
  ImGui::TextDisabled("Line: the mean over %d seeds; band: from the best seed to the worst.", seeds);
  ImGui::PopTextWrapPos();
  if (diverged > 0) ImGui::TextDisabled("%d run(s) diverged (not plotted)", diverged);
  draw_progress(st, results, models, running);
  draw_sweep_controls(snap, st, models, running);
  draw_export(st, results);
}

}  // namespace unrolled
