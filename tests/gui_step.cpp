// Step through: the inspector reads the snapshot exactly as core::inspect_cell reads the trainer's
// Trace (with the weights that Trace was computed with, also after the update); step_action
// applies the step planner's answer (session/step_plan.hpp, tested in test_session.cpp) to the
// GUI's state; and under Xvfb the step mode's screenshots for an LSTM, a GRU and a
// vanilla RNN show the unrolled graph. The tests that need no display run everywhere; the
// screenshot tests skip without DISPLAY (CI runs them under xvfb-run).
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <stb_image.h>

#include "tests/small_lesson.hpp"
#include "app/panels/step_state.hpp"
#include "app/session/snapshot.hpp"
#include "app/session/training_worker.hpp"
#include "core/inspect.hpp"
#include "core/trainer.hpp"
#include "tests/test_support.hpp"

namespace unrolled {
namespace {

// -----------------------------------------------------------------------------------------------
// The inspector's SequenceRef against the trainer's own Trace
// -----------------------------------------------------------------------------------------------

using testing_support::small_lesson;

// One sequence (column b) of one layer, gathered from the Trace and GradTrace directly.
struct Columns {
  Mat x, pre, gates, c, h, hn, dh, dc;  // (rows, T)
  Vec h0, c0;                           // (H)
};

Columns gather(const Trainer& tr, int l, int b) {
  const Trace& trace = tr.trace();
  const GradTrace& gt = tr.grad_trace();
  const int T = trace.num_steps();
  Columns k;
  auto take = [&](Mat& out, auto get) {
    const Mat& first = get(0);
    if (first.size() == 0) return;
    out.resize(first.rows(), T);
    for (int t = 0; t < T; ++t) out.col(t) = get(t).col(b);
  };
  take(k.x, [&](int t) -> const Mat& {
    return l == 0 ? tr.batch().inputs[t] : trace.steps[l - 1][t].h;
  });
  take(k.pre, [&](int t) -> const Mat& { return trace.steps[l][t].pre; });
  take(k.gates, [&](int t) -> const Mat& { return trace.steps[l][t].gates; });
  take(k.c, [&](int t) -> const Mat& { return trace.steps[l][t].c; });
  take(k.h, [&](int t) -> const Mat& { return trace.steps[l][t].h; });
  take(k.hn, [&](int t) -> const Mat& { return trace.steps[l][t].hn; });
  if (static_cast<int>(gt.dh.size()) > l && static_cast<int>(gt.dh[l].size()) == T)
    take(k.dh, [&](int t) -> const Mat& { return gt.dh[l][t]; });
  if (static_cast<int>(gt.dc.size()) > l && static_cast<int>(gt.dc[l].size()) == T)
    take(k.dc, [&](int t) -> const Mat& { return gt.dc[l][t]; });
  k.h0 = trace.h0[l].col(b);
  k.c0 = trace.c0.size() > static_cast<size_t>(l) && trace.c0[l].size() ? Vec(trace.c0[l].col(b))
                                                                        : Vec::Zero(k.h0.size());
  return k;
}

void expect_same_lines(const std::vector<EquationLine>& got, const std::vector<EquationLine>& want,
                       const std::string& where) {
  ASSERT_EQ(got.size(), want.size()) << where;
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].lhs, want[i].lhs) << where;
    EXPECT_EQ(got[i].value, want[i].value) << where << " " << want[i].lhs;
    EXPECT_EQ(got[i].substituted, want[i].substituted) << where << " " << want[i].lhs;
    ASSERT_EQ(got[i].operands.size(), want[i].operands.size()) << where;
    for (size_t j = 0; j < got[i].operands.size(); ++j)
      EXPECT_EQ(got[i].operands[j].value, want[i].operands[j].value) << where << " " << want[i].lhs;
  }
}

