// The Inspect view: a trained model on typed input (app_state.hpp's InspectState). Opening a model
// or probing the lesson's switches to it; every frame, before the panels draw, the snapshot is
// rebuilt when the text or the chosen output changed.
#include <algorithm>
#include <cstdio>

#include "app/gui/gui.hpp"

namespace unrolled {
namespace {

// A first input for a model without an example: for numbers, five steps of ±0.5 (the features'
// signs alternating); for token ids, the ids 1, 2, 3 (within the vocabulary).
std::string first_input(const InspectModel& m) {
  if (!m.example.empty()) return m.example;
  std::string out;
  if (m.vocab.kind != Vocabulary::Kind::None) {  // the first tokens the vocabulary has
    const bool chars = m.vocab.kind == Vocabulary::Kind::Characters;
    int n = 0;
    for (int v = 1; v < m.model.vocab_size() && n < 5; ++v)
      if (!m.vocab.tokens[v].empty()) out += (n++ && !chars ? " " : "") + m.vocab.tokens[v];
    return out;
  }
  if (m.model.has_embedding()) {
    for (int t = 0; t < 3; ++t)
      out += std::to_string(std::min(t + 1, m.model.vocab_size() - 1)) + "\n";
    return out;
  }
  const int I = m.model.net.spec().input_size;
  for (int t = 0; t < 5; ++t) {
    for (int i = 0; i < I; ++i) out += std::string(i ? ", " : "") + ((i + t) % 2 ? "-0.5" : "0.5");
    out += "\n";
  }
  return out;
}

}  // namespace

void start_inspect(AppState& app, InspectModel model) {
  InspectState& s = app.inspect;
  s.active = true;
  s.text = first_input(model);
  s.model = std::move(model);
  s.choice = {};
  s.error.clear();
  s.snapshot.reset();
  s.dirty = true;
  app.mode = Mode::Inspect;
  app.focus.reset();
  app.tour.limit_panels = false;
  app.layer = app.unit = app.sample = app.model = 0;
  app.step.t = 0;
  app.step.follow = false;
  update_inspect(app);
  // A first input the model cannot read: the panels wait for one (an empty snapshot), and never
  // show the lesson behind the view.
  if (!s.snapshot) s.snapshot = std::make_shared<Snapshot>();
  // The step inspected: the chosen output's step, where the decision is read; the unit shown the
  // one that swings most on the first input (a faint unit 0 says little to the back row).
  if (!s.snapshot->models.empty()) {
    app.step.t = s.gradient.step;
    app.unit = busiest_unit(s.snapshot->models[0], 0);
  }
}

bool probe_lesson(AppState& app, const Snapshot& lesson, std::string* error) {
  InspectModel m;
  if (!probe_lesson_model(lesson, m, error)) return false;
  start_inspect(app, std::move(m));
  return true;
}

void set_inspect_text(AppState& app, const std::string& text) {
  app.inspect.text = text;
  app.inspect.dirty = true;
  update_inspect(app);
  if (app.inspect.error.empty()) app.step.t = app.inspect.gradient.step;
}

void update_inspect(AppState& app) {
  InspectState& s = app.inspect;
  if (!s.active || !s.dirty) return;
  s.dirty = false;
  InspectInput in;
  std::string error;
  if (!parse_inspect_input(s.model, s.text, in, &error)) {
    s.error = error;  // the last picture stays, under the message
    return;
  }
  auto snap = std::make_shared<Snapshot>();
  OutputGradient g;
  if (!build_inspect_snapshot(s.model, in, s.choice, *snap, g, &error)) {
    s.error = error;
    return;
  }
  s.error.clear();
  snap->version = ++s.version;
  s.input = std::move(in);
  s.gradient = std::move(g);
  s.snapshot = std::move(snap);
  const int T = s.input.batch.steps();
  app.step.t = std::clamp(app.step.t, 0, std::max(T - 1, 0));
}

}  // namespace unrolled
