// What the lecturer met on the way (issue 12), each checked on what the app says rather than on
// pixels: the menu bar's title and status, the banner, and the values panels report while drawing
// (report_value). The first tests drive the real app's frame (build_frame) in one window under
// Xvfb with keys pressed through Window's input hook; the last run the executable as a user would
// and read its --layout-report. Skipped, saying why, without a DISPLAY.
#include <gtest/gtest.h>

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>

#include "tests/gui_fixture.hpp"
#include "tests/test_support.hpp"

namespace unrolled {
namespace {

ExperimentConfig preset(const std::string& wanted) {
  ExperimentConfig c;
  for (const auto& [name, text] : embedded_presets())
    if (name == wanted) {
      EXPECT_TRUE(parse_experiment_text(text, name, c, nullptr)) << name;
    }
  return c;
}

// The exploding lesson's vanilla RNN beside an LSTM, neither clipped: the RNN diverges.
ExperimentConfig diverging_compare() {
  ExperimentConfig c = preset("exploding");
  ModelConfig lstm = c.model;
  lstm.name = "LSTM";
  lstm.cell = CellType::Lstm;
  lstm.init.spectral_radius = 0;
  c.compare = {lstm};
  return c;
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// -----------------------------------------------------------------------------------------------
// The app's frame, in process
// -----------------------------------------------------------------------------------------------

class Lecturer : public testing_support::GuiFixture<Lecturer> {
 public:
  static constexpr testing_support::GuiFixtureOptions kOptions{
      .title = "lecturer test", .report_values = true, .wait_idle = true};
  Lecturer() { keys_ = {GLFW_KEY_LEFT, GLFW_KEY_RIGHT, GLFW_KEY_SPACE}; }

 protected:
  void input(ImGuiIO& io) override { io.MousePos = {-1, -1}; }
  void start(const ExperimentConfig& c) {
    std::string error;
    ASSERT_TRUE(worker_.start(c, &error)) << error;
    app_.config.edit = c;
    app_.lesson = c;
    worker_.wait_idle();
  }
  const ModelView& model() {
    worker_.wait_idle();
    snap_ = worker_.latest();
    return snap_->models.at(0);
  }

  std::shared_ptr<const Snapshot> snap_;
};

// Compare mode: the vanilla RNN diverges at full speed. Without a key pressed, the next frames
// show the banner, a status that reads diverged, and Play (not Pause) in the Controls panel.
TEST_F(Lecturer, ADivergedCompareRunStopsAndSaysSoAtOnce) {
  start(diverging_compare());
  app_.mode = Mode::Compare;
  worker_.send(cmd::SetSpeed{0});
  worker_.send(cmd::Play{});
  GuiFrame f = frame();
  for (int i = 0; i < 2400 && f.banner.empty(); ++i) {  // at most ~2 min (a busy machine)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    f = frame();
  }
  ASSERT_FALSE(f.banner.empty()) << "no banner; the status reads " << f.menu_status;
  EXPECT_TRUE(contains(f.banner, "diverged")) << f.banner;
  EXPECT_TRUE(contains(f.menu_status, "diverged")) << f.menu_status;
  EXPECT_FALSE(contains(f.menu_status, "training")) << f.menu_status;
  f = frame();
  EXPECT_EQ(value(f, PanelId::Controls, "play button"), "\xE2\x96\xB6 Play");
  EXPECT_EQ(value(f, PanelId::Controls, "measured speed"), "(not reported)");
}

// The Experiment panel's "Apply and reset" sends the edit as a Configure: an LSTM lesson switched
// to a vanilla RNN no longer claims its title, and its description says it tells of the original.
TEST_F(Lecturer, AnEditedLessonSaysSo) {
  const ExperimentConfig lesson = default_experiment();
  ASSERT_EQ(lesson.model.cell, CellType::Lstm);
  start(lesson);
  GuiFrame f = frame();
  EXPECT_EQ(f.menu_title, lesson.title);
  ExperimentConfig edit = lesson;
  edit.model.cell = CellType::Rnn;
  worker_.send(cmd::Configure{edit});
  f = frame();
  EXPECT_EQ(f.menu_title, "edited: " + lesson.title);
  const LessonHeading h = lesson_heading(*worker_.latest(), app_);
  EXPECT_TRUE(h.edited);
  EXPECT_TRUE(contains(h.description, "original lesson")) << h.description;
  // A new seed is not an edit of the lesson.
  worker_.send(cmd::Configure{lesson});
  worker_.send(cmd::Reseed{7});
  EXPECT_EQ(frame().menu_title, lesson.title);
}

// Gradient cliff: the menu bar tells of the cliff, not of the training lesson behind it.
TEST_F(Lecturer, TheCliffModesHeaderDescribesTheCliff) {
  start(default_experiment());
  worker_.send(cmd::Play{});
  app_.mode = Mode::Cliff;
  frame();
  const GuiFrame f = frame();
  EXPECT_TRUE(contains(f.menu_title, "Gradient cliff")) << f.menu_title;
  EXPECT_FALSE(contains(f.menu_title, default_experiment().title)) << f.menu_title;
  EXPECT_FALSE(contains(f.menu_status, "training")) << f.menu_status;
  EXPECT_FALSE(contains(f.menu_status, "iteration")) << f.menu_status;
  EXPECT_TRUE(contains(f.menu_status, "descent step")) << f.menu_status;
}

// Step through pauses training when it is entered, and the status says why.
TEST_F(Lecturer, SteppingPausesTrainingAndSaysSo) {
  start(default_experiment());
  worker_.send(cmd::Play{});
  frame();
  EXPECT_TRUE(worker_.latest()->playing);
  app_.mode = Mode::Step;
  frame();
  const GuiFrame f = frame();
  EXPECT_FALSE(worker_.latest()->playing) << "training kept running in Step through";
  EXPECT_TRUE(contains(f.menu_status, "paused: stepping")) << f.menu_status;
}

// During the forward pass the per-step gradient plot still holds the last backward pass's
// gradient: it says which iteration that was.
TEST_F(Lecturer, TheGradientPlotSaysItsGradientIsFromTheLastIteration) {
  start(default_experiment());
  worker_.send(cmd::RunIterations{2});
  GuiFrame f = frame();
  f = frame();
  EXPECT_EQ(value(f, PanelId::Gradients, "per-step gradient"), "iteration 2");
  for (int i = 0; i < 3; ++i) worker_.send(cmd::StepForward{});
  frame();
  f = frame();
  ASSERT_EQ(model().phase, Phase::Forward);
  EXPECT_EQ(value(f, PanelId::Gradients, "per-step gradient"),
            "from iteration 2, before this forward pass");
}

// Train mode: → five times computes five forward steps; ← then does not finish the forward pass
// (it says why instead), and the arrows never move ImGui's keyboard focus into a panel.
TEST_F(Lecturer, ArrowKeysNeverFinishTheForwardPassOrMoveFocus) {
  start(default_experiment());
  worker_.send(cmd::RunIterations{1});
  frame();
  frame();
  for (int i = 0; i < 5; ++i) press(GLFW_KEY_RIGHT);
  ASSERT_EQ(model().phase, Phase::Forward);
  EXPECT_EQ(model().forward_t, 5);
  const GuiFrame f = press(GLFW_KEY_LEFT);
  EXPECT_EQ(model().phase, Phase::Forward) << "← finished the forward pass";
  EXPECT_EQ(model().forward_t, 5);
  const GuiFrame g = frame();
  EXPECT_TRUE(contains(value(g, PanelId::Controls, "notice"), "forward pass"))
      << value(g, PanelId::Controls, "notice");
  const ImGuiIO& io = ImGui::GetIO();
  EXPECT_FALSE(io.NavActive) << "the arrows drive ImGui's keyboard navigation";
  EXPECT_FALSE(io.NavVisible) << "a panel's item shows the keyboard focus";
}

// -----------------------------------------------------------------------------------------------
// Nothing lost (issue 13): the lecturer's edited and trained run was replaced by the Compare tab,
// and Quit, the Lesson menu and Save threw edits away or overwrote files without asking.
// -----------------------------------------------------------------------------------------------

TEST_F(Lecturer, UndoBringsBackAResetRunAndRedoResetsAgain) {
  start(preset("default"));
  for (int i = 0; i < 3; ++i) worker_.send(cmd::StepIteration{});
  const double loss = model().last_loss;
  reset_run(app_, worker_);
  EXPECT_EQ(model().iteration, 0);
  ASSERT_TRUE(undo(app_, worker_));
  EXPECT_EQ(model().iteration, 3);
  EXPECT_EQ(model().last_loss, loss) << "the same run, bit for bit";
  ASSERT_TRUE(redo(app_, worker_));
  EXPECT_EQ(model().iteration, 0);
  EXPECT_FALSE(redo(app_, worker_)) << "nothing more to redo";
}

TEST_F(Lecturer, UndoKeepsTwentyLevelsWithinItsBudget) {
  start(preset("hello"));
  for (int i = 0; i < 30; ++i) {
    worker_.send(cmd::StepIteration{});
    reset_run(app_, worker_);
  }
  EXPECT_GE(app_.sessions.undo.size(), kUndoLevels);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(undo(app_, worker_));
  EXPECT_EQ(app_.sessions.redo.size(), 5u);
  size_t bytes = 0;  // undo and redo together: app_memory_bytes counts kUndoBytes for both
  for (const auto* d : {&app_.sessions.undo, &app_.sessions.redo})
    for (const auto& e : *d) bytes += e.bytes.size();
  EXPECT_LE(bytes, kUndoBytes);
}

TEST_F(Lecturer, ASessionComesBackWithItsRunAndItsView) {
  testing_support::TempDir dir("gui_session");
  start(preset("default"));
  for (int i = 0; i < 4; ++i) worker_.send(cmd::StepIteration{});
  const double loss = model().last_loss;
  app_.mode = Mode::Step;
  app_.unit = 5;
  ASSERT_TRUE(save_session_as(app_, worker_, dir / "run.session")) << app_.sessions.message;
  reset_run(app_, worker_);
  app_.mode = Mode::Train;
  app_.unit = 0;
  ASSERT_TRUE(open_session(app_, worker_, dir / "run.session")) << app_.sessions.message;
  EXPECT_EQ(model().iteration, 4);
  EXPECT_EQ(model().last_loss, loss);
  EXPECT_EQ(model().forward_t, model().steps) << "the last iteration's pictures, at once";
  ASSERT_FALSE(model().gates.empty());
  EXPECT_FALSE(model().gates[0].hasNaN()) << "every step of the gates drawn";
  EXPECT_EQ(app_.mode, Mode::Step);
  EXPECT_EQ(app_.unit, 5);
  std::ofstream(dir / "junk.session") << "not a session";
  EXPECT_FALSE(open_session(app_, worker_, dir / "junk.session"));
  EXPECT_NE(app_.sessions.message.find("junk.session"), std::string::npos) << app_.sessions.message;
  EXPECT_EQ(model().iteration, 4) << "a bad file leaves the run alone";
}

TEST_F(Lecturer, ViewingAPastIterationSaysSoAndGoesBackToLive) {
  start(preset("default"));
  for (int i = 0; i < 5; ++i) worker_.send(cmd::StepIteration{});
  worker_.send(cmd::ViewIteration{2, false});
  GuiFrame f = frame();
  EXPECT_TRUE(contains(f.banner, "Viewing iteration 2 of 5")) << f.banner;
  EXPECT_EQ(value(f, PanelId::Training, "viewing"), "2");
  worker_.send(cmd::BackToLive{});
  f = frame();
  EXPECT_EQ(f.banner, "");
  EXPECT_EQ(value(f, PanelId::Training, "viewing"), "-1");
}

// Two axes: with iteration 2 of 5 on screen, → computes iteration 2's forward steps (the banner
// stays, the live run does not move) and "live" goes back to the run as it was.
TEST_F(Lecturer, TheStepKeysStepInsideTheViewedIteration) {
  start(preset("default"));
  for (int i = 0; i < 5; ++i) worker_.send(cmd::StepIteration{});
  worker_.send(cmd::ViewIteration{2, false});
  frame();
  frame();
  for (int i = 0; i < 3; ++i) press(GLFW_KEY_RIGHT);
  ASSERT_EQ(model().phase, Phase::Forward);
  EXPECT_EQ(model().iteration, 2);
  EXPECT_EQ(model().forward_t, 3);
  const GuiFrame f = frame();
  EXPECT_TRUE(contains(f.banner, "Viewing iteration 2 of 5")) << f.banner;
  worker_.send(cmd::BackToLive{});
  frame();
  EXPECT_EQ(model().iteration, 5);
  EXPECT_EQ(model().phase, Phase::Ready);
}

TEST_F(Lecturer, APinnedIterationStaysBesideTheOneOnScreen) {
  start(preset("default"));
  for (int i = 0; i < 4; ++i) worker_.send(cmd::StepIteration{});
  worker_.send(cmd::ViewIteration{1, false});
  model();
  app_.pinned = worker_.latest();  // the Training panel's "pin this iteration"
  worker_.send(cmd::BackToLive{});
  const GuiFrame f = frame();
  EXPECT_EQ(value(f, PanelId::Gates, "pinned"), "1");
  EXPECT_EQ(model().iteration, 4) << "the live run on screen beside it";
}

TEST_F(Lecturer, AnAutosaveWithWorkNotSavedIsOffered) {
  testing_support::TempDir dir("gui_autosave");
  ::setenv("UNROLLED_SETTINGS", (dir / "settings.json").c_str(), 1);
  start(preset("default"));
  worker_.send(cmd::StepIteration{});
  model();
  ASSERT_TRUE(autosave(app_, worker_, *snap_));
  EXPECT_TRUE(contains(unsaved_autosave_summary(autosave_path()), "iteration 1"));
  ASSERT_TRUE(save_session_as(app_, worker_, dir / "kept.session"));
  ASSERT_TRUE(autosave(app_, worker_, *snap_));
  EXPECT_EQ(unsaved_autosave_summary(autosave_path()), "") << "saved: nothing to offer";
  reset_run(app_, worker_);
  ASSERT_TRUE(resume_autosave(app_, worker_));
  EXPECT_EQ(model().iteration, 1);
  ::unsetenv("UNROLLED_SETTINGS");
}

TEST_F(Lecturer, CompareNeverReplacesAOneModelLesson) {
  ExperimentConfig c = preset("default");
  c.training.optimizer.learning_rate = 0.03;
  start(c);
  worker_.send(cmd::StepIteration{});
  worker_.send(cmd::StepIteration{});
  const int64_t trained = model().iteration;
  ASSERT_EQ(trained, 2);
  // The tab, as switch_mode sets it. (No frame drawn: Compare's panels would ask the worker for
  // analyses that take seconds on this lesson.)
  app_.mode = Mode::Compare;
  ask_compare(*snap_, app_, Mode::Train);
  EXPECT_EQ(app_.guard.ask, AppState::Ask::CompareMode);
  guard_choose(app_, worker_, *snap_, GuardChoice::Cancel);
  EXPECT_EQ(app_.mode, Mode::Train);
  EXPECT_EQ(model().iteration, trained) << "the run is still there";
  EXPECT_EQ(snap_->config.training.optimizer.learning_rate, 0.03);

  app_.mode = Mode::Compare;
  ask_compare(*snap_, app_, Mode::Train);
  guard_choose(app_, worker_, *snap_, GuardChoice::AddModel);
  model();
  ASSERT_EQ(snap_->models.size(), 2u);
  EXPECT_EQ(snap_->config.model.cell, c.model.cell);
  EXPECT_EQ(snap_->config.compare.at(0).cell, companion_model(c.model).cell);
  EXPECT_EQ(snap_->config.training.optimizer.learning_rate, 0.03) << "the user's own settings";
  EXPECT_EQ(app_.mode, Mode::Compare);
}

TEST_F(Lecturer, QuitWithEditsNotAppliedAsksFirst) {
  testing_support::TempDir dir("guard_quit");
  start(preset("default"));
  app_.want_quit = true;
  frame();
  EXPECT_TRUE(app_.quit_now) << "nothing to lose: quits at once";

  app_.quit_now = false;
  app_.config.edit.model.hidden_size += 8;
  app_.want_quit = true;
  frame();
  EXPECT_FALSE(app_.quit_now);
  EXPECT_EQ(app_.guard.ask, AppState::Ask::Quit);
  model();
  guard_choose(app_, worker_, *snap_, GuardChoice::Cancel);
  frame();
  EXPECT_FALSE(app_.quit_now);
  EXPECT_EQ(app_.guard.ask, AppState::Ask::None);

  app_.config.load_path = dir / "edited.json";
  app_.want_quit = true;
  frame();
  guard_choose(app_, worker_, *snap_, GuardChoice::Save);
  EXPECT_TRUE(app_.quit_now);
  ExperimentConfig saved;
  std::string error;
  ASSERT_TRUE(load_experiment(dir / "edited.json", saved, &error)) << error;
  EXPECT_EQ(saved.model.hidden_size, app_.config.edit.model.hidden_size) << "the edits, saved";
  EXPECT_NE(saved.model.hidden_size, snap_->config.model.hidden_size);
}

TEST_F(Lecturer, OpeningALessonOverEditsAsksAndSaveAsksBeforeReplacing) {
  testing_support::TempDir dir("guard_save");
  start(preset("default"));
  app_.config.edit.training.batch_size += 1;
  model();
  EXPECT_FALSE(ask_to_load(*snap_, app_, worker_, preset("gru"), "built-in: gru"));
  EXPECT_EQ(app_.guard.ask, AppState::Ask::Load);
  frame();
  model();
  EXPECT_EQ(snap_->config.model.cell, preset("default").model.cell) << "not replaced yet";
  guard_choose(app_, worker_, *snap_, GuardChoice::Discard);
  model();
  EXPECT_EQ(snap_->config.model.cell, CellType::Gru) << "discarded, and the lesson opened";

  const std::string path = dir / "mine.json";
  { std::ofstream(path) << "{\"kept\": true}\n"; }
  app_.config.edit.training.batch_size = 5;
  EXPECT_FALSE(save_edits(app_, path, false));
  EXPECT_EQ(app_.guard.ask, AppState::Ask::Overwrite);
  std::ifstream before(path);
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(before)), {}), "{\"kept\": true}\n");
  model();
  guard_choose(app_, worker_, *snap_, GuardChoice::Save);
  ExperimentConfig saved;
  std::string error;
  ASSERT_TRUE(load_experiment(path, saved, &error)) << error;
  EXPECT_EQ(saved.training.batch_size, 5);
}

