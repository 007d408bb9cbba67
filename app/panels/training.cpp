// Training: the loss against the task's chance level, accuracy where the task has one, the global
// gradient norm before and after clipping with the threshold and the clipped iterations marked,
// and the learning rate. Recent iterations (raw) or the whole run (bucketed); models overlaid.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "app/panels/panels.hpp"
#include "widgets/colormap.hpp"

namespace unrolled {
namespace {

Series series(const History& h, Field f, bool overview) {
  return overview ? h.overview(f) : h.recent(f);
}

void plot(const char* label, const Series& x, const Series& y) {
  if (y.count > 0 && x.count == y.count)
    widgets::PlotLine(label, x.data, y.data, y.count, y.offset, y.stride);
}

ImU32 with_alpha(ImU32 c, int alpha) {
  return (c & ~IM_COL32_A_MASK) | (static_cast<ImU32>(alpha) << IM_COL32_A_SHIFT);
}

void tooltip_if(bool show, const char* text) {
  if (!show) return;
  ImGui::BeginTooltip();
  ImGui::PushTextWrapPos(ImGui::GetFontSize() * 28.0f);
  ImGui::TextUnformatted(text);
  ImGui::PopTextWrapPos();
  ImGui::EndTooltip();
}

// Share of iterations clipped in what the view shows (overview: bucket fractions weighted by
// count).
double clipped_share(const History& h, bool overview, double* iterations) {
  const Series c = series(h, Field::Clipped, overview), n = series(h, Field::Count, overview);
  double clipped = 0, total = 0;
  for (int i = 0; i < c.count; ++i) {
    clipped += c[i] * n[i];
    total += n[i];
  }
  *iterations = total;
  return total > 0 ? clipped / total : 0.0;
}

}  // namespace

void draw_training_panel(const Snapshot& snap, AppState& app) {
  if (snap.models.empty()) return;
  TrainingPanelState& st = app.training;
  const float em = ImGui::GetFontSize();
  const bool compare = snap.models.size() > 1;
  const TrainingConfig& tc = snap.config.training;

  int mode = st.overview ? 1 : 0;
  ImGui::RadioButton("recent", &mode, 0);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("The last %d iterations, each one a point",
                      snap.models[0].history.capacity());
  ImGui::SameLine();
  ImGui::RadioButton("whole run", &mode, 1);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip(
        "Every iteration since the start, averaged in buckets so the run always fits");
  st.overview = mode == 1;
  fit_on_line(8 * em);
  ImGui::Checkbox("log loss", &st.log_loss);

  // Read-out: clipping share, threshold, learning rate.
  char line[256];
  const char* opt_name = to_string(tc.optimizer.kind).data();
  std::snprintf(line, sizeof line, "learning rate %.3g (%s)", tc.optimizer.learning_rate, opt_name);
  fit_on_line(ImGui::CalcTextSize(line).x);
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(line);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Step size of the optimiser; change it in Experiment");
  // One line: the share of iterations clipped, per model in compare mode.
  if (tc.clip.mode == ClipMode::None) {
    ImGui::TextUnformatted("no clipping");
  } else {
    double n = 0;
    std::string shares;
    for (const ModelView& m : snap.models) {
      const double share = clipped_share(m.history, st.overview, &n);
      char buf[96];
      std::snprintf(buf, sizeof buf, "%s%s%s%.0f%%", shares.empty() ? "" : ", ",
                    compare ? m.name.c_str() : "", compare ? " " : "", 100 * share);
      shares += buf;
    }
    std::snprintf(line, sizeof line, "clipped (%s, threshold %.3g) in %s of %s %.0f iterations",
                  tc.clip.mode == ClipMode::Norm ? "by norm" : "by value", tc.clip.threshold,
                  shares.c_str(), st.overview ? "all" : "the last", n);
    ImGui::PushTextWrapPos(0);
    ImGui::TextUnformatted(line);
    ImGui::PopTextWrapPos();
  }

  // Heights: loss 3, accuracy 2 (when the task has one), norm 3, learning rate 1.5 (if it varied).
  bool accuracy = snap.task.has_accuracy;
  bool lr_varied = false;
  for (const ModelView& m : snap.models) {
    const Series lr = series(m.history, Field::LearningRate, st.overview);
    for (int i = 1; i < lr.count && !lr_varied; ++i) lr_varied = lr[i] != lr[0];
  }
  const float gap = ImGui::GetStyle().ItemSpacing.y;
  const auto unit_height = [&] {
    const float weights = 3 + (accuracy ? 2.0f : 0) + 3 + (lr_varied ? 1.5f : 0);
    const int n_plots = 2 + accuracy + lr_varied;
    return (ImGui::GetContentRegionAvail().y - gap * (n_plots - 1)) / weights;
  };
  // Too little room for a readable accuracy plot: a number instead.
  if (accuracy && 2.0f * unit_height() < 8 * em) {
    accuracy = false;
    std::string acc = "accuracy (last iteration):";
    for (const ModelView& m : snap.models) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "  %s%s%.0f%%", compare ? m.name.c_str() : "",
                    compare ? " " : "", 100 * m.last_accuracy);
      acc += buf;
    }
    ImGui::TextUnformatted(acc.c_str());
  }
  const float unit = unit_height();

  // Loss.
  if (widgets::BeginPlot("##loss", ImVec2(-1, 3 * unit), st.loss)) {
    widgets::SetupAxes("iteration",
                       snap.task.loss == LossKind::Mse ? "loss (MSE)" : "loss (cross-entropy)",
                       st.log_loss ? widgets::PlotFlags_LogY : widgets::PlotFlags_None);
    for (size_t k = 0; k < snap.models.size(); ++k) {
      const ModelView& m = snap.models[k];
      widgets::SetNextLineStyle(widgets::series_color(static_cast<int>(k)));
      plot(m.name.c_str(), series(m.history, Field::Iteration, st.overview),
           series(m.history, Field::Loss, st.overview));
    }
    char chance[64];
    std::snprintf(chance, sizeof chance, "chance %.3g", snap.task.baseline);
    widgets::SetNextLineStyle(ImGui::GetColorU32(ImGuiCol_Text, 0.75f), 0.8f);
    widgets::PlotHLine(chance, snap.task.baseline);
    widgets::EndPlot();
  }
  tooltip_if(ImGui::IsItemHovered() && !st.loss.hovered,
             ("The training loss of each iteration's batch. Dashed: the chance level, " +
              snap.task.baseline_note +
              ". Below it the network has learned something the task "
              "needs remembered.")
                 .c_str());

  // Accuracy.
  if (accuracy && widgets::BeginPlot("##accuracy", ImVec2(-1, 2.0f * unit), st.accuracy)) {
    widgets::SetupAxes("iteration", "accuracy", widgets::PlotFlags_None);
    widgets::SetupAxisLimits(widgets::Axis::Y, 0, 1);
    for (size_t k = 0; k < snap.models.size(); ++k) {
      const ModelView& m = snap.models[k];
      widgets::SetNextLineStyle(widgets::series_color(static_cast<int>(k)));
      plot(m.name.c_str(), series(m.history, Field::Iteration, st.overview),
           series(m.history, Field::Accuracy, st.overview));
    }
    widgets::EndPlot();
  }

  // Gradient norm before / after clipping, threshold, clip events.
  if (widgets::BeginPlot("##norm", ImVec2(-1, lr_varied ? 3 * unit : -1), st.norm)) {
    widgets::SetupAxes("iteration", "\xE2\x80\x96g\xE2\x80\x96 global gradient norm",
                       widgets::PlotFlags_LogY);
    char label[96];
    for (size_t k = 0; k < snap.models.size(); ++k) {
      const ModelView& m = snap.models[k];
      const Series x = series(m.history, Field::Iteration, st.overview);
      const Series before = series(m.history, Field::GradNormBefore, st.overview);
      const Series after = series(m.history, Field::GradNormAfter, st.overview);
      const Series clipped = series(m.history, Field::Clipped, st.overview);
      const ImU32 c = widgets::series_color(compare ? static_cast<int>(k) : 0);
      const char* who = compare ? m.name.c_str() : "";
      const char* sep = compare ? " " : "";
      std::snprintf(label, sizeof label, compare ? "%s" : "before clipping", who);
      // Compare mode keeps one line per model (before clipping) so the legend stays small. Drawn
      // wide under the "after" line: where nothing was clipped the two coincide and the wide line
      // shows as a rim.
      widgets::SetNextLineStyle(c, tc.clip.mode != ClipMode::None && !compare ? 2.0f : 1.0f);
      plot(label, x, before);
      if (tc.clip.mode != ClipMode::None && !compare) {
        std::snprintf(label, sizeof label, "%s%safter clipping", who, sep);
        widgets::SetNextLineStyle(compare ? with_alpha(c, 140) : widgets::series_color(1),
                                  compare ? 0.7f : 1.0f);
        plot(label, x, after);
        // Clip events: the norm before clipping at each clipped iteration (bucket), NaN elsewhere,
        // laid out like the ring so x and y share its offset.
        if (clipped.count > 0 && clipped.stride == static_cast<int>(sizeof(double)) &&
            before.stride == clipped.stride && x.stride == clipped.stride) {
          st.clip_marks.resize(clipped.count);
          for (int j = 0; j < clipped.count; ++j)
            st.clip_marks[j] = clipped.data[j] > 0 ? before.data[j] : std::nan("");
          std::snprintf(label, sizeof label, "%s%sclipped", who, sep);
          widgets::SetNextLineStyle(compare ? c : widgets::series_color(4), 0.55f);
          widgets::PlotScatter(label, x.data, st.clip_marks.data(), clipped.count,
                               widgets::Marker::TriangleDown, clipped.offset);
        }
      }
    }
    if (tc.clip.mode == ClipMode::Norm) {
      std::snprintf(label, sizeof label, "threshold %.3g", tc.clip.threshold);
      widgets::SetNextLineStyle(ImGui::GetColorU32(ImGuiCol_Text, 0.75f), 0.8f);
      widgets::PlotHLine(label, tc.clip.threshold);
    }
    widgets::EndPlot();
  }
  tooltip_if(ImGui::IsItemHovered() && !st.norm.hovered,
             "\xE2\x80\x96g\xE2\x80\x96, the norm of the whole gradient (every weight at once) as "
             "back-propagation through time computed it, and as the optimiser used it. Clipping by "
             "norm rescales g to the threshold when it is longer, keeping its direction; a "
             "triangle marks each clipped iteration.");

  // Learning rate, only when it changed during the run.
  if (lr_varied && widgets::BeginPlot("##lr", ImVec2(-1, -1), st.learning_rate)) {
    widgets::SetupAxes("iteration", "learning rate", widgets::PlotFlags_LogY);
    for (size_t k = 0; k < snap.models.size(); ++k) {
      const ModelView& m = snap.models[k];
      widgets::SetNextLineStyle(widgets::series_color(static_cast<int>(k)));
      plot(m.name.c_str(), series(m.history, Field::Iteration, st.overview),
           series(m.history, Field::LearningRate, st.overview));
    }
    widgets::EndPlot();
  }
}

}  // namespace unrolled
