// Experiment: every field of the experiment file, editable. Optimiser, learning rate, clipping,
// truncation and precision apply at the next iteration; the model, the task and the batch size
// need a reset, and the panel says so and offers it. Lessons can be opened from and saved
// to files.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "app/gui/gui.hpp"
#include "app/panels/panels.hpp"
#include "core/json_io.hpp"

namespace unrolled {
namespace {

// Room kept right of every label for a help marker "(?)", so that a marker never runs past the
// edge.
float marker_room() {
  return ImGui::GetStyle().ItemSpacing.x + ImGui::CalcTextSize("(?)").x;
}

// The label right of a field whose own label was hidden ("##..."), shortened with "…" to what is
// left of the line (less room for a help marker) and whole in a tooltip when shortened.
void label_after(const char* label) {
  if (label[0] == '#' && label[1] == '#') return;
  ImGui::SameLine(0, ImGui::GetStyle().ItemInnerSpacing.x);
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  const float room = right - ImGui::GetCursorScreenPos().x - marker_room();
  const std::string shown = fit_text(label, std::max(room, 0.0f));
  ImGui::TextUnformatted(shown.c_str());
  if (shown != label && ImGui::IsItemHovered()) text_tooltip(label);
}

std::string hidden_id(const char* label) {
  return label[0] == '#' && label[1] == '#' ? label : std::string("##") + label;
}

// A combo over an enum's names ("a|b|c").
template <class E>
bool combo(const char* label, E& value, std::initializer_list<E> values) {
  bool changed = false;
  if (ImGui::BeginCombo(hidden_id(label).c_str(), std::string(to_string(value)).c_str())) {
    for (E v : values) {
      const bool selected = v == value;
      if (ImGui::Selectable(std::string(to_string(v)).c_str(), selected)) {
        value = v;
        changed = true;
      }
      if (selected) ImGui::SetItemDefaultFocus();
    }
    ImGui::EndCombo();
  }
  label_after(label);
  return changed;
}

bool slider_int(const char* label, int& v, int lo, int hi, bool log = false) {
  const bool changed =
      ImGui::SliderInt(hidden_id(label).c_str(), &v, lo, hi, "%d",
                       ImGuiSliderFlags_AlwaysClamp | (log ? ImGuiSliderFlags_Logarithmic : 0));
  label_after(label);
  return changed;
}

bool slider_double(const char* label, double& v, double lo, double hi, const char* fmt,
                   bool log = false) {
  const bool changed =
      ImGui::SliderScalar(hidden_id(label).c_str(), ImGuiDataType_Double, &v, &lo, &hi, fmt,
                          ImGuiSliderFlags_AlwaysClamp | (log ? ImGuiSliderFlags_Logarithmic : 0));
  label_after(label);
  return changed;
}

bool text_field(const char* label, std::string& s, size_t cap = 1024) {
  const bool changed = input_text(hidden_id(label).c_str(), s, cap);
  label_after(label);
  return changed;
}

bool checkbox(const char* label, bool& v) {
  const bool changed = ImGui::Checkbox(hidden_id(label).c_str(), &v);
  label_after(label);
  return changed;
}

void edit_model(ModelConfig& m) {
  ImGui::PushID(&m);
  if (combo("cell", m.cell, {CellType::Rnn, CellType::Lstm, CellType::Gru}) &&
      (m.name == "rnn" || m.name == "lstm" || m.name == "gru" || m.name == "RNN" ||
       m.name == "LSTM" || m.name == "GRU"))
    m.name = m.cell == CellType::Rnn ? "RNN" : m.cell == CellType::Lstm ? "LSTM" : "GRU";
  help_marker(
      "rnn: the Elman cell h_t = tanh(W_hh h_{t-1} + W_xh x_t + b). lstm: gates i, f, g, o and a "
      "cell state c. gru: reset and update gates r, z and a candidate n.");
  slider_int("layers", m.layers, 1, kMaxLayers);
  slider_int("hidden size H", m.hidden_size, 1, kMaxHidden, true);
  if (m.cell == CellType::Rnn)
    combo("activation", m.activation,
          {Activation::Tanh, Activation::Relu, Activation::Sigmoid, Activation::Identity});
  if (m.cell == CellType::Gru) {
    combo("GRU variant", m.gru_variant, {GruVariant::ResetBefore, GruVariant::ResetAfter});
    help_marker(
        "reset_before (Cho et al. 2014, as the lectures write it): n = tanh(W_xn x + W_hn (r ⊙ h) "
        "+ b_n). reset_after (PyTorch, cuDNN): r multiplies (W_hn h + b_hn).");
  }
  combo("init", m.init.kind,
        {InitKind::Uniform, InitKind::Glorot, InitKind::Orthogonal, InitKind::Identity});
  slider_double("spectral radius", m.init.spectral_radius, 0.0, 3.0,
                m.init.spectral_radius == 0 ? "as initialised" : "ρ = %.2f");
  help_marker(
      "Rescales every recurrent block of W_hh to this spectral radius. Below 1, gradients through "
      "time shrink; above 1, they can grow. 0 keeps the initialiser's own scale.");
  if (m.cell == CellType::Lstm) {
    slider_double("forget bias", m.init.forget_bias, -5.0, 10.0, "%.1f");
    help_marker(
        "The initial bias of the forget gate f. At 1 or more, f starts near 1 and the cell state, "
        "and its gradient, survive many steps.");
  }
  slider_double("readout scale", m.readout_scale, 0.01, 2.0, "%.2f", true);
  help_marker(
      "Multiplies the initial readout weights; small values make the first prediction close to "
      "uniform, so the first loss is close to chance.");
  text_field("name", m.name, 41);
  ImGui::PopID();
}

void edit_task(TaskSpec& t) {
  TaskKind kind = t.kind;
  if (combo("task", kind,
            {TaskKind::Adding, TaskKind::Copy, TaskKind::Recall, TaskKind::Sine, TaskKind::CharLm,
             TaskKind::Sentiment}) &&
      kind != t.kind)
    t = default_task_spec(kind);
  const char* length_label = "length";
  switch (t.kind) {
    case TaskKind::Adding:
      length_label = "steps T";
      break;
    case TaskKind::Copy:
      length_label = "lag (blanks)";
      break;
    case TaskKind::Recall:
      length_label = "lag (distractors)";
      break;
    case TaskKind::Sine:
      length_label = "steps T";
      break;
    case TaskKind::CharLm:
      length_label = "characters per window";
      break;
    case TaskKind::Sentiment:
      length_label = "padded length";
      break;
  }
  slider_int(length_label, t.length, 1, kMaxTaskLength, true);
  help_marker(
      "How long the network must remember: turn it up to see where a vanilla RNN breaks and an "
      "LSTM holds.");
  switch (t.kind) {
    case TaskKind::Copy:
      slider_int("symbols", t.copy.symbols, 2, 32);
      slider_int("count", t.copy.count, 1, 100);
      break;
    case TaskKind::Recall:
      slider_int("classes K", t.recall.classes, 2, 32);
      slider_int("distractor symbols", t.recall.distractors, 1, 32);
      break;
    case TaskKind::Sine: {
      int n = static_cast<int>(t.sine.frequencies.size());
      if (slider_int("sines", n, 1, 8)) t.sine.frequencies.resize(n, 0.05 * n);
      for (size_t i = 0; i < t.sine.frequencies.size(); ++i) {
        ImGui::PushID(static_cast<int>(i));
        slider_double("frequency", t.sine.frequencies[i], 0.001, 0.5, "%.3f cycles/step", true);
        ImGui::PopID();
      }
      slider_double("noise", t.sine.noise, 0.0, 1.0, "%.2f");
      break;
    }
    case TaskKind::CharLm:
      text_field("text", t.charlm.text);
      help_marker(
          "hello (the lecture's four-letter example), sonnets (Shakespeare, built in), or the path "
          "of any UTF-8 text file.");
      break;
    case TaskKind::Adding:
    case TaskKind::Sentiment:
      break;
  }
}

// Live settings: the optimiser, clipping, truncation and precision, applied at the next
// iteration.
void edit_live(TrainingConfig& tr, const TrainingConfig& running, TrainingWorker& worker) {
  OptimizerSettings& o = tr.optimizer;
  const OptimizerKind before = o.kind;
  combo("optimiser", o.kind,
        {OptimizerKind::Sgd, OptimizerKind::Momentum, OptimizerKind::Adagrad,
         OptimizerKind::RmsProp, OptimizerKind::Adam});
  if (o.kind != before) o.learning_rate = default_learning_rate(o.kind);
  slider_double("learning rate", o.learning_rate, 1e-5, 10.0, "%.5g", true);
  if (o.kind == OptimizerKind::Momentum) slider_double("momentum", o.momentum, 0.0, 0.999, "%.3f");
  if (o.kind == OptimizerKind::Adam) {
    slider_double("beta1", o.beta1, 0.0, 0.999, "%.3f");
    slider_double("beta2", o.beta2, 0.0, 0.99999, "%.5f");
  }
  combo("clipping", tr.clip.mode, {ClipMode::None, ClipMode::Norm, ClipMode::Value});
  help_marker(
      "norm: if ‖g‖ > threshold, g ← threshold · g / ‖g‖ (Pascanu et al. 2013). value: clamp every "
      "component to [−v, v], as min-char-rnn does with 5.");
  if (tr.clip.mode != ClipMode::None)
    slider_double("threshold", tr.clip.threshold, 0.01, 1000.0, "%.3g", true);
  bool truncate = tr.k1 > 0;
  if (checkbox("truncated BPTT", truncate)) tr.k1 = truncate ? 10 : 0, tr.k2 = 0;
  help_marker(
      "Back-propagate every k1 steps through at most k2 steps; the hidden state still flows "
      "forward across chunks.");
  if (tr.k1 > 0) {
    slider_int("k1", tr.k1, 1, kMaxTaskLength, true);
    int k2 = tr.k2 == 0 ? tr.k1 : tr.k2;
    if (slider_int("k2", k2, tr.k1, kMaxTaskLength, true)) tr.k2 = k2;
  }
  const OptimizerSettings& r = running.optimizer;
  if (o.kind != r.kind || o.learning_rate != r.learning_rate || o.momentum != r.momentum ||
      o.beta1 != r.beta1 || o.beta2 != r.beta2) {
    worker.send(cmd::SetOptimizer{o});
  }
  if (tr.clip.mode != running.clip.mode || tr.clip.threshold != running.clip.threshold) {
    worker.send(cmd::SetClip{tr.clip});
  }
  if (tr.k1 != running.k1 || tr.k2 != running.k2) {
    worker.send(cmd::SetTruncation{tr.k1, tr.k2});
  }
  combo("precision", tr.precision, {Precision::Float32, Precision::Float64});
  help_marker(
      "The scalar of the forward pass and BPTT, from the next iteration. float32: about twice as "
      "fast; the weights, the optimiser and every plotted value stay double. float64: exact, the "
      "reference the gradient checks use.");
  if (tr.precision != running.precision) {
    worker.send(cmd::SetPrecision{tr.precision});
  }
}

bool models_equal(const ModelConfig& a, const ModelConfig& b) {
  return a.name == b.name && a.cell == b.cell && a.layers == b.layers &&
         a.hidden_size == b.hidden_size && a.activation == b.activation &&
         a.gru_variant == b.gru_variant && a.init.kind == b.init.kind &&
         a.init.spectral_radius == b.init.spectral_radius &&
         a.init.forget_bias == b.init.forget_bias && a.readout_scale == b.readout_scale;
}

bool needs_reset(const ExperimentConfig& e, const ExperimentConfig& r) {
  if (!models_equal(e.model, r.model) || e.compare.size() != r.compare.size()) return true;
  for (size_t i = 0; i < e.compare.size(); ++i)
    if (!models_equal(e.compare[i], r.compare[i])) return true;
  return experiment_to_json(e)["task"] != experiment_to_json(r)["task"] ||
         e.training.batch_size != r.training.batch_size;
}

void section(const char* title, const char* when) {
  ImGui::Spacing();
  ImGui::Separator();
  ImGui::TextUnformatted(title);
  fit_on_line(ImGui::CalcTextSize(when).x);
  ImGui::TextDisabled("%s", when);
}

// The lesson's model and the models it is compared with.
void draw_models(ExperimentConfig& e) {
  section("Model", "(on reset)");
  edit_model(e.model);
  const float remove_w = ImGui::CalcTextSize("remove").x + 2 * ImGui::GetStyle().FramePadding.x;
  for (size_t i = 0; i < e.compare.size(); ++i) {
    ImGui::PushID(static_cast<int>(i) + 100);
    const std::string head = "compared with: " + e.compare[i].name;
    // The tree node's arrow and spacing, the label, then "remove" on the same line.
    const float room = ImGui::GetContentRegionAvail().x - ImGui::GetTreeNodeToLabelSpacing() -
                       ImGui::GetStyle().ItemSpacing.x - remove_w;
    const bool open = ImGui::TreeNode("##compared", "%s", fit_text(head, room).c_str());
    if (ImGui::IsItemHovered()) text_tooltip(head.c_str());
    ImGui::SameLine();
    const bool remove = ImGui::SmallButton("remove");
    if (open) {
      edit_model(e.compare[i]);
      ImGui::TreePop();
    }
    ImGui::PopID();
    if (remove) {
      e.compare.erase(e.compare.begin() + static_cast<long>(i));
      break;
    }
  }
  const char* add = "+ compare with another model";
  const std::string add_shown =
      fit_text(add, ImGui::GetContentRegionAvail().x - 2 * ImGui::GetStyle().FramePadding.x);
  if (e.compare.size() + 1 < kMaxCompareModels) {
    const bool pressed = ImGui::SmallButton(add_shown.c_str());
    if (add_shown != add && ImGui::IsItemHovered()) text_tooltip(add);
    if (pressed) {
      ModelConfig m = e.model;
      m.cell = e.model.cell == CellType::Rnn ? CellType::Lstm : CellType::Rnn;
      m.name = m.cell == CellType::Rnn ? "RNN" : "LSTM";
      e.compare.push_back(m);
    }
  }
}

// Open a lesson from a file, or save the experiment as the panel shows it.
void draw_file(AppState& app, const Snapshot& snap, TrainingWorker& worker) {
  ConfigPanelState& st = app.config;
  section("File", "(an experiment .json)");
  const ImGuiStyle& style = ImGui::GetStyle();
  // "Open" and "Save" beside the field (fit_on_line keeps one em before them), else below it.
  const float buttons = ImGui::CalcTextSize("Open").x + ImGui::CalcTextSize("Save").x +
                        4 * style.FramePadding.x + style.ItemSpacing.x;
  const float em = ImGui::GetFontSize();
  ImGui::SetNextItemWidth(std::max(ImGui::GetContentRegionAvail().x - buttons - em, 6 * em));
  input_text("##path", st.load_path);
  fit_on_line(buttons);
  if (ImGui::Button("Open")) {
    ExperimentConfig c;
    std::string error;
    if (load_experiment(st.load_path, c, &error)) {
      if (ask_to_load(snap, app, worker, c, st.load_path)) st.message = "opened " + st.load_path;
    } else {
      st.message = error;
    }
  }
  ImGui::SameLine();
  // What the panel shows, edits included; a file that exists is replaced only when asked.
  if (ImGui::Button("Save")) save_edits(app, st.load_path, false);
  if (!st.message.empty()) ImGui::TextWrapped("%s", st.message.c_str());
}

// What stops the edit from applying, or that it waits for a reset; "" when neither.
std::string footer_note(const ConfigPanelState& st, bool pending) {
  if (!st.edit_error.empty()) return st.edit_error;
  return pending ? "Model, task and batch-size changes take effect on reset." : "";
}

// Height of the footer pinned under the fields: the note (wrapped) and one line of buttons.
float footer_height(const std::string& note) {
  const ImGuiStyle& style = ImGui::GetStyle();
  const float buttons = ImGui::CalcTextSize("Apply and reset").x +
                        ImGui::CalcTextSize("Discard changes").x + 4 * style.FramePadding.x +
                        style.ItemSpacing.x;
  const int rows = buttons <= ImGui::GetContentRegionAvail().x ? 1 : 2;
  float h = rows * ImGui::GetFrameHeightWithSpacing() + style.ItemSpacing.y + 2;  // 2: separator
  if (!note.empty())
    h += ImGui::CalcTextSize(note.c_str(), nullptr, false, ImGui::GetContentRegionAvail().x).y +
         style.ItemSpacing.y;
  return h;
}

// The note and "Apply and reset" / "Discard changes", always in view at the panel's bottom.
void draw_footer(const Snapshot& snap, AppState& app, bool pending, const std::string& note,
                 TrainingWorker& worker) {
  ConfigPanelState& st = app.config;
  ExperimentConfig& e = st.edit;
  const std::string& problem = st.edit_error;
  if (!note.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, attention_color(!problem.empty()));
    ImGui::TextWrapped("%s", note.c_str());
    ImGui::PopStyleColor();
  }
  ImGui::BeginDisabled(!pending || !problem.empty());
  if (ImGui::Button("Apply and reset")) {
    remember(app, worker, "applying the edits");
    worker.send(cmd::Configure{e});
  }
  ImGui::EndDisabled();
  const float discard_w =
      ImGui::CalcTextSize("Discard changes").x + 2 * ImGui::GetStyle().FramePadding.x;
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  if (ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + discard_w <= right)
    ImGui::SameLine();
  ImGui::BeginDisabled(!pending);
  if (ImGui::Button("Discard changes")) e = snap.config;
  ImGui::EndDisabled();
}

}  // namespace