// -----------------------------------------------------------------------------------------------
// The executable, read through --layout-report
// -----------------------------------------------------------------------------------------------

class LecturerCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing_support::have_display()) GTEST_SKIP() << "no DISPLAY: run under xvfb-run";
  }
  // Runs the app with args, 1280x720, a few frames; the report, or null (the test failed).
  nlohmann::json report(const std::string& args) {
    return testing_support::layout_report(dir_, args, "1280x720", 6);
  }
  static std::string value(const nlohmann::json& r, const std::string& panel,
                           const std::string& name) {
    return testing_support::reported(r, panel, name);
  }
  testing_support::TempDir dir_{"lecturer"};
};

TEST_F(LecturerCli, StepsForwardWithoutPausedStayThere) {
  const auto r = report("--preset default --steps-forward 3");
  ASSERT_FALSE(r.is_null());
  EXPECT_TRUE(contains(value(r, "controls", "phase"), "forward pass  t = 3 of"))
      << value(r, "controls", "phase");
  EXPECT_TRUE(contains(r["menu"]["status"].get<std::string>(), "paused"));
}

// Iteration 0 has no accuracy to show: a dash, not "nan%".
TEST_F(LecturerCli, NoAccuracyBeforeAMeasurement) {
  const auto r = report("--preset copy --paused");
  ASSERT_FALSE(r.is_null());
  EXPECT_EQ(value(r, "training", "accuracy"), "\xE2\x80\x94");
}

