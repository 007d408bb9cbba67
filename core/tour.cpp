// Legend: T steps, L layers, H hidden, G gate blocks.
#include "core/tour.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>
#include <utility>

#include "core/analysis.hpp"
#include "core/cliff.hpp"
#include "core/json_fields.hpp"
#include "core/trainer.hpp"

namespace unrolled {
namespace {

struct KindName {
  TourAction::Kind kind;
  const char* name;
};
constexpr KindName kActionNames[] = {
    {TourAction::Kind::Play, "play"},
    {TourAction::Kind::Pause, "pause"},
    {TourAction::Kind::Speed, "speed"},
    {TourAction::Kind::Run, "run"},
    {TourAction::Kind::Forward, "forward"},
    {TourAction::Kind::Backward, "backward"},
    {TourAction::Kind::FinishForward, "finish_forward"},
    {TourAction::Kind::FinishBackward, "finish_backward"},
    {TourAction::Kind::Update, "update"},
    {TourAction::Kind::Reset, "reset"},
    {TourAction::Kind::Clip, "clip"},
    {TourAction::Kind::Truncation, "truncation"},
    {TourAction::Kind::Temperature, "temperature"},
    {TourAction::Kind::Select, "select"},
    {TourAction::Kind::Sweep, "sweep"},
};
struct UntilName {
  TourAction::Until until;
  const char* name;
};
constexpr UntilName kUntilNames[] = {
    {TourAction::Until::Iterations, "iterations"},
    {TourAction::Until::Iteration, "iteration"},
    {TourAction::Until::LossBelow, "loss_below"},
    {TourAction::Until::Diverged, "diverged"},
};
struct MeasureName {
  TourExpect::Measure measure;
  const char* name;
};
constexpr MeasureName kMeasureNames[] = {
    {TourExpect::Measure::Loss, "loss"},
    {TourExpect::Measure::Accuracy, "accuracy"},
    {TourExpect::Measure::Iteration, "iteration"},
    {TourExpect::Measure::Diverged, "diverged"},
    {TourExpect::Measure::Decay, "decay"},
    {TourExpect::Measure::GradNorm, "grad_norm"},
    {TourExpect::Measure::ClippedNormMax, "clipped_norm_max"},
    {TourExpect::Measure::GradNormGrowth, "grad_norm_growth"},
    {TourExpect::Measure::SigmaMax, "sigma_max"},
    {TourExpect::Measure::Jacobian, "jacobian"},
    {TourExpect::Measure::Bound, "bound"},
    {TourExpect::Measure::ForgetGate, "forget_gate"},
    {TourExpect::Measure::ResetGate, "reset_gate"},
    {TourExpect::Measure::UpdateGate, "update_gate"},
    {TourExpect::Measure::CliffLoss, "cliff_loss"},
    {TourExpect::Measure::CliffGradMax, "cliff_grad_max"},
    {TourExpect::Measure::CliffJump, "cliff_jump"},
    {TourExpect::Measure::SweepLoss, "sweep_loss"},
    {TourExpect::Measure::SweepLossMin, "sweep_loss_min"},
    {TourExpect::Measure::SweepLossMax, "sweep_loss_max"},
};

template <class Table>
std::string names_of(const Table& table) {
  std::string out;
  for (const auto& e : table) out += (out.empty() ? "" : ", ") + std::string(e.name);
  return out;
}

bool string_array(const Json& j, const std::string& where, size_t max_items, size_t max_len,
                  std::vector<std::string>& out, std::string* error) {
  if (!j.is_array() || j.size() > max_items) {
    if (error)
      *error = where + ": expected an array of at most " + std::to_string(max_items) + " strings";
    return false;
  }
  for (size_t i = 0; i < j.size(); ++i) {
    if (!j[i].is_string() || utf8_length(j[i].get<std::string>()) > max_len) {
      if (error)
        *error = where + "[" + std::to_string(i) + "]: " + j[i].dump() +
                 " is not allowed; expected a string of at most " + std::to_string(max_len) +
                 " characters";
      return false;
    }
    out.push_back(j[i].get<std::string>());
  }
  return true;
}

bool int_array(const Json& j, const std::string& where, int lo, int hi, std::vector<int>& out,
               std::string* error) {
  if (!j.is_array() || j.size() > 64) {
    if (error) *error = where + ": expected an array of at most 64 integers";
    return false;
  }
  for (size_t i = 0; i < j.size(); ++i) {
    if (!j[i].is_number_integer() || j[i].get<int64_t>() < lo || j[i].get<int64_t>() > hi) {
      if (error)
        *error = where + "[" + std::to_string(i) + "]: " + j[i].dump() +
                 " is not allowed; expected an integer in [" + std::to_string(lo) + ", " +
                 std::to_string(hi) + "]";
      return false;
    }
    out.push_back(static_cast<int>(j[i].get<int64_t>()));
  }
  return true;
}

// The value of key, one of a name table's names; false (with a message) otherwise.
template <class Entry, size_t N, class T>
bool read_name(Fields& f, const char* key, const Entry (&table)[N], T Entry::*member, T& out) {
  if (!f.take(key)) return true;
  const Json& v = f[key];
  for (const Entry& e : table)
    if (v.is_string() && v.get<std::string>() == e.name) {
      out = e.*member;
      return true;
    }
  f.fail(f.where(key), v.dump() + " is not allowed; allowed: " + names_of(table));
  return false;
}

// name is "" or one of names; otherwise one message listing them.
template <size_t N>
bool known_name(const std::string& name, const char* const (&names)[N], const std::string& where,
                std::string* error) {
  std::string all;
  for (const char* n : names) {
    if (name.empty() || name == n) return true;
    all += (all.empty() ? "" : ", ") + std::string(n);
  }
  if (error) *error = where + ": \"" + name + "\" is not allowed; allowed: " + all;
  return false;
}

bool read_show(const Json& j, const std::string& where, TourShow& s, std::string* error) {
  Fields f(j, where, error);
  f.text("mode", 20, s.mode);
  if (f.take("panels") && !string_array(j["panels"], where + ".panels", 16, 20, s.panels, error))
    return false;
  f.text("focus", 20, s.focus);
  f.finish();
  if (!f.ok() || !known_name(s.mode, kTourModes, where + ".mode", error) ||
      !known_name(s.focus, kTourPanels, where + ".focus", error))
    return false;
  for (size_t i = 0; i < s.panels.size(); ++i)
    if (!known_name(s.panels[i], kTourPanels, where + ".panels[" + std::to_string(i) + "]", error))
      return false;
  return true;
}

bool read_run(Fields& f, TourAction& a) {
  if (!read_name(f, "until", kUntilNames, &UntilName::until, a.until)) return false;
  using U = TourAction::Until;
  const double max_value = a.until == U::LossBelow ? 1e6 : static_cast<double>(kMaxTourRun);
  if (a.until != U::Diverged) {
    if (!f.has("value")) {
      f.fail(f.where("value"), "missing; run until " + std::string(kUntilNames[int(a.until)].name) +
                                   " needs a value");
      return false;
    }
    f.number("value", 0.0, max_value, a.until == U::LossBelow, a.value);
  }
  if (a.until == U::Iterations) {
    a.limit = static_cast<int64_t>(a.value);
  } else if (!f.has("limit")) {
    f.fail(f.where("limit"), "missing; a run until something happens needs a limit in "
                             "iterations (at most " + std::to_string(kMaxTourRun) + ")");
    return false;
  }
  f.integer("limit", int64_t{1}, kMaxTourRun, a.limit);
  f.integer("model", -1, 2, a.model);
  return f.ok();
}

bool read_action(const Json& j, const std::string& where, TourAction& a, std::string* error) {
  Fields f(j, where, error);
  if (!f.has("do")) {
    f.fail(where + ".do", "missing; allowed: " + names_of(kActionNames));
    return false;
  }
  if (!read_name(f, "do", kActionNames, &KindName::kind, a.kind)) return false;
  using K = TourAction::Kind;
  switch (a.kind) {
    case K::Speed: f.number("value", 0.0, 10000.0, false, a.value); break;
    case K::Temperature: f.number("value", 0.0, 10.0, true, a.value); break;
    case K::Run: read_run(f, a); break;
    case K::Forward:
    case K::Backward: f.integer("count", 1, 100000, a.count); break;
    case K::Clip:
      f.name("mode", a.clip.mode);
      f.number("threshold", 0.0, 1e6, true, a.clip.threshold);
      break;
    case K::Truncation:
      f.integer("k1", 0, kMaxTaskLength, a.k1);
      f.integer("k2", 0, kMaxTaskLength, a.k2);
      if (f.ok() && a.k2 > 0 && a.k2 < a.k1) f.fail(f.where("k2"), "below k1; back-propagate at least as far as each chunk (k2 >= k1), or 0 for k2 = k1");
      break;
    case K::Select:
      f.integer("layer", -1, 63, a.layer);
      f.integer("unit", -1, 4095, a.unit);
      f.integer("sample", -1, 4095, a.sample);
      f.integer("t", -1, 100000, a.t);
      f.integer("model", -1, 2, a.model);
      break;
    case K::Sweep:
      if (!f.has("lags")) {
        f.fail(f.where("lags"), "missing; a sweep needs the lags (task lengths) to run");
        return false;
      }
      if (f.take("lags") && !int_array(j["lags"], where + ".lags", 1, kMaxTaskLength, a.lags, error))
        return false;
      if (a.lags.empty()) {
        f.fail(f.where("lags"), "empty; give at least one lag");
        return false;
      }
      f.integer("seeds", 1, 16, a.seeds);
      a.limit = 300;
      f.integer("iterations", int64_t{1}, int64_t{100000}, a.limit);
      break;
    default: break;
  }
  f.finish();
  return f.ok();
}

bool read_highlight(const Json& j, const std::string& where, TourHighlight& h, std::string* error) {
  Fields f(j, where, error);
  if (!f.has("panel")) {
    f.fail(where + ".panel", "missing; a highlight names the panel it points into");
    return false;
  }
  f.text("panel", 20, h.panel);
  if (f.ok() && !known_name(h.panel, kTourPanels, where + ".panel", error)) return false;
  f.text("series", 40, h.series);
  if (f.take("rows") && !int_array(j["rows"], where + ".rows", 0, 4095, h.rows, error)) return false;
  if (f.take("columns") && !int_array(j["columns"], where + ".columns", 0, 100000, h.columns, error))
    return false;
  f.integer("equation", -1, 31, h.equation);
  if (f.take("cell")) {
    Fields c(j["cell"], where + ".cell", error);
    c.integer("t", 0, 100000, h.cell_t);
    c.integer("layer", 0, 63, h.cell_layer);
    c.finish();
    if (!c.ok()) return false;
    if (h.cell_layer < 0) h.cell_layer = 0;
  }
  f.finish();
  return f.ok();
}

bool read_predict(const Json& j, const std::string& where, TourPredict& p, std::string* error) {
  Fields f(j, where, error);
  f.text("question", 300, p.question);
  if (f.take("choices") &&
      !string_array(j["choices"], where + ".choices", 5, 120, p.choices, error))
    return false;
  f.integer("answer", 0, 4, p.answer);
  f.text("reveal", 600, p.reveal);
  f.finish();
  if (!f.ok()) return false;
  std::string problem;
  if (p.question.empty()) problem = "question: missing";
  else if (p.choices.size() < 2) problem = "choices: give 2 to 5 choices";
  else if (p.answer >= static_cast<int>(p.choices.size()))
    problem = "answer: " + std::to_string(p.answer) + " is not the index of a choice (0 to " +
              std::to_string(p.choices.size() - 1) + ")";
  else if (p.reveal.empty()) problem = "reveal: missing; say what happened and why";
  if (!problem.empty() && error) *error = where + "." + problem;
  return problem.empty();
}

bool read_expect(const Json& j, const std::string& where, TourExpect& e, std::string* error) {
  Fields f(j, where, error);
  if (!f.has("measure")) {
    f.fail(where + ".measure", "missing; allowed: " + names_of(kMeasureNames));
    return false;
  }
  if (!read_name(f, "measure", kMeasureNames, &MeasureName::measure, e.measure)) return false;
  f.integer("model", 0, 2, e.model);
  f.integer("distance", -1, 100000, e.distance);
  f.number("above", -1e300, 1e300, false, e.above);
  f.number("below", -1e300, 1e300, false, e.below);
  f.finish();
  if (!f.ok()) return false;
  if (!j.contains("above") && !j.contains("below")) {
    if (error) *error = where + ": give a bound, \"above\" or \"below\" (or both)";
    return false;
  }
  return true;
}

template <class T, class Reader>
bool read_list(const Json& j, const std::string& where, size_t max_items, std::vector<T>& out,
               Reader read, std::string* error) {
  if (!j.is_array() || j.size() > max_items) {
    if (error) *error = where + ": expected an array of at most " + std::to_string(max_items);
    return false;
  }
  for (size_t i = 0; i < j.size(); ++i) {
    T item;
    if (!read(j[i], where + "[" + std::to_string(i) + "]", item, error)) return false;
    out.push_back(std::move(item));
  }
  return true;
}

bool read_step(const Json& j, const std::string& where, TourStep& s, std::string* error) {
  Fields f(j, where, error);
  f.text("title", 120, s.title);
  f.text("text", 800, s.text);
  if (!f.ok()) return false;
  if (s.title.empty() || s.text.empty()) {
    f.fail(where + (s.title.empty() ? ".title" : ".text"), "missing; every step has a title and "
                                                            "a text");
    return false;
  }
  if (const int n = sentence_count(s.text); n < 1 || n > kMaxTourSentences) {
    f.fail(where + ".text", std::to_string(n) + " sentences; a step says one to " +
                                std::to_string(kMaxTourSentences) + ", each ending in . ! or ?");
    return false;
  }
  if (f.take("show") && !read_show(j["show"], where + ".show", s.show, error)) return false;
  if (f.take("actions") &&
      !read_list(j["actions"], where + ".actions", 16, s.actions, read_action, error))
    return false;
  if (f.take("highlight") &&
      !read_highlight(j["highlight"], where + ".highlight", s.highlight, error))
    return false;
  if (f.take("predict")) {
    s.predict.emplace();
    if (!read_predict(j["predict"], where + ".predict", *s.predict, error)) return false;
  }
  if (f.take("expect") && !read_list(j["expect"], where + ".expect", 8, s.expect, read_expect, error))
    return false;
  f.finish();
  return f.ok();
}

}  // namespace

int sentence_count(const std::string& text) {
  int n = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c != '.' && c != '!' && c != '?') continue;
    const bool end = i + 1 == text.size() || text[i + 1] == ' ' || text[i + 1] == '\n';
    // "e.g. " and "1.5" are not sentence ends ("1.5" is followed by a digit). A letter between
    // two dots is an abbreviation ("e.g."); a number before the dot ("below 0.1.") is not.
    const bool abbreviation =
        i >= 2 && text[i - 2] == '.' && std::isalpha(static_cast<unsigned char>(text[i - 1]));
    if (end && !abbreviation) ++n;
  }
  return n;
}

