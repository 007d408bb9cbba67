// Window size, UI scale, theme and panel visibility persist between runs.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "app/gui/app_state.hpp"
#include "tests/test_support.hpp"

namespace unrolled {
namespace {

TEST(AppSettings, RoundTripThroughTheSettingsFile) {
  testing_support::TempDir dir("settings");
  const std::string path = dir / "nested/settings.json";
  Settings s;
  s.window_width = 1280;
  s.window_height = 720;
  s.ui_scale = 1.5f;
  s.light_theme = true;
  s.hidden[index_of(PanelId::Gates)] = true;
  s.hidden[index_of(PanelId::Sample)] = true;
  ASSERT_TRUE(save_settings(path, s));
  const Settings back = load_settings(path);
  EXPECT_EQ(back.window_width, 1280);
  EXPECT_EQ(back.window_height, 720);
  EXPECT_FLOAT_EQ(back.ui_scale, 1.5f);
  EXPECT_TRUE(back.light_theme);
  EXPECT_TRUE(back.hidden[index_of(PanelId::Gates)]);
  EXPECT_TRUE(back.hidden[index_of(PanelId::Sample)]);
  EXPECT_FALSE(back.hidden[index_of(PanelId::Training)]);
}

TEST(AppSettings, MissingOrBadFilesGiveDefaultsOrClampedValues) {
  testing_support::TempDir dir("settings_bad");
  const Settings defaults;
  Settings s = load_settings(dir / "absent.json");
  EXPECT_EQ(s.window_width, defaults.window_width);
  std::ofstream(dir / "junk.json") << "{not json";
  s = load_settings(dir / "junk.json");
  EXPECT_EQ(s.window_height, defaults.window_height);
  std::ofstream(dir / "absurd.json")
      << R"({"window_width": 1e9, "ui_scale": -3, "panels": {"gates": "yes"}})";
  s = load_settings(dir / "absurd.json");
  EXPECT_EQ(s.window_width, 8192);
  EXPECT_FLOAT_EQ(s.ui_scale, 0.5f);
  EXPECT_FALSE(s.hidden[index_of(PanelId::Gates)]);  // a wrong type keeps the default
}

TEST(AppSettings, AnUnreadableFileStartsOnDefaultsAndSaysSoOnce) {
  // Issue 14: a number beyond a double's range aborted the app on every start.
  testing_support::TempDir dir("settings_overflow");
  const Settings defaults;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"tiny.json", "1e309"},
      {"wide.json", R"({"window_width": 1e400, "ui_scale": 2})"},
      {"twice.json", R"({"ui_scale": 2, "ui_scale": 3})"},
      {"list.json", "[1, 2]"},
  };
  for (const auto& [name, text] : cases) {
    std::ofstream(dir / name) << text;
    testing::internal::CaptureStderr();
    const Settings s = load_settings(dir / name);
    const std::string said = testing::internal::GetCapturedStderr();
    EXPECT_EQ(s.window_width, defaults.window_width) << name;
    EXPECT_FLOAT_EQ(s.ui_scale, defaults.ui_scale) << name;
    EXPECT_NE(said.find("unrolled: settings file " + (dir / name)), std::string::npos) << said;
    EXPECT_NE(said.find("starting on the default settings"), std::string::npos) << said;
    EXPECT_EQ(said.find('\n'), said.size() - 1) << "one line: " << said;
  }
  testing::internal::CaptureStderr();
  load_settings(dir / "absent.json");
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "") << "a first run has nothing to report";
}

}  // namespace
}  // namespace unrolled
