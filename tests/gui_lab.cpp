// The vanishing-and-exploding lab under a real X server (Xvfb): compare mode with the spectrum of
// W_hh and the Jacobian products, the gradient cliff explorer and the dependency-length sweep.
// Each screenshot must be non-blank and show what its panel draws: the cliff's colour map, the
// models' series colours, the paths. Skips, saying why, when no DISPLAY is set.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include <stb_image.h>

#include "tests/test_support.hpp"
#include "widgets/colormap.hpp"

namespace unrolled {
namespace {

using widgets::Colormap;

struct Image {
  int w = 0, h = 0;
  std::vector<unsigned char> rgb;  // (h, w, 3)

  size_t distinct_colours() const {
    std::set<int> s;
    for (size_t i = 0; i + 2 < rgb.size(); i += 3)
      s.insert(rgb[i] << 16 | rgb[i + 1] << 8 | rgb[i + 2]);
    return s.size();
  }
  // Pixels within tol of colour c (each channel), in the part of the image from (x0, y0) on
  // (fractions of the width and height).
  int count_near(ImU32 c, int tol, double x0 = 0, double y0 = 0) const {
    const int r = (c >> IM_COL32_R_SHIFT) & 0xFF, g = (c >> IM_COL32_G_SHIFT) & 0xFF,
              b = (c >> IM_COL32_B_SHIFT) & 0xFF;
    int k = 0;
    for (int y = static_cast<int>(y0 * h); y < h; ++y)
      for (int x = static_cast<int>(x0 * w); x < w; ++x) {
        const unsigned char* p = &rgb[(static_cast<size_t>(y) * w + x) * 3];
        k += std::abs(p[0] - r) <= tol && std::abs(p[1] - g) <= tol && std::abs(p[2] - b) <= tol;
      }
    return k;
  }
};

bool have_display() {
  const char* d = std::getenv("DISPLAY");
  return d && *d;
}

// Runs the app with args to a screenshot; fails the test (and returns an empty image) if it
// cannot. The run's settings file is a temporary one: nothing leaks to or from the user's.
Image screenshot(const std::string& tag, const std::string& args) {
  testing_support::TempDir dir("lab_" + tag);
  const std::string png = dir / (tag + ".png"), log = dir / "log.txt";
  const std::string cmd = "UNROLLED_SETTINGS='" + (dir / "settings.json") + "' " + UNROLLED_EXE +
                          " " + args + " --size 1600x900 --screenshot '" + png + "' > '" + log +
                          "' 2>&1";
  const int status = std::system(cmd.c_str());
  Image img;
  std::ifstream in(log);
  const std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(status, 0) << cmd << "\n" << out;
  int channels = 0;
  unsigned char* pixels = stbi_load(png.c_str(), &img.w, &img.h, &channels, 3);
  EXPECT_NE(pixels, nullptr) << "no screenshot from: " << cmd;
  if (!pixels) return img;
  img.rgb.assign(pixels, pixels + static_cast<size_t>(img.w) * img.h * 3);
  stbi_image_free(pixels);
  return img;
}

// A compare experiment: a vanilla RNN beside an LSTM on the adding task.
std::string compare_experiment(const testing_support::TempDir& dir) {
  const std::string path = dir / "compare.json";
  std::ofstream(path) << R"({
    "format": "unrolled-experiment", "version": 1, "title": "RNN against LSTM",
    "model": {"name": "RNN", "cell": "rnn", "hidden_size": 16, "init": "orthogonal", "spectral_radius": 0.9},
    "task": {"kind": "adding", "length": 30},
    "training": {"optimizer": "adam", "learning_rate": 0.01, "batch_size": 16, "seed": 3},
    "compare": [{"name": "LSTM", "cell": "lstm", "hidden_size": 16}]
  })";
  return path;
}

