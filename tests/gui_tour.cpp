// A guided tour in the real window under Xvfb, keys pressed through Window's input hook: the card
// never covers a panel, Next runs a step's actions in order (a run waits until its condition
// holds), a question holds the actions until it is answered, Back runs nothing again, the step's
// panels and highlight are what the class sees, and presenter mode shows the step alone.
#include <gtest/gtest.h>

#include <GLFW/glfw3.h>
#include <imgui.h>

#include <chrono>
#include <thread>

#include "tests/gui_fixture.hpp"

namespace unrolled {
namespace {

// A small recall lesson (two models, so compare mode has both) with a four-step tour.
ExperimentConfig tour_lesson() {
  ExperimentConfig c;
  std::string error;
  const char* text = R"({
    "format": "unrolled-experiment", "version": 1, "title": "tour test",
    "description": "A lesson for the tour's tests.",
    "model": {"name": "RNN", "cell": "rnn", "hidden_size": 8},
    "compare": [{"name": "LSTM", "cell": "lstm", "hidden_size": 8}],
    "task": {"kind": "recall", "length": 8, "classes": 3, "distractors": 3},
    "training": {"batch_size": 8, "seed": 3},
    "tour": [
      {"title": "Start", "text": "Two models.", "show": {"mode": "compare"},
       "highlight": {"panel": "training"}},
      {"title": "Run", "text": "Thirty iterations, then two forward steps.",
       "actions": [{"do": "speed", "value": 0}, {"do": "run", "until": "iterations", "value": 30},
                   {"do": "forward", "count": 2}],
       "highlight": {"panel": "training", "series": "LSTM"}},
      {"title": "Guess", "text": "What happens next?",
       "predict": {"question": "Which?", "choices": ["a", "b"], "answer": 1, "reveal": "b."},
       "actions": [{"do": "run", "until": "iteration", "value": 50, "limit": 100}]},
      {"title": "Two panels", "text": "Only these.",
       "show": {"mode": "compare", "panels": ["training", "jacobian"]},
       "highlight": {"panel": "jacobian"}}
    ]})";
  EXPECT_TRUE(parse_experiment_text(text, "tour test", c, &error)) << error;
  return c;
}

bool overlaps(const Rect& a, const Rect& b) {
  return a.x < b.right() - 0.5f && b.x < a.right() - 0.5f && a.y < b.bottom() - 0.5f &&
         b.y < a.bottom() - 0.5f;
}

class Tour : public testing_support::GuiFixture<Tour> {
 public:
  static constexpr testing_support::GuiFixtureOptions kOptions{.title = "tour test"};
  Tour() {
    keys_ = {GLFW_KEY_PAGE_DOWN, GLFW_KEY_PAGE_UP, GLFW_KEY_F5,
             GLFW_KEY_B,         GLFW_KEY_ESCAPE,  GLFW_KEY_X};
  }

