// Widgets without a window: the number format, contrast and the themes' colour tables, text that
// fits, and the line plot's legend and layout report, drawn into an ImGui context with no GL (the
// line plot only fills a draw list). Each test makes its own context.
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include <imgui.h>
#include <imgui_internal.h>

#include "app/gui/window.hpp"
#include "widgets/colormap.hpp"
#include "widgets/contrast.hpp"
#include "widgets/line_plot.hpp"
#include "widgets/report.hpp"
#include "widgets/text.hpp"
#include "widgets/ticks.hpp"

namespace {

using namespace unrolled::widgets;
using unrolled::Theme;

// -----------------------------------------------------------------------------------------------
// Numbers
// -----------------------------------------------------------------------------------------------

std::string num(double v, int significant = 3) {
  return format_number(v, significant);
}

TEST(WidgetFormatNumber, PlainInTheMiddleScientificAtTheEnds) {
  EXPECT_EQ(num(0.0), "0");
  EXPECT_EQ(num(-0.0), "0");
  EXPECT_EQ(num(2.5), "2.5");
  EXPECT_EQ(num(2.0), "2");
  EXPECT_EQ(num(0.0123456), "0.0123");
  EXPECT_EQ(num(418234.0), "418234") << "integer digits are not rounded away below 1e6";
  EXPECT_EQ(num(3.14159265, 5), "3.1416");
  EXPECT_EQ(num(1e-4), "0.0001");
  EXPECT_EQ(num(9.99e-5), "9.99e-5");
  EXPECT_EQ(num(-3.4e-5),
            "\xE2\x88\x92"
            "3.4e-5");
  EXPECT_EQ(num(1e6), "1e6");
  EXPECT_EQ(num(999999.7), "1e6") << "the notation follows the rounded value";
  EXPECT_EQ(num(1.2e19, 2), "1.2e19");
  EXPECT_EQ(num(123456789.0, 2), "1.2e8");
  // A diverged loss: once a 40-digit integer on screen.
  EXPECT_EQ(num(1.2345678e40), "1.23e40");
  EXPECT_EQ(num(-0.5),
            "\xE2\x88\x92"
            "0.5");
}

TEST(WidgetFormatNumber, NonFiniteAndSmallBuffers) {
  EXPECT_EQ(num(std::nan("")), "NaN");
  EXPECT_EQ(num(INFINITY), "inf");
  EXPECT_EQ(num(-INFINITY),
            "\xE2\x88\x92"
            "inf");
  char small[4];
  format_number(small, sizeof small, 123456.0);
  EXPECT_EQ(std::strlen(small), 3u) << "truncated, terminated, never overflowing";
  // Significant digits are clamped to 1..15.
  EXPECT_EQ(num(2.7, 0), "3");
  EXPECT_EQ(num(0.1, 40), "0.1");
}

TEST(WidgetFormatNumber, TickLabelsUseTheSameStyle) {
  char buf[32];
  EXPECT_STREQ(format_tick(buf, sizeof buf, -0.5, 0.5),
               "\xE2\x88\x92"
               "0.5");
  EXPECT_STREQ(format_tick(buf, sizeof buf, 2e-5, 1e-5), "2e-5");
  EXPECT_STREQ(format_tick(buf, sizeof buf, 1.5e7, 5e6), "1.5e7");
  EXPECT_STREQ(format_tick(buf, sizeof buf, 3e7, 1e7), "3e7");
  EXPECT_STREQ(format_tick(buf, sizeof buf, 1.00002, 1e-5), "1.00002")
      << "a fine step keeps neighbouring ticks apart";
  EXPECT_STREQ(format_log_tick(buf, sizeof buf, 3e-7), "3e-7");
}

// -----------------------------------------------------------------------------------------------
// Contrast, palettes and the themes' colour tables
// -----------------------------------------------------------------------------------------------

TEST(WidgetContrast, WcagReferenceValues) {
  const ImU32 black = IM_COL32(0, 0, 0, 255), white = IM_COL32(255, 255, 255, 255);
  EXPECT_NEAR(contrast_ratio(black, white), 21.0, 1e-9);
  EXPECT_NEAR(contrast_ratio(white, black), 21.0, 1e-9);
  EXPECT_NEAR(contrast_ratio(white, white), 1.0, 1e-12);
  // #767676 is the lightest grey with AA contrast on white (4.54:1); #777777 falls short.
  EXPECT_NEAR(contrast_ratio(IM_COL32(0x76, 0x76, 0x76, 255), white), 4.54, 0.01);
  EXPECT_LT(contrast_ratio(IM_COL32(0x77, 0x77, 0x77, 255), white), 4.5);
  // Alpha is composited before measuring.
  EXPECT_EQ(over(IM_COL32(0, 0, 0, 128), white), IM_COL32(127, 127, 127, 255));
  // The faintest grid grey that still passes, and one step fainter fails.
  const ImU32 bg = IM_COL32(34, 37, 43, 255), text = IM_COL32(245, 245, 245, 255);
  const ImU32 grid = faintest_with_contrast(text, bg);
  EXPECT_GE(contrast_ratio(grid, bg), kMinContrast);
  EXPECT_LT(contrast_ratio(mix(bg, grid, 0.9f), bg), kMinContrast);
  EXPECT_TRUE(is_light_background(white));
  EXPECT_FALSE(is_light_background(bg));
}

ImGuiStyle theme_style(Theme theme) {
  ImGuiStyle style;
  unrolled::theme_colors(theme, style);
  return style;
}

const char* theme_name(Theme t) {
  return t == Theme::Light ? "light" : "dark";
}

// Every background an ImGui text colour is drawn on, composited over the window, child and popup
// backgrounds it may sit on (for the colours with alpha).
std::vector<std::pair<std::string, ImU32>> text_backgrounds(const ImGuiStyle& s) {
  const ImVec4* c = s.Colors;
  const ImU32 bases[3] = {over(c[ImGuiCol_WindowBg], IM_COL32(0, 0, 0, 255)),
                          over(c[ImGuiCol_ChildBg], over(c[ImGuiCol_WindowBg], IM_COL32_BLACK)),
                          over(c[ImGuiCol_PopupBg], over(c[ImGuiCol_WindowBg], IM_COL32_BLACK))};
  const ImGuiCol cols[] = {
      ImGuiCol_WindowBg,         ImGuiCol_ChildBg,       ImGuiCol_PopupBg,
      ImGuiCol_MenuBarBg,        ImGuiCol_FrameBg,       ImGuiCol_FrameBgHovered,
      ImGuiCol_FrameBgActive,    ImGuiCol_TitleBg,       ImGuiCol_TitleBgActive,
      ImGuiCol_TitleBgCollapsed, ImGuiCol_Button,        ImGuiCol_ButtonHovered,
      ImGuiCol_ButtonActive,     ImGuiCol_Header,        ImGuiCol_HeaderHovered,
      ImGuiCol_HeaderActive,     ImGuiCol_Tab,           ImGuiCol_TabHovered,
      ImGuiCol_TabActive,        ImGuiCol_TabUnfocused,  ImGuiCol_TabUnfocusedActive,
      ImGuiCol_TableHeaderBg,    ImGuiCol_TableRowBgAlt, ImGuiCol_TextSelectedBg,
      ImGuiCol_PlotHistogram};
  std::vector<std::pair<std::string, ImU32>> out;
  for (ImGuiCol col : cols)
    for (ImU32 base : bases) out.emplace_back(ImGui::GetStyleColorName(col), over(c[col], base));
  return out;
}

TEST(WidgetTheme, EveryTextColourHasAaContrastOnEveryBackground) {
  for (Theme theme : {Theme::Dark, Theme::Light}) {
    const ImGuiStyle s = theme_style(theme);
    const ImU32 text = ImGui::ColorConvertFloat4ToU32(s.Colors[ImGuiCol_Text]);
    for (const auto& [name, bg] : text_backgrounds(s))
      EXPECT_GE(contrast_ratio(text, bg), kMinContrast)
          << theme_name(theme) << ": Text on " << name;
    // Disabled text appears on plain backgrounds only (ImGui dims disabled controls as a whole).
    const ImU32 dim = ImGui::ColorConvertFloat4ToU32(s.Colors[ImGuiCol_TextDisabled]);
    for (ImGuiCol col : {ImGuiCol_WindowBg, ImGuiCol_ChildBg, ImGuiCol_PopupBg, ImGuiCol_MenuBarBg,
                         ImGuiCol_FrameBg})
      EXPECT_GE(contrast_ratio(
                    dim, over(s.Colors[col], over(s.Colors[ImGuiCol_WindowBg], IM_COL32_BLACK))),
                kMinContrast)
          << theme_name(theme) << ": TextDisabled on " << ImGui::GetStyleColorName(col);
  }
}

// Hue in degrees of an sRGB colour.
double hue(ImU32 c) {
  const ImVec4 f = ImGui::ColorConvertU32ToFloat4(c);
  float h, s, v;
  ImGui::ColorConvertRGBtoHSV(f.x, f.y, f.z, h, s, v);
  return 360.0 * h;
}

TEST(WidgetTheme, SeriesColoursHaveAaContrastAndKeepOkabeItoHues) {
  // Okabe & Ito's colours as published, in the palette's order.
  const ImU32 okabe_ito[kSeriesColorCount] = {
      IM_COL32(230, 159, 0, 255), IM_COL32(86, 180, 233, 255),  IM_COL32(0, 158, 115, 255),
      IM_COL32(213, 94, 0, 255),  IM_COL32(204, 121, 167, 255), IM_COL32(0, 114, 178, 255),
      IM_COL32(240, 228, 66, 255)};
  for (Theme theme : {Theme::Dark, Theme::Light}) {
    const ImGuiStyle s = theme_style(theme);
    const bool light = theme == Theme::Light;
    const ImU32 window = over(s.Colors[ImGuiCol_WindowBg], IM_COL32_BLACK);
    EXPECT_EQ(is_light_background(window), light) << theme_name(theme);
    for (int i = 0; i < kSeriesColorCount; ++i) {
      const ImU32 c = series_color(i, light);
      for (ImGuiCol bg : {ImGuiCol_WindowBg, ImGuiCol_ChildBg, ImGuiCol_PopupBg, ImGuiCol_FrameBg})
        EXPECT_GE(contrast_ratio(c, over(s.Colors[bg], window)), kMinContrast)
            << theme_name(theme) << ": series " << i << " on " << ImGui::GetStyleColorName(bg);
      const double dh = std::abs(hue(c) - hue(okabe_ito[i]));
      EXPECT_LT(std::min(dh, 360 - dh), 12.0) << theme_name(theme) << ": series " << i;
      for (int j = 0; j < i; ++j)
        EXPECT_GT(std::abs(relative_luminance(c) - relative_luminance(series_color(j, light))) +
                      std::min(std::abs(hue(c) - hue(series_color(j, light))),
                               360 - std::abs(hue(c) - hue(series_color(j, light)))) /
                          360.0,
                  0.02)
            << theme_name(theme) << ": series " << i << " and " << j << " look alike";
    }
  }
}

// -----------------------------------------------------------------------------------------------
// An ImGui context without GL: ImGui's own font, one full-window window per frame
// -----------------------------------------------------------------------------------------------

class Headless : public ::testing::Test {
 protected:
  void SetUp() override {
    ctx_ = ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = ImVec2(1280, 720);
    io.DeltaTime = 1.0f / 60.0f;
    ImFontConfig cfg;
    cfg.SizePixels = 13.0f;
    io.Fonts->AddFontDefault(&cfg);
    unsigned char* pixels = nullptr;
    int w = 0, h = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);  // builds the atlas; no texture is made
    set_layout_report(true);
    layout_report().clear();
  }
  void TearDown() override {
    set_layout_report(false);
    ImGui::DestroyContext(ctx_);
  }
  // One frame with the mouse at `mouse` (button held when `down`); draw() runs inside a window
  // that covers the display, without padding.
  void frame(const std::function<void()>& draw, ImVec2 mouse = ImVec2(-FLT_MAX, -FLT_MAX),
             bool down = false) {
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = mouse;
    io.MouseDown[0] = down;
    ImGui::NewFrame();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(io.DisplaySize);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
    ImGui::Begin("test", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoSavedSettings);
    draw();
    ImGui::End();
    ImGui::PopStyleVar();
    ImGui::Render();
  }
  ImGuiContext* ctx_ = nullptr;
};