bool tour_from_json(const Json& j, Tour& tour, std::string* error) {
  tour.clear();
  if (!read_list(j, "tour", kMaxTourSteps, tour, read_step, error)) return false;
  if (tour.empty() && error) *error = "tour: empty; give at least one step";
  return !tour.empty();
}

namespace {

Json action_json(const TourAction& a) {
  using K = TourAction::Kind;
  Json j = {{"do", kActionNames[static_cast<int>(a.kind)].name}};
  switch (a.kind) {
    case K::Speed:
    case K::Temperature: j["value"] = a.value; break;
    case K::Run:
      j["until"] = kUntilNames[static_cast<int>(a.until)].name;
      if (a.until != TourAction::Until::Diverged) j["value"] = a.value;
      if (a.until != TourAction::Until::Iterations) j["limit"] = a.limit;
      if (a.model >= 0) j["model"] = a.model;
      break;
    case K::Forward:
    case K::Backward: j["count"] = a.count; break;
    case K::Clip:
      j["mode"] = to_string(a.clip.mode);
      j["threshold"] = a.clip.threshold;
      break;
    case K::Truncation:
      j["k1"] = a.k1;
      j["k2"] = a.k2;
      break;
    case K::Select:
      for (const auto& [key, v] : {std::pair{"layer", a.layer}, {"unit", a.unit},
                                   {"sample", a.sample}, {"t", a.t}, {"model", a.model}})
        if (v >= 0) j[key] = v;
      break;
    case K::Sweep:
      j["lags"] = a.lags;
      j["seeds"] = a.seeds;
      j["iterations"] = a.limit;
      break;
    default: break;
  }
  return j;
}

Json highlight_json(const TourHighlight& h) {
  Json j = {{"panel", h.panel}};
  if (!h.series.empty()) j["series"] = h.series;
  if (!h.rows.empty()) j["rows"] = h.rows;
  if (!h.columns.empty()) j["columns"] = h.columns;
  if (h.equation >= 0) j["equation"] = h.equation;
  if (h.cell_t >= 0) j["cell"] = {{"t", h.cell_t}, {"layer", h.cell_layer}};
  return j;
}

Json expect_json(const TourExpect& e) {
  Json j = {{"measure", measure_name(e.measure)}};
  if (e.model > 0) j["model"] = e.model;
  if (e.distance >= 0) j["distance"] = e.distance;
  if (std::isfinite(e.above)) j["above"] = e.above;
  if (std::isfinite(e.below)) j["below"] = e.below;
  return j;
}

Json step_json(const TourStep& s) {
  Json j = {{"title", s.title}, {"text", s.text}};
  if (!s.show.mode.empty() || !s.show.panels.empty() || !s.show.focus.empty()) {
    Json show = Json::object();
    if (!s.show.mode.empty()) show["mode"] = s.show.mode;
    if (!s.show.panels.empty()) show["panels"] = s.show.panels;
    if (!s.show.focus.empty()) show["focus"] = s.show.focus;
    j["show"] = show;
  }
  if (!s.actions.empty()) {
    j["actions"] = Json::array();
    for (const TourAction& a : s.actions) j["actions"].push_back(action_json(a));
  }
  if (!s.highlight.panel.empty()) j["highlight"] = highlight_json(s.highlight);
  if (s.predict)
    j["predict"] = {{"question", s.predict->question},
                    {"choices", s.predict->choices},
                    {"answer", s.predict->answer},
                    {"reveal", s.predict->reveal}};
  if (!s.expect.empty()) {
    j["expect"] = Json::array();
    for (const TourExpect& e : s.expect) j["expect"].push_back(expect_json(e));
  }
  return j;
}

std::string number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

}  // namespace

