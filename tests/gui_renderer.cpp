// The UI renderer (app/gui/renderer) under a real X server: a frame that redraws only what changed
// has exactly the pixels of a frame redrawn whole (in the offscreen canvas and, where the back
// buffer survives swaps, in the back buffer); a frame with nothing new draws nothing; a changed
// heatmap is redrawn although its draw commands look the same. And the pacing of panels while
// training runs (pace_snapshots). GUI tests skip, saying why, when no DISPLAY is set.
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <set>
#include <vector>

#include <imgui.h>

#include "app/gui/app.hpp"
#include "app/gui/app_state.hpp"
#include "app/gui/window.hpp"
#include "app/session/snapshot.hpp"
#include "widgets/heatmap.hpp"

namespace {

using namespace unrolled;

constexpr int kWidth = 640, kHeight = 400;

struct Ui {
  std::string right_text = "iteration 1";
  bool popup = false;                               // a window over both halves
  std::vector<double> heat = {0.1, 0.5, 0.9, 0.3};  // (2, 2) shown in the left window
  widgets::HeatmapState heat_state;
};

void draw(Ui& ui) {
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                 ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings;
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImVec2(300, kHeight));
  ImGui::Begin("left", nullptr, flags);
  ImGui::TextUnformatted("a panel that does not change");
  widgets::HeatmapOptions opt;
  opt.vmin = 0;
  opt.vmax = 1;
  widgets::Heatmap("##heat", ui.heat.data(), 2, 2, true, opt, ui.heat_state, ImVec2(-1, 250));
  ImGui::End();
  ImGui::SetNextWindowPos(ImVec2(300, 0));
  ImGui::SetNextWindowSize(ImVec2(kWidth - 300, kHeight));
  ImGui::Begin("right", nullptr, flags);
  ImGui::TextUnformatted(ui.right_text.c_str());
  ImGui::End();
  if (ui.popup) {
    ImGui::SetNextWindowPos(ImVec2(200, 150));
    ImGui::SetNextWindowSize(ImVec2(220, 100));
    ImGui::Begin("over", nullptr, flags);
    ImGui::TextUnformatted("on top of both");
    ImGui::End();
  }
}

class Renderer : public ::testing::TestWithParam<bool> {  // param: offscreen canvas
 protected:
  // One window for the suite: opening and closing an X connection per test is slower and, under
  // Xvfb, now and then refused.
  static void SetUpTestSuite() {
    if (!std::getenv("DISPLAY")) return;
    window_ = new Window;
    if (!window_->open(kWidth, kHeight, "renderer test")) {
      delete window_;
      window_ = nullptr;
    }
  }
  static void TearDownTestSuite() {
    delete window_;  // closes it
    window_ = nullptr;
  }
  void SetUp() override {
    if (!std::getenv("DISPLAY")) GTEST_SKIP() << "no DISPLAY: run under xvfb-run";
    ASSERT_NE(window_, nullptr) << "the window did not open";
    window_->set_mouse_override(kWidth - 1.0f, kHeight - 1.0f);  // hover nothing
    window_->use_offscreen_canvas(GetParam());
    if (!GetParam() && !window_->back_buffer_preserved())
      GTEST_SKIP() << "this driver's back buffer does not survive a swap; the canvas is used";
  }
  void TearDown() override {
    if (window_) ui_.heat_state.release();
  }
  std::vector<unsigned char> frame() {
    window_->begin_frame();
    draw(ui_);
    window_->end_frame();
    return window_->read_pixels();
  }
  // The same UI drawn again from nothing.
  std::vector<unsigned char> whole_frame() {
    window_->redraw_everything();
    const auto pixels = frame();
    EXPECT_EQ(window_->last_cost().redrawn_pixels, int64_t{kWidth} * kHeight);
    return pixels;
  }
  // Frames until one has nothing new (ImGui sizes, focuses and highlights windows over the first
  // frames after a change): the pixels then are what the partial redraws added up to.
  std::vector<unsigned char> settle() {
    for (int i = 0; i < 10; ++i) {
      auto pixels = frame();
      if (window_->last_cost().redrawn_pixels == 0) return pixels;
    }
    ADD_FAILURE() << "the UI never settled";
    return {};
  }
  static Window* window_;
  Ui ui_;
};