TEST_F(Headless, SeriesColourFollowsTheStyle) {
  ImGui::StyleColorsLight();
  for (int i = 0; i < kSeriesColorCount; ++i) EXPECT_EQ(series_color(i), series_color(i, true));
  ImGui::StyleColorsDark();
  for (int i = 0; i < kSeriesColorCount; ++i) EXPECT_EQ(series_color(i), series_color(i, false));
}

TEST_F(Headless, FitTextShortensWholeCharactersWithAnEllipsis) {
  frame([] {
    std::string out;
    const char* text = "accuracy: vanilla RNN 38% LSTM 97%";
    const float full = ImGui::CalcTextSize(text).x;
    EXPECT_FALSE(fit_text(out, text, nullptr, full));
    EXPECT_EQ(out, text);
    EXPECT_TRUE(fit_text(out, text, nullptr, 0.5f * full));
    EXPECT_LE(ImGui::CalcTextSize(out.c_str()).x, 0.5f * full);
    const std::string dots = ellipsis_text();
    ASSERT_GT(out.size(), dots.size());
    EXPECT_EQ(out.substr(out.size() - dots.size()), dots);
    const std::string kept = out.substr(0, out.size() - dots.size());
    EXPECT_EQ(std::string(text).substr(0, kept.size()), kept);
    EXPECT_NE(kept.back(), ' ') << "no space before the ellipsis";
    // Two-byte characters (sigma) are never split.
    const char* sigmas = "\xCF\x83\xCF\x83\xCF\x83\xCF\x83\xCF\x83\xCF\x83\xCF\x83\xCF\x83";
    EXPECT_TRUE(fit_text(out, sigmas, nullptr, 0.6f * ImGui::CalcTextSize(sigmas).x));
    EXPECT_EQ((out.size() - dots.size()) % 2, 0u);
    // Not even the ellipsis fits: nothing.
    EXPECT_TRUE(fit_text(out, text, nullptr, 1.0f));
    EXPECT_TRUE(out.empty());
  });
}