Json tour_to_json(const Tour& tour) {
  Json j = Json::array();
  for (const TourStep& s : tour) j.push_back(step_json(s));
  return j;
}

std::string measure_name(TourExpect::Measure m) { return kMeasureNames[static_cast<int>(m)].name; }

std::string describe(const TourAction& a) {
  using K = TourAction::Kind;
  using U = TourAction::Until;
  const std::string name = kActionNames[static_cast<int>(a.kind)].name;
  switch (a.kind) {
    case K::Run:
      switch (a.until) {
        case U::Iterations: return "run " + number(a.value) + " iterations";
        case U::Iteration:
          return "run until iteration " + number(a.value) + " (at most " + number(a.limit) + ")";
        case U::LossBelow:
          return "run until the loss < " + number(a.value) + " (at most " + number(a.limit) +
                 " iterations)";
        case U::Diverged: return "run until divergence (at most " + number(a.limit) + " iterations)";
      }
      return name;
    case K::Forward:
    case K::Backward: return name + " " + std::to_string(a.count) + " time steps";
    case K::Speed:
    case K::Temperature: return name + " " + number(a.value);
    case K::Sweep: {
      std::string lags;
      for (int l : a.lags) lags += (lags.empty() ? "" : ", ") + std::to_string(l);
      return "sweep lags " + lags + ", " + std::to_string(a.seeds) + " seeds, " + number(a.limit) +
             " iterations per run";
    }
    default: return name;
  }
}

