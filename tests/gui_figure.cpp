// Figures (issue 16) through `unrolled figure` under Xvfb: the SVG is valid XML (tinyxml2) whose
// polyline points are the plotted data to the printed precision; the CSV holds the data the panel
// plots (the same losses `unrolled train` writes); a 2x PNG has twice the pixels and, scaled
// down, the 1x picture; a GIF decodes (giflib) to the frames and size asked for. The running
// app's right-click menu saves and records (FigureMenu).
#include <gif_lib.h>
#include <gtest/gtest.h>
#include <stb_image.h>
#include <tinyxml2.h>

#include <GLFW/glfw3.h>
#include <imgui.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "app/gui/gif_recorder.hpp"
#include "app/panels/panel_table.hpp"
#include "tests/gui_fixture.hpp"
#include "tests/test_support.hpp"
#include "widgets/svg.hpp"

namespace unrolled {
namespace {

using testing_support::run_exe;
using testing_support::TempDir;

#define SKIP_WITHOUT_DISPLAY()          \
  if (!testing_support::have_display()) \
  GTEST_SKIP() << "no DISPLAY: run the GUI tests under xvfb-run -a -s \"-screen 0 1920x1080x24\""

std::string read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

// The CSV block that follows the comment line starting with `head`: header and rows, until a
// blank line.
std::vector<std::vector<std::string>> csv_block(const std::string& csv, const std::string& head) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(csv);
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    if (!inside) {
      inside = line.rfind(head, 0) == 0;
      continue;
    }
    if (line.empty()) break;
    if (line[0] == '#') continue;
    rows.push_back(split(line, ','));
  }
  return rows;
}

// The element under `node` (depth first) whose attribute `name` is `value`; null when none.
const tinyxml2::XMLElement* find_by(const tinyxml2::XMLElement* node, const char* name,
                                    const std::string& value) {
  for (const tinyxml2::XMLElement* e = node->FirstChildElement(); e; e = e->NextSiblingElement()) {
    const char* v = e->Attribute(name);
    if (v && value == v) return e;
    if (const tinyxml2::XMLElement* found = find_by(e, name, value)) return found;
  }
  return nullptr;
}

bool has_text(const tinyxml2::XMLElement* node, const std::string& text) {
  for (const tinyxml2::XMLElement* e = node->FirstChildElement(); e; e = e->NextSiblingElement()) {
    if (std::string(e->Name()) == "text" && e->GetText() && text == e->GetText()) return true;
    if (has_text(e, text)) return true;
  }
  return false;
}

const std::string kLesson = "--preset hello --warmup 12";

TEST(FigureCli, AnUnknownPanelGetsTheListAndExit2) {
  const auto r = run_exe("figure --preset hello --panel nosuch --out x.png", true);
  EXPECT_EQ(r.code, 2) << r.out;
  for (const PanelInfo& p : panel_table())
    EXPECT_NE(r.out.find(p.name), std::string::npos) << "the message leaves out " << p.name;
}

// A figure of a saved run: the session's history, not a new run from the seed.
TEST(FigureCli, ASessionIsDrawnAsItWasSaved) {
  SKIP_WITHOUT_DISPLAY();
  testing_support::TempDir dir("figure_session");
  const std::string session = dir / "run.session", csv = dir / "loss.csv";
  ASSERT_EQ(run_exe("train --preset hello --iterations 7 --save-session " + session, false).code, 0);
  const auto r = run_exe("figure --session " + session + " --panel training --out " + csv, true);
  ASSERT_EQ(r.code, 0) << r.out;
  std::ifstream in(csv);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The history as saved: rows 0..6 (the 7 iterations `train` ran), the last loss train printed.
  EXPECT_NE(text.find("\n6,0.2787"), std::string::npos) << "the saved run's last loss:\n" << text;
  EXPECT_EQ(text.find("\n7,"), std::string::npos) << "and nothing trained after it:\n" << text;
  const auto bad = run_exe("figure --session " + csv + " --panel training --out x.png", true);
  EXPECT_EQ(bad.code, 2) << bad.out;
  EXPECT_NE(bad.out.find(csv), std::string::npos) << bad.out;
}