Window* Renderer::window_ = nullptr;

int64_t count_different(const std::vector<unsigned char>& a, const std::vector<unsigned char>& b) {
  int64_t n = 0;
  for (size_t i = 0; i + 2 < a.size() && i + 2 < b.size(); i += 3)
    n += a[i] != b[i] || a[i + 1] != b[i + 1] || a[i + 2] != b[i + 2];
  return n + static_cast<int64_t>(a.size() > b.size() ? a.size() - b.size() : b.size() - a.size());
}

TEST_P(Renderer, NothingNewDrawsAndPresentsNothing) {
  const auto before = settle();
  EXPECT_EQ(window_->last_cost().redrawn_pixels, 0);
  EXPECT_FALSE(window_->last_cost().presented);
  EXPECT_EQ(count_different(before, frame()), 0);
}

TEST_P(Renderer, AChangeRedrawsOnlyItsWindowAndMatchesAWholeRedraw) {
  const auto before = settle();
  ui_.right_text = "iteration 2";
  frame();
  const int64_t redrawn = window_->last_cost().redrawn_pixels;
  EXPECT_GT(redrawn, 0);
  EXPECT_LE(redrawn, int64_t{kWidth - 300 + 2} * (kHeight + 2)) << "only the right window";
  EXPECT_TRUE(window_->last_cost().presented);
  const auto partial = settle();
  EXPECT_GT(count_different(before, partial), 0) << "the new text is on screen";
  EXPECT_EQ(count_different(partial, whole_frame()), 0);
}

TEST_P(Renderer, AChangeUnderAnotherWindowKeepsThatWindowOnTop) {
  ui_.popup = true;
  settle();
  ui_.right_text = "iteration 2, under the window on top";
  frame();
  EXPECT_LT(window_->last_cost().redrawn_pixels, int64_t{kWidth} * kHeight) << "a partial redraw";
  const auto partial = settle();
  EXPECT_EQ(count_different(partial, whole_frame()), 0);
}

TEST_P(Renderer, AWindowOverOthersComesAndGoesCleanly) {
  const auto without = settle();
  ui_.popup = true;
  const auto with_popup = settle();
  EXPECT_EQ(count_different(with_popup, whole_frame()), 0);
  EXPECT_GT(count_different(with_popup, without), 1000);
  ui_.popup = false;
  const auto closed = settle();
  EXPECT_EQ(count_different(closed, whole_frame()), 0) << "no trace of the closed window";
}

TEST_P(Renderer, AChangedHeatmapIsRedrawnThoughItsCommandsLookTheSame) {
  const auto before = settle();
  ui_.heat[0] = 0.95;  // one cell, same range: only the texture's pixels change
  frame();
  EXPECT_GT(window_->last_cost().redrawn_pixels, 0);
  const auto after = settle();
  EXPECT_GT(count_different(before, after), 100) << "the cell changed colour";
  EXPECT_EQ(count_different(after, whole_frame()), 0);
  frame();
  EXPECT_EQ(window_->last_cost().redrawn_pixels, 0) << "same values again: nothing to draw";
}

INSTANTIATE_TEST_SUITE_P(Canvas, Renderer, ::testing::Values(true, false), [](const auto& info) {
  return info.param ? "Offscreen" : "PreservedBackBuffer";
});

// [SECTION] Pacing of panels while training runs

std::shared_ptr<const Snapshot> snapshot(uint64_t version, int64_t iteration, bool playing) {
  auto s = std::make_shared<Snapshot>();
  s->version = version;
  s->playing = playing;
  s->models.resize(1);
  s->models[0].iteration = iteration;
  return s;
}

int count_version(const std::vector<const Snapshot*>& shown, uint64_t v) {
  int n = 0;
  for (const Snapshot* s : shown) n += s && s->version == v;
  return n;
}