std::string describe(const TourExpect& e) {
  std::string s = measure_name(e.measure);
  using M = TourExpect::Measure;
  const bool sweep =
      e.measure == M::SweepLoss || e.measure == M::SweepLossMin || e.measure == M::SweepLossMax;
  if (sweep && e.distance >= 0) s += " at lag " + std::to_string(e.distance);
  else if (e.distance >= 0 &&
           (e.measure == M::Decay || e.measure == M::Jacobian || e.measure == M::Bound))
    s += " at distance " + std::to_string(e.distance);
  if (e.model > 0) s += " of model " + std::to_string(e.model);
  if (std::isfinite(e.above)) s += " > " + number(e.above);
  if (std::isfinite(e.above) && std::isfinite(e.below)) s += " and";
  if (std::isfinite(e.below)) s += " < " + number(e.below);
  return s;
}

void TourRunStats::add(const Trainer& t) {
  const ClipRecord& c = t.last_clip();
  if (!std::isfinite(first_norm)) first_norm = c.global_norm_before;
  max_norm = std::max(max_norm, c.global_norm_before);
  max_clipped_norm = std::max(max_clipped_norm, c.global_norm_after);
}

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The mean of a history field over the last n iterations (NaN when there are none).
double recent_mean(const History& h, Field f, int n) {
  const Series s = h.recent(f);
  const int k = std::min(n, s.count);
  if (k == 0) return std::numeric_limits<double>::quiet_NaN();
  double sum = 0;
  for (int i = s.count - k; i < s.count; ++i) sum += s[i];
  return sum / k;
}

