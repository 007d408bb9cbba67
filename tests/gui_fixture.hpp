// The GUI tests' shared fixture: the real app's frame (build_frame) in one window per suite under
// Xvfb, keys and mouse given through Window's input hook, and what the panels report read back
// (report_value). A suite derives from GuiFixture<Suite> and says its window and set-up in a public
// `static constexpr GuiFixtureOptions kOptions`, the keys its tests press in keys_ (constructor),
// its own set-up and tear-down in begin() and end(), and its mouse in input(). Skipped, saying
// why, without a DISPLAY. layout_report() and reported() are the same for the tests that run the
// executable and read its --layout-report.
#pragma once

#include <gtest/gtest.h>

#include <imgui.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "app/gui/app.hpp"
#include "app/gui/gui.hpp"
#include "tests/test_support.hpp"
#include "widgets/report.hpp"

namespace unrolled::testing_support {

// What differs between the suites' windows and set-up.
struct GuiFixtureOptions {
  int width = 1280, height = 720;
  const char* title = "gui test";
  bool hide_mouse = true;      // the real pointer hovers nothing (input() may still place one)
  bool report_values = false;  // app_.report_values and the widgets' layout report, for value()
  bool wait_idle = false;      // frame() first waits until the worker has applied every command
};

template <class Suite>
class GuiFixture : public ::testing::Test {
 protected:
  // One window for the suite: GLFW and ImGui are set up once per process.
  static void SetUpTestSuite() {
    const GuiFixtureOptions& o = Suite::kOptions;
    if (have_display()) window_ok_ = window_.open(o.width, o.height, o.title);
  }
  static void TearDownTestSuite() { window_.close(); }
  void SetUp() override {
    if (!have_display()) GTEST_SKIP() << "no DISPLAY: run under xvfb-run";
    ASSERT_TRUE(window_ok_);
    if (Suite::kOptions.hide_mouse) window_.hide_mouse(true);
    if (Suite::kOptions.report_values) {
      app_.report_values = true;
      widgets::set_layout_report(true);
    }
    window_.set_input_hook([this](ImGuiIO& io) {
      input(io);
      for (int k : keys_) io.KeysDown[k] = key_ == k;
    });
    begin();
  }
  void TearDown() override {
    // UNROLLED_TEST_SHOTS=DIR: the last frame of each test as DIR/<test>.png, to look at.
    if (const char* dir = std::getenv("UNROLLED_TEST_SHOTS"); dir && window_ok_)
      window_.save_screenshot(std::string(dir) + "/" +
                              ::testing::UnitTest::GetInstance()->current_test_info()->name() +
                              ".png");
    window_.set_input_hook(nullptr);
    widgets::set_layout_report(false);
    worker_.stop();
    end();
    release_gl(app_);
  }
  // The suite's own set-up, after the window's; its own tear-down, after the worker stopped.
  virtual void begin() {}
  virtual void end() {}
  // The mouse (or anything else) the suite gives ImGui each frame, before keys_.
  virtual void input(ImGuiIO&) {}

  virtual GuiFrame frame() {
    if (Suite::kOptions.wait_idle) worker_.wait_idle();
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
  static const DrawnPanel* find(const GuiFrame& f, PanelId id) {
    for (const DrawnPanel& d : f.drawn)
      if (d.id == id) return &d;
    return nullptr;
  }
  // What panel id reported as name while drawing f, or "(not reported)".
  static std::string value(const GuiFrame& f, PanelId id, const std::string& name) {
    for (const DrawnPanel& d : f.drawn)
      if (d.id == id)
        for (const auto& [n, v] : d.values)
          if (n == name) return v;
    return "(not reported)";
  }

  static inline Window window_;
  static inline bool window_ok_ = false;
  AppState app_;
  TrainingWorker worker_;
  AppOptions options_;
  std::vector<int> keys_;  // the keys the input hook holds: key_ down, the others up
  int key_ = -1;
};

// Runs the app with args at size ("1280x720") for frames frames; its --layout-report, or null
// (the test failed) when it did not exit 0 or wrote none.
inline nlohmann::json layout_report(const TempDir& dir, const std::string& args,
                                    const std::string& size, int frames) {
  const std::string json = dir / "report.json";
  std::remove(json.c_str());
  const auto r = run_exe(
      args + " --size " + size + " --frames " + std::to_string(frames) + " --layout-report " + json,
      true);
  EXPECT_EQ(r.code, 0) << args << "\n" << r.out;
  std::ifstream f(json);
  if (r.code != 0 || !f) return nullptr;
  return nlohmann::json::parse(f);
}

// What panel reported as name in a --layout-report, or "(not reported)".
inline std::string reported(const nlohmann::json& report, const std::string& panel,
                            const std::string& name) {
  for (const auto& w : report["windows"])
    if (w["name"] == panel && w["values"].contains(name)) return w["values"][name];
  return "(not reported)";
}

}  // namespace unrolled::testing_support