// The CSV holds what the training panel plots: the losses `unrolled train` reports (its metrics
// print 6 significant digits, the CSV 17), the chance level as a reference line.
TEST(Figure, CsvEqualsTheLossesTrainWrites) {
  SKIP_WITHOUT_DISPLAY();
  TempDir dir("fig_csv");
  ASSERT_EQ(run_exe("figure " + kLesson + " --panel training --out " + (dir / "t.csv")).code, 0);
  ASSERT_EQ(run_exe("train --preset hello --iterations 12 --metrics " + (dir / "m.csv")).code, 0);
  const auto plot = csv_block(read_text(dir / "t.csv"), "# plot: loss (cross-entropy) against");
  const auto metrics = csv_block("#\n" + read_text(dir / "m.csv"), "#");
  ASSERT_EQ(plot.size(), 13u) << "header and 12 iterations";
  ASSERT_EQ(metrics.size(), 13u);
  EXPECT_EQ(plot[0][0], "iteration");
  EXPECT_EQ(plot[0][1], "vanilla RNN: loss (cross-entropy)");
  for (std::size_t i = 1; i < plot.size(); ++i) {
    EXPECT_EQ(std::stod(plot[i][0]), std::stod(metrics[i][0]));
    const double loss = std::stod(plot[i][1]), printed = std::stod(metrics[i][1]);
    EXPECT_NEAR(loss, printed, 5e-6 * std::abs(loss)) << "iteration " << plot[i][0];
  }
  EXPECT_NE(read_text(dir / "t.csv").find("# reference: chance"), std::string::npos);
}

// The SVG is valid XML; the loss plot's polyline, mapped back through the plot's axes, gives the
// losses in the CSV to within the printed precision (kSvgDecimals decimals of a pixel, plus the
// float arithmetic that placed them); the title and axis names are text elements.
TEST(Figure, SvgPolylinePointsAreThePlottedData) {
  SKIP_WITHOUT_DISPLAY();
  TempDir dir("fig_svg");
  ASSERT_EQ(run_exe("figure " + kLesson + " --panel training --out " + (dir / "t.svg")).code, 0);
  ASSERT_EQ(run_exe("figure " + kLesson + " --panel training --out " + (dir / "t.csv")).code, 0);
  tinyxml2::XMLDocument doc;
  ASSERT_EQ(doc.LoadFile((dir / "t.svg").c_str()), tinyxml2::XML_SUCCESS) << doc.ErrorStr();
  const tinyxml2::XMLElement* svg = doc.RootElement();
  ASSERT_STREQ(svg->Name(), "svg");
  EXPECT_STREQ(svg->Attribute("width"), "900");
  EXPECT_TRUE(has_text(svg, "Training"));
  EXPECT_TRUE(has_text(svg, "iteration"));
  EXPECT_TRUE(has_text(svg, "loss (cross-entropy)"));
  const tinyxml2::XMLElement* plot = find_by(svg, "data-y-label", "loss (cross-entropy)");
  ASSERT_NE(plot, nullptr);
  EXPECT_TRUE(has_text(plot, "vanilla RNN")) << "the legend names the series";
  const tinyxml2::XMLElement* line = find_by(plot, "data-series", "vanilla RNN");
  ASSERT_NE(line, nullptr);
  ASSERT_STREQ(line->Name(), "polyline");
  double ax, ay, aw, ah;
  ASSERT_EQ(std::sscanf(plot->Attribute("data-area"), "%lf %lf %lf %lf", &ax, &ay, &aw, &ah), 4);
  const double x0 = plot->DoubleAttribute("data-x-min"), x1 = plot->DoubleAttribute("data-x-max");
  const double l0 = std::log10(plot->DoubleAttribute("data-y-min"));
  const double l1 = std::log10(plot->DoubleAttribute("data-y-max"));
  ASSERT_EQ(plot->IntAttribute("data-log-y"), 1);
  const auto rows = csv_block(read_text(dir / "t.csv"), "# plot: loss (cross-entropy) against");
  const std::vector<std::string> points = split(line->Attribute("points"), ' ');
  ASSERT_EQ(points.size() + 1, rows.size()) << "one vertex per iteration";
  // Half a unit in the last printed decimal, and float rounding of a coordinate near 900 px.
  const double tol_px = 0.5 * std::pow(10.0, -widgets::kSvgDecimals) + 2e-4;
  for (std::size_t i = 0; i < points.size(); ++i) {
    double px, py;
    ASSERT_EQ(std::sscanf(points[i].c_str(), "%lf,%lf", &px, &py), 2) << points[i];
    const double x = x0 + (px - ax) / aw * (x1 - x0);
    const double log_y = l0 + (ay + ah - py) / ah * (l1 - l0);
    EXPECT_NEAR(x, std::stod(rows[i + 1][0]), tol_px / aw * (x1 - x0)) << "vertex " << i;
    EXPECT_NEAR(log_y, std::log10(std::stod(rows[i + 1][1])), tol_px / ah * (l1 - l0))
        << "vertex " << i;
  }
}

