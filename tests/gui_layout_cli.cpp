// The layout's command line under Xvfb: --only takes the panel table's names (an unknown one gets
// the list and exit 2), a remembered window larger than the screen opens fitted to it, and the
// layout report describes the window the app drew.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <string>

#include "app/panels/panel_table.hpp"
#include "tests/test_support.hpp"

namespace unrolled {
namespace {

using Json = nlohmann::json;
using testing_support::run_exe;
using testing_support::TempDir;

#define SKIP_WITHOUT_DISPLAY()                \
  if (!testing_support::have_display()) \
  GTEST_SKIP() << "no DISPLAY: run the GUI tests under xvfb-run -a -s \"-screen 0 1920x1080x24\""

Json read_json(const std::string& path) {
  std::ifstream f(path);
  return Json::parse(f);
}

TEST(LayoutCli, OnlyWithAnUnknownPanelListsTheNamesAndExits2) {
  const auto r = run_exe("--only NoSuchPanel --frames 1", true);
  EXPECT_EQ(r.code, 2) << r.out;
  for (const PanelInfo& p : panel_table())
    EXPECT_NE(r.out.find(p.name), std::string::npos) << "the message leaves out " << p.name;
  EXPECT_NE(r.out.find("NoSuchPanel"), std::string::npos) << r.out;
}

TEST(LayoutCli, OnlyShowsThatPanelAloneOverTheWholeWindow) {
  SKIP_WITHOUT_DISPLAY();
  TempDir dir("only");
  setenv("UNROLLED_SETTINGS", (dir / "settings.json").c_str(), 1);
  const auto r = run_exe("--only gradients --size 900x600 --paused --layout-report " +
                         (dir / "r.json"), true);
  ASSERT_EQ(r.code, 0) << r.out;
  const Json j = read_json(dir / "r.json");
  ASSERT_EQ(j["windows"].size(), 1u);
  EXPECT_EQ(j["windows"][0]["name"], "gradients");
  EXPECT_EQ(j["windows"][0]["rect"][2].get<double>(), 900);
}

TEST(LayoutCli, ARememberedWindowLargerThanTheScreenOpensFittedToIt) {
  SKIP_WITHOUT_DISPLAY();
  TempDir dir("fit");
  {
    std::ofstream(dir / "settings.json") << R"({"window_width": 4000, "window_height": 3000})";
  }
  setenv("UNROLLED_SETTINGS", (dir / "settings.json").c_str(), 1);
  // No --size: the remembered size, fitted to the screen (Xvfb's is 1920x1080 in the test
  // command; any screen smaller than 4000x3000 shows the same).
  const auto r = run_exe("--paused --layout-report " + (dir / "r.json"), true);
  ASSERT_EQ(r.code, 0) << r.out;
  const Json j = read_json(dir / "r.json");
  EXPECT_LT(j["size"][0].get<int>(), 4000);
  EXPECT_LT(j["size"][1].get<int>(), 3000);
  EXPECT_GT(j["size"][0].get<int>(), 640) << "fitted, not shrunk to nothing";
}

TEST(LayoutCli, TheReportNamesEveryPanelOfTheModeOnceWithTabsBehindTheirCell) {
  SKIP_WITHOUT_DISPLAY();
  TempDir dir("report");
  setenv("UNROLLED_SETTINGS", (dir / "settings.json").c_str(), 1);
  for (const char* scale : {"1", "2"}) {
    // 1600x900: the lesson's card under the panels leaves room for all seven at text scale 1.
    const auto r = run_exe(std::string("--mode train --size 1600x900 --paused --scale ") + scale +
                               " --layout-report " + (dir / "r.json"),
                           true);
    ASSERT_EQ(r.code, 0) << r.out;
    const Json j = read_json(dir / "r.json");
    int visible = 0, total = 0;
    for (const Json& w : j["windows"]) {
      ++total;
      visible += w["visible"].get<bool>();
      ASSERT_NE(find_panel(w["name"].get<std::string>()), nullptr) << w.dump();
      EXPECT_EQ(w["title"], panel_info(find_panel(w["name"].get<std::string>())->id).title);
    }
    int in_train = 0;
    for (const PanelInfo& p : panel_table()) in_train += (p.modes & mode_bit(Mode::Train)) != 0;
    EXPECT_EQ(total, in_train) << "scale " << scale;
    if (std::string(scale) == "1") {
      EXPECT_EQ(visible, in_train) << "all fit at 1600x900";
    }
    if (std::string(scale) == "2") {
      EXPECT_LT(visible, in_train) << "text scale 2: tabs";
    }
    EXPECT_FALSE(j["menu_overlap"].get<bool>());
  }
}

}  // namespace
}  // namespace unrolled