double decay(const Trainer& t, int distance) {
  const Mat& p = t.grad_profile();  // (L, T) distance d in column d
  if (p.size() == 0) return std::numeric_limits<double>::quiet_NaN();
  const int d = distance < 0 ? static_cast<int>(p.cols()) - 1
                             : std::min(distance, static_cast<int>(p.cols()) - 1);
  const int top = static_cast<int>(p.rows()) - 1;
  return p(top, 0) / p(top, d);
}

double sigma_max(const Trainer& t) {
  const int top = t.network().spec().num_layers - 1;
  double s = 0;
  for (const Spectrum& sp : recurrent_spectra(t.network().params(), t.network().spec(), top))
    s = std::max(s, sp.largest_singular_value);
  return s;
}

// The top layer's ‖∏ ∂h_k/∂h_{k−1}‖₂ over d steps back from the last step, sequence 0.
double jacobian(const Trainer& t, int distance) {
  if (t.phase() == Phase::Forward || t.batch().batch_size() == 0) return kNaN;
  const Trace& trace = t.trace();
  const int T = trace.num_steps();
  if (T == 0) return kNaN;
  const int d = distance < 0 ? T : std::min(distance, T);
  const int top = t.network().spec().num_layers - 1;
  const Vec norms = jacobian_product_norms(t.network(), trace, t.batch(), top, T - 1, 0, d);
  return norms(norms.size() - 1);
}

