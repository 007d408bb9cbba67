// Widgets: colour maps and tick generation on the CPU, and the gallery screenshot under a real X
// server (Xvfb). The GUI test skips, saying why, when no DISPLAY is set; CI runs it under xvfb-run.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <stb_image.h>

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>

#include "app/gui/gallery.hpp"
#include "app/gui/window.hpp"
#include "widgets/colormap.hpp"
#include "widgets/line_plot.hpp"
#include "widgets/report.hpp"
#include "widgets/ticks.hpp"

namespace {

using namespace unrolled::widgets;

struct Rgb {
  int r, g, b;
};

Rgb rgb(ImU32 c) {
  return {static_cast<int>((c >> IM_COL32_R_SHIFT) & 0xFF),
          static_cast<int>((c >> IM_COL32_G_SHIFT) & 0xFF),
          static_cast<int>((c >> IM_COL32_B_SHIFT) & 0xFF)};
}

// CIE L* (perceived lightness, 0..100) of an sRGB colour.
double lightness(Rgb c) {
  const auto lin = [](int v) {
    const double x = v / 255.0;
    return x <= 0.04045 ? x / 12.92 : std::pow((x + 0.055) / 1.055, 2.4);
  };
  const double y = 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
  return y > 0.008856 ? 116.0 * std::cbrt(y) - 16.0 : 903.3 * y;
}

int run(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(WidgetColormap, EndpointsAndCentre) {
  const Rgb s0 = rgb(colormap_at(Colormap::Sequential, 0.0)),
            s1 = rgb(colormap_at(Colormap::Sequential, 1.0));
  EXPECT_EQ(s0.r, 68);  // dark purple
  EXPECT_EQ(s0.b, 84);
  EXPECT_EQ(s1.r, 253);  // yellow
  EXPECT_EQ(s1.g, 231);
  const Rgb d0 = rgb(colormap_at(Colormap::Diverging, 0.0)),
            d1 = rgb(colormap_at(Colormap::Diverging, 1.0));
  EXPECT_GT(d0.b, d0.r) << "the negative end is blue";
  EXPECT_GT(d1.r, d1.b) << "the positive end is red";
  const Rgb mid = rgb(colormap_color(Colormap::Diverging, 0.0, -1.0, 1.0));
  EXPECT_GE(std::min({mid.r, mid.g, mid.b}), 235) << "0 is near-white";
  // Clamping, NaN, flat ranges, log positions.
  EXPECT_EQ(colormap_color(Colormap::Sequential, 7.0, 0.0, 1.0),
            colormap_at(Colormap::Sequential, 1.0));
  EXPECT_EQ(colormap_color(Colormap::Sequential, std::nan(""), 0.0, 1.0), kNanColor);
  EXPECT_DOUBLE_EQ(colormap_position(3.0, 3.0, 3.0), 0.5);
  EXPECT_NEAR(colormap_position(1e-2, 1e-4, 1.0, true), 0.5, 1e-12);
  EXPECT_DOUBLE_EQ(colormap_position(-1.0, 1e-4, 1.0, true), 0.0);
}

TEST(WidgetColormap, SequentialLightnessRisesMonotonically) {
  double previous = -1.0;
  for (int i = 0; i <= 255; ++i) {
    const double l = lightness(rgb(colormap_at(Colormap::Sequential, i / 255.0)));
    EXPECT_GE(l, previous - 0.3) << "at t = " << i / 255.0;  // 0.3: 8-bit rounding
    previous = l;
  }
  EXPECT_GT(lightness(rgb(colormap_at(Colormap::Sequential, 1.0))) -
                lightness(rgb(colormap_at(Colormap::Sequential, 0.0))),
            60.0);
}

TEST(WidgetColormap, DivergingIsSymmetricAroundWhiteCentre) {
  const double centre = lightness(rgb(colormap_at(Colormap::Diverging, 0.5)));
  for (int i = 0; i <= 100; ++i) {
    const double t = i / 200.0;  // 0 .. 0.5
    const double lo = lightness(rgb(colormap_at(Colormap::Diverging, t)));
    const double hi = lightness(rgb(colormap_at(Colormap::Diverging, 1.0 - t)));
    EXPECT_NEAR(lo, hi, 6.0) << "equal |value| should look equally strong, t = " << t;
    EXPECT_LE(lo, centre + 1e-9);
    EXPECT_LE(hi, centre + 1e-9);
  }
}

TEST(WidgetColormap, LutMatchesCpuMap) {
  for (Colormap map : {Colormap::Sequential, Colormap::Diverging}) {
    std::array<std::uint8_t, kLutSize * 4> lut{};
    colormap_fill_lut(map, lut);
    for (int i = 0; i < kLutSize; ++i) {
      const Rgb c = rgb(colormap_at(map, i / 255.0));
      EXPECT_EQ(lut[4 * i], c.r);
      EXPECT_EQ(lut[4 * i + 1], c.g);
      EXPECT_EQ(lut[4 * i + 2], c.b);
      EXPECT_EQ(lut[4 * i + 3], 255);
    }
  }
}

// 1, 2 or 5 times a power of ten.
bool is_nice(double step) {
  const double mag = std::pow(10.0, std::floor(std::log10(step) + 1e-12));
  const double m = step / mag;
  return std::abs(m - 1) < 1e-9 || std::abs(m - 2) < 1e-9 || std::abs(m - 5) < 1e-9;
}

TEST(WidgetTicks, NiceStepsAreOneTwoFive) {
  EXPECT_DOUBLE_EQ(nice_step(0, 1, 5), 0.2);
  EXPECT_DOUBLE_EQ(nice_step(0, 100, 10), 10.0);
  EXPECT_DOUBLE_EQ(nice_step(-3.7, 12.2, 6), 5.0);
  std::vector<Tick> ticks;
  nice_ticks(0, 1, 5, ticks);
  ASSERT_EQ(ticks.size(), 6u);
  EXPECT_DOUBLE_EQ(ticks[0].value, 0.0);
  EXPECT_NEAR(ticks[3].value, 0.6, 1e-12);
  EXPECT_NEAR(ticks[5].value, 1.0, 1e-12);
  for (double lo : {-1e6, -3.3, 0.0, 1e-7, 42.0})
    for (double span : {1e-6, 0.37, 1.0, 13.0, 5e4})
      for (int max_ticks : {2, 5, 8, 12}) {
        nice_ticks(lo, lo + span, max_ticks, ticks);
        ASSERT_GE(ticks.size(), 1u);
        EXPECT_LE(static_cast<int>(ticks.size()), max_ticks + 1);
        EXPECT_TRUE(is_nice(nice_step(lo, lo + span, max_ticks)));
        for (const Tick& t : ticks) {
          EXPECT_GE(t.value, lo - 1e-9 * span);
          EXPECT_LE(t.value, lo + span + 1e-9 * span);
        }
      }
  nice_ticks(-1.0, 1.0, 4, ticks);  // a tick at exactly 0, not -1e-17
  bool zero = false;
  for (const Tick& t : ticks) zero |= t.value == 0.0 && !std::signbit(t.value);
  EXPECT_TRUE(zero);
}

TEST(WidgetTicks, LogTicksAtDecadesWithMinors) {
  std::vector<Tick> ticks;
  log_ticks(1e-3, 1.0, 10, ticks);
  std::vector<double> majors;
  int minors = 0;
  for (const Tick& t : ticks) t.major ? majors.push_back(t.value) : void(++minors);
  ASSERT_EQ(majors.size(), 4u);
  EXPECT_NEAR(majors[0], 1e-3, 1e-15);
  EXPECT_NEAR(majors[3], 1.0, 1e-12);
  EXPECT_EQ(minors, 3 * 8);  // 2..9 in each of three decades
  // Fourteen decades into at most 6 labels: a stride of several decades, still powers of ten.
  log_ticks(1e-12, 1e2, 6, ticks);
  int labelled = 0;
  for (const Tick& t : ticks)
    if (t.major) {
      ++labelled;
      EXPECT_NEAR(std::log10(t.value), std::round(std::log10(t.value)), 1e-9);
    }
  EXPECT_GE(labelled, 2);
  EXPECT_LE(labelled, 6);
  // Less than a decade still gets at least two labels.
  log_ticks(0.3, 0.9, 6, ticks);
  labelled = 0;
  for (const Tick& t : ticks) labelled += t.major;
  EXPECT_GE(labelled, 2);
  log_ticks(-1.0, 10.0, 6, ticks);
  EXPECT_TRUE(ticks.empty());
}

TEST(WidgetTicks, LogTicksUnderADecadeNeverCrowdTheirLabels) {
  // A gradient norm between 2.5e-4 and 2.5e-3: one decade mark in view, so the 1..9 multiples are
  // labelled; 8e-4, 9e-4 and 1e-3 sit within a few pixels of each other on a log axis and used to
  // be written on top of each other.
  std::vector<Tick> ticks;
  for (const auto& [lo, hi, room] : {std::tuple{2.5e-4, 2.5e-3, 5}, {0.3, 4.5, 5}, {0.55, 1.6, 3}}) {
    log_ticks(lo, hi, room, ticks);
    const double need = (std::log10(hi) - std::log10(lo)) / room;
    std::vector<double> labelled;
    for (const Tick& t : ticks)
      if (t.major) labelled.push_back(std::log10(t.value));
    EXPECT_GE(labelled.size(), 2u) << lo << " " << hi;
    for (size_t i = 1; i < labelled.size(); ++i)
      EXPECT_GE(labelled[i] - labelled[i - 1], need - 1e-12) << lo << " " << hi;
  }
}

TEST(WidgetTicks, LogTicksManyDecadesFewLabelsStillLabelTwoDecades) {
  // A short colour bar over a vanishing decay profile: 18 decades, room for 3 labels. The stride
  // (10) used to miss every decade but one, and the fallback then labelled 1-2-5 multiples of all
  // 18 decades on top of each other.
  std::vector<Tick> ticks;
  for (const auto& [lo, hi, room] :
       {std::tuple{3e-19, 0.02, 3}, {5e-8, 0.02, 2}, {2e-13, 7e-3, 2}}) {
    log_ticks(lo, hi, room, ticks);
    int labelled = 0;
    for (const Tick& t : ticks)
      if (t.major) {
        ++labelled;
        EXPECT_NEAR(std::log10(t.value), std::round(std::log10(t.value)), 1e-9) << lo << " " << hi;
      }
    EXPECT_GE(labelled, 2) << lo << " " << hi;
    EXPECT_LE(labelled, room + 1) << lo << " " << hi;
  }
}

TEST(WidgetTicks, Labels) {
  char buf[32];
  EXPECT_STREQ(format_log_tick(buf, sizeof buf, 1e-3), "1e-3");
  EXPECT_STREQ(format_log_tick(buf, sizeof buf, 0.01), "0.01");
  EXPECT_STREQ(format_log_tick(buf, sizeof buf, 1.0), "1");
  EXPECT_STREQ(format_log_tick(buf, sizeof buf, 1000.0), "1000");
  EXPECT_STREQ(format_log_tick(buf, sizeof buf, 1e4), "1e4");
  EXPECT_STREQ(format_tick(buf, sizeof buf, 0.25, 0.05), "0.25");
  EXPECT_STREQ(format_tick(buf, sizeof buf, 1500.0, 500.0), "1500");
  EXPECT_STREQ(format_tick(buf, sizeof buf, 0.0, 0.1), "0");
  EXPECT_STREQ(format_tick(buf, sizeof buf, -0.5, 0.5),
               "\xE2\x88\x92"
               "0.5");  // U+2212
}

TEST(Gallery, BadArgumentsExitWithCode2) {
  const std::string exe = UNROLLED_EXE;
  EXPECT_EQ(run(exe + " --gallery --size banana 2>/dev/null"), 2);
  EXPECT_EQ(run(exe + " --gallery --frames 0 2>/dev/null"), 2);
  EXPECT_EQ(run(exe + " --gallery --no-such-flag 2>/dev/null"), 2);
  EXPECT_EQ(run(exe + " --scale banana 2>/dev/null"), 2);
}

TEST(Gallery, ScreenshotShowsBothColourMaps) {
  const char* display = std::getenv("DISPLAY");
  if (!display || !*display)
    GTEST_SKIP() << "no DISPLAY: run the GUI tests under xvfb-run -a -s \"-screen 0 1920x1080x24\"";
  const std::string png = ::testing::TempDir() + "unrolled_gallery_test.png";
  std::remove(png.c_str());
  const std::string log = ::testing::TempDir() + "unrolled_gallery_test.log";
  const std::string command = std::string(UNROLLED_EXE) + " --gallery --screenshot " + png +
                              " --frames 5 --size 1600x900 2>" + log;
  ASSERT_EQ(run(command), 0) << command;
  // The heatmaps must colour on the GPU: any shader or framebuffer complaint fails the test.
  std::string errors;
  if (std::FILE* f = std::fopen(log.c_str(), "r")) {
    char line[512];
    while (std::fgets(line, sizeof line, f)) errors += line;
    std::fclose(f);
  }
  EXPECT_EQ(errors, "") << "stderr of " << command;

  int w = 0, h = 0, channels = 0;
  unsigned char* pixels = stbi_load(png.c_str(), &w, &h, &channels, 3);
  ASSERT_NE(pixels, nullptr) << "cannot read " << png;
  EXPECT_EQ(w, 1600);
  EXPECT_EQ(h, 900);

  std::set<int> distinct;
  const std::size_t n = static_cast<std::size_t>(w) * h;
  for (std::size_t i = 0; i < n; ++i)
    distinct.insert(pixels[3 * i] << 16 | pixels[3 * i + 1] << 8 | pixels[3 * i + 2]);
  EXPECT_GT(distinct.size(), 2000u) << "the screenshot looks blank";

  // Pixels within a small tolerance of a colour: the GPU LUT, linear LUT filtering and the colour
  // bars' vertex interpolation may each differ from the CPU map by a few levels.
  const auto count_near = [&](Rgb c, int tol) {
    int k = 0;
    for (std::size_t i = 0; i < n; ++i)
      k += std::abs(pixels[3 * i] - c.r) <= tol && std::abs(pixels[3 * i + 1] - c.g) <= tol &&
           std::abs(pixels[3 * i + 2] - c.b) <= tol;
    return k;
  };
  for (Colormap map : {Colormap::Sequential, Colormap::Diverging}) {
    int found = 0;
    for (double t : {0.05, 0.25, 0.5, 0.75, 0.95}) {
      const int k = count_near(rgb(colormap_at(map, t)), 6);
      found += k >= 30;
      EXPECT_GE(k, 10) << colormap_name(map) << " at t = " << t;
    }
    EXPECT_GE(found, 4) << colormap_name(map) << ": too few of its colours on screen";
  }
  EXPECT_GE(count_near(rgb(kNanColor), 0), 200) << "NaN cells should be neutral grey";
  stbi_image_free(pixels);
}

// The gallery at 1600 x 900 and at 1920 x 1080 with text scale 1.5, in both themes (smaller, it
// scrolls, and the report lists only what is on screen): every plot and heatmap is in the layout
// report, the plots' and the large heatmaps' data areas are at least 8 lines high and 9 wide, no
// legend covers a point, no text is cut.
TEST(Gallery, LayoutReportAtProjectorSizesAndLargeText) {
  const char* display = std::getenv("DISPLAY");
  if (!display || !*display)
    GTEST_SKIP() << "no DISPLAY: run the GUI tests under xvfb-run -a -s \"-screen 0 1920x1080x24\"";
  unrolled::Window window;
  ASSERT_TRUE(window.open(1920, 1080, "gallery layout test"));
  window.hide_mouse(true);
  unrolled::GalleryState g;
  unrolled::gallery_init(g);
  set_layout_report(true);
  struct Config {
    int w, h;
    float scale;
  };
  for (const Config& c : {Config{1920, 1080, 1.5f}, Config{1600, 900, 1.0f}})
    for (unrolled::Theme theme : {unrolled::Theme::Dark, unrolled::Theme::Light}) {
      SCOPED_TRACE(std::to_string(c.w) + "x" + std::to_string(c.h) + " at " +
                   std::to_string(c.scale) + (theme == unrolled::Theme::Light ? ", light" : ""));
      glfwSetWindowSize(window.glfw(), c.w, c.h);
      window.set_theme(theme);
      window.set_ui_scale(c.scale);
      for (int f = 0; f < 4; ++f) {  // the first frames settle sizes and fonts
        layout_report().clear();
        window.begin_frame();
        g.title_font = window.title_font();  // rebuilt for the new scale
        unrolled::gallery_draw(g);
        window.end_frame();
      }
      const LayoutReport& r = layout_report();
      ASSERT_EQ(r.plots.size(), 7u) << "3 line plots and 4 heatmaps";
      const std::set<std::string> titles = {r.plots[0].title, r.plots[1].title, r.plots[2].title};
      EXPECT_EQ(titles, (std::set<std::string>{"Training loss", "Gradient norm and clipping",
                                               "Gradient through time"}));
      EXPECT_EQ(r.plots[3].title, "LSTM forget gate f\xE2\x82\x9C  (sequential map, [0, 1])");
      const float font_px = std::round(c.scale * unrolled::Window::kBaseFontPx);
      for (std::size_t k = 0; k < r.plots.size(); ++k) {
        const PlotRecord& p = r.plots[k];
        EXPECT_GT(p.data_rect.w, 0.0f) << p.title;
        EXPECT_GT(p.data_rect.h, 0.0f) << p.title;
        EXPECT_GE(p.data_rect.x, 0.0f) << p.title;
        EXPECT_LE(p.data_rect.x + p.data_rect.w, static_cast<float>(c.w)) << p.title;
        EXPECT_LE(p.data_rect.y + p.data_rect.h, static_cast<float>(c.h)) << p.title;
        EXPECT_EQ(p.has_legend, k < 3) << p.title;
        EXPECT_EQ(p.legend_points_covered, 0) << p.title;
        if (k < 5) {  // the edge cases share a card with the colour bars
          EXPECT_GE(p.data_rect.h, 8 * font_px) << p.title;
          EXPECT_GE(p.data_rect.w, 9 * font_px) << p.title;
        }
      }
      EXPECT_TRUE(r.clipped_text.empty()) << r.clipped_text.front();
    }
  set_layout_report(false);
  unrolled::gallery_release(g);
}

}  // namespace

namespace {

TEST(WidgetLinePlot, DecimatedLineKeepsEachColumnsExtremesAndEnds) {
  // 5000 points over 100 pixel columns, a noisy sine: what a long loss curve looks like.
  std::vector<ImVec2> run;
  for (int i = 0; i < 5000; ++i) {
    const float x = 10.0f + i * 0.02f;
    run.emplace_back(x, 50.0f + 40.0f * std::sin(0.05f * i) + ((i * 7919) % 13) * 0.5f);
  }
  std::vector<ImVec2> kept = run;
  unrolled::widgets::detail::decimate_columns(kept);
  EXPECT_LE(kept.size(), 2u * 100u + 2u);
  EXPECT_GE(kept.size(), 100u);
  EXPECT_EQ(kept.front().x, run.front().x);
  EXPECT_EQ(kept.front().y, run.front().y);
  EXPECT_EQ(kept.back().x, run.back().x);
  EXPECT_EQ(kept.back().y, run.back().y);
  for (size_t i = 1; i < kept.size(); ++i) EXPECT_LE(kept[i - 1].x, kept[i].x) << "order kept";
  // Per column, the lowest and highest y of the original line are still there.
  for (int col = 10; col < 110; ++col) {
    float lo = 1e9f, hi = -1e9f, klo = 1e9f, khi = -1e9f;
    for (const ImVec2& p : run)
      if (std::floor(p.x) == col) lo = std::min(lo, p.y), hi = std::max(hi, p.y);
    for (const ImVec2& p : kept)
      if (std::floor(p.x) == col) klo = std::min(klo, p.y), khi = std::max(khi, p.y);
    EXPECT_EQ(lo, klo) << "column " << col;
    EXPECT_EQ(hi, khi) << "column " << col;
  }
  // A line with one point per column is left as it is.
  std::vector<ImVec2> sparse = {{0.5f, 1}, {1.5f, 3}, {2.5f, 2}};
  unrolled::widgets::detail::decimate_columns(sparse);
  ASSERT_EQ(sparse.size(), 3u);
  EXPECT_EQ(sparse[1].y, 3);
}

}  // namespace