// Heatmaps, colour bars, the unrolled graph and the cell diagram are vector shapes too, and
// ImGui's own text lines are text elements.
TEST(Figure, SvgOfHeatmapsAndDiagramsIsValidXmlWithShapesAndText) {
  SKIP_WITHOUT_DISPLAY();
  TempDir dir("fig_svg2");
  for (const char* panel : {"gates", "graph", "inspector"}) {
    const std::string path = dir / (std::string(panel) + ".svg");
    ASSERT_EQ(run_exe("figure " + kLesson + " --panel " + panel + " --out " + path).code, 0);
    tinyxml2::XMLDocument doc;
    ASSERT_EQ(doc.LoadFile(path.c_str()), tinyxml2::XML_SUCCESS) << panel << doc.ErrorStr();
    const std::string text = read_text(path);
    EXPECT_NE(text.find("<text"), std::string::npos) << panel;
    EXPECT_EQ(text.find("<image"), std::string::npos) << panel << ": no pixels in the SVG";
  }
  tinyxml2::XMLDocument doc;
  ASSERT_EQ(doc.LoadFile((dir / "gates.svg").c_str()), tinyxml2::XML_SUCCESS);
  // ImGui's own text is there too, once; the widgets' text once, not again from the draw data.
  const std::string gates = read_text(dir / "gates.svg");
  const auto count = [&](const std::string& part) {
    int n = 0;
    for (std::size_t at = gates.find(part); at != std::string::npos; at = gates.find(part, at + 1))
      ++n;
    return n;
  };
  EXPECT_EQ(count(">unit 0 selected</text>"), 1) << "ImGui's text line above the heatmaps";
  EXPECT_EQ(count(">unit</text>"), 2) << "each heatmap's y axis name, once";
  const tinyxml2::XMLElement* map = find_by(doc.RootElement(), "class", "heatmap");
  ASSERT_NE(map, nullptr);
  const tinyxml2::XMLElement* cells = find_by(map, "class", "cells");
  ASSERT_NE(cells, nullptr);
  EXPECT_EQ(cells->IntAttribute("data-rows"), 8);  // hello: H = 8 units
  EXPECT_EQ(cells->IntAttribute("data-cols"), 4);  // T = 4 steps
  EXPECT_NE(cells->FirstChildElement("rect"), nullptr);
}

// Every panel of the table draws as a figure (the cliff's surface passes 64k vertices in one
// draw list: the figure's renderer draws with a base vertex, as the app's), as valid XML.
TEST(Figure, EveryPanelOfTheTableIsAFigure) {
  SKIP_WITHOUT_DISPLAY();
  TempDir dir("fig_all");
  for (const PanelInfo& p : panel_table()) {
    const std::string path = dir / (std::string(p.name) + ".svg");
    const auto r = run_exe(
        std::string("figure --preset hello --size 480x360 --panel ") + p.name + " --out " + path,
        true);
    ASSERT_EQ(r.code, 0) << p.name << ": " << r.out;
    tinyxml2::XMLDocument doc;
    EXPECT_EQ(doc.LoadFile(path.c_str()), tinyxml2::XML_SUCCESS) << p.name << doc.ErrorStr();
  }
}

struct Rgb {
  int w = 0, h = 0;
  std::vector<unsigned char> px;
};

Rgb load_png(const std::string& path) {
  Rgb img;
  int channels = 0;
  unsigned char* p = stbi_load(path.c_str(), &img.w, &img.h, &channels, 3);
  if (p) img.px.assign(p, p + static_cast<std::size_t>(img.w) * img.h * 3);
  stbi_image_free(p);
  return img;
}