TEST(PanelPacing, WhileTrainingPanelsMoveToTheNewestSnapshotWithinABudget) {
  AppState app;
  const std::vector<PanelId> panels = {PanelId::Gates,     PanelId::Training, PanelId::States,
                                       PanelId::Gradients, PanelId::Sample,   PanelId::Controls};
  for (PanelId p : panels) app.panel_cost[index_of(p)] = kFrameBudget * 2 / 5;  // 2 fit
  EXPECT_EQ(count_version(pace_snapshots(panels, snapshot(1, 10, true), app), 1), 6)
      << "the first frame shows the newest everywhere";
  const auto v2 = snapshot(2, 11, true);
  int frames = 0;
  for (int moved_before = 0; moved_before < 6; ++frames) {
    const auto shown = pace_snapshots(panels, v2, app);
    const int moved = count_version(shown, 2);
    EXPECT_EQ(moved - moved_before, 2) << "two panels fit in a frame's budget, three do not";
    EXPECT_EQ(count_version(shown, 1) + moved, 6) << "the others keep what they drew";
    moved_before = moved;
  }
  EXPECT_EQ(frames, 3);
  // Panels that fell furthest behind move first.
  pace_snapshots(panels, snapshot(3, 12, true), app);  // two panels at 3, four at 2
  const auto shown = pace_snapshots(panels, snapshot(4, 13, true), app);
  EXPECT_EQ(count_version(shown, 4), 2);
  EXPECT_EQ(count_version(shown, 3), 2) << "the panels already at 3 wait; those at 2 moved";
}

TEST(PanelPacing, APanelOverTheBudgetMovesAloneAndCheapOnesTogether) {
  AppState app;
  const PanelId heavy = PanelId::Graph;
  const std::vector<PanelId> panels = {heavy, PanelId::Gates, PanelId::Training, PanelId::States};
  app.panel_cost[index_of(heavy)] = kFrameBudget * 3 / 2;
  for (size_t i = 1; i < panels.size(); ++i) app.panel_cost[index_of(panels[i])] = kFrameBudget / 4;
  pace_snapshots(panels, snapshot(1, 10, true), app);
  const auto first = pace_snapshots(panels, snapshot(2, 11, true), app);
  EXPECT_EQ(first[index_of(heavy)]->version, 2u) << "first in line, over the budget, still moves";
  EXPECT_EQ(count_version(first, 2), 1) << "and alone";
  EXPECT_EQ(count_version(pace_snapshots(panels, snapshot(2, 11, true), app), 2), 4)
      << "the three cheap ones fit together";
}

// The memory budget counts at most kMaxHeldSnapshots older snapshots on screen: with one panel
// moving per frame and a new snapshot every frame, the panels would otherwise hold six versions.
TEST(PanelPacing, AtMostTwoOlderSnapshotsStayOnScreen) {
  AppState app;
  const std::vector<PanelId> panels = {PanelId::Gates,     PanelId::Training, PanelId::States,
                                       PanelId::Gradients, PanelId::Sample,   PanelId::Controls};
  for (PanelId p : panels) app.panel_cost[index_of(p)] = kFrameBudget * 2;  // one a frame
  pace_snapshots(panels, snapshot(1, 10, true), app);
  for (uint64_t v = 2; v < 12; ++v) {
    const auto shown = pace_snapshots(panels, snapshot(v, 9 + v, true), app);
    std::set<uint64_t> older;
    for (const Snapshot* s : shown)
      if (s && s->version != v) older.insert(s->version);
    EXPECT_LE(older.size(), static_cast<size_t>(kMaxHeldSnapshots)) << "at version " << v;
    EXPECT_GE(count_version(shown, v), 1);
  }
}

TEST(PanelPacing, PausedOrResetEveryPanelShowsTheNewestAtOnce) {
  AppState app;
  const std::vector<PanelId> panels = {PanelId::Gates, PanelId::Training, PanelId::States,
                                       PanelId::Gradients};
  pace_snapshots(panels, snapshot(1, 10, true), app);
  EXPECT_EQ(count_version(pace_snapshots(panels, snapshot(2, 11, false), app), 2), 4)
      << "paused: a step must show everywhere in the same frame";
  pace_snapshots(panels, snapshot(3, 12, true), app);
  EXPECT_EQ(count_version(pace_snapshots(panels, snapshot(4, 0, true), app), 4), 4)
      << "after a reset no panel may show the old run";
}

}  // namespace