// The view's lines for every layer, computed step and two units, against inspect_cell on the
// Trace with `weights`. With the backward pass done, the backward lines too.
// tolerance: how closely the displayed operands recompute the displayed result, relative.
// float64 engine: 1e-9. float32 engine: its values carry float's rounding (unit roundoff 6e-8,
// accumulated over a sum of at most H + I + 1 = 8 products, and a few ulp from float's exp and
// tanh), while the inspector recomputes in double from the double master weights: 1e-6.
int compare_view(const Trainer& tr, const Params& weights, int sample, bool expect_backward,
                 double tolerance = 1e-9) {
  ModelView view;
  fill_model_view(view, tr, sample);
  const NetworkSpec& spec = tr.network().spec();
  int lines = 0;
  for (int l = 0; l < spec.num_layers; ++l) {
    const Columns k = gather(tr, l, sample);
    // The backward pass fills dh only for the steps it has reached: mirror the view's NaNs.
    Mat dh = k.dh, dc = k.dc;
    for (int t = 0; t < view.steps; ++t)
      if (!std::isfinite(view.dh[l](0, t))) {
        if (dh.size()) dh.col(t).setConstant(std::nan(""));
        if (dc.size()) dc.col(t).setConstant(std::nan(""));
      }
    const Mat empty;
    SequenceRef direct{&k.x,
                       &k.pre,
                       &k.gates,
                       k.c.size() ? &k.c : &empty,
                       &k.h,
                       k.hn.size() ? &k.hn : &empty,
                       dh.size() ? &dh : &empty,
                       dc.size() ? &dc : nullptr,
                       k.h0,
                       k.c0};
    for (int t = 0; t < view.forward_t; ++t)
      for (int u : {0, spec.hidden_size - 1}) {
        const std::string where = "layer " + std::to_string(l) + ", t " + std::to_string(t) +
                                  ", unit " + std::to_string(u);
        const CellInspection got = inspect_view(view, l, t, u);
        const CellInspection want = inspect_cell(spec, weights, l, direct, t, u);
        expect_same_lines(got.forward, want.forward, where);
        expect_same_lines(got.backward, want.backward, where);
        if (expect_backward) {
          EXPECT_FALSE(got.backward.empty()) << where;
        }
        // the displayed numbers add up: W x + W h + b is the engine's pre-activation
        for (const EquationLine& line : got.forward) {
          std::vector<double> ops;
          for (const Operand& o : line.operands) ops.push_back(o.value);
          EXPECT_NEAR(recompute(line, ops), line.value, tolerance * (1 + std::abs(line.value)))
              << where << " " << line.lhs;
        }
        lines += static_cast<int>(got.forward.size() + got.backward.size());
      }
  }
  return lines;
}

TEST(InspectSequenceRef, ViewLinesEqualInspectCellOnTheTrainersTrace) {
  for (Precision precision : {Precision::Float64, Precision::Float32})
    for (CellType cell : {CellType::Lstm, CellType::Gru, CellType::Rnn})
      for (TaskKind task : {TaskKind::Adding, TaskKind::Sine}) {
        SCOPED_TRACE(std::string(to_string(cell)) + " on " + std::string(to_string(task)) + ", " +
                     std::string(to_string(precision)));
        const double tol = precision == Precision::Float64 ? 1e-9 : 1e-6;
        ExperimentConfig c = small_lesson(cell, task, 2);
        c.training.precision = precision;
        Trainer tr;
        std::string error;
        ASSERT_TRUE(tr.configure(c, 0, &error)) << error;
        tr.run_iteration();  // weights that have moved once
        // Part of the forward pass: only the computed steps.
        for (int i = 0; i < 4; ++i) ASSERT_TRUE(tr.step_forward());
        EXPECT_GT(compare_view(tr, tr.network().params(), 2, false, tol), 0);
        // Part of the backward pass, then all of it.
        for (int i = 0; i < 5; ++i) ASSERT_TRUE(tr.step_backward());
        compare_view(tr, tr.network().params(), 2, false, tol);
        while (tr.phase() == Phase::Backward) tr.step_backward();
        ASSERT_EQ(tr.phase(), Phase::Update);
        const Params before = tr.network().params();
        compare_view(tr, before, 2, true, tol);
        // After the update the view still shows this iteration's values: with the weights they
        // were computed with, not the updated ones.
        ASSERT_TRUE(tr.apply_update());
        ASSERT_EQ(tr.phase(), Phase::Ready);
        EXPECT_GT(compare_view(tr, before, 2, true, tol), 0);
      }
}

// -----------------------------------------------------------------------------------------------
// step_action: the GUI's side of a step key
// -----------------------------------------------------------------------------------------------

// step_action applies the planner's answer (plan, then moved) to the GUI's StepState and sends the
// plan's commands. Two workers on the same lesson, one driven through step_action and one through
// the planner directly (test_session.cpp checks the planner itself), must agree after every key:
// the same snapshot position, the same inspected step, follow flag and animation.
TEST(StepAction, AppliesThePlanToTheGuiState) {
  const ExperimentConfig c = small_lesson(CellType::Lstm, TaskKind::Adding, 1);
  TrainingWorker gui, direct;
  std::string error;
  ASSERT_TRUE(gui.start(c, &error)) << error;
  ASSERT_TRUE(direct.start(c, &error)) << error;
  StepState s;
  StepCursor cursor;
  using A = StepAction;
  const std::vector<A> keys = {
      A::Forward,       A::Forward,       A::Forward,       A::Back,         A::Back,
      A::Forward,       A::Home,          A::ToggleAnimate, A::Advance,      A::Advance,
      A::End,           A::Back,          A::Back,          A::Forward,      A::Back,
      A::ToggleAnimate, A::ToggleAnimate, A::Advance,       A::End,          A::Forward,
      A::BackwardPass,  A::Advance,       A::End,           A::BackwardPass, A::End};
  for (size_t i = 0; i < keys.size(); ++i) {
    SCOPED_TRACE("key " + std::to_string(i));
    gui.wait_idle();
    direct.wait_idle();
    const auto before_gui = gui.latest(), before_direct = direct.latest();
    s.graph.next_due = 5;
    step_action(keys[i], before_gui->models[0], 0, s, gui);
    const Plan p = plan(keys[i], before_direct->models[0], 0, cursor);
    for (const Command& command : p.send) direct.send(command);
    cursor = moved(cursor, keys[i], p);
    gui.wait_idle();
    direct.wait_idle();
    const ModelView& g = gui.latest()->models[0];
    const ModelView& d = direct.latest()->models[0];
    if (s.follow) s.t = follow_target(g, s.t);  // as the panels do each frame
    if (cursor.follow) cursor.t = follow_target(d, cursor.t);
    EXPECT_EQ(g.phase, d.phase);
    EXPECT_EQ(g.iteration, d.iteration);
    EXPECT_EQ(g.forward_t, d.forward_t);
    EXPECT_EQ(g.backward_t, d.backward_t);
    EXPECT_EQ(s.t, cursor.t);
    EXPECT_EQ(s.follow, cursor.follow);
    EXPECT_EQ(s.graph.animate, cursor.animating);
    if (keys[i] == A::ToggleAnimate && cursor.animating) {
      EXPECT_EQ(s.graph.next_due, 0) << "the animation's first step is due at once";
    }
  }
  EXPECT_EQ(gui.latest()->models[0].phase, Phase::Update) << "the keys reached the update";
  gui.stop();
  direct.stop();
}

