// The settings file's reader and the atomic writer every file of the app goes through.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <sys/stat.h>

#include "core/json_io.hpp"
#include "core/settings_file.hpp"
#include "tests/test_support.hpp"

namespace unrolled {
namespace {

namespace fs = std::filesystem;

TEST(SettingsFile, ReadsWhatItWrites) {
  SettingsFile s;
  s.window_width = 1280;
  s.window_height = 720;
  s.ui_scale = 1.5;
  s.light_theme = true;
  s.panels = {{"gates", false}, {"spectrum", true}};
  SettingsFile back;
  std::string error;
  ASSERT_TRUE(parse_settings_text(settings_json_text(s), "s", back, &error)) << error;
  EXPECT_EQ(back.window_width, 1280);
  EXPECT_EQ(back.window_height, 720);
  EXPECT_EQ(back.ui_scale, 1.5);
  EXPECT_TRUE(back.light_theme);
  EXPECT_EQ(back.panels, s.panels);
}

TEST(SettingsFile, TheOldNameOfTheExperimentPanelIsRead) {
  SettingsFile s;
  std::string error;
  ASSERT_TRUE(parse_settings_text(R"({"panels": {"config": false}})", "s", s, &error)) << error;
  EXPECT_EQ(s.panels.at("experiment"), false);
}

// Issue 14: the reader was looser than the others (wrong types and unknown keys ignored, values
// clamped). Each case is refused with one message naming the key and what is allowed.
TEST(SettingsFile, RefusesWhatTheDocsDoNotAllow) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"1e309", "beyond"},
      {"[1, 2]", "expected an object"},
      {R"({"ui_scale": 2, "ui_scale": 3})", "ui_scale"},
      {R"({"window_width": 1e9})", "window_width: 1000000000.0 is not allowed; expected an integer"},
      {R"({"window_width": 100000})", "window_width: 100000 is out of range; expected an integer in [320, 8192]"},
      {R"({"window_height": 720.5})", "window_height"},
      {R"({"ui_scale": -3})", "ui_scale: -3 is out of range"},
      {R"({"light_theme": "yes"})", "light_theme: \"yes\" is not allowed; expected true or false"},
      {R"({"panels": {"gates": "yes"}})", "panels.gates"},
      {R"({"panels": {"gatez": true}})", "panels.gatez: not a panel's name; allowed: controls"},
      {R"({"panels": []})", "panels: expected an object"},
      {R"({"theme": "light"})", "theme: unknown key; allowed here: window_width"},
  };
  for (const auto& [text, said] : cases) {
    SettingsFile s;
    s.window_width = 1111;
    std::string error;
    EXPECT_FALSE(parse_settings_text(text, "settings.json", s, &error)) << text;
    EXPECT_NE(error.find(said), std::string::npos) << text << " -> " << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
    EXPECT_EQ(s.window_width, 1111) << "a refused file leaves the settings as they were";
  }
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Issue 13: a read-only settings file was replaced by a 0644 one and a symlinked one by a
// regular file.
TEST(WriteFileAtomic, KeepsPermissionsAndWritesThroughASymlink) {
  testing_support::TempDir dir("atomic");
  const std::string file = dir / "real.json", link = dir / "link.json";
  ASSERT_TRUE(write_file_atomic(file, "one", nullptr));
  ASSERT_EQ(::chmod(file.c_str(), 0600), 0);
  ASSERT_TRUE(write_file_atomic(file, "two", nullptr));
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(read_all(file), "two");

  fs::create_symlink("real.json", link);
  std::string error;
  ASSERT_TRUE(write_file_atomic(link, "three", &error)) << error;
  EXPECT_TRUE(fs::is_symlink(link)) << "the link stays a link";
  EXPECT_EQ(read_all(file), "three");
  EXPECT_FALSE(fs::exists(file + ".tmp-unrolled"));
}

TEST(WriteFileAtomic, LeavesAReadOnlyFileAlone) {
  testing_support::TempDir dir("atomic_ro");
  const std::string file = dir / "kept.json";
  ASSERT_TRUE(write_file_atomic(file, "mine", nullptr));
  ASSERT_EQ(::chmod(file.c_str(), 0444), 0);
  std::string error;
  EXPECT_FALSE(write_file_atomic(file, "theirs", &error));
  EXPECT_NE(error.find("read-only"), std::string::npos) << error;
  EXPECT_EQ(read_all(file), "mine");
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0444u);
  ::chmod(file.c_str(), 0644);  // so that TempDir can remove it
}

}  // namespace
}  // namespace unrolled
