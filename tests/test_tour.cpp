// Tours (core/tour.hpp): every key refused with a message naming it, the round trip through JSON,
// sentence counting, and the course itself: every built-in tour's claims hold when the tour is
// run headless with its seed (a sentence a tour shows a class is never contradicted by what the
// app then does), the course is numbered 1..12, and `unrolled tour --list` lists it in order.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <sstream>
#include <string>
#include <vector>

#include "core/experiment.hpp"
#include "core/tour.hpp"
#include "core/tour_check.hpp"
#include "tests/test_support.hpp"

namespace unrolled {
namespace {

Json step(const char* extra = nullptr) {
  Json j = {{"title", "A step"}, {"text", "One sentence."}};
  if (extra) j.update(Json::parse(extra));
  return j;
}

// tour_from_json on one step must fail with a message naming `key`.
void refused(const Json& step_json, const std::string& key) {
  Tour tour;
  std::string error;
  EXPECT_FALSE(tour_from_json(Json::array({step_json}), tour, &error)) << step_json.dump();
  EXPECT_NE(error.find(key), std::string::npos)
      << "the message names " << key << ": " << error << "\n  for " << step_json.dump();
}

TEST(TourParse, AMinimalStepIsAccepted) {
  Tour tour;
  std::string error;
  ASSERT_TRUE(tour_from_json(Json::array({step()}), tour, &error)) << error;
  ASSERT_EQ(tour.size(), 1u);
  EXPECT_EQ(tour[0].title, "A step");
}

TEST(TourParse, EveryKeyIsRefusedWithAMessageNamingIt) {
  refused(step(R"({"colour": 1})"), "colour");                        // unknown key in a step
  refused(step(R"({"title": 3})"), "title");                          // wrong type
  refused(step(R"({"title": ""})"), "title");                         // missing
  refused(step(R"({"text": "no full stop"})"), "text");               // 0 sentences
  refused(step(R"({"text": "One. Two. Three. Four. Five."})"), "text");  // 5 sentences
  refused(step(R"({"show": {"mode": "slideshow"}})"), "mode");        // unknown mode
  refused(step(R"({"show": {"panels": ["training", "nope"]}})"), "panels[1]");  // unknown panel
  refused(step(R"({"show": {"focus": "nope"}})"), "focus");
  refused(step(R"({"show": {"zoom": 2}})"), "zoom");
  refused(step(R"({"actions": [{"do": "jump"}]})"), "do");            // unknown action
  refused(step(R"({"actions": [{"count": 3}]})"), "do");              // action without do
  refused(step(R"({"actions": [{"do": "run", "until": "loss_below", "value": 0.1}]})"),
          "limit");                                                   // run without limit
  refused(step(R"({"actions": [{"do": "run", "until": "iteration", "limit": 5}]})"), "value");
  refused(step(R"({"actions": [{"do": "run", "until": "forever", "limit": 5}]})"), "until");
  refused(step(R"({"actions": [{"do": "forward", "count": 0}]})"), "count");
  refused(step(R"({"actions": [{"do": "speed", "value": "fast"}]})"), "value");
  refused(step(R"({"actions": [{"do": "clip", "mode": "sideways", "threshold": 1}]})"), "mode");
  refused(step(R"({"actions": [{"do": "select", "planet": 1}]})"), "planet");
  refused(step(R"({"actions": [{"do": "truncation", "k1": 20, "k2": 10}]})"), "k2");
  refused(step(R"({"actions": [{"do": "sweep", "seeds": 3}]})"), "lags");
  refused(step(R"({"actions": [{"do": "sweep", "lags": [5, 0]}]})"), "lags[1]");
  refused(step(R"({"actions": [{"do": "pause", "value": 1}]})"), "value");  // a key pause lacks
  refused(step(R"({"highlight": {"series": "LSTM"}})"), "panel");     // highlight without panel
  refused(step(R"({"highlight": {"panel": "nope"}})"), "panel");
  refused(step(R"({"highlight": {"panel": "graph", "cell": {"t": -1}}})"), "t");
  refused(step(R"({"highlight": {"panel": "graph", "rows": [1, "x"]}})"), "rows[1]");
  refused(step(R"({"predict": {"question": "Q?", "choices": ["a", "b"], "answer": 3,
                                "reveal": "R."}})"),
          "answer");                                                  // answer out of range
  refused(step(R"({"predict": {"question": "Q?", "choices": ["a"], "answer": 0,
                                "reveal": "R."}})"),
          "choices");
  refused(step(R"({"predict": {"question": "Q?", "choices": ["a", "b"], "answer": 0}})"),
          "reveal");
  refused(step(R"({"expect": [{"measure": "happiness", "above": 1}]})"), "measure");
  refused(step(R"({"expect": [{"measure": "loss"}]})"), "bound");     // no bound
  refused(step(R"({"expect": [{"measure": "loss", "below": "low"}]})"), "below");
  refused(step(R"({"expect": [{"measure": "loss", "below": 1, "model": 5}]})"), "model");
}