// A 2x figure is drawn anew at twice the size (fonts rasterised at 2x), not upscaled: it has
// twice the pixels each way, and averaged down 2x2 it shows the 1x picture. Text rasterised at
// another size differs at glyph edges (and rounds to other pixel positions), so the comparison is
// of the mean difference (measured 3.5 levels of 255 on the gates panel; allowed 6) and of the
// share of channel values off by more than 64 levels (measured 1.6 %; allowed 3 %). A picture
// laid out differently (the 1x one in a corner of the 2x canvas, another panel) is off by far more.
TEST(Figure, PngAtTwiceTheScaleHasTwiceThePixelsAndTheSamePicture) {
  SKIP_WITHOUT_DISPLAY();
  TempDir dir("fig_png");
  const std::string base = "figure " + kLesson + " --panel gates --size 480x360 --out ";
  ASSERT_EQ(run_exe(base + (dir / "x1.png")).code, 0);
  ASSERT_EQ(run_exe(base + (dir / "x2.png") + " --scale 2").code, 0);
  const Rgb a = load_png(dir / "x1.png"), b = load_png(dir / "x2.png");
  ASSERT_EQ(a.w, 480);
  ASSERT_EQ(a.h, 360);
  ASSERT_EQ(b.w, 960);
  ASSERT_EQ(b.h, 720);
  double sum = 0;
  int far = 0;
  for (int y = 0; y < a.h; ++y)
    for (int x = 0; x < a.w; ++x)
      for (int c = 0; c < 3; ++c) {
        const auto at = [&](int yy, int xx) {
          return static_cast<double>(b.px[(static_cast<std::size_t>(yy) * b.w + xx) * 3 + c]);
        };
        const double down = (at(2 * y, 2 * x) + at(2 * y, 2 * x + 1) + at(2 * y + 1, 2 * x) +
                             at(2 * y + 1, 2 * x + 1)) /
                            4;
        const double d = std::abs(down - a.px[(static_cast<std::size_t>(y) * a.w + x) * 3 + c]);
        sum += d;
        far += d > 64;
      }
  const double n = 3.0 * a.w * a.h;
  std::printf("2x scaled down against 1x: mean difference %.2f of 255, %.2f%% off by > 64\n",
              sum / n, 100.0 * far / n);
  EXPECT_LT(sum / n, 6.0);
  EXPECT_LT(far / n, 0.03);
}

// The GIF decodes with giflib to the frames and size asked for, at the frame rate's delay.
TEST(Figure, GifDecodesToTheRequestedFramesAndSize) {
  SKIP_WITHOUT_DISPLAY();
  TempDir dir("fig_gif");
  const std::string path = dir / "t.gif";
  const auto r = run_exe(
      "figure --preset hello --panel training --frames 4 "
      "--iterations-per-frame 3 --fps 5 --size 320x240 --scale 1.5 --out " +
      path);
  ASSERT_EQ(r.code, 0) << r.out;
  int err = 0;
  GifFileType* gif = DGifOpenFileName(path.c_str(), &err);
  ASSERT_NE(gif, nullptr) << GifErrorString(err);
  ASSERT_EQ(DGifSlurp(gif), GIF_OK) << GifErrorString(gif->Error);
  EXPECT_EQ(gif->ImageCount, 4);
  EXPECT_EQ(gif->SWidth, 480);
  EXPECT_EQ(gif->SHeight, 360);
  for (int i = 0; i < gif->ImageCount; ++i) {
    GraphicsControlBlock gcb;
    ASSERT_EQ(DGifSavedExtensionToGCB(gif, i, &gcb), GIF_OK);
    EXPECT_EQ(gcb.DelayTime, 20) << "5 frames a second";
    EXPECT_EQ(gif->SavedImages[i].ImageDesc.Width, 480);
  }
  DGifCloseFile(gif, &err);
  EXPECT_FALSE(std::filesystem::exists(path + ".part"));
}

// The running app's figure menu: a right-click on a panel opens it; what it asks for is done
// between frames (serve_figures) into app.figures.dir.
class FigureMenu : public testing_support::GuiFixture<FigureMenu> {
 public:
  static constexpr testing_support::GuiFixtureOptions kOptions{.title = "figure menu test",
                                                               .hide_mouse = false};

