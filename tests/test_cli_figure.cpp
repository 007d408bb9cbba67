// `unrolled figure`'s parser (app/cli/figure.cpp), without a display: each wrong use gets one
// message naming the flag and what is allowed, and exit code 2; --session reads a session file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "app/cli/cli.hpp"
#include "app/cli/figure.hpp"
#include "core/experiment.hpp"
#include "core/session_file.hpp"
#include "core/trainer.hpp"

namespace unrolled {
namespace {

std::vector<std::string> words(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ' ') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

// The exit code and what was printed on stderr.
std::pair<int, std::string> parse(const std::string& args, FigureOptions& o) {
  testing::internal::CaptureStderr();
  const int code = parse_figure_args(words(args), o);
  return {code, testing::internal::GetCapturedStderr()};
}

TEST(FigureArgs, ReadsEveryFlag) {
  FigureOptions o;
  const auto [code, err] = parse(
      "--preset hello --panel gates --warmup 7 --out a.GIF --frames 3 "
      "--iterations-per-frame 2 --fps 4 --scale 2 --size 400x300 --theme dark --caption",
      o);
  ASSERT_EQ(code, 0) << err;
  EXPECT_EQ(o.preset, "hello");
  EXPECT_EQ(o.panel, "gates");
  EXPECT_EQ(o.warmup, 7);
  EXPECT_EQ(o.format, FigureFormat::Gif);
  EXPECT_EQ(o.frames, 3);
  EXPECT_EQ(o.iterations_per_frame, 2);
  EXPECT_EQ(o.fps, 4);
  EXPECT_EQ(o.scale, 2);
  EXPECT_EQ(o.width, 400);
  EXPECT_EQ(o.height, 300);
  EXPECT_TRUE(o.dark);
  EXPECT_TRUE(o.caption);
}

TEST(FigureArgs, AGifWithoutFramesTakesTheDefaults) {
  FigureOptions o;
  ASSERT_EQ(parse("--preset hello --panel training --out a.gif", o).first, 0);
  EXPECT_EQ(o.frames, kDefaultGifFrames);
  EXPECT_EQ(o.iterations_per_frame, kDefaultGifIterationsPerFrame);
}

TEST(FigureArgs, EachMistakeGetsOneMessage) {
  const std::pair<const char*, const char*> cases[] = {
      {"--panel training --out a.png", "exactly one of --preset"},
      {"--preset hello --config x.json --panel training --out a.png", "exactly one of --preset"},
      {"--preset hello --out a.png", "--panel NAME is required"},
      {"--preset hello --panel training", "--out FILE.png|svg|csv|gif is required"},
      {"--preset hello --panel training --out a.jpg", ".png, .svg, .csv or .gif"},
      {"--preset hello --panel training --out a.png --frames 3 --iterations-per-frame 1",
       "use --out FILE.gif"},
      {"--preset hello --panel training --out a.gif --frames 3", "go together"},
      {"--preset hello --panel training --out a.png --scale 9", "--scale '9'"},
      {"--preset hello --panel training --out a.png --size 100x100", "from 160x120"},
      {"--preset hello --panel training --out a.png --size 5000x3000 --scale 2",
       "more than 8192 pixels"},
      {"--preset hello --panel training --out a.png --theme blue", "allowed: light, dark"},
      {"--preset hello --panel training --out a.png --frames 0", "--frames '0'"},
      {"--preset hello --panel training --out a.png --bogus", "unknown argument '--bogus'"},
  };
  for (const auto& [args, message] : cases) {
    FigureOptions o;
    const auto [code, err] = parse(args, o);
    EXPECT_EQ(code, 2) << args;
    EXPECT_NE(err.find(message), std::string::npos) << args << "\n  said: " << err;
    EXPECT_EQ(err.find('\n'), err.size() - 1) << "one line: " << err;
  }
}

TEST(FigureArgs, ASessionGivesItsExperimentOrOneMessage) {
  FigureOptions o;
  ASSERT_EQ(parse("--session no-such.session --panel training --out a.png", o).first, 0);
  ExperimentConfig config;
  std::string error;
  EXPECT_FALSE(load_figure_lesson(o, config, &error));
  EXPECT_NE(error.find("no-such.session"), std::string::npos) << error;

  Session s;
  ASSERT_TRUE(read_lesson("", "hello", s.config, &error)) << error;
  Trainer t;
  ASSERT_TRUE(t.configure(s.config, 0, &error)) << error;
  ASSERT_TRUE(t.run_iteration());
  s.models.push_back(t.capture(true));
  const std::string path =
      (std::filesystem::temp_directory_path() / ("figure_" + std::to_string(::getpid()) + ".session"))
          .string();
  ASSERT_TRUE(save_session(path, s, &error)) << error;
  o.session = path;
  Session back;
  ASSERT_TRUE(load_figure_lesson(o, config, &error, &back)) << error;
  EXPECT_EQ(config.title, s.config.title);
  EXPECT_EQ(back.models.at(0).iteration, 1);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace unrolled
