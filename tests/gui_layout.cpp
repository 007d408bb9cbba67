// The layout as a function of the window size and the text size (app/gui/layout): every cell at
// least its panels' minimum, the key panels on screen, tabs only when the window is too small.
// Pure functions: no window needed.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "app/gui/layout.hpp"

namespace unrolled {
namespace {

struct Screen {
  int w, h;
  float scale;
};

// The app's numbers at text scale s: 18 px lines, a 28 px menu bar and a title bar of about
// 1.6 lines plus padding.
LayoutInput input(Mode mode, Screen s) {
  LayoutInput in;
  in.mode = mode;
  in.line_px = 18 * s.scale;
  const float menu = 28 * s.scale;
  in.area = {0, menu, static_cast<float>(s.w), s.h - menu};
  in.chrome_px = 34 * s.scale;
  return in;
}

std::vector<PanelId> panels_in(Mode m) {
  std::vector<PanelId> out;
  for (const PanelInfo& p : panel_table())
    if (p.modes & mode_bit(m)) out.push_back(p.id);
  return out;
}

bool inside(const Rect& r, const Rect& area) {
  return r.x >= area.x - 0.5f && r.y >= area.y - 0.5f && r.right() <= area.right() + 0.5f &&
         r.bottom() <= area.bottom() + 0.5f;
}

bool overlap(const Rect& a, const Rect& b) {
  return a.x + 0.5f < b.right() && b.x + 0.5f < a.right() && a.y + 0.5f < b.bottom() &&
         b.y + 0.5f < a.bottom();
}

const Screen kScreens[] = {{1280, 720, 1},   {1280, 720, 1.5f}, {1280, 720, 2},
                           {1366, 768, 1},   {1366, 768, 1.5f}, {1366, 768, 2},
                           {1600, 900, 1},   {1600, 900, 1.5f}, {1600, 900, 2},
                           {1920, 1080, 1},  {1920, 1080, 1.5f}, {1920, 1080, 2}};

TEST(Layout, EveryCellHoldsItsPanelsAtTheirMinimumSizeAtEveryScreenAndTextSize) {
  for (const ModeInfo& mode : mode_table())
    for (const Screen& s : kScreens) {
      const LayoutInput in = input(mode.mode, s);
      const Layout l = compute_layout(in);
      const std::string where = std::string(mode.name) + " at " + std::to_string(s.w) + "x" +
                                std::to_string(s.h) + " scale " + std::to_string(s.scale);
      // Every panel of the mode once, in some cell.
      std::multiset<PanelId> placed;
      for (const LayoutCell& c : l.cells) placed.insert(c.panels.begin(), c.panels.end());
      const std::vector<PanelId> expected = panels_in(mode.mode);
      EXPECT_EQ(placed, std::multiset<PanelId>(expected.begin(), expected.end())) << where;
      // The mode's key panel is on screen: the first panel of some cell.
      const PanelId key = mode_layout(mode.mode).priority.front();
      EXPECT_TRUE(std::any_of(l.cells.begin(), l.cells.end(),
                              [&](const LayoutCell& c) { return c.panels[0] == key; }))
          << where << ": the key panel " << panel_info(key).name << " is behind a tab";
      // When not even one cell of tabs holds the largest panel (1280x720 at text scale 2 is
      // 640x360 at scale 1), everything shares the whole area, and each panel scrolls.
      if (!l.fits) {
        EXPECT_EQ(l.cells.size(), 1u) << where;
        EXPECT_FLOAT_EQ(l.cells[0].rect.h, in.area.h) << where;
        continue;
      }
      for (size_t i = 0; i < l.cells.size(); ++i) {
        const LayoutCell& c = l.cells[i];
        EXPECT_TRUE(inside(c.rect, in.area)) << where;
        for (size_t j = i + 1; j < l.cells.size(); ++j)
          EXPECT_FALSE(overlap(c.rect, l.cells[j].rect)) << where;
        for (PanelId p : c.panels) {
          EXPECT_GE(c.rect.w + 0.5f, min_cell_width(p, in)) << where << " " << panel_info(p).name;
          EXPECT_GE(c.rect.h + 0.5f, min_cell_height(p, in, c.panels.size() > 1))
              << where << " " << panel_info(p).name;
        }
      }
    }
}

TEST(Layout, AWindowThatHoldsEveryPanelShowsEachInACellOfItsOwn) {
  for (Mode m : {Mode::Train, Mode::Step, Mode::Compare, Mode::Sweep}) {
    const Layout l = compute_layout(input(m, {1920, 1080, 1}));
    EXPECT_TRUE(l.fits);
    EXPECT_EQ(l.cells.size(), panels_in(m).size()) << mode_info(m).name;
    for (const LayoutCell& c : l.cells) EXPECT_EQ(c.panels.size(), 1u);
  }
}

TEST(Layout, LargerTextMovesTheLeastImportantPanelsIntoTabsFirst) {
  const Layout roomy = compute_layout(input(Mode::Compare, {1920, 1080, 1}));
  const Layout tight = compute_layout(input(Mode::Compare, {1280, 720, 1.5f}));
  EXPECT_LT(tight.cells.size(), roomy.cells.size());
  // Compare's lesson is the loss plot (the RNN stays at chance, the LSTM learns) and the decay
  // profiles: both stay on screen.
  std::set<PanelId> front;
  for (const LayoutCell& c : tight.cells) front.insert(c.panels[0]);
  EXPECT_TRUE(front.count(PanelId::Training));
  EXPECT_TRUE(front.count(PanelId::Gradients));
}

TEST(Layout, AFocusedPanelTakesTheWholeAreaAndHiddenPanelsAreGone) {
  LayoutInput in = input(Mode::Train, {1600, 900, 1});
  in.focus = PanelId::Gates;
  Layout l = compute_layout(in);
  ASSERT_EQ(l.cells.size(), 1u);
  EXPECT_EQ(l.cells[0].panels, std::vector<PanelId>{PanelId::Gates});
  EXPECT_FLOAT_EQ(l.cells[0].rect.w, in.area.w);
  EXPECT_FLOAT_EQ(l.cells[0].rect.h, in.area.h);

  in.focus.reset();
  in.hidden[index_of(PanelId::Sample)] = true;
  in.hidden[index_of(PanelId::Experiment)] = true;
  l = compute_layout(in);
  for (const LayoutCell& c : l.cells)
    for (PanelId p : c.panels) {
      EXPECT_NE(p, PanelId::Sample);
      EXPECT_NE(p, PanelId::Experiment);
    }
  EXPECT_EQ(l.cells.size(), panels_in(Mode::Train).size() - 2);
}

}  // namespace
}  // namespace unrolled
