// Unrolled core: guided tours. An experiment file may carry a `tour`, a list of steps a lecturer
// clicks through: each step's text, what to show, what to do (play, run until something happens,
// step the passes), what to point at, an optional question to predict, and what will happen
// (`expect`), which `unrolled tour --check` verifies by running the steps headless with the
// lesson's seed. Field by field: docs/experiments.md, "Tours".
//
// The parts that name the app's modes and panels (show, highlight) are checked against the names
// below, which are the short names of the app's mode and panel tables (app/panels/panel_table.cpp;
// a test keeps the two equal).
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clip.hpp"
#include "core/json_io.hpp"

namespace unrolled {

class Trainer;

inline constexpr const char* kTourModes[] = {"train", "step",  "compare",
                                             "cliff", "sweep", "inspect"};
inline constexpr const char* kTourPanels[] = {
    "controls", "experiment", "gates",     "training", "states",   "gradients", "sample",
    "graph",    "inspector",  "spectrum", "jacobian", "cliff",    "sweep",     "input",
    "influence"};

constexpr int kMaxTourSteps = 24;
constexpr int kMaxTourSentences = 4;
constexpr int64_t kMaxTourRun = 1'000'000;  // iterations one action may run

// What a step shows: a mode, the panels of that mode to keep (empty: all), one panel focused.
struct TourShow {
  std::string mode;                 // "" keeps the current mode
  std::vector<std::string> panels;  // short names (panel table); empty: the mode's panels
  std::string focus;                // one panel maximised; "" none
};

// What a step does when it is reached (in order).
struct TourAction {
  enum class Kind {
    Play,          // start training at the current speed
    Pause,
    Speed,         // value: iterations per second (0: as fast as possible)
    Run,           // until `until` holds, or `limit` more iterations, whichever comes first
    Forward,       // count forward time steps
    Backward,      // count backward time steps
    FinishForward,
    FinishBackward,
    Update,        // clip and take the optimiser step
    Reset,         // weights and data back to the seed
    Clip,          // clip settings from the next update: clip
    Truncation,    // truncated BPTT from the next backward pass: k1, k2 (k1 = 0: full BPTT)
    Temperature,   // char-LM sampling temperature: value
    Select,        // layer, unit, sample, t, model (-1: unchanged)
    Sweep,         // the dependency-length sweep: lags, seeds, iterations (limit) per run; the
                   //   check waits for it, the app starts it in the sweep panel
  };
  enum class Until { Iterations, Iteration, LossBelow, Diverged };
  Kind kind = Kind::Play;
  Until until = Until::Iterations;  // Run: iterations (value more), iteration (value reached),
                                    //   loss_below (value), diverged
  double value = 0;
  int64_t limit = 0;  // Run: at most this many iterations
  int count = 1;      // Forward / Backward
  int model = -1;     // Run until loss_below: which model (-1: every model)
  ClipSettings clip;
  int k1 = 0, k2 = 0;  // Truncation
  int layer = -1, unit = -1, sample = -1, t = -1;  // Select
  std::vector<int> lags;  // Sweep: the task lengths (limit: iterations per run)
  int seeds = 1;          // Sweep: runs per (lag, model), seeds seed, seed + 1, ...
};

// Where the eye should go: a panel, and optionally one element in it.
struct TourHighlight {
  std::string panel;                  // short name; "" nothing highlighted
  std::string series;                 // a plot's series by its legend name ("LSTM", "clipped")
  std::vector<int> rows, columns;     // heatmap rows (units) or columns (time steps), 0-based
  int equation = -1;                  // the inspector's equation line, 0-based
  int cell_t = -1, cell_layer = -1;   // the unrolled graph's cell at time step t (0-based)
};

// A question the class answers before the step's actions run.
struct TourPredict {
  std::string question;
  std::vector<std::string> choices;  // 2..5
  int answer = 0;                    // index into choices
  std::string reveal;                // what happened and why, shown once the actions are done
};

// A measurement of the run, compared with a bound after the step's actions.
struct TourExpect {
  enum class Measure {
    Loss,           // mean loss over the last 10 iterations (or fewer)
    Accuracy,       // mean accuracy over the last 10 iterations
    Iteration,      // completed updates
    Diverged,       // 1 when training diverged, 0 otherwise
    Decay,          // ‖∂L_T/∂h_{T−1}‖ / ‖∂L_T/∂h_{T−1−d}‖ of the last iteration's decay profile,
                    //   d = distance (default T − 1), top layer: > 1 vanishing, < 1 exploding
    GradNorm,       // the last update's gradient norm before clipping
    ClippedNormMax, // the largest norm after clipping over the step's iterations
    GradNormGrowth, // the largest gradient norm before clipping over the step's iterations,
                    //   divided by the first one
    SigmaMax,       // the largest singular value of the top layer's recurrent matrix W_hh
    Jacobian,       // ‖∏ ∂h_k/∂h_{k−1}‖₂ over d = distance steps back from the last step (top
                    //   layer, sequence 0 of the last batch): what the Jacobian panel plots
    Bound,          // (λ₁γ)^d, d = distance: the bound on Jacobian for a vanilla cell (λ₁ = σ₁ of
                    //   W_hh, γ the bound of |act′|); NaN for gated cells
    ForgetGate,     // the mean of f_t (LSTM), of the reset gate r_t and of the update gate z_t
    ResetGate,      //   (GRU) over the top layer's units, time steps and sequences of the last
    UpdateGate,     //   forward pass; NaN for other cells
    CliffLoss,      // the gradient cliff panel's descent from its default start (core/cliff.hpp,
    CliffGradMax,   //   CliffDescentSettings), model 0 without clipping, 1 clipped by norm: the
    CliffJump,      //   loss where the path ends, its largest ‖∇L‖ before clipping, and its
                    //   largest single move ‖Δ(w, b)‖
    SweepLoss,      // the last sweep's held-out loss of model `model` at lag `distance`: the
    SweepLossMin,   //   mean over its seeds, the best seed's and the worst seed's (NaN when the
    SweepLossMax,   //   sweep has no such run)
  };
  Measure measure = Measure::Loss;
  int model = 0;
  int distance = -1;  // Decay: -1 for T − 1; Jacobian, Bound: -1 for T; Sweep*: the lag
  double above = -std::numeric_limits<double>::infinity();  // holds when measured > above
  double below = std::numeric_limits<double>::infinity();   //   and measured < below
};

struct TourStep {
  std::string title;
  std::string text;  // one to four sentences
  TourShow show;
  std::vector<TourAction> actions;
  TourHighlight highlight;
  std::optional<TourPredict> predict;
  std::vector<TourExpect> expect;
};

using Tour = std::vector<TourStep>;

// Reads j (an array of steps) into tour, key by key; false with one message naming the key.
bool tour_from_json(const Json& j, Tour& tour, std::string* error);
Json tour_to_json(const Tour& tour);
// Sentences in text: runs ending in '.', '!' or '?' followed by a space or the end.
int sentence_count(const std::string& text);

// Names for messages and the check's report.
std::string describe(const TourAction& a);
std::string describe(const TourExpect& e);
std::string measure_name(TourExpect::Measure m);

// What a run of iterations saw, for the measures over a step's iterations.
struct TourRunStats {
  double first_norm = std::numeric_limits<double>::quiet_NaN();
  double max_norm = 0;          // before clipping
  double max_clipped_norm = 0;  // after clipping
  void add(const Trainer& t);   // after an update
};

// The measure of one trainer (the model the expectation names). Sweep measures are the
// runner's (TourRunner::measure); here they are NaN.
double measure(const TourExpect& e, const Trainer& t, const TourRunStats& stats);
// True when a Run action's condition holds for the trainers (every one, or `model`).
bool run_condition_met(const TourAction& a, const std::vector<const Trainer*>& trainers,
                       int64_t start_iteration);

}  // namespace unrolled