void draw_config_panel(const Snapshot& snap, AppState& app, TrainingWorker& worker) {
  ConfigPanelState& st = app.config;
  ExperimentConfig& e = st.edit;
  report_value(app, "cell", std::string(to_string(snap.config.model.cell)));
  report_value(app, "hidden size", std::to_string(snap.config.model.hidden_size));
  report_value(app, "task", std::string(to_string(snap.config.task.kind)));
  report_value(app, "learning rate", fmt_num(snap.config.training.optimizer.learning_rate));

  const bool pending = needs_reset(e, snap.config);
  if (Json now = experiment_to_json(e); now != st.checked) {
    st.checked = std::move(now);
    st.edit_error = validate(e);
  }
  const std::string note = footer_note(st, pending);

  // The fields scroll; the footer stays.
  ImGui::BeginChild("##fields", ImVec2(0, -footer_height(note)));
  ImGui::PushTextWrapPos(0);
  const std::string source =
      app.source + (lesson_edited(snap.config, app.lesson) ? " (edited: the title and "
                                                             "description tell of the original)"
                                                           : "");
  ImGui::TextDisabled("%s", source.c_str());
  ImGui::PopTextWrapPos();
  // Fields leave 9.5 em for their labels, but keep 45% of the width so that their own text fits.
  const float avail = ImGui::GetContentRegionAvail().x;
  ImGui::PushItemWidth(std::max(avail - ImGui::GetFontSize() * 9.5f, 0.45f * avail));
  draw_models(e);
  section("Task", "(on reset)");
  edit_task(e.task);
  slider_int("batch size B", e.training.batch_size, 1, 512, true);
  section("Training", "(at the next iteration)");
  edit_live(e.training, snap.config.training, worker);
  ImGui::PopItemWidth();
  ImGui::Spacing();
  draw_file(app, snap, worker);
  ImGui::EndChild();
  ImGui::Separator();
  draw_footer(snap, app, pending, note, worker);
}

}  // namespace unrolled