 protected:
  void begin() override {
    window_.set_ui_scale(1.0f);
    const ExperimentConfig c = tour_lesson();
    std::string error;
    ASSERT_TRUE(worker_.start(c, &error)) << error;
    worker_.wait_idle();
    start_tour(app_, c, true);
  }
  void end() override {
    if (app_.presenter.on) set_presenting(app_, window_, false);
  }
  // Frames until the step's actions are all done (a run can take a while).
  GuiFrame settle() {
    for (int i = 0; i < 2000; ++i) {
      worker_.wait_idle();
      GuiFrame f = frame();
      worker_.wait_idle();  // the commands the frame sent are applied
      if (!tour_busy(*worker_.latest(), app_)) return frame();
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ADD_FAILURE() << "the tour's actions did not finish";
    return frame();
  }
  const ModelView& model(int k) { return worker_.latest()->models[k]; }
};

// core/tour.hpp checks a tour's mode and panel names against its own list: the app's tables.
TEST(TourNames, CoresListsAreThePanelAndModeTables) {
  ASSERT_EQ(std::size(kTourPanels), panel_table().size());
  for (size_t i = 0; i < panel_table().size(); ++i)
    EXPECT_STREQ(kTourPanels[i], panel_table()[i].name);
  ASSERT_EQ(std::size(kTourModes), mode_table().size());
  for (size_t i = 0; i < mode_table().size(); ++i) EXPECT_STREQ(kTourModes[i], mode_table()[i].name);
}

TEST_F(Tour, TheCardNeverCoversAPanelAndTheHighlightIsOutsideIt) {
  for (int step = 0; step < 4; ++step) {
    if (step > 0) press(GLFW_KEY_PAGE_DOWN);
    if (app_.tour.asking) tour_answer(app_, 0);
    frame();
    const GuiFrame f = settle();
    ASSERT_EQ(app_.tour.step, step);
    EXPECT_GT(app_.tour.card.h, ImGui::GetTextLineHeight() * 2) << "step " << step;
    for (const DrawnPanel& d : f.drawn)
      EXPECT_FALSE(overlaps(d.rect, app_.tour.card)) << panel_info(d.id).name << " at step " << step;
    for (const auto& [what, r] : app_.tour.outlines)
      EXPECT_FALSE(overlaps(r, app_.tour.card)) << what << " at step " << step;
  }
}

TEST_F(Tour, NextRunsTheStepsActionsInOrderAndARunStopsAtItsCondition) {
  settle();
  EXPECT_EQ(model(0).iteration, 0) << "the first step does nothing";
  EXPECT_EQ(app_.mode, Mode::Compare);
  press(GLFW_KEY_PAGE_DOWN);
  settle();
  EXPECT_EQ(app_.tour.step, 1);
  EXPECT_EQ(model(0).iteration, 30) << "run 30 iterations, then pause";
  EXPECT_EQ(model(1).iteration, 30);
  EXPECT_EQ(model(0).forward_t, 2) << "the forward steps came after the run, not during it";
  EXPECT_FALSE(worker_.latest()->playing);
  // The series the step names is drawn thicker, its legend entry outlined.
  bool series = false;
  for (const auto& [what, r] : app_.tour.outlines) series = series || what == "series LSTM";
  EXPECT_TRUE(series);
}

TEST_F(Tour, AQuestionHoldsTheActionsUntilItIsAnsweredAndBackRunsNothingAgain) {
  press(GLFW_KEY_PAGE_DOWN);
  settle();
  press(GLFW_KEY_PAGE_DOWN);
  for (int i = 0; i < 10; ++i) frame();
  worker_.wait_idle();
  EXPECT_TRUE(app_.tour.asking);
  EXPECT_EQ(model(0).iteration, 30) << "nothing runs before the answer";
  tour_answer(app_, 1);
  settle();
  EXPECT_FALSE(app_.tour.asking);
  EXPECT_EQ(model(0).iteration, 50) << "run until iteration 50";
  EXPECT_EQ(app_.tour.answer, 1);
  press(GLFW_KEY_PAGE_UP);
  EXPECT_EQ(app_.tour.step, 1);
  press(GLFW_KEY_PAGE_DOWN);
  settle();
  EXPECT_EQ(app_.tour.step, 2);
  EXPECT_EQ(model(0).iteration, 50) << "a step seen before is shown, not run again";
}

TEST_F(Tour, AStepShowsOnlyItsPanelsAndBringsTheHighlightedOneToTheFront) {
  for (int i = 0; i < 3; ++i) {
    press(GLFW_KEY_PAGE_DOWN);
    if (app_.tour.asking) tour_answer(app_, 0);
    settle();
  }
  ASSERT_EQ(app_.tour.step, 3);
  const GuiFrame f = frame();
  for (const DrawnPanel& d : f.drawn)
    EXPECT_TRUE(d.id == PanelId::Training || d.id == PanelId::Jacobian) << panel_info(d.id).name;
  const DrawnPanel* jac = find(f, PanelId::Jacobian);
  ASSERT_NE(jac, nullptr);
  EXPECT_TRUE(jac->visible);
  ASSERT_EQ(app_.tour.outlines.size(), 1u);
  EXPECT_EQ(app_.tour.outlines[0].first, "panel jacobian");
}

TEST_F(Tour, PresenterModeShowsTheStepAloneLargerBlanksOnBAndLeavesOnEsc) {
  settle();
  const float scale = window_.ui_scale();
  press(GLFW_KEY_F5);
  ASSERT_TRUE(app_.presenter.on);
  GuiFrame f = frame();
  f = frame();
  EXPECT_FLOAT_EQ(window_.ui_scale(), 1.5f);
  for (const DrawnPanel& d : f.drawn)
    EXPECT_TRUE(d.id != PanelId::Controls && d.id != PanelId::Experiment) << panel_info(d.id).name;
  EXPECT_FALSE(f.drawn.empty());
  f = press(GLFW_KEY_B);
  EXPECT_TRUE(app_.presenter.blank);
  EXPECT_TRUE(frame().drawn.empty()) << "a blank screen draws no panel";
  press(GLFW_KEY_X);  // any key
  EXPECT_FALSE(app_.presenter.blank);
  press(GLFW_KEY_PAGE_DOWN);
  EXPECT_EQ(app_.tour.step, 1) << "the clicker still turns the pages";
  press(GLFW_KEY_ESCAPE);
  EXPECT_FALSE(app_.presenter.on);
  EXPECT_FLOAT_EQ(window_.ui_scale(), scale);
}

}  // namespace
}  // namespace unrolled
