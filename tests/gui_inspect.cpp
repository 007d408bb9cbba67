// The Inspect view (issue 15, the app's side), checked on what the app reports (--layout-report's
// values, report_value) rather than on pixels: `unrolled open` on an imported PyTorch model shows
// the numbers `unrolled predict` prints for the same input; the selected unit's colours are its h
// values on the diverging map; a bad vocabulary or input is refused with a message; a lesson's
// model is probed from the running app; the Inspect layout holds its panels at a projector's text
// size. Skipped, saying why, without a DISPLAY.
#include <gtest/gtest.h>

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/gui_fixture.hpp"
#include "tests/test_support.hpp"
#include "widgets/colormap.hpp"

namespace unrolled {
namespace {

using testing_support::run_exe;
using testing_support::TempDir;

const std::string kImport = std::string(UNROLLED_SOURCE_DIR) + "/tests/fixtures/import/";
const std::string kVocab =
    std::string(UNROLLED_SOURCE_DIR) + "/tests/fixtures/inspect/torch_lstm_embedding.vocab.json";
const std::string kModelFlags = "--readout last --readout-activation softmax";

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

std::vector<double> numbers(const std::string& csv) {
  std::vector<double> out;
  std::stringstream in(csv);
  std::string x;
  while (std::getline(in, x, ',')) out.push_back(std::strtod(x.c_str(), nullptr));
  return out;
}

std::vector<std::string> fields(const std::string& csv) {
  std::vector<std::string> out;
  std::stringstream in(csv);
  std::string x;
  while (std::getline(in, x, ',')) out.push_back(x);
  return out;
}

class InspectCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing_support::have_display()) GTEST_SKIP() << "no DISPLAY: run under xvfb-run";
    setenv("UNROLLED_SETTINGS", (dir_ / "settings.json").c_str(), 1);
  }
  nlohmann::json report(const std::string& args, const std::string& size = "1280x720") {
    return testing_support::layout_report(dir_, args, size, 4);
  }
  static std::string value(const nlohmann::json& r, const std::string& panel,
                           const std::string& name) {
    return testing_support::reported(r, panel, name);
  }
  TempDir dir_{"inspect"};
};

// `unrolled open MODEL.pt` with its vocabulary, on the fixture's first sequence typed as words:
// the output and the selected unit's h_t are exactly what `unrolled import` + `unrolled predict`
// print for those token ids, and each token's colour is that h on the diverging map over ±1.
TEST_F(InspectCli, OpenShowsWhatPredictPrintsAndColoursTheUnitsH) {
  const auto r = report("open " + kImport + "torch_lstm_embedding.pt " + kModelFlags + " --vocab " +
                        kVocab + " --input 'the was <pad> very is'");
  ASSERT_FALSE(r.is_null());
  EXPECT_EQ(r["menu"]["status"], "inspecting \xC2\xB7 no training");
  EXPECT_TRUE(contains(r["menu"]["title"], "torch_lstm_embedding.pt")) << r["menu"]["title"];
  EXPECT_EQ(value(r, "input", "input error"), "(not reported)");

  const std::string model = dir_ / "m.json", batch = dir_ / "b.json";
  ASSERT_EQ(
      run_exe("import " + kImport + "torch_lstm_embedding.pt " + kModelFlags + " --out " + model)
          .code,
      0);
  std::ofstream(batch) << R"({"tokens": [[1, 9, 0, 7, 3]]})";
  const auto p = run_exe("predict --model " + model + " --batch " + batch);
  ASSERT_EQ(p.code, 0) << p.out;
  const auto pj = nlohmann::json::parse(p.out);
  EXPECT_EQ(std::strtod(value(r, "input", "output").c_str(), nullptr),
            pj["outputs"][0][0].get<double>());
  EXPECT_EQ(value(r, "input", "output unit"), "y0");
  const int unit = std::stoi(value(r, "input", "unit"));
  const auto h = numbers(value(r, "input", "unit h"));
  const auto colours = fields(value(r, "input", "unit colours"));
  const int layer = std::stoi(value(r, "input", "layer")) - 1;
  const auto& top = pj["layers"][layer]["h"][0];  // [T][H]
  ASSERT_EQ(h.size(), top.size());
  ASSERT_EQ(colours.size(), top.size());
  EXPECT_EQ(value(r, "input", "colour range"), "1");
  for (size_t t = 0; t < h.size(); ++t) {
    EXPECT_EQ(h[t], top[t][unit].get<double>()) << "step " << t + 1;
    char want[16];
    std::snprintf(want, sizeof want, "%08X",
                  widgets::colormap_color(widgets::Colormap::Diverging, h[t], -1, 1));
    EXPECT_EQ(colours[t], want) << "step " << t + 1 << " h " << h[t];
  }
  // The model file `unrolled import` wrote opens the same way, with the same numbers.
  const auto rm = report("open " + model + " --vocab " + kVocab +
                         " --input 'the was <pad> very is'");
  ASSERT_FALSE(rm.is_null());
  EXPECT_EQ(value(rm, "input", "output"), value(r, "input", "output"));
  EXPECT_EQ(value(rm, "input", "unit h"), value(r, "input", "unit h"));
  // The gradient panel: the last step's output depends on every step, the norms are there.
  EXPECT_EQ(numbers(value(r, "influence", "gradient norms")).size(), 5u);
}