 protected:
  void begin() override {
    ExperimentConfig c;
    for (const auto& [name, text] : embedded_presets())
      if (name == lesson_) {
        ASSERT_TRUE(parse_experiment_text(text, name, c, nullptr));
      }
    std::string error;
    ASSERT_TRUE(worker_.start(c, &error)) << error;
    app_.config.edit = c;
    app_.lesson = c;
    app_.figures.dir = dir_ / "figures";
    worker_.send(cmd::RunIterations{5});
  }
  void end() override { close_figures(app_, desk_); }
  void input(ImGuiIO& io) override {
    io.MousePos = mouse_;
    io.MouseDown[1] = right_down_;
  }
  GuiFrame frame() override {
    GuiFrame f = GuiFixture::frame();
    serve_figures(app_, worker_, window_, desk_);
    return f;
  }
  static Rect rect_of(const GuiFrame& f, PanelId id) {
    for (const DrawnPanel& d : f.drawn)
      if (d.id == id && d.visible) return d.rect;
    return {};
  }
  std::vector<std::filesystem::path> files() const {
    std::vector<std::filesystem::path> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(app_.figures.dir, ec))
      out.push_back(e.path());
    return out;
  }

  TempDir dir_{"fig_menu"};
  FigureDesk desk_;
  ImVec2 mouse_{-1, -1};
  bool right_down_ = false;
  std::string lesson_ = "hello";
};

