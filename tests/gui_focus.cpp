// Focus, in the real window under Xvfb with input pressed through Window's input hook: F over a
// panel maximises it to the whole area below the menu bar, Esc brings the layout back, and a
// double-click on a panel's title bar does what F does.
#include <gtest/gtest.h>

#include <GLFW/glfw3.h>
#include <imgui.h>

#include <algorithm>

#include "tests/gui_fixture.hpp"

namespace unrolled {
namespace {

class Focus : public testing_support::GuiFixture<Focus> {
 public:
  static constexpr testing_support::GuiFixtureOptions kOptions{
      .width = 1600, .height = 900, .title = "focus test"};
  Focus() { keys_ = {GLFW_KEY_F, GLFW_KEY_ESCAPE}; }

 protected:
  void begin() override {
    std::string error;
    ASSERT_TRUE(worker_.start(default_experiment(), &error)) << error;
    worker_.wait_idle();
  }
  void input(ImGuiIO& io) override {
    io.MousePos = mouse_;
    io.MouseDown[0] = button_;
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
  static int visible(const GuiFrame& f) {
    return static_cast<int>(std::count_if(f.drawn.begin(), f.drawn.end(),
                                          [](const DrawnPanel& d) { return d.visible; }));
  }

  ImVec2 mouse_{-1, -1};
  bool button_ = false;
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