TEST(TourParse, AnEmptyTourOrANonArrayIsRefused) {
  Tour tour;
  std::string error;
  EXPECT_FALSE(tour_from_json(Json::array(), tour, &error));
  EXPECT_NE(error.find("empty"), std::string::npos) << error;
  EXPECT_FALSE(tour_from_json(Json::object(), tour, &error));
  EXPECT_NE(error.find("tour"), std::string::npos) << error;
}

TEST(TourParse, AnExperimentFileNamesTheTourKeyThatIsWrong) {
  Json j = experiment_to_json(default_experiment());
  j["tour"] = Json::array({step(R"({"actions": [{"do": "run", "until": "diverged"}]})")});
  ExperimentConfig c;
  std::string error;
  EXPECT_FALSE(experiment_from_json(j, c, &error));
  EXPECT_NE(error.find("tour[0].actions[0].limit"), std::string::npos) << error;
  j = experiment_to_json(default_experiment());
  j["course"] = {{"order", 0}, {"summary", "x"}};
  EXPECT_FALSE(experiment_from_json(j, c, &error));
  EXPECT_NE(error.find("order"), std::string::npos) << error;
}

TEST(TourJson, RoundTripKeepsEveryKey) {
  const Json in = Json::parse(R"([
    {"title": "First", "text": "It runs. It stops!",
     "show": {"mode": "compare", "panels": ["training", "gradients"], "focus": "gradients"},
     "actions": [{"do": "pause"}, {"do": "play"}, {"do": "speed", "value": 3},
                 {"do": "run", "until": "iterations", "value": 10},
                 {"do": "run", "until": "iteration", "value": 20, "limit": 30},
                 {"do": "run", "until": "loss_below", "value": 0.5, "limit": 40, "model": 1},
                 {"do": "run", "until": "diverged", "limit": 50},
                 {"do": "forward", "count": 2}, {"do": "backward", "count": 3},
                 {"do": "finish_forward"}, {"do": "finish_backward"}, {"do": "update"},
                 {"do": "reset"}, {"do": "clip", "mode": "norm", "threshold": 2},
                 {"do": "temperature", "value": 0.5},
                 {"do": "select", "layer": 0, "unit": 3, "sample": 1, "t": 4, "model": 2}]},
    {"title": "Second", "text": "Why? Because.",
     "actions": [{"do": "sweep", "lags": [5, 10], "seeds": 2, "iterations": 40},
                 {"do": "truncation", "k1": 10, "k2": 20}],
     "highlight": {"panel": "graph", "series": "LSTM", "rows": [1, 2], "columns": [0],
                   "equation": 12, "cell": {"t": 3, "layer": 0}},
     "predict": {"question": "Which?", "choices": ["a", "b", "c"], "answer": 2,
                 "reveal": "This one."},
     "expect": [{"measure": "loss", "below": 0.1},
                {"measure": "decay", "model": 1, "distance": 20, "above": 10, "below": 100},
                {"measure": "sweep_loss_max", "model": 1, "distance": 10, "below": 0.5},
                {"measure": "cliff_jump", "model": 1, "below": 1.5},
                {"measure": "jacobian", "distance": 5, "below": 1},
                {"measure": "update_gate", "above": 0.4}]}
  ])");
  Tour tour;
  std::string error;
  ASSERT_TRUE(tour_from_json(in, tour, &error)) << error;
  const Json out = tour_to_json(tour);
  Tour again;
  ASSERT_TRUE(tour_from_json(out, again, &error)) << error << "\n" << out.dump(2);
  EXPECT_EQ(tour_to_json(again), out);
  EXPECT_EQ(out, in) << out.dump(2);
}