TEST_F(Headless, TextEllipsisShowsTheWholeTextInATooltip) {
  const char* text = "characters per window, averaged over the last epoch";
  const float width = 120.0f;
  ImVec2 item_min, item_max;
  bool shortened = false;
  const auto draw = [&] {
    shortened = TextEllipsis(text, width);
    item_min = ImGui::GetItemRectMin();
    item_max = ImGui::GetItemRectMax();
  };
  frame(draw);
  EXPECT_TRUE(shortened);
  EXPECT_LE(item_max.x - item_min.x, width + 0.5f);
  const ImVec2 centre((item_min.x + item_max.x) / 2, (item_min.y + item_max.y) / 2);
  frame(draw, centre);
  frame(draw, centre);  // hovering is known from the second frame on
  ImGuiWindow* tip = ImGui::FindWindowByName("##Tooltip_00");
  ASSERT_NE(tip, nullptr) << "no tooltip";
  EXPECT_TRUE(tip->Active);
  EXPECT_GE(tip->ContentSize.x, ImGui::CalcTextSize(text).x - 1.0f) << "the tooltip holds it whole";
  EXPECT_TRUE(layout_report().clipped_text.empty());
  // A width that cannot hold even the ellipsis cuts the text: the report says so.
  frame([&] { TextEllipsis(text, 2.0f); });
  ASSERT_EQ(layout_report().clipped_text.size(), 1u);
  EXPECT_EQ(layout_report().clipped_text[0], text);
}

