// Window size, UI scale, theme and panel visibility persist between runs.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
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

TEST(AppSettings, MissingOrBadFilesGiveDefaults) {
  testing_support::TempDir dir("settings_bad");
  const Settings defaults;
  std::string problem;
  Settings s = load_settings(dir / "absent.json", &problem);
  EXPECT_EQ(s.window_width, defaults.window_width);
  EXPECT_EQ(problem, "");
  std::ofstream(dir / "junk.json") << "{not json";
  testing::internal::CaptureStderr();
  s = load_settings(dir / "junk.json", &problem);
  testing::internal::GetCapturedStderr();
  EXPECT_EQ(s.window_height, defaults.window_height);
  EXPECT_NE(problem, "");
  // Out of range and of the wrong type: refused whole (core/settings_file.hpp), not clamped.
  std::ofstream(dir / "absurd.json")
      << R"({"window_width": 1e9, "ui_scale": -3, "panels": {"gates": "yes"}})";
  testing::internal::CaptureStderr();
  s = load_settings(dir / "absurd.json", &problem);
  testing::internal::GetCapturedStderr();
  EXPECT_EQ(s.window_width, defaults.window_width);
  EXPECT_FLOAT_EQ(s.ui_scale, defaults.ui_scale);
  EXPECT_NE(problem.find("window_width"), std::string::npos) << problem;
}

// Issue 13: a corrupt settings file was silently replaced at exit; a symlinked one became a
// regular file.
TEST(AppSettings, AnUnreadableFileIsKeptBesideTheNewOne) {
  testing_support::TempDir dir("settings_keep");
  const std::string path = dir / "settings.json";
  std::ofstream(path) << R"({"window_width": "wide"})";
  std::string problem;
  testing::internal::CaptureStderr();
  Settings s = load_settings(path, &problem);
  testing::internal::GetCapturedStderr();
  ASSERT_NE(problem, "");
  s.window_width = 1024;
  std::string error;
  ASSERT_TRUE(save_settings(path, s, true, &error)) << error;
  std::ifstream bad(path + ".bad");
  const std::string kept((std::istreambuf_iterator<char>(bad)), std::istreambuf_iterator<char>());
  EXPECT_EQ(kept, R"({"window_width": "wide"})");
  EXPECT_EQ(load_settings(path).window_width, 1024);
}

TEST(AppSettings, ASymlinkedFileIsWrittenThrough) {
  testing_support::TempDir dir("settings_link");
  const std::string real = dir / "dotfiles/settings.json", link = dir / "settings.json";
  Settings s;
  ASSERT_TRUE(save_settings(real, s));
  std::filesystem::create_symlink(real, link);
  s.light_theme = true;
  std::string error;
  ASSERT_TRUE(save_settings(link, s, false, &error)) << error;
  EXPECT_TRUE(std::filesystem::is_symlink(link));
  EXPECT_TRUE(load_settings(real).light_theme);
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