// (λ₁γ)^d for a vanilla cell.
double bound(const Trainer& t, int distance) {
  const NetworkSpec& spec = t.network().spec();
  if (spec.cell != CellType::Rnn) return kNaN;
  const int d = distance < 0 ? t.config().task.length : distance;
  return std::pow(sigma_max(t) * activation_derivative_bound(spec.activation), d);
}

// The mean of one gate block of the top layer over units, steps and sequences.
double gate_mean(const Trainer& t, CellType cell, int block) {
  const NetworkSpec& spec = t.network().spec();
  if (spec.cell != cell || t.phase() == Phase::Forward) return kNaN;
  const Trace& trace = t.trace();
  const int top = spec.num_layers - 1, H = spec.hidden_size;
  if (trace.num_steps() == 0) return kNaN;
  double sum = 0;
  Eigen::Index n = 0;
  for (const StepTrace& st : trace.steps[top]) {
    sum += st.gates.middleRows(block * H, H).sum();
    n += H * st.gates.cols();
  }
  return n > 0 ? sum / static_cast<double>(n) : kNaN;
}

double cliff_measure(TourExpect::Measure m, bool clipped) {
  const CliffDescentSettings settings;
  const std::vector<CliffPoint> path = cliff_path(settings, clipped);
  if (path.empty()) return kNaN;
  switch (m) {
    case TourExpect::Measure::CliffLoss: return path.back().loss;
    case TourExpect::Measure::CliffGradMax: {
      double g = 0;
      for (const CliffPoint& p : path) g = std::max(g, std::hypot(p.dw, p.db));
      return g;
    }
    default: {
      double jump = 0;
      for (size_t i = 1; i < path.size(); ++i)
        jump = std::max(jump, std::hypot(path[i].w - path[i - 1].w, path[i].b - path[i - 1].b));
      return jump;
    }
  }
}

}  // namespace