TEST(GuiCompare, SpectrumAndJacobianPanelsDrawBothModels) {
  if (!have_display())
    GTEST_SKIP() << "no DISPLAY: run the GUI tests under xvfb-run -a -s \"-screen 0 1920x1080x24\"";
  testing_support::TempDir dir("compare_exp");
  const std::string exp = compare_experiment(dir);
  const Image img =
      screenshot("compare", "open " + exp + " --mode compare --frames 20 --warmup 30 --paused");
  ASSERT_EQ(img.w, 1600);
  EXPECT_GT(img.distinct_colours(), 1500u) << "the screenshot looks blank";
  // The bottom row (spectrum, Jacobian products), right of the controls: eigenvalue dots,
  // singular-value bars and the measured products in both models' colours.
  EXPECT_GT(img.count_near(widgets::series_color(0), 8, 0.3, 0.58), 600)
      << "the first model's colour (RNN)";
  EXPECT_GT(img.count_near(widgets::series_color(1), 8, 0.3, 0.58), 600)
      << "the second model's colour (LSTM)";
}

TEST(GuiSpectrum, PlaneShowsTheUnitCircleAndEigenvalues) {
  if (!have_display())
    GTEST_SKIP() << "no DISPLAY: run the GUI tests under xvfb-run -a -s \"-screen 0 1920x1080x24\"";
  testing_support::TempDir dir("spectrum_exp");
  const std::string exp = compare_experiment(dir);
  const Image img =
      screenshot("spectrum", "open " + exp + " --only spectrum --frames 20 --paused");
  ASSERT_EQ(img.w, 1600);
  EXPECT_GT(img.distinct_colours(), 300u) << "the screenshot looks blank";
  // 16 eigenvalues and 16 singular-value bars per model.
  EXPECT_GT(img.count_near(widgets::series_color(0), 8), 1000) << "the RNN's eigenvalues and bars";
  EXPECT_GT(img.count_near(widgets::series_color(1), 8), 1000) << "the LSTM's eigenvalues and bars";
}

TEST(GuiCliff, ExplorerShowsTheLossMapAndBothPaths) {
  if (!have_display())
    GTEST_SKIP() << "no DISPLAY: run the GUI tests under xvfb-run -a -s \"-screen 0 1920x1080x24\"";
  const Image img = screenshot("cliff", "--mode cliff --frames 5 --paused");
  ASSERT_EQ(img.w, 1600);
  EXPECT_GT(img.distinct_colours(), 1500u) << "the screenshot looks blank";
  // The heatmap spans the sequential map: dark purple (plateau of high loss) to yellow.
  int found = 0;
  for (double t : {0.02, 0.3, 0.6, 0.98})
    found += img.count_near(widgets::colormap_at(Colormap::Sequential, t), 10) >= 100;
  EXPECT_GE(found, 3) << "the loss map's colours";
  // The paths in the dark theme's series colours (the panel's own choice: vermillion unclipped,
  // sky blue clipped).
  EXPECT_GT(img.count_near(widgets::series_color(3, false), 6), 200)
      << "the path without clipping (vermillion)";
  EXPECT_GT(img.count_near(widgets::series_color(1, false), 6), 200)
      << "the clipped path (sky blue)";
}

TEST(GuiCompare, SweepPanelPlotsTheChanceLevelBeforeAnyRun) {
  if (!have_display())
    GTEST_SKIP() << "no DISPLAY: run the GUI tests under xvfb-run -a -s \"-screen 0 1920x1080x24\"";
  testing_support::TempDir dir("sweep_exp");
  const std::string exp = compare_experiment(dir);
  const Image img = screenshot("sweep", "open " + exp + " --mode sweep --frames 5 --paused");
  ASSERT_EQ(img.w, 1600);
  EXPECT_GT(img.distinct_colours(), 300u) << "the screenshot looks blank";
  // The plot's frame background covers a large area; the dashed chance level crosses it.
  EXPECT_GT(
      img.count_near(widgets::series_color(0), 8) + img.count_near(widgets::series_color(1), 8), 20)
      << "the legend's swatches of both models";
}

}  // namespace
}  // namespace unrolled
