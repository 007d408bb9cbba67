// Focus, in the real window under Xvfb with input pressed through Window's input hook: F over a
// panel maximises it to the whole area below the menu bar, Esc brings the layout back, and a
// double-click on a panel's title bar does what F does.
#include <gtest/gtest.h>

#include <GLFW/glfw3.h>
#include <imgui.h>

#include <algorithm>

#include "app/gui/app.hpp"
#include "app/gui/gui.hpp"
#include "tests/test_support.hpp"

namespace unrolled {
namespace {

// One window for the suite: GLFW and ImGui are set up once per process.
class Focus : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (testing_support::have_display()) window_ok_ = window_.open(1600, 900, "focus test");
  }
  static void TearDownTestSuite() { window_.close(); }
  void SetUp() override {
    if (!testing_support::have_display()) GTEST_SKIP() << "no DISPLAY: run under xvfb-run";
    ASSERT_TRUE(window_ok_);
    window_.hide_mouse(true);
    std::string error;
    ASSERT_TRUE(worker_.start(default_experiment(), &error)) << error;
    worker_.wait_idle();
    window_.set_input_hook([this](ImGuiIO& io) {
      io.MousePos = mouse_;
      io.MouseDown[0] = button_;
      for (int k : {GLFW_KEY_F, GLFW_KEY_ESCAPE}) io.KeysDown[k] = key_ == k;
    });
  }
  void TearDown() override {
    window_.set_input_hook(nullptr);
    worker_.stop();
    release_gl(app_);
  }
  GuiFrame frame() {
    window_.begin_frame();
    GuiFrame f = build_frame(options_, app_, worker_, window_);
    window_.end_frame();
    return f;
  }
  // A key held for one frame, then released.
  GuiFrame press(int key) {
    key_ = key;
    frame();
    key_ = -1;
    return frame();
  }
  // Two presses of the left button where the mouse is, a frame apart.
  void double_click() {
    for (int click = 0; click < 2; ++click) {
      button_ = true;
      frame();
      button_ = false;
      frame();
    }
  }
  static const DrawnPanel* find(const GuiFrame& f, PanelId id) {
    for (const DrawnPanel& d : f.drawn)
      if (d.id == id) return &d;
    return nullptr;
  }
  static int visible(const GuiFrame& f) {
    return static_cast<int>(std::count_if(f.drawn.begin(), f.drawn.end(),
                                          [](const DrawnPanel& d) { return d.visible; }));
  }

  static inline Window window_;
  static inline bool window_ok_ = false;
  AppState app_;
  TrainingWorker worker_;
  AppOptions options_;
  ImVec2 mouse_{-1, -1};
  bool button_ = false;
  int key_ = -1;
};

TEST_F(Focus, FOverAPanelMaximisesItAndEscRestoresTheLayout) {
  frame();  // the menu bar's height is known from the second frame on
  const GuiFrame before = frame();
  const int all = visible(before);
  ASSERT_GT(all, 3);
  const DrawnPanel* gates = find(before, PanelId::Gates);
  ASSERT_NE(gates, nullptr);
  mouse_ = {gates->rect.x + gates->rect.w / 2, gates->rect.y + gates->rect.h / 2};
  frame();  // the mouse arrives over the panel
  const GuiFrame focused = press(GLFW_KEY_F);
  ASSERT_EQ(focused.drawn.size(), 1u);
  EXPECT_EQ(focused.drawn[0].id, PanelId::Gates);
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  EXPECT_FLOAT_EQ(focused.drawn[0].rect.w, vp->WorkSize.x);
  EXPECT_FLOAT_EQ(focused.drawn[0].rect.h, vp->WorkSize.y);
  EXPECT_FLOAT_EQ(focused.drawn[0].rect.y, vp->WorkPos.y) << "below the menu bar";
  const GuiFrame restored = press(GLFW_KEY_ESCAPE);
  EXPECT_EQ(visible(restored), all);
}

TEST_F(Focus, ADoubleClickOnATitleBarMaximisesThatPanel) {
  frame();
  const GuiFrame before = frame();
  const DrawnPanel* training = find(before, PanelId::Training);
  ASSERT_NE(training, nullptr);
  mouse_ = {training->rect.x + training->rect.w / 2, training->rect.y + 6};  // its title bar
  frame();
  double_click();
  const GuiFrame focused = frame();
  ASSERT_EQ(focused.drawn.size(), 1u);
  EXPECT_EQ(focused.drawn[0].id, PanelId::Training);
  // A second double-click on the (now whole-window) title bar restores the layout.
  mouse_ = {focused.drawn[0].rect.x + 200, focused.drawn[0].rect.y + 6};
  frame();
  double_click();
  EXPECT_GT(visible(frame()), 1);
}

}  // namespace
}  // namespace unrolled