double measure(const TourExpect& e, const Trainer& t, const TourRunStats& stats) {
  using M = TourExpect::Measure;
  switch (e.measure) {
    case M::Loss: return recent_mean(t.history(), Field::Loss, 10);
    case M::Accuracy: return recent_mean(t.history(), Field::Accuracy, 10);
    case M::Iteration: return static_cast<double>(t.iteration());
    case M::Diverged: return t.phase() == Phase::Diverged ? 1 : 0;
    case M::Decay: return decay(t, e.distance);
    case M::GradNorm: return t.last_clip().global_norm_before;
    case M::ClippedNormMax: return stats.max_clipped_norm;
    case M::GradNormGrowth: return stats.max_norm / stats.first_norm;
    case M::SigmaMax: return sigma_max(t);
    case M::Jacobian: return jacobian(t, e.distance);
    case M::Bound: return bound(t, e.distance);
    case M::ForgetGate: return gate_mean(t, CellType::Lstm, 1);
    case M::ResetGate: return gate_mean(t, CellType::Gru, 0);
    case M::UpdateGate: return gate_mean(t, CellType::Gru, 1);
    case M::CliffLoss:
    case M::CliffGradMax:
    case M::CliffJump: return cliff_measure(e.measure, e.model == 1);
    case M::SweepLoss:
    case M::SweepLossMin:
    case M::SweepLossMax: return kNaN;  // the runner's (TourRunner::measure)
  }
  return std::numeric_limits<double>::quiet_NaN();
}

bool run_condition_met(const TourAction& a, const std::vector<const Trainer*>& trainers,
                       int64_t start_iteration) {
  using U = TourAction::Until;
  if (trainers.empty()) return true;
  const Trainer& first = *trainers.front();
  for (const Trainer* t : trainers)
    if (t->phase() == Phase::Diverged) return true;  // nothing more can run
  if (first.iteration() - start_iteration >= a.limit) return true;
  switch (a.until) {
    case U::Iterations: return first.iteration() - start_iteration >= a.value;
    case U::Iteration: return first.iteration() >= a.value;
    case U::Diverged: return false;
    case U::LossBelow: {
      TourExpect loss;
      bool all = true;
      for (size_t i = 0; i < trainers.size(); ++i)
        if (a.model < 0 || a.model == static_cast<int>(i))
          all = all && measure(loss, *trainers[i], {}) < a.value;
      return all;
    }
  }
  return true;
}

}  // namespace unrolled
