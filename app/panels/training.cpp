// Training: the loss against the task's chance level, accuracy where the task has one, the global
// gradient norm before and after clipping with the threshold and the clipped iterations marked,
// and the learning rate. Recent iterations (raw) or the whole run (bucketed); models overlaid.
// Every plot keeps at least min_plot_box(); when the panel is shorter it scrolls.
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

// "LSTM " in compare mode (the model's name before a number), "" with one model.
std::string who(const ModelView& m, bool compare) {
  return compare ? m.name + " " : "";
}

// The report's name for a per-model value: "loss" alone, "loss LSTM" in compare mode.
std::string per_model(const char* name, const ModelView& m, bool compare) {
  return compare ? std::string(name) + " " + m.name : std::string(name);
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

// [SECTION] The read-outs above the plots

void draw_view_options(const Snapshot& snap, TrainingPanelState& st) {
  int mode = st.overview ? 1 : 0;
  ImGui::RadioButton("recent", &mode, 0);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("The last %d iterations, each one a point",
                      snap.models[0].history.capacity());
  fit_on_line(ImGui::GetFrameHeight() + ImGui::CalcTextSize("whole run").x);
  ImGui::RadioButton("whole run", &mode, 1);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip(
        "Every iteration since the start, averaged in buckets so the run always fits");
  st.overview = mode == 1;
  fit_on_line(ImGui::GetFrameHeight() + ImGui::CalcTextSize("log loss").x);
  ImGui::Checkbox("log loss", &st.log_loss);
}

// The learning rate and the share of iterations clipped (per model in compare mode), wrapped.
void draw_readout(const Snapshot& snap, AppState& app) {
  const TrainingConfig& tc = snap.config.training;
  const bool compare = snap.models.size() > 1;
  const std::string lr = fmt_num(tc.optimizer.learning_rate);
  report_value(app, "learning rate", lr);
  ImGui::PushTextWrapPos(0);
  ImGui::Text("learning rate %s (%s)", lr.c_str(), to_string(tc.optimizer.kind).data());
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Step size of the optimiser; change it in Experiment");
  if (tc.clip.mode == ClipMode::None) {
    ImGui::TextUnformatted("no clipping");
  } else {
    double n = 0;
    std::string shares;
    for (const ModelView& m : snap.models) {
      const double share = clipped_share(m.history, app.training.overview, &n);
      shares += (shares.empty() ? "" : ", ") + who(m, compare) + fmt_num(100 * share, 3) + "%";
    }
    ImGui::Text("clipped (%s, threshold %s) in %s of %s %s iterations",
                tc.clip.mode == ClipMode::Norm ? "by norm" : "by value",
                fmt_num(tc.clip.threshold).c_str(), shares.c_str(),
                app.training.overview ? "all" : "the last", fmt_num(n, 7).c_str());
  }
  ImGui::PopTextWrapPos();
}

// The last iteration's accuracy per model, as words (when there is no room for its plot),
// wrapped so that no model's number is cut.
void draw_accuracy_text(const Snapshot& snap) {
  const bool compare = snap.models.size() > 1;
  std::string acc = "accuracy (last iteration):";
  for (const ModelView& m : snap.models)
    acc += "  " + who(m, compare) + fmt_percent(m.last_accuracy);
  ImGui::PushTextWrapPos(0);
  ImGui::TextUnformatted(acc.c_str());
  ImGui::PopTextWrapPos();
}

// [SECTION] Time travel

// A slider over the iterations the checkpoints can bring back: every panel shows the iteration
// picked, recomputed bit for bit (app/session/time_travel.hpp); "live" follows training again.
// While the slider is dragged a new iteration is asked for only once the last one is shown.
void draw_scrubber(const Snapshot& snap, AppState& app, TrainingWorker& worker) {
  TrainingPanelState& st = app.training;
  if (snap.live_iteration < 1) return;
  const bool viewing = snap.viewing >= 0;
  int64_t it = viewing ? snap.viewing : snap.live_iteration;
  const int64_t lo = snap.earliest_viewable, hi = snap.live_iteration;
  const ImGuiStyle& style = ImGui::GetStyle();
  const float live_w = ImGui::CalcTextSize("live").x + style.FramePadding.x * 2;
  // The slider takes the line but for "live" (which goes under it in a very narrow panel).
  const float avail = ImGui::GetContentRegionAvail().x;
  const float beside = avail - live_w - ImGui::GetFontSize();  // fit_on_line keeps one em
  ImGui::SetNextItemWidth(beside >= 6 * ImGui::GetFontSize() ? beside : avail);
  const bool moved =
      ImGui::SliderScalar("##view", ImGuiDataType_S64, &it, &lo, &hi, "view iteration %lld");
  if (ImGui::IsItemHovered())
    text_tooltip("Drag to go back in training: every panel shows that iteration as it was, "
                 "recomputed from the nearest checkpoint. Training pauses while you look back.");
  // Shown, or on its way in the background (a new pick interrupts that replay at once).
  const bool shown =
      !viewing || snap.viewing == st.scrub_sent || snap.view_pending == st.scrub_sent;
  // While dragging, the nearest iteration one replay away (a checkpoint just before it), so that
  // every redraw is quick; on release, exactly the iteration picked.
  const auto& quick = snap.quick_views;
  if (moved) st.scrub_picked = it;
  const bool released = ImGui::IsItemDeactivatedAfterEdit();
  if (released) it = st.scrub_picked;
  if (moved && ImGui::IsItemActive() && !quick.empty()) {
    auto q = std::lower_bound(quick.begin(), quick.end(), it);
    if (q == quick.end() || (q != quick.begin() && it - *(q - 1) < *q - it)) --q;
    if (*q <= hi) it = *q;
  }
  if ((moved || released) && (shown || released) && it != st.scrub_sent) {
    worker.send(cmd::ViewIteration{it, st.keep_training});
    st.scrub_sent = it;
  }
  fit_on_line(live_w);
  ImGui::BeginDisabled(!viewing);
  if (ImGui::Button("live")) {
    worker.send(cmd::BackToLive{});
    st.scrub_sent = -1;
  }
  ImGui::EndDisabled();
  // Pin what is on screen; the Gates panel then shows it beside whatever is viewed next.
  if (ImGui::SmallButton(app.pinned ? "pin this instead" : "pin this iteration"))
    app.pinned = worker.latest();
  if (ImGui::IsItemHovered())
    text_tooltip("Keeps this iteration's gates: the Gates panel shows them beside the iteration "
                 "on screen (drag the slider or train on), to see before and after.");
  fit_on_line(ImGui::GetFrameHeight() + style.ItemInnerSpacing.x +
              ImGui::CalcTextSize("keep training while viewing").x);
  const int64_t picked = snap.view_pending >= 0 ? snap.view_pending : snap.viewing;
  if (ImGui::Checkbox("keep training while viewing", &st.keep_training) && viewing)
    worker.send(cmd::ViewIteration{picked, st.keep_training});
  if (snap.view_pending >= 0) {
    // A far-back pick: the nearest checkpoint's iteration is on screen while the exact one is
    // replayed (app/session/training_worker.hpp, view_iteration).
    ImGui::PushTextWrapPos(0);
    ImGui::TextDisabled("showing %lld (a checkpoint's) while %lld is computed...",
                        static_cast<long long>(snap.viewing),
                        static_cast<long long>(snap.view_pending));
    ImGui::PopTextWrapPos();
  }
  report_value(app, "viewing", std::to_string(snap.viewing));
  report_value(app, "view pending", std::to_string(snap.view_pending));
}

// [SECTION] The plots

void draw_loss_plot(const Snapshot& snap, AppState& app, float height) {
  TrainingPanelState& st = app.training;
  emphasise_series(st.loss, app, PanelId::Training);
  if (widgets::BeginPlot("##loss", ImVec2(-1, height), st.loss)) {
    widgets::SetupAxes("iteration",
                       snap.task.loss == LossKind::Mse ? "loss (MSE)" : "loss (cross-entropy)",
                       st.log_loss ? widgets::PlotFlags_LogY : widgets::PlotFlags_None);
    int points = 0;
    for (size_t k = 0; k < snap.models.size(); ++k) {
      const ModelView& m = snap.models[k];
      const Series y = series(m.history, Field::Loss, st.overview);
      widgets::SetNextLineStyle(widgets::series_color(static_cast<int>(k)));
      plot(m.name.c_str(), series(m.history, Field::Iteration, st.overview), y);
      points += y.count;
    }
    const std::string chance = "chance " + fmt_num(snap.task.baseline);
    widgets::SetNextLineStyle(ImGui::GetColorU32(ImGuiCol_Text, 0.75f), 0.8f);
    widgets::PlotHLine(chance.c_str(), snap.task.baseline);
    if (snap.viewing >= 0) {  // the iteration every panel shows (time travel)
      widgets::SetNextLineStyle(ImGui::GetColorU32(ImGuiCol_PlotLinesHovered), 1.5f);
      widgets::PlotVLine("viewing", static_cast<double>(snap.viewing));
    }
    widgets::EndPlot();
    note_emphasis(st.loss, app);
    report_value(app, "loss plot points", std::to_string(points));
  }
  if (ImGui::IsItemHovered() && !st.loss.hovered)
    text_tooltip(("The training loss of each iteration's batch. Dashed: the chance level, " +
                  snap.task.baseline_note +
                  ". Below it the network has learned something the task needs remembered.")
                     .c_str());
}

void draw_accuracy_plot(const Snapshot& snap, TrainingPanelState& st, float height) {
  if (!widgets::BeginPlot("##accuracy", ImVec2(-1, height), st.accuracy)) return;
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

// One model's norm lines: before clipping (wide, so that it shows as a rim where nothing was
// clipped) and, with one model, after clipping and the clipped iterations marked.
void plot_norms(const ModelView& m, int k, bool compare, const TrainingConfig& tc,
                TrainingPanelState& st) {
  const Series x = series(m.history, Field::Iteration, st.overview);
  const Series before = series(m.history, Field::GradNormBefore, st.overview);
  const Series after = series(m.history, Field::GradNormAfter, st.overview);
  const Series clipped = series(m.history, Field::Clipped, st.overview);
  const bool clipping = tc.clip.mode != ClipMode::None;
  // Compare mode keeps one line per model (before clipping) so the legend stays small.
  widgets::SetNextLineStyle(widgets::series_color(compare ? k : 0),
                            clipping && !compare ? 2.0f : 1.0f);
  plot(compare ? m.name.c_str() : "before clipping", x, before);
  if (!clipping || compare) return;
  widgets::SetNextLineStyle(widgets::series_color(1), 1.0f);
  plot("after clipping", x, after);
  // Clip events: the norm before clipping at each clipped iteration (bucket), NaN elsewhere, laid
  // out like the ring so x and y share its offset.
  if (clipped.count > 0 && clipped.stride == static_cast<int>(sizeof(double)) &&
      before.stride == clipped.stride && x.stride == clipped.stride) {
    st.clip_marks.resize(clipped.count);
    for (int j = 0; j < clipped.count; ++j)
      st.clip_marks[j] = clipped.data[j] > 0 ? before.data[j] : std::nan("");
    widgets::SetNextLineStyle(widgets::series_color(4), 0.55f);
    widgets::PlotScatter("clipped", x.data, st.clip_marks.data(), clipped.count,
                         widgets::Marker::TriangleDown, clipped.offset);
  }
}

void draw_norm_plot(const Snapshot& snap, AppState& app, float height) {
  TrainingPanelState& st = app.training;
  const TrainingConfig& tc = snap.config.training;
  const bool compare = snap.models.size() > 1;
  if (widgets::BeginPlot("##norm", ImVec2(-1, height), st.norm)) {
    widgets::SetupAxes("iteration", "\xE2\x80\x96g\xE2\x80\x96 global gradient norm",
                       widgets::PlotFlags_LogY);
    int points = 0;
    for (size_t k = 0; k < snap.models.size(); ++k) {
      plot_norms(snap.models[k], static_cast<int>(k), compare, tc, st);
      points += series(snap.models[k].history, Field::GradNormBefore, st.overview).count;
    }
    if (tc.clip.mode == ClipMode::Norm) {
      const std::string label = "threshold " + fmt_num(tc.clip.threshold);
      widgets::SetNextLineStyle(ImGui::GetColorU32(ImGuiCol_Text, 0.75f), 0.8f);
      widgets::PlotHLine(label.c_str(), tc.clip.threshold);
    }
    widgets::EndPlot();
    report_value(app, "norm plot points", std::to_string(points));
  }
  if (ImGui::IsItemHovered() && !st.norm.hovered)
    text_tooltip(
        "\xE2\x80\x96g\xE2\x80\x96, the norm of the whole gradient (every weight at once) as "
        "back-propagation through time computed it, and as the optimiser used it. Clipping by "
        "norm rescales g to the threshold when it is longer, keeping its direction; a "
        "triangle marks each clipped iteration.");
}

void draw_lr_plot(const Snapshot& snap, TrainingPanelState& st, float height) {
  if (!widgets::BeginPlot("##lr", ImVec2(-1, height), st.learning_rate)) return;
  widgets::SetupAxes("iteration", "learning rate", widgets::PlotFlags_LogY);
  for (size_t k = 0; k < snap.models.size(); ++k) {
    const ModelView& m = snap.models[k];
    widgets::SetNextLineStyle(widgets::series_color(static_cast<int>(k)));
    plot(m.name.c_str(), series(m.history, Field::Iteration, st.overview),
         series(m.history, Field::LearningRate, st.overview));
  }
  widgets::EndPlot();
}

bool learning_rate_varied(const Snapshot& snap, bool overview) {
  for (const ModelView& m : snap.models) {
    const Series lr = series(m.history, Field::LearningRate, overview);
    for (int i = 1; i < lr.count; ++i)
      if (lr[i] != lr[0]) return true;
  }
  return false;
}

// What the panel shows, for the layout report: each model's last loss and accuracy, the chance
// level.
void report_numbers(const Snapshot& snap, AppState& app) {
  const bool compare = snap.models.size() > 1;
  report_value(app, "chance", fmt_num(snap.task.baseline, 6));
  for (const ModelView& m : snap.models) {
    report_value(app, per_model("loss", m, compare).c_str(), fmt_num(m.last_loss, 6));
    if (snap.task.has_accuracy)
      report_value(app, per_model("accuracy", m, compare).c_str(), fmt_percent(m.last_accuracy));
  }
}

}  // namespace

void draw_training_panel(const Snapshot& snap, AppState& app, TrainingWorker& worker) {
  if (snap.models.empty()) return;
  TrainingPanelState& st = app.training;
  report_numbers(snap, app);
  const float gap = ImGui::GetStyle().ItemSpacing.y, min_h = min_plot_box().y;
  // Legends of more than two entries may take more rows above the data (measured: the norm plot's
  // four entries at 1920x1080, text scale 2): a line more per entry beyond two.
  const auto min_for = [&](int entries) {
    return min_h + std::max(entries - 2, 0) * ImGui::GetTextLineHeightWithSpacing();
  };
  const int models = static_cast<int>(snap.models.size());
  // The loss first, on screen whatever the panel's size: it is the lesson (in Compare, the RNN
  // stays at chance while the LSTM learns). The options and the numbers come under it.
  const float avail = ImGui::GetContentRegionAvail().y;
  draw_loss_plot(snap, app, std::max(avail * 0.5f, min_for(models + 1)));  // models and chance
  draw_scrubber(snap, app, worker);
  draw_view_options(snap, st);
  draw_readout(snap, app);

  // Shares of what is left: accuracy 2 (when the task has one), norm 3, learning rate 1.5 (if it
  // varied); none below min_plot_box() (the panel scrolls instead).
  bool accuracy = snap.task.has_accuracy;
  const bool lr_varied = learning_rate_varied(snap, st.overview);
  const bool clipping = snap.config.training.clip.mode != ClipMode::None;
  const int norm_entries = models > 1 ? models + (clipping ? 1 : 0)
                                      : (clipping ? 4 : 1);  // before, after, clipped, threshold
  const auto unit_height = [&] {
    const float weights = (accuracy ? 2.0f : 0) + 3 + (lr_varied ? 1.5f : 0);
    const int n_plots = 1 + accuracy + lr_varied;
    return (ImGui::GetContentRegionAvail().y - gap * (n_plots - 1)) / weights;
  };
  // Too little room for the accuracy plot at its minimum: a line of words instead.
  if (accuracy && 2.0f * unit_height() < min_h) {
    accuracy = false;
    draw_accuracy_text(snap);
  }
  const float unit = unit_height();
  if (accuracy) draw_accuracy_plot(snap, st, std::max(2 * unit, min_for(models)));
  draw_norm_plot(snap, app, std::max(3 * unit, min_for(norm_entries)));
  if (lr_varied) draw_lr_plot(snap, st, std::max(1.5f * unit, min_for(models)));
}

}  // namespace unrolled