TEST(TourText, SentenceCount) {
  EXPECT_EQ(sentence_count(""), 0);
  EXPECT_EQ(sentence_count("no full stop"), 0);
  EXPECT_EQ(sentence_count("One."), 1);
  EXPECT_EQ(sentence_count("One. Two! Three?"), 3);
  EXPECT_EQ(sentence_count("Line one.\nLine two."), 2);
  EXPECT_EQ(sentence_count("It grows 1.5 times per step."), 1);    // a decimal point
  EXPECT_EQ(sentence_count("Train until the loss is below 0.1."), 1);  // a number, then the end
  EXPECT_EQ(sentence_count("Gates, e.g. the forget gate, decide."), 1);  // an abbreviation
  EXPECT_EQ(sentence_count("Why? Because ‖g‖ > 1."), 2);
}

// The course: every built-in lesson with a tour.
struct Lesson {
  std::string name;
  ExperimentConfig config;
};

std::vector<Lesson> course() {
  std::vector<Lesson> out;
  for (const auto& [name, text] : embedded_presets()) {
    Lesson l{name, {}};
    std::string error;
    EXPECT_TRUE(parse_experiment_text(text, name, l.config, &error)) << error;
    if (l.config.course_order > 0) out.push_back(std::move(l));
  }
  std::sort(out.begin(), out.end(), [](const Lesson& a, const Lesson& b) {
    return a.config.course_order < b.config.course_order;
  });
  return out;
}

TEST(TourCourse, TwelveLessonsNumberedOneToTwelveEachWithATourAndASummary) {
  const std::vector<Lesson> lessons = course();
  ASSERT_EQ(lessons.size(), 12u);
  for (size_t i = 0; i < lessons.size(); ++i) {
    const ExperimentConfig& c = lessons[i].config;
    EXPECT_EQ(c.course_order, static_cast<int>(i) + 1) << lessons[i].name;
    EXPECT_FALSE(c.summary.empty()) << lessons[i].name;
    EXPECT_GE(c.tour.size(), 5u) << lessons[i].name;
    EXPECT_LE(c.tour.size(), 12u) << lessons[i].name;
    for (const TourStep& s : c.tour) {
      // The lectures' notation as the app renders it, never raw TeX.
      for (const char* tex : {"_{", "^{", "\\"})
        EXPECT_EQ(s.text.find(tex), std::string::npos) << lessons[i].name << ": " << s.text;
    }
  }
}

TEST(TourCourse, ListPrintsEveryLessonInOrderWithItsStepCount) {
  const testing_support::ExeResult r = testing_support::run_exe("tour --list");
  ASSERT_EQ(r.code, 0) << r.out;
  std::istringstream in(r.out);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  const std::vector<Lesson> lessons = course();
  ASSERT_GE(lines.size(), lessons.size()) << r.out;
  for (size_t i = 0; i < lessons.size(); ++i) {
    std::istringstream words(lines[i]);
    std::string name;
    size_t steps = 0;
    words >> name >> steps;
    EXPECT_EQ(name, lessons[i].name) << lines[i];
    EXPECT_EQ(steps, lessons[i].config.tour.size()) << lines[i];
    EXPECT_NE(lines[i].find(lessons[i].config.title), std::string::npos) << lines[i];
  }
}

// Every built-in tour, run headless with its seed: each expectation holds.
class BuiltInTour : public ::testing::TestWithParam<std::string> {};

TEST_P(BuiltInTour, EveryClaimHolds) {
  ExperimentConfig config;
  bool found = false;
  for (const auto& [name, text] : embedded_presets())
    if (name == GetParam()) {
      std::string error;
      ASSERT_TRUE(parse_experiment_text(text, name, config, &error)) << error;
      found = true;
    }
  ASSERT_TRUE(found) << GetParam();
  ASSERT_FALSE(config.tour.empty()) << GetParam();
  const auto start = std::chrono::steady_clock::now();
  const TourCheck check = check_tour(config);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(check.error.empty()) << check.error;
  int passed = 0;
  for (const TourCheckLine& line : check.lines) {
    EXPECT_TRUE(line.pass) << GetParam() << " step " << line.step + 1 << ": "
                           << line.expectation << ", measured " << line.measured;
    passed += line.pass;
  }
  EXPECT_TRUE(check.ok);
  std::printf("[ measured ] %s: %d of %zu expectations hold in %.1f s\n", GetParam().c_str(), passed,
              check.lines.size(), seconds);
}

std::vector<std::string> tour_names() {
  std::vector<std::string> names;
  for (const auto& [name, text] : embedded_presets()) {
    ExperimentConfig c;
    if (parse_experiment_text(text, name, c, nullptr) && !c.tour.empty()) names.push_back(name);
  }
  return names;
}

INSTANTIATE_TEST_SUITE_P(Lesson, BuiltInTour, ::testing::ValuesIn(tour_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace unrolled
