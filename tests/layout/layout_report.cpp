// The layout report (`unrolled --layout-report FILE.json`) of the real app under Xvfb, for every
// mode on the default and the compare lesson, at 1280x720, 1366x768, 1600x900 and 1920x1080, each
// at text scale 1, 1.5 and 2 (issue 11): every visible plot's data area at least 8 lines high and
// 9 line heights wide, no legend over a plotted point, no text cut without an ellipsis, no overlap
// in the menu bar, the mode's key panel on screen. Its own executable: 120 runs of the app take a
// few minutes, so the sanitizer suite leaves it out (by its name, LayoutReport).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <set>
#include <string>

#include "app/panels/panel_table.hpp"
#include "tests/test_support.hpp"

namespace unrolled {
namespace {

using Json = nlohmann::json;
using testing_support::run_exe;
using testing_support::TempDir;

struct Case {
  const char* mode;
  const char* lesson;
};

struct Screen {
  int w, h;
  double scale;
};

constexpr Screen kScreens[] = {{1280, 720, 1},  {1280, 720, 1.5},  {1280, 720, 2},
                               {1366, 768, 1},  {1366, 768, 1.5},  {1366, 768, 2},
                               {1600, 900, 1},  {1600, 900, 1.5},  {1600, 900, 2},
                               {1920, 1080, 1}, {1920, 1080, 1.5}, {1920, 1080, 2}};

// Panels that draw at least one plot or heatmap whenever they are visible.
const std::set<std::string> kPlotPanels = {"gates",    "training", "states",   "gradients",
                                           "sample",   "spectrum", "jacobian", "cliff",
                                           "sweep"};

class LayoutReport : public ::testing::TestWithParam<Case> {};

// Checks one report; `where` names the run in every failure.
void check_report(const Json& r, const Screen& s, const Case& c, const std::string& where) {
  ASSERT_EQ(r["size"], Json::array({s.w, s.h})) << where;
  const double font = r["font_px"].get<double>();
  EXPECT_NEAR(font, 18 * s.scale, 1.0) << where << ": the text scale is not applied";
  EXPECT_FALSE(r["menu_overlap"].get<bool>()) << where << ": the menu bar's items overlap";
  EXPECT_FALSE(r["stray_debug_window"].get<bool>()) << where << ": ImGui's Debug window is drawn";
  std::set<std::string> visible;
  for (const Json& w : r["windows"]) {
    const std::string name = w["name"], at = where + " " + name;
    if (!w["visible"].get<bool>()) continue;
    visible.insert(name);
    const Json& rect = w["rect"];
    EXPECT_GE(rect[0].get<double>(), -0.5) << at;
    EXPECT_LE(rect[0].get<double>() + rect[2].get<double>(), s.w + 0.5) << at;
    EXPECT_LE(rect[1].get<double>() + rect[3].get<double>(), s.h + 0.5) << at;
    EXPECT_EQ(w["clipped_text"], Json::array()) << at << ": text cut without an ellipsis";
    if (kPlotPanels.count(name)) EXPECT_FALSE(w["plots"].empty()) << at << " draws no plot";
    for (const Json& p : w["plots"]) {
      const std::string plot = at + " / " + p["title"].get<std::string>();
      EXPECT_GE(p["data_rect"][3].get<double>() + 0.5, 8 * font) << plot << ": too low";
      EXPECT_GE(p["data_rect"][2].get<double>() + 0.5, 9 * font) << plot << ": too narrow";
      EXPECT_EQ(p["legend_points_covered"].get<int>(), 0) << plot << ": legend over data";
    }
  }
  const PanelId key = mode_layout(*find_mode(c.mode)).priority.front();
  EXPECT_TRUE(visible.count(panel_info(key).name)) << where << ": the key panel is hidden";
  // The key panel's first plot is on screen whole, not scrolled below the window's edge.
  for (const Json& w : r["windows"]) {
    if (w["name"] != panel_info(key).name || w["plots"].empty()) continue;
    const Json &rect = w["rect"], &data = w["plots"][0]["data_rect"];
    EXPECT_LE(data[1].get<double>() + data[3].get<double>(),
              rect[1].get<double>() + rect[3].get<double>() + 0.5)
        << where << ": the key plot " << w["plots"][0]["title"] << " runs below its window";
  }
}

TEST_P(LayoutReport, EveryPlotReadableAtEveryScreenAndTextSize) {
  if (!testing_support::have_display()) GTEST_SKIP() << "no DISPLAY: run under xvfb-run";
  const Case c = GetParam();
  TempDir dir("layout");
  for (const Screen& s : kScreens) {
    char size[32];
    std::snprintf(size, sizeof size, "%dx%d", s.w, s.h);
    const std::string where = std::string(c.mode) + "/" + c.lesson + " at " + size + " scale " +
                              std::to_string(s.scale).substr(0, 3);
    const std::string report = dir / "r.json";
    const std::string args = "--preset " + std::string(c.lesson) + " --mode " + c.mode +
                             " --size " + size + " --scale " + std::to_string(s.scale) +
                             " --warmup 20 --paused --frames 4 --layout-report " + report;
    setenv("UNROLLED_SETTINGS", (dir / "settings.json").c_str(), 1);
    const auto res = run_exe(args, true);
    ASSERT_EQ(res.code, 0) << where << "\n" << res.out;
    std::ifstream f(report);
    check_report(Json::parse(f), s, c, where);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Modes, LayoutReport,
    ::testing::Values(Case{"train", "default"}, Case{"step", "default"},
                      Case{"compare", "default"}, Case{"cliff", "default"},
                      Case{"sweep", "default"}, Case{"train", "compare"},
                      Case{"step", "compare"}, Case{"compare", "compare"},
                      Case{"cliff", "compare"}, Case{"sweep", "compare"}),
    [](const auto& info) {
      return std::string(info.param.mode) + "_" + info.param.lesson;
    });

}  // namespace
}  // namespace unrolled