// The sentiment lesson's one-hot input: a label on every one of its 13 words, not every other.
TEST_F(LecturerCli, OneHotRowsAreAllLabelled) {
  const auto r = report("--preset sentiment --paused --warmup 2");
  ASSERT_FALSE(r.is_null());
  EXPECT_EQ(value(r, "sample", "input rows labelled"), "13 of 13");
}

// The copy lesson (3 symbols, a pause of 10 steps, 3 written back: T = 16) at 1280x720: its
// table no longer stops before the recall phase; the pause is what is left out.
TEST_F(LecturerCli, TheCopyTableShowsTheRecallPhase) {
  const auto r = report("--preset copy --paused --warmup 2 --only sample");
  ASSERT_FALSE(r.is_null());
  const std::string steps = value(r, "sample", "table steps");
  EXPECT_EQ(steps.rfind("1 2 3 ", 0), 0u) << steps;
  EXPECT_TRUE(contains(steps, " 14 15 16")) << steps;
  EXPECT_EQ(steps.substr(steps.size() - 3), " 16") << steps;
}

// "1, 31–50" holds t?
bool in_view(const std::string& ranges, int t) {
  std::stringstream in(ranges);
  std::string part;
  while (std::getline(in, part, ',')) {
    const size_t dash = part.find("\xE2\x80\x93");
    const int lo = std::stoi(part),
              hi = dash == std::string::npos ? lo : std::stoi(part.substr(dash + 3));
    if (lo <= t && t <= hi) return true;
  }
  return false;
}

// The compare lesson (T = 61) stepped to t = 40 at 1280x720: the graph scrolls to the current
// step and keeps t = 1, where the key symbol is, in view beside it.
TEST_F(LecturerCli, TheLongGraphKeepsTheFirstStepInView) {
  for (const char* steps : {"--steps-forward 40", "--steps-forward 61 --steps-backward 20"}) {
    SCOPED_TRACE(steps);
    const auto r = report(std::string("--preset compare --mode step --warmup 1 ") + steps);
    ASSERT_FALSE(r.is_null());
    const std::string shown = value(r, "graph", "steps in view");
    EXPECT_TRUE(in_view(shown, 1)) << shown;
    EXPECT_FALSE(in_view(shown, 20)) << shown << ": the graph did not scroll";
    EXPECT_TRUE(in_view(shown, 40)) << shown;
  }
}

}  // namespace
}  // namespace unrolled