// -----------------------------------------------------------------------------------------------
// Screenshots (Xvfb)
// -----------------------------------------------------------------------------------------------

int run(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct Shot {
  int w = 0, h = 0;
  unsigned char* px = nullptr;
  ~Shot() { stbi_image_free(px); }
  // Pixels within tol of (r, g, b) in the box [x0, x1) x [y0, y1).
  int count(int r, int g, int b, int tol, int x0, int y0, int x1, int y1) const {
    int k = 0;
    for (int y = y0; y < y1; ++y)
      for (int x = x0; x < x1; ++x) {
        const unsigned char* p = px + 3 * (static_cast<size_t>(y) * w + x);
        k += std::abs(p[0] - r) <= tol && std::abs(p[1] - g) <= tol && std::abs(p[2] - b) <= tol;
      }
    return k;
  }
};

void screenshot_step_mode(const char* cell, const std::string& args, bool gradient) {
  const char* display = std::getenv("DISPLAY");
  if (!display || !*display)
    GTEST_SKIP() << "no DISPLAY: run the GUI tests under xvfb-run -a -s \"-screen 0 1920x1080x24\"";
  testing_support::TempDir dir(std::string("step_") + cell);
  const std::string png = dir / "step.png", json = dir / "lesson.json";
  {
    std::ofstream f(json);
    f << R"({"format": "unrolled-experiment", "version": 1, "title": "Step test",
             "model": {"name": "M", "cell": ")"
      << cell << R"(", "hidden_size": 16},
             "task": {"kind": "recall", "length": 12, "classes": 4, "distractors": 4},
             "training": {"batch_size": 8, "seed": 3}})";
  }
  const std::string command =
      "UNROLLED_SETTINGS=" + (dir / "settings.json") + " " + UNROLLED_EXE + " open " + json +
      " --mode step --paused --warmup 5 --size 1600x900 --frames 6 --screenshot " + png + " " +
      args + " 2>" + (dir / "log.txt");
  ASSERT_EQ(run(command), 0) << command;
  Shot s;
  int channels = 0;
  s.px = stbi_load(png.c_str(), &s.w, &s.h, &channels, 3);
  ASSERT_NE(s.px, nullptr) << "cannot read " << png;
  ASSERT_EQ(s.w, 1600);
  std::set<int> distinct;
  for (int i = 0; i < s.w * s.h; ++i)
    distinct.insert(s.px[3 * i] << 16 | s.px[3 * i + 1] << 8 | s.px[3 * i + 2]);
  EXPECT_GT(distinct.size(), 500u) << "the screenshot looks blank";
  // The graph is the top of the main area (right of the 384-pixel left column, above the gates):
  // the computed cells in the button colour, the active one in orange.
  const int x0 = 400, y0 = 40, x1 = 1600, y1 = 400;
  EXPECT_GT(s.count(46, 87, 140, 3, x0, y0, x1, y1), 3000) << "computed cells";
  EXPECT_GT(s.count(230, 159, 0, 2, x0, y0, x1, y1), 300) << "the step just computed";
  // In the backward pass the largest gradient's arrow is drawn in the colour map's top colour.
  if (gradient) {
    EXPECT_GT(s.count(253, 231, 37, 12, x0, y0, x1, y1), 20) << "gradient arrows";
  }
}

TEST(StepScreenshot, LstmForwardShowsTheGraph) {
  screenshot_step_mode("lstm", "--steps-forward 6", false);
}
TEST(StepScreenshot, GruBackwardShowsTheGraph) {
  screenshot_step_mode("gru", "--steps-forward 13 --steps-backward 5", true);
}
TEST(StepScreenshot, RnnBackwardShowsTheGraph) {
  screenshot_step_mode("rnn", "--steps-forward 13 --steps-backward 3", true);
}

}  // namespace
}  // namespace unrolled