// -----------------------------------------------------------------------------------------------
// The line plot's legend, through the layout report
// -----------------------------------------------------------------------------------------------

bool overlaps(const ReportRect& a, const ReportRect& b) {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

// Zig-zag lines through [x0, x1] x [y0, y1] of the unit square (data units), 200 points each.
struct Lines {
  std::vector<std::vector<double>> xs, ys;
  Lines(int n, double x0, double x1, double y0, double y1) {
    for (int k = 0; k < n; ++k) {
      xs.emplace_back();
      ys.emplace_back();
      for (int i = 0; i < 200; ++i) {
        xs[k].push_back(x0 + (x1 - x0) * i / 199.0);
        ys[k].push_back(y0 + (y1 - y0) * (0.5 + 0.5 * std::sin(0.3 * i + k)));
      }
    }
  }
};

void unit_plot(const char* id, ImVec2 size, PlotState& state, const Lines& lines,
               const char* y_label = "gradient norm") {
  static const char* const kNames[] = {"train", "valid", "clip", "bound"};
  if (!BeginPlot(id, size, state)) return;
  SetupAxes("iteration", y_label);
  SetupAxisLimits(Axis::X, 0, 1);
  SetupAxisLimits(Axis::Y, 0, 1);
  for (std::size_t k = 0; k < lines.xs.size(); ++k)
    PlotLine(kNames[k % 4], lines.xs[k].data(), lines.ys[k].data(),
             static_cast<int>(lines.xs[k].size()));
  EndPlot();
}

TEST_F(Headless, RoomyPlotPutsItsLegendInAStripAboveTheData) {
  PlotState state;
  const Lines lines(3, 0.0, 1.0, 0.0, 1.0);  // data everywhere: no corner would be free
  frame([&] { unit_plot("Gradient norm##g", ImVec2(600, 400), state, lines); });
  ASSERT_EQ(layout_report().plots.size(), 1u);
  const PlotRecord& r = layout_report().plots[0];
  EXPECT_EQ(r.title, "Gradient norm");
  ASSERT_TRUE(r.has_legend);
  EXPECT_FALSE(overlaps(r.legend_rect, r.data_rect));
  EXPECT_LE(r.legend_rect.y + r.legend_rect.h, r.data_rect.y);
  EXPECT_EQ(r.legend_points_covered, 0);
  EXPECT_FALSE(state.legend_inside);
  EXPECT_GE(r.data_rect.h, 8 * ImGui::GetTextLineHeight());
}

TEST_F(Headless, TightPlotPutsItsLegendInTheEmptiestCornerAndKeepsIt) {
  PlotState state;
  // Three entries need two rows beside the y axis name at this width, and a second row would
  // leave the data area under 8 lines: the legend goes inside.
  const ImVec2 size(300, 170);
  const Lines top_right(3, 0.6, 1.0, 0.55, 1.0);
  frame([&] { unit_plot("##tight", size, state, top_right); });
  ASSERT_EQ(layout_report().plots.size(), 1u);
  PlotRecord r = layout_report().plots[0];
  ASSERT_TRUE(state.legend_inside)
      << "the test wants the corner case; legend " << r.legend_rect.x << " " << r.legend_rect.y
      << " " << r.legend_rect.w << " " << r.legend_rect.h << ", data " << r.data_rect.x << " "
      << r.data_rect.y << " " << r.data_rect.w << " " << r.data_rect.h;
  ASSERT_TRUE(r.has_legend);
  EXPECT_EQ(r.title, "##tight") << "no title: the id names it";
  EXPECT_EQ(r.legend_points_covered, 0);
  EXPECT_NE(state.legend_corner, detail::TopRight) << "the data fill the top-right corner";
  // Inside the data area, clear of the quadrant holding the data.
  const ReportRect quadrant{r.data_rect.x + 0.6f * r.data_rect.w, r.data_rect.y,
                            0.4f * r.data_rect.w, 0.45f * r.data_rect.h};
  EXPECT_FALSE(overlaps(r.legend_rect, quadrant));
  EXPECT_GE(r.legend_rect.x, r.data_rect.x);
  EXPECT_LE(r.legend_rect.x + r.legend_rect.w, r.data_rect.x + r.data_rect.w);
  const int corner = state.legend_corner;

  // The data move into that corner: the legend moves to a free one.
  const Lines there(3, corner == detail::TopLeft || corner == detail::BottomLeft ? 0.0 : 0.6,
                    corner == detail::TopLeft || corner == detail::BottomLeft ? 0.4 : 1.0,
                    corner == detail::TopLeft || corner == detail::TopRight ? 0.55 : 0.0,
                    corner == detail::TopLeft || corner == detail::TopRight ? 1.0 : 0.45);
  layout_report().clear();
  frame([&] { unit_plot("##tight", size, state, there); });
  r = layout_report().plots.at(0);
  EXPECT_NE(state.legend_corner, corner);
  EXPECT_EQ(r.legend_points_covered, 0);
  const int moved = state.legend_corner;

  // The data shrink to the middle: every corner is free, and the legend stays where it is (no
  // flicker back to the preferred corner).
  const Lines middle(3, 0.45, 0.55, 0.45, 0.55);
  layout_report().clear();
  frame([&] { unit_plot("##tight", size, state, middle); });
  EXPECT_EQ(layout_report().plots.at(0).legend_points_covered, 0);
  EXPECT_EQ(state.legend_corner, moved);
}

TEST_F(Headless, TightPlotWithNoFreeCornerPutsItsLegendBesideTheData) {
  PlotState state;
  const ImVec2 size(300, 170);  // as above: the strip would need a second row
  const Lines everywhere(3, 0.0, 1.0, 0.0, 1.0);
  frame([&] { unit_plot("##side", size, state, everywhere); });
  ASSERT_EQ(layout_report().plots.size(), 1u);
  const PlotRecord& r = layout_report().plots[0];
  ASSERT_TRUE(r.has_legend);
  EXPECT_FALSE(state.legend_inside);
  EXPECT_EQ(r.legend_points_covered, 0);
  EXPECT_FALSE(overlaps(r.legend_rect, r.data_rect));
  EXPECT_GE(r.legend_rect.x, r.data_rect.x + r.data_rect.w) << "a column right of the data";
  EXPECT_GE(r.data_rect.w, 9 * ImGui::GetTextLineHeight());
  EXPECT_LE(r.legend_rect.x + r.legend_rect.w, size.x + 0.5f) << "inside the plot's box";
}

TEST_F(Headless, PlotHeightForGivesTheDataAreaALayoutAsksFor) {
  PlotState state;
  const Lines lines(3, 0.0, 1.0, 0.0, 1.0);
  const float want = 8 * ImGui::GetTextLineHeight();
  frame([&] { unit_plot("Loss##h", ImVec2(500, 400), state, lines); });
  const float h = plot_height_for(state, want);
  layout_report().clear();
  frame([&] { unit_plot("Loss##h", ImVec2(500, h), state, lines); });
  ASSERT_EQ(layout_report().plots.size(), 1u);
  EXPECT_NEAR(layout_report().plots[0].data_rect.h, want, 1.0f);
}

TEST_F(Headless, ClickingALegendEntryHidesAndShowsItsSeries) {
  PlotState state;
  const Lines lines(2, 0.0, 1.0, 0.0, 1.0);
  const auto draw = [&] { unit_plot("Loss##l", ImVec2(600, 400), state, lines); };
  frame(draw);
  ASSERT_EQ(layout_report().plots.size(), 1u);
  const ReportRect legend = layout_report().plots[0].legend_rect;
  const ImVec2 first_entry(legend.x + 4.0f, legend.y + 0.5f * legend.h);
  frame(draw, first_entry);
  frame(draw, first_entry, true);
  frame(draw, first_entry, false);  // a click is a press and a release
  EXPECT_EQ(state.hidden.size(), 1u);
  frame(draw, first_entry);
  ASSERT_EQ(state.frame_series.size(), 2u);
  EXPECT_TRUE(state.frame_series[0].hidden);
  EXPECT_FALSE(state.frame_series[1].hidden);
  for (const detail::Run& run : state.frame_runs) EXPECT_NE(run.series, 0u) << "hidden: not drawn";
  frame(draw, first_entry, true);
  frame(draw, first_entry, false);
  EXPECT_TRUE(state.hidden.empty());
}

TEST_F(Headless, ReportIsEmptyWhenDisabled) {
  set_layout_report(false);
  PlotState state;
  const Lines lines(1, 0.0, 1.0, 0.0, 1.0);
  frame([&] { unit_plot("Loss##l", ImVec2(400, 300), state, lines); });
  EXPECT_TRUE(layout_report().plots.empty());
  EXPECT_EQ(state.legend_points_covered, 0) << "the state still says what the legend covers";
}

TEST_F(Headless, LongTitleAndAxisNamesAreShortenedNotCut) {
  PlotState state;
  const Lines lines(1, 0.0, 1.0, 0.0, 1.0);
  frame([&] {
    unit_plot("a very long title that cannot possibly fit into this narrow plot##t",
              ImVec2(160, 260), state, lines,
              "a y axis name far wider than the plot it belongs to");
  });
  ASSERT_EQ(layout_report().plots.size(), 1u);
  EXPECT_TRUE(layout_report().clipped_text.empty());
  const PlotRecord& r = layout_report().plots[0];
  EXPECT_GT(r.data_rect.w, 0.0f);
  EXPECT_GT(r.data_rect.h, 0.0f);
}

}  // namespace
