// The SVG writer (widgets/svg.hpp) on its own: valid XML (tinyxml2) whatever the text holds,
// clip paths only where a shape reaches outside its clip, heatmap cells merged along a row and
// never more than one per pixel.
#include <gtest/gtest.h>
#include <tinyxml2.h>

#include <string>
#include <vector>

#include "widgets/svg.hpp"

namespace unrolled::widgets {
namespace {

int count_elements(const tinyxml2::XMLElement* e, const std::string& name) {
  int n = 0;
  for (const tinyxml2::XMLElement* c = e->FirstChildElement(); c; c = c->NextSiblingElement())
    n += (name == c->Name()) + count_elements(c, name);
  return n;
}

const SvgWriter::Clip kWhole{ImVec2(0, 0), ImVec2(1000, 1000)};

TEST(SvgWriter, TextWithMarkupCharactersStaysValidXml) {
  SvgWriter svg(ImVec2(10, 20), ImVec2(200, 100));
  const std::string text = "a < b & \"c\" > 'd' \x01 \xE2\x80\x96g\xE2\x80\x96";
  svg.text(ImVec2(15, 25), IM_COL32(0, 0, 0, 255), 15.0f, 14.0f, false, text.c_str(), nullptr,
           kWhole);
  tinyxml2::XMLDocument doc;
  ASSERT_EQ(doc.Parse(svg.document().c_str()), tinyxml2::XML_SUCCESS) << doc.ErrorStr();
  const tinyxml2::XMLElement* t = doc.RootElement()->FirstChildElement("text");
  ASSERT_NE(t, nullptr);
  EXPECT_STREQ(t->GetText(), "a < b & \"c\" > 'd'   \xE2\x80\x96g\xE2\x80\x96");
  EXPECT_STREQ(t->Attribute("x"), "5") << "relative to the figure's origin";
  EXPECT_STREQ(t->Attribute("y"), "19") << "the baseline: top + ascent";
}

TEST(SvgWriter, ClipsOnlyShapesThatReachOutsideTheirClip) {
  SvgWriter svg(ImVec2(0, 0), ImVec2(100, 100));
  const SvgWriter::Clip clip{ImVec2(10, 10), ImVec2(50, 50)};
  svg.line(ImVec2(20, 20), ImVec2(40, 40), IM_COL32(255, 0, 0, 255), 1.0f, clip);  // inside
  svg.line(ImVec2(20, 20), ImVec2(90, 40), IM_COL32(255, 0, 0, 128), 1.0f, clip);  // outside
  tinyxml2::XMLDocument doc;
  ASSERT_EQ(doc.Parse(svg.document().c_str()), tinyxml2::XML_SUCCESS);
  const tinyxml2::XMLElement* first = doc.RootElement()->FirstChildElement("line");
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->Attribute("clip-path"), nullptr);
  const tinyxml2::XMLElement* second = first->NextSiblingElement("line");
  ASSERT_NE(second, nullptr);
  EXPECT_STREQ(second->Attribute("clip-path"), "url(#c0)");
  EXPECT_STREQ(second->Attribute("stroke-opacity"), "0.502");
  EXPECT_EQ(count_elements(doc.RootElement(), "clipPath"), 1);
}

TEST(SvgWriter, CellsMergeEqualColoursAlongARow) {
  SvgWriter svg(ImVec2(0, 0), ImVec2(100, 100));
  const ImU32 red = IM_COL32(255, 0, 0, 255), blue = IM_COL32(0, 0, 255, 255);
  // 2 rows x 4 columns: red red blue blue / blue blue blue blue -> 3 rectangles.
  svg.cells(ImVec2(0, 0), ImVec2(80, 40), 2, 4, {red, red, blue, blue, blue, blue, blue, blue},
            kWhole);
  tinyxml2::XMLDocument doc;
  ASSERT_EQ(doc.Parse(svg.document().c_str()), tinyxml2::XML_SUCCESS);
  EXPECT_EQ(count_elements(doc.RootElement(), "rect"), 3);
  const tinyxml2::XMLElement* g = doc.RootElement()->FirstChildElement("g");
  ASSERT_NE(g, nullptr);
  const tinyxml2::XMLElement* r = g->FirstChildElement("rect");
  EXPECT_STREQ(r->Attribute("width"), "40");
  EXPECT_STREQ(r->Attribute("fill"), "#ff0000");
}

// 2000 columns in 100 pixels: one cell per pixel column, the one under its centre.
TEST(SvgWriter, NoMoreCellsThanPixels) {
  SvgWriter svg(ImVec2(0, 0), ImVec2(100, 100));
  const int rows = 3, cols = 2000;
  std::vector<ImU32> colors(rows * cols);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) colors[r * cols + c] = IM_COL32(c % 256, c / 256, r, 255);
  svg.cells(ImVec2(0, 0), ImVec2(100, 30), rows, cols, colors, kWhole);
  tinyxml2::XMLDocument doc;
  ASSERT_EQ(doc.Parse(svg.document().c_str()), tinyxml2::XML_SUCCESS);
  EXPECT_EQ(count_elements(doc.RootElement(), "rect"), rows * 100);
  // Pixel column 0 shows cell 10 (the centre 0.5 px of 100 px over 2000 cells).
  const tinyxml2::XMLElement* first =
      doc.RootElement()->FirstChildElement("g")->FirstChildElement("rect");
  EXPECT_STREQ(first->Attribute("fill"), svg_color(IM_COL32(10, 0, 0, 255)).c_str());
}

}  // namespace
}  // namespace unrolled::widgets