// A vocabulary that cannot be used, a model file that is not one: one message, exit 2, no window.
TEST_F(InspectCli, ABadVocabularyOrModelIsRefusedWithOneMessage) {
  const std::string bad = dir_ / "bad.json";
  std::ofstream(bad) << R"({"the": "one"})";
  auto r = run_exe("open " + kImport + "torch_lstm_embedding.pt " + kModelFlags + " --vocab " +
                       bad + " --frames 1",
                   true);
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.out, "bad.json")) << r.out;
  EXPECT_TRUE(contains(r.out, "expected a whole number")) << r.out;
  r = run_exe("open " + kImport + "evil_os_system.pt --frames 1", true);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_TRUE(contains(r.out, "evil_os_system.pt")) << r.out;
  r = run_exe("--preset default --vocab " + kVocab + " --frames 1", true);
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.out, "go with `unrolled open MODEL`")) << r.out;
  r = run_exe("--mode inspect --frames 1", true);
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.out, "--mode inspect needs a model")) << r.out;
}

// A word the vocabulary does not have: the message in the Input panel, the panels keep the last
// input that could be read.
TEST_F(InspectCli, AnUnknownWordIsSaidInThePanel) {
  const auto r = report("open " + kImport + "torch_lstm_embedding.pt " + kModelFlags + " --vocab " +
                        kVocab + " --input 'the film is superb'");
  ASSERT_FALSE(r.is_null());
  EXPECT_TRUE(
      contains(value(r, "input", "input error"), "word 4, 'superb', is not in the vocabulary"))
      << value(r, "input", "input error");
}

// --probe: the lesson's model after the warmup, from the command line; the character lesson reads
// characters, one step each.
TEST_F(InspectCli, ProbeInspectsTheLessonsModel) {
  auto r = report("--preset hello --warmup 20 --probe --input hell");
  ASSERT_FALSE(r.is_null());
  EXPECT_EQ(r["menu"]["status"], "inspecting \xC2\xB7 no training");
  EXPECT_TRUE(contains(r["menu"]["title"], "at iteration 20")) << r["menu"]["title"];
  EXPECT_EQ(value(r, "input", "input"), "hell");
  EXPECT_EQ(numbers(value(r, "input", "unit h")).size(), 4u);
  EXPECT_EQ(value(r, "input", "output step"), "4");  // readout every step: the last by default
  const auto bad = run_exe(
      "--preset hello --probe --input help --frames 1 --layout-report " + (dir_ / "bad.json"),
      true);
  EXPECT_EQ(bad.code, 0) << bad.out;  // the app opens and says it in the panel
  std::ifstream f(dir_ / "bad.json");
  const auto rb = nlohmann::json::parse(f);
  EXPECT_TRUE(contains(value(rb, "input", "input error"),
                       "character 4, 'p', is not in the "
                       "vocabulary"))
      << value(rb, "input", "input error");
}