// Not a test (timed): iterations a second of the default lesson at full speed over 3 s of frames
// without, while and after recording the gradients panel at 10 frames a second, and the CPU time
// a recorded frame costs the UI thread and the encoder's thread. Run it by hand:
//   xvfb-run -a build/tests/unrolled_gui_tests --gtest_also_run_disabled_tests
//     --gtest_filter='FigureMenu.DISABLED_*'
TEST_F(FigureMenu, DISABLED_MeasureTrainingSpeedWhileRecording) {
  worker_.stop();
  ExperimentConfig c = default_experiment();
  std::string error;
  ASSERT_TRUE(worker_.start(c, &error)) << error;
  worker_.send(cmd::SetSpeed{0.0});
  worker_.send(cmd::Play{});
  const auto iterations = [&] { return worker_.latest()->models.at(0).iteration; };
  const auto run_for = [&](double seconds) {
    const std::int64_t i0 = iterations();
    const auto t0 = std::chrono::steady_clock::now();
    while (std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < seconds) {
      window_.wait_for_next_frame();
      frame();
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return (iterations() - i0) / s;
  };
  run_for(1.0);  // warm up
  const double plain = run_for(3.0);
  GuiFrame f = frame();
  app_.figures.record_seconds = 60;
  app_.figures.record_fps = 10;
  app_.figures.pending = FigureState::Request{FigureState::Kind::Record, PanelId::Gradients,
                                              rect_of(f, PanelId::Gradients), 1, false};
  frame();
  ASSERT_TRUE(app_.figures.recording.on) << app_.figures.message;
  // The UI thread's CPU time in serve_figures (drawing the panel offscreen, handing it over).
  double serve_ms = 0;
  const auto run_recording = [&](double seconds) {
    const std::int64_t i0 = iterations();
    const auto t0 = std::chrono::steady_clock::now();
    while (std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < seconds) {
      window_.wait_for_next_frame();
      window_.begin_frame();
      build_frame(options_, app_, worker_, window_);
      window_.end_frame();
      timespec a{}, b{};
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
      serve_figures(app_, worker_, window_, desk_);
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
      serve_ms += (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return (iterations() - i0) / s;
  };
  const double recording = run_recording(3.0);
  const GifRecorder::Status st = desk_.recorder.status();
  const int taken = app_.figures.recording.frames_taken;
  app_.figures.recording.stop = true;
  frame();
  std::printf(
      "per recorded frame (%d, %dx%d px): %.1f ms of the UI thread's CPU, %.1f ms of the "
      "encoder thread's\n",
      taken, static_cast<int>(rect_of(f, PanelId::Gradients).w),
      static_cast<int>(rect_of(f, PanelId::Gradients).h), serve_ms / std::max(1, taken),
      st.encode_cpu_ms / std::max(1, st.frames_written));
  const std::string saved = app_.figures.message;
  const double after = run_for(3.0);
  std::printf(
      "default lesson at full speed: %.1f it/s without recording, %.1f it/s while "
      "recording the gradients panel at 10 fps, %.1f it/s after (%s)\n",
      plain, recording, after, saved.c_str());
}

TEST_F(FigureMenu, ARightClickOnAPanelOpensTheFigureMenu) {
  worker_.wait_idle();
  const GuiFrame f = frame();
  const Rect r = rect_of(f, PanelId::Training);
  ASSERT_GT(r.w, 0);
  EXPECT_FALSE(ImGui::IsPopupOpen("", ImGuiPopupFlags_AnyPopupId));
  mouse_ = ImVec2(r.x + 0.5f * r.w, r.y + 0.5f * r.h);
  right_down_ = true;
  frame();
  right_down_ = false;
  frame();
  frame();
  EXPECT_TRUE(ImGui::IsPopupOpen("", ImGuiPopupFlags_AnyPopupId));
}

// Save as PNG 2x: the panel's window at twice its pixels, drawn anew; SVG and CSV beside it.
TEST_F(FigureMenu, SavesThePanelAtTwiceItsPixelsAndAsSvgAndCsv) {
  worker_.wait_idle();
  const GuiFrame f = frame();
  const Rect r = rect_of(f, PanelId::Gates);
  ASSERT_GT(r.w, 0);
  using K = FigureState::Kind;
  for (K kind : {K::Png, K::Svg, K::Csv}) {
    app_.figures.pending = FigureState::Request{kind, PanelId::Gates, r, 2, false};
    frame();
  }
  std::vector<std::filesystem::path> saved = files();
  ASSERT_EQ(saved.size(), 3u) << app_.figures.message;
  std::sort(saved.begin(), saved.end());
  EXPECT_EQ(saved[0].filename().string(), "gates-it5-2x.png");
  EXPECT_EQ(saved[1].filename().string(), "gates-it5.csv");
  EXPECT_EQ(saved[2].filename().string(), "gates-it5.svg");
  const Rgb png = load_png(saved[0].string());
  EXPECT_EQ(png.w, static_cast<int>(std::lround(r.w * 2)));
  EXPECT_EQ(png.h, static_cast<int>(std::lround(r.h * 2)));
  tinyxml2::XMLDocument doc;
  EXPECT_EQ(doc.LoadFile(saved[2].c_str()), tinyxml2::XML_SUCCESS);
  EXPECT_NE(read_text(saved[1].string()).find("# heatmap: "), std::string::npos);
}

// Recording the whole window for a second at 5 frames a second while training plays: a GIF of
// the window's size with at most 6 frames (how many depends on the frame times; at least one).
TEST_F(FigureMenu, RecordsTheWholeWindowToAGif) {
  worker_.send(cmd::Play{});
  const GuiFrame f = frame();
  app_.figures.record_seconds = 1;
  app_.figures.record_fps = 5;
  app_.figures.pending = FigureState::Request{FigureState::Kind::Record, PanelId::Training,
                                              rect_of(f, PanelId::Training), 1, true};
  frame();
  ASSERT_TRUE(app_.figures.recording.on) << app_.figures.message;
  for (int i = 0; i < 2000 && app_.figures.recording.on; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    frame();
  }
  ASSERT_FALSE(app_.figures.recording.on);
  const std::vector<std::filesystem::path> saved = files();
  ASSERT_EQ(saved.size(), 1u) << app_.figures.message;
  int err = 0;
  GifFileType* gif = DGifOpenFileName(saved[0].c_str(), &err);
  ASSERT_NE(gif, nullptr);
  ASSERT_EQ(DGifSlurp(gif), GIF_OK);
  EXPECT_EQ(gif->SWidth, window_.framebuffer_width());
  EXPECT_EQ(gif->SHeight, window_.framebuffer_height());
  EXPECT_GE(gif->ImageCount, 1);
  EXPECT_LE(gif->ImageCount, 6);
  DGifCloseFile(gif, &err);
  EXPECT_NE(app_.figures.message.find("Saved"), std::string::npos) << app_.figures.message;
}

}  // namespace
}  // namespace unrolled