// The Inspect layout at a projector's text size: the Input panel on screen, no text cut, every
// plot's data area at least 8 x 9 lines.
TEST_F(InspectCli, TheLayoutHoldsItsPanelsAtLargeText) {
  for (const char* size : {"1280x720", "1920x1080"}) {
    const auto r = report("open " + kImport +
                              "torch_gru.pt --readout every --readout-activation "
                              "sigmoid --scale 1.5 --theme light",
                          size);
    ASSERT_FALSE(r.is_null());
    EXPECT_FALSE(r["menu_overlap"].get<bool>()) << size;
    const double font = r["font_px"].get<double>();
    bool input = false;
    for (const auto& w : r["windows"]) {
      if (!w["visible"].get<bool>()) continue;
      const std::string at = std::string(size) + " " + w["name"].get<std::string>();
      input = input || w["name"] == "input";
      EXPECT_EQ(w["clipped_text"], nlohmann::json::array()) << at;
      for (const auto& p : w["plots"]) {
        EXPECT_GE(p["data_rect"][3].get<double>() + 0.5, 8 * font) << at << " " << p["title"];
        EXPECT_GE(p["data_rect"][2].get<double>() + 0.5, 9 * font) << at << " " << p["title"];
      }
    }
    EXPECT_TRUE(input) << size << ": the Input panel is behind a tab";
  }
}

// -----------------------------------------------------------------------------------------------
// Probing a lesson's model from the running app (Lesson → Probe this model)
// -----------------------------------------------------------------------------------------------

class Probe : public testing_support::GuiFixture<Probe> {
 public:
  static constexpr testing_support::GuiFixtureOptions kOptions{
      .title = "inspect test", .report_values = true, .wait_idle = true};
};

// The sentiment lesson after 30 iterations: "the film is not bad" typed into its LSTM; the Input
// panel's unit values are the snapshot's h, the output is the lesson's softmax over its two
// classes, and the worker's lesson is where it was (nothing trains while inspecting).
TEST_F(Probe, TheSentimentLessonsModelReadsATypedReview) {
  ExperimentConfig c;
  for (const auto& [name, text] : embedded_presets())
    if (name == "sentiment") {
      ASSERT_TRUE(parse_experiment_text(text, name, c, nullptr));
    }
  c.tour.clear();
  std::string error;
  ASSERT_TRUE(worker_.start(c, &error)) << error;
  app_.config.edit = app_.lesson = c;
  worker_.send(cmd::RunIterations{30});
  frame();
  ASSERT_TRUE(probe_lesson(app_, *worker_.latest(), &error)) << error;
  EXPECT_EQ(app_.mode, Mode::Inspect);
  EXPECT_EQ(app_.inspect.text, "the film is not bad");
  EXPECT_EQ(app_.unit, busiest_unit(app_.inspect.snapshot->models.at(0), 0));
  app_.unit = 3;
  frame();
  const GuiFrame f = frame();
  EXPECT_EQ(f.menu_status, "inspecting \xC2\xB7 no training");
  EXPECT_EQ(value(f, PanelId::Input, "input error"), "(not reported)");
  const ModelView& v = app_.inspect.snapshot->models.at(0);
  ASSERT_EQ(v.steps, 5);
  const auto h = numbers(value(f, PanelId::Input, "unit h"));
  ASSERT_EQ(h.size(), 5u);
  for (int t = 0; t < 5; ++t) EXPECT_EQ(h[t], v.h[0](3, t)) << "step " << t + 1;
  EXPECT_EQ(value(f, PanelId::Input, "output unit"), "negative");
  EXPECT_EQ(std::strtod(value(f, PanelId::Input, "output").c_str(), nullptr), v.outputs(0, 0));
  EXPECT_NEAR(v.outputs(0, 0) + v.outputs(1, 0), 1.0, 1e-12);
  // The same weights as the lesson's, which has not moved.
  EXPECT_EQ(v.params.layers[0].W_h, worker_.latest()->models[0].params.layers[0].W_h);
  EXPECT_EQ(worker_.latest()->models[0].iteration, 30);
  // A word the lesson does not know: said in the panel, the last picture kept.
  set_inspect_text(app_, "the film is superb");
  const GuiFrame g = frame();
  EXPECT_TRUE(contains(value(g, PanelId::Input, "input error"),
                       "'superb', is not in the "
                       "vocabulary"))
      << value(g, PanelId::Input, "input error");
  EXPECT_EQ(app_.inspect.snapshot->models.at(0).steps, 5);
  // Back to training: the worker's snapshot again.
  app_.mode = Mode::Train;
  const GuiFrame back = frame();
  EXPECT_TRUE(contains(back.menu_status, "iteration 30")) << back.menu_status;
}

}  // namespace
}  // namespace unrolled
